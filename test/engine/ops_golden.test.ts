// Every op against PyTorch: forward values and the gradients of sum(output * cotangent), from the
// goldens written by test/engine/goldens/make_op_goldens.py (torch 1.13.1). The suite is
// backend-parametric: each backend in BACKENDS runs every case (the WebGPU backend joins later).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { callOp, noGrad } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import type { RuntimeValue } from '../../engine/src/runtime/value.js';
import { compare, decode, loadGoldens, type Enc, type EncTensor } from './goldens/golden_io.js';

const BACKENDS: { name: string; backend: Backend }[] = [{ name: 'cpu', backend: cpuBackend }];
const cases = loadGoldens();

function flatTensors(v: RuntimeValue): (Tensor | null)[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return (v as RuntimeValue[]).flatMap(flatTensors);
  return [null];
}

for (const { name: bname, backend } of BACKENDS) {
  describe(`op goldens vs PyTorch (${bname})`, () => {
    test('the goldens cover many ops', () => {
      assert.ok(new Set(cases.map((c) => c.op)).size >= 100, 'expected >= 100 distinct ops in the goldens');
    });
    for (const c of cases) {
      test(`${c.name} (${c.op})`, () => {
        const args: Record<string, RuntimeValue> = {};
        for (const [k, e] of Object.entries(c.args)) {
          const v = decode(e, backend);
          if (k in c.grads) {
            for (const t of flatTensors(v)) t?.setRequiresGrad(true);
          }
          args[k] = v;
        }
        const out = callOp(c.op, args);
        const outs = flatTensors(Array.isArray(out) ? out : [out]);
        assert.equal(outs.length, c.outputs.length, 'number of outputs');
        const errors: string[] = [];
        c.outputs.forEach((e, i) => {
          const got = outs[i];
          if (!got) { errors.push(`output ${i} is not a tensor`); return; }
          const msg = compare(`output ${i}`, got, (e as { tensor: EncTensor }).tensor);
          if (msg) errors.push(msg);
        });
        if (c.after) {
          for (const [k, e] of Object.entries(c.after)) {
            const msg = compare(`${k} after the call`, args[k] as Tensor, (e as { tensor: EncTensor }).tensor);
            if (msg) errors.push(msg);
          }
        }
        if (Object.keys(c.grads).length > 0) {
          let total: Tensor | null = null;
          c.cotangents.forEach((ce, i) => {
            const o = outs[i];
            if (!ce || !o || !o.requiresGrad) return;
            const cot = decode(ce, backend) as Tensor;
            const term = callOp('sum', { input: callOp('mul', { input: o, other: cot }) }) as Tensor;
            total = total ? callOp('add', { input: total, other: term }) as Tensor : term;
          });
          assert.ok(total, 'no differentiable output');
          (total as Tensor).backward();
          for (const [k, e] of Object.entries(c.grads)) {
            const ts = flatTensors(args[k]!);
            const want = 'list' in e ? e.list : [e];
            ts.forEach((t, i) => {
              const w = (want[i] as { tensor: EncTensor }).tensor;
              if (!t!.grad) { if (w.data.some((x) => x !== 0)) errors.push(`grad of ${k}[${i}] missing`); return; }
              const msg = compare(`grad of ${k}${ts.length > 1 ? `[${i}]` : ''}`, t!.grad, w);
              if (msg) errors.push(msg);
            });
          }
        }
        assert.deepEqual(errors, []);
      });
    }
  });

  // Finite differences for a sample of ops: an independent check of the gradient rules, not only
  // agreement with PyTorch. Central differences in float32 data, sums accumulated in float64.
  describe(`finite-difference gradients (${bname})`, () => {
    const sample = ['conv2d_stride_pad_dil_groups', 'conv_transpose2d', 'max_pool2d_pad_ceil', 'avg_pool2d_nopad_ceil', 'batch_norm_train',
      'layer_norm', 'group_norm', 'cross_entropy_full', 'softmax', 'log_softmax', 'matmul_batched_broadcast', 'linear_3d', 'gelu_tanh',
      'getitem_slices', 'interpolate_bilinear', 'einsum_attn', 'var_dim', 'bce_with_logits', 'mish', 'cat'];
    for (const name of sample) {
      test(name, () => {
        const c = cases.find((x) => x.name === name);
        assert.ok(c, `golden case ${name} exists`);
        const base: Record<string, RuntimeValue> = {};
        for (const [k, e] of Object.entries(c.args)) base[k] = decode(e, backend);
        const cots = c.cotangents.map((e) => (e ? (decode(e, backend) as Tensor).toFloat32Array() : null));
        // f(args) = sum(out * cot) in float64; batch_norm's running stats are cloned per call.
        const f = (args: Record<string, RuntimeValue>): number => noGrad(() => {
          const a = { ...args };
          if (c.op === 'batch_norm') for (const k of ['running_mean', 'running_var']) if (a[k] instanceof Tensor) a[k] = (a[k] as Tensor).clone();
          const out = callOp(c.op, a);
          const outs = flatTensors(Array.isArray(out) ? out : [out]);
          let s = 0;
          outs.forEach((o, i) => { const cv = cots[i]; if (!o || !cv || o.dtype !== 'float32') return; const d = o.toFloat32Array(); for (let j = 0; j < d.length; j++) s += d[j]! * cv[j]!; });
          return s;
        });
        const errors: string[] = [];
        for (const k of Object.keys(c.grads)) {
          const leaves = flatTensors(base[k]!);
          leaves.forEach((t, li) => {
            const want = (('list' in c.grads[k]! ? (c.grads[k] as { list: Enc[] }).list[li] : c.grads[k]) as { tensor: EncTensor }).tensor.data;
            const data = t!.toFloat32Array();
            const step = Math.max(1, Math.floor(data.length / 12));
            for (let j = 0; j < data.length; j += step) {
              const h = 1e-2 * Math.max(1, Math.abs(data[j]!));
              const probe = (delta: number): number => {
                const d2 = data.slice(); d2[j] = data[j]! + delta;
                const t2 = Tensor.fromArray(d2, t!.shape, 'float32', backend);
                const args = { ...base };
                if (Array.isArray(base[k])) { const l = [...(base[k] as RuntimeValue[])]; l[li] = t2; args[k] = l; } else args[k] = t2;
                return f(args);
              };
              const fd = (probe(h) - probe(-h)) / (2 * h);
              const tol = 2e-2 * Math.max(1, Math.abs(want[j]!));
              if (Math.abs(fd - want[j]!) > tol) errors.push(`${k}[${li}] flat ${j}: finite difference ${fd.toFixed(5)} vs gradient ${want[j]!.toFixed(5)}`);
            }
          });
        }
        assert.deepEqual(errors, []);
      });
    }
  });
}
