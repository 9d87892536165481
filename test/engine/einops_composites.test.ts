// The einops composites (engine/src/ops/einops/grad.ts) against PyTorch: forward values and the
// gradients of sum(output * cotangent), from the goldens written by
// test/engine/goldens/make_einops_goldens.py (torch 1.13.1, einops' recipe spelled in torch ops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOp } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { RuntimeValue } from '../../engine/src/runtime/value.js';
import { compare, decode, type GoldenCase, type EncTensor } from './goldens/golden_io.js';

const cases = (JSON.parse(readFileSync(join(import.meta.dirname, 'goldens', 'einops_goldens.json'), 'utf8')) as { cases: GoldenCase[] }).cases;

const tensorsIn = (v: RuntimeValue): Tensor[] => (v instanceof Tensor ? [v] : Array.isArray(v) ? (v as RuntimeValue[]).flatMap(tensorsIn) : []);

test('the einops goldens cover every einops op', () => {
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ['einops_rearrange', 'einops_reduce', 'einops_repeat', 'einops_pack', 'einops_unpack', 'einops_einsum']) assert.ok(ops.has(op), op);
});

for (const c of cases) {
  test(`${c.name} (${c.op}) matches PyTorch, forward and gradient`, () => {
    const args: Record<string, RuntimeValue> = {};
    for (const [k, e] of Object.entries(c.args)) {
      const v = decode(e, cpuBackend);
      if (k in c.grads) for (const t of tensorsIn(v)) t.setRequiresGrad(true);
      args[k] = v;
    }
    const out = callOp(c.op, args);
    // pack returns (packed, packed_shapes): only tensors are compared.
    const outs = tensorsIn(out);
    assert.equal(outs.length, c.outputs.length, 'number of tensor outputs');
    const errors: string[] = [];
    outs.forEach((o, i) => { const m = compare(`output ${i}`, o, (c.outputs[i] as { tensor: EncTensor }).tensor); if (m) errors.push(m); });
    let total: Tensor | null = null;
    outs.forEach((o, i) => {
      const term = callOp('sum', { input: callOp('mul', { input: o, other: decode(c.cotangents[i]!, cpuBackend) }) }) as Tensor;
      total = total ? callOp('add', { input: total, other: term }) as Tensor : term;
    });
    (total as unknown as Tensor).backward();
    for (const [k, e] of Object.entries(c.grads)) {
      const want = 'list' in e ? e.list : [e];
      tensorsIn(args[k]!).forEach((t, i) => {
        if (!t.grad) { errors.push(`grad of ${k}[${i}] missing`); return; }
        const m = compare(`grad of ${k}[${i}]`, t.grad, (want[i] as { tensor: EncTensor }).tensor);
        if (m) errors.push(m);
      });
    }
    assert.deepEqual(errors, []);
  });
}

test('pack returns the packed shapes beside the packed tensor, and unpack undoes pack', () => {
  const a = Tensor.fromArray(Array.from({ length: 30 }, (_, i) => i), [2, 3, 5]);
  const b = Tensor.fromArray(Array.from({ length: 10 }, (_, i) => 100 + i), [2, 5]);
  const [packed, ps] = callOp('einops_pack', { tensors: [a, b], pattern: 'b * d' }) as [Tensor, number[][]];
  assert.deepEqual([...packed.shape], [2, 4, 5]);
  assert.deepEqual(ps, [[3], []]);
  const [a2, b2] = callOp('einops_unpack', { input: packed, packed_shapes: ps, pattern: 'b * d' }) as Tensor[];
  assert.deepEqual(Array.from(a2!.toFloat32Array()), Array.from(a.toFloat32Array()));
  assert.deepEqual(Array.from(b2!.toFloat32Array()), Array.from(b.toFloat32Array()));
});

test('a pattern that cannot fit fails with the shape rule\'s einops message', () => {
  const x = Tensor.zeros([2, 3, 10]);
  assert.throws(() => callOp('einops_rearrange', { input: x, pattern: 'b n (h d) -> b h n d', axes_lengths: [['h', 3]] }),
    /can't divide axis of length 10 in chunks of 3/);
});
