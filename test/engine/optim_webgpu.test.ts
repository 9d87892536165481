// GPU-resident optimizers against the CPU path (itself within 1e-6 of PyTorch, optim_torch.test.ts):
// the same configs, random parameters and gradients, 5 steps with a changing lr, on the CPU and
// WebGPU backends; parameters and state within 1e-6 (normwise relative). Then: applyStep issues the same
// dispatches every step and never reads, uploads or allocates; state_dict save/load continues
// exactly; clip_grad_norm_ on the GPU equals the CPU one without reading back; the trainer's
// --resume on webgpu reproduces the uninterrupted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import type { WebGPUBackend } from '../../engine/src/backends/webgpu/index.js';
import type { DispatchSpec } from '../../engine/src/backends/webgpu/backend.js';
import { SGD, Adam, AdamW, clipGradNorm, saveOptimizerState, loadOptimizerState, type Optimizer } from '../../engine/src/optim/index.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { parseRunConfig } from '../../engine/src/train/config.js';
import { train } from '../../engine/src/train/trainer.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';
import { readMetrics } from '../../engine/src/train/run_dir.js';
import { readSafetensors } from '../../engine/src/io/index.js';
import { device } from '../helpers/webgpu_parity.js';

// Shapes: a matrix past one workgroup grid row, a bias, a conv kernel, a scalar-sized one.
const SHAPES = [[70, 45], [70], [8, 3, 3, 3], [1]];

function randn(n: number, seed: number, s = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
}
const numel = (s: number[]) => s.reduce((a, c) => a * c, 1);

function makeParams(b: Backend): [string, Tensor][] {
  return SHAPES.map((s, j) => [`p${j}`, Tensor.fromArray(randn(numel(s), 100 + j), s, 'float32', b).setRequiresGrad()]);
}
function setGrads(ps: [string, Tensor][], step: number, b: Backend): void {
  ps.forEach(([, p], j) => { p.grad = Tensor.fromArray(randn(p.numel, 1000 * step + j, 0.5), p.shape, 'float32', b); });
}

type Make = (ps: [string, Tensor][]) => Optimizer;
const CONFIGS: Record<string, Make> = {
  sgd: (ps) => new SGD(ps, { lr: 0.1 }),
  sgd_momentum: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
  sgd_momentum_dampening_wd: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }),
  sgd_nesterov_wd: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  sgd_wd: (ps) => new SGD(ps, { lr: 0.1, weightDecay: 0.05 }),
  adam: (ps) => new Adam(ps, { lr: 1e-2 }),
  adam_wd: (ps) => new Adam(ps, { lr: 1e-2, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }),
  adamw: (ps) => new AdamW(ps, { lr: 1e-2, weightDecay: 0.05 }),
};

/**
 * Normwise: max |a - b| <= 1e-6 * max |b| over the tensor. Elementwise relative error is the
 * wrong measure for elements that are near-cancellations of larger terms (p - lr*d,
 * m*b1 + g*(1-b1)): they carry a rounding of those terms, which may differ in the last bit (the
 * GPU may fuse a multiply-add; its constants such as 1-beta1 are f32 where the CPU path multiplies
 * by a double). Returns the worst normwise error.
 */
function assertRel(got: Float32Array, want: Float32Array, what: string, tol = 1e-6): number {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const rel = Math.abs(got[i]! - want[i]!) / Math.max(scale, 1e-30);
    if (!(rel <= tol)) assert.fail(`${what}[${i}]: webgpu ${got[i]} vs cpu ${want[i]} (difference ${rel.toExponential(2)} of the largest |value| ${scale}, > ${tol})`);
    worst = Math.max(worst, rel);
  }
  return worst;
}

function run(make: Make, b: Backend, steps: number): { opt: Optimizer; ps: [string, Tensor][] } {
  const ps = makeParams(b);
  const opt = make(ps);
  for (let k = 1; k <= steps; k++) {
    setGrads(ps, k, b);
    opt.lr *= k === 1 ? 1 : 0.9; // a schedule: the per-step scalars change every step
    opt.step();
  }
  return { opt, ps };
}

for (const [name, make] of Object.entries(CONFIGS)) {
  test(`optim on WebGPU: ${name}, 5 steps equal the CPU path within 1e-6`, async (t) => {
    const b = await device(t);
    if (!b) return;
    const want = run(make, cpuBackend, 5);
    const got = run(make, b, 5);
    let worst = 0;
    got.ps.forEach(([n, p], j) => { worst = Math.max(worst, assertRel(p.toFloat32Array(), want.ps[j]![1].toFloat32Array(), `${name} ${n}`)); });
    const sw = want.opt.stateDict(), sg = got.opt.stateDict();
    assert.deepEqual([...sg.buffers.keys()].sort(), [...sw.buffers.keys()].sort(), 'state buffer names');
    assert.deepEqual(sg.steps, sw.steps, 'step counts');
    for (const [k, v] of sw.buffers) {
      const g = sg.buffers.get(k)!;
      assert.deepEqual(g.shape, v.shape, `${k} shape`);
      worst = Math.max(worst, assertRel(g.data as Float32Array, v.data as Float32Array, `${name} state ${k}`));
    }
    t.diagnostic(`worst relative difference ${worst.toExponential(2)}`);
  });
}

/** Records the backend calls made while fn runs. */
function recordCalls(b: WebGPUBackend, fn: () => void): { dispatches: string[]; other: string[] } {
  const dispatches: string[] = [], other: string[] = [];
  const saved = { run: b.run, read: b.read, write: b.write, allocate: b.allocate, allocateUninit: b.allocateUninit, fromArray: b.fromArray, copyInto: b.copyInto };
  const bb = b as unknown as Record<string, unknown>;
  bb.run = (s: DispatchSpec) => {
    const binds = s.bindings.map((x) => ('id' in x ? x.id : `${x.storage.id}@${x.offset}+${x.size}`));
    dispatches.push(`${s.key} [${binds.join(',')}] (${s.uniforms.join(',')}) ${s.groups.join('x')}`);
    saved.run.call(b, s);
  };
  for (const k of ['read', 'write', 'allocate', 'allocateUninit', 'fromArray', 'copyInto'] as const) {
    bb[k] = (...a: unknown[]) => { other.push(k); return (saved[k] as (...x: unknown[]) => unknown).apply(b, a); };
  }
  try { fn(); } finally { for (const k of Object.keys(saved)) delete bb[k]; }
  return { dispatches, other };
}

test('optim on WebGPU: applyStep repeats the same dispatches every step, with no reads, uploads or allocations', async (t) => {
  const b = await device(t);
  if (!b) return;
  for (const name of ['sgd_momentum_dampening_wd', 'adamw']) {
    const ps = makeParams(b);
    const opt = CONFIGS[name]!(ps);
    setGrads(ps, 1, b); // the same gradient storages every step, as in a replayed step
    opt.step();
    const seen: string[][] = [];
    for (let k = 2; k <= 4; k++) {
      opt.lr *= 0.5;
      opt.prepareStep();
      const r = recordCalls(b, () => opt.applyStep());
      assert.deepEqual(r.other, [], `${name}: host calls during applyStep`);
      assert.equal(r.dispatches.length, ps.length, `${name}: one dispatch per parameter`);
      seen.push(r.dispatches);
    }
    assert.deepEqual(seen[1], seen[0], `${name}: step 3 dispatches equal step 2's`);
    assert.deepEqual(seen[2], seen[0], `${name}: step 4 dispatches equal step 2's`);
    // The per-step scalars changed (lr halves), so the parameters still follow the CPU path.
    const cps = makeParams(cpuBackend);
    const copt = CONFIGS[name]!(cps);
    setGrads(cps, 1, cpuBackend);
    copt.step();
    for (let k = 2; k <= 4; k++) { copt.lr *= 0.5; copt.step(); }
    ps.forEach(([n, p], j) => assertRel(p.toFloat32Array(), cps[j]![1].toFloat32Array(), `${name} replayed ${n}`));
  }
  t.diagnostic('dispatch lists identical across steps 2..4');
});

test('optim on WebGPU: a parameter without a gradient is skipped but its step is counted (documented deviation)', async (t) => {
  const b = await device(t);
  if (!b) return;
  const ps = makeParams(b);
  const before = ps[1]![1].toFloat32Array();
  const opt = new Adam(ps, { lr: 0.01 });
  setGrads(ps, 1, b);
  ps[1]![1].grad = null;
  opt.step();
  assert.deepEqual(ps[1]![1].toFloat32Array(), before, 'no gradient: not updated');
  const st = opt.stateDict();
  assert.deepEqual(st.steps, { p0: 1, p1: 1, p2: 1, p3: 1 });
  assert.ok(!st.buffers.has('p1.exp_avg') && st.buffers.has('p0.exp_avg'), 'state_dict lists only updated parameters');
});

test('optim on WebGPU: state_dict save/load continues exactly (and loads CPU-made state)', async (t) => {
  const b = await device(t);
  if (!b) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-optim-gpu-'));
  try {
    for (const name of ['sgd_momentum_dampening_wd', 'sgd_nesterov_wd', 'adam_wd', 'adamw']) {
      const whole = run(CONFIGS[name]!, b, 5);
      const ps = makeParams(b);
      const opt = CONFIGS[name]!(ps);
      for (let k = 1; k <= 2; k++) { setGrads(ps, k, b); opt.lr *= k === 1 ? 1 : 0.9; opt.step(); }
      const file = join(dir, `${name}.safetensors`);
      saveOptimizerState(file, opt.stateDict());
      // A fresh optimizer on copies of the parameters, loaded from disk, continues bit for bit.
      const ps2: [string, Tensor][] = ps.map(([n, p]) => [n, p.clone().setRequiresGrad()]);
      const opt2 = CONFIGS[name]!(ps2);
      opt2.loadStateDict(loadOptimizerState(file));
      for (let k = 3; k <= 5; k++) { setGrads(ps2, k, b); opt2.lr *= 0.9; opt2.step(); }
      ps2.forEach(([n, p], j) => assert.deepEqual(p.toFloat32Array(), whole.ps[j]![1].toFloat32Array(), `${name} resumed ${n}`));
      // Loading into an optimizer that has already stepped on the GPU overwrites its state in place.
      const ps3: [string, Tensor][] = ps.map(([n, p]) => [n, p.clone().setRequiresGrad()]);
      const opt3 = CONFIGS[name]!(ps3);
      setGrads(ps3, 9, b);
      const saved = ps3.map(([, p]) => p.clone());
      opt3.step();
      ps3.forEach(([, p], j) => p.copy_(saved[j]!));
      opt3.loadStateDict(loadOptimizerState(file));
      opt3.lr = opt.lr;
      for (let k = 3; k <= 5; k++) { setGrads(ps3, k, b); opt3.lr *= 0.9; opt3.step(); }
      ps3.forEach(([n, p], j) => assert.deepEqual(p.toFloat32Array(), whole.ps[j]![1].toFloat32Array(), `${name} reloaded ${n}`));
    }
    // State written by the CPU path resumes on the GPU (same names and format).
    const cpu = run(CONFIGS.adamw!, cpuBackend, 2);
    const ps = makeParams(b);
    cpu.ps.forEach(([, p], j) => ps[j]![1].copy_(Tensor.fromArray(p.toFloat32Array(), p.shape, 'float32', b)));
    const opt = CONFIGS.adamw!(ps);
    opt.loadStateDict(cpu.opt.stateDict());
    const ref = cpu.opt;
    for (let k = 3; k <= 5; k++) {
      setGrads(ps, k, b); opt.lr *= 0.9; opt.step();
      setGrads(cpu.ps, k, cpuBackend); ref.lr *= 0.9; ref.step();
    }
    ps.forEach(([n, p], j) => assertRel(p.toFloat32Array(), cpu.ps[j]![1].toFloat32Array(), `cpu state resumed on webgpu ${n}`));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('clip_grad_norm_ on WebGPU equals the CPU path, without reading back', async (t) => {
  const b = await device(t);
  if (!b) return;
  for (const maxNorm of [1.0, 1e3]) { // clipping, and a norm under the limit (grads untouched)
    const cps = makeParams(cpuBackend), gps = makeParams(b);
    setGrads(cps, 7, cpuBackend);
    setGrads(gps, 7, b);
    const want = clipGradNorm(cps.map(([name, param]) => ({ name, param })), maxNorm).item();
    let total: Tensor | null = null;
    const r = recordCalls(b, () => { total = clipGradNorm(gps.map(([name, param]) => ({ name, param })), maxNorm); });
    assert.ok(!r.other.includes('read') && !r.other.includes('write') && !r.other.includes('fromArray'), `clip read or uploaded: ${r.other.join(', ')}`);
    const got = total!.item();
    assert.ok(Math.abs(got - want) <= 1e-6 * want, `total norm ${got} vs cpu ${want}`);
    cps.forEach(([n, p], j) => assertRel(gps[j]![1].grad!.toFloat32Array(), p.grad!.toFloat32Array(), `clipped grad ${n} (max_norm ${maxNorm})`));
    t.diagnostic(`max_norm ${maxNorm}: total ${got} (cpu ${want})`);
  }
  // A large gradient (many partial sums) still matches the CPU's double-precision sum.
  const big = Tensor.fromArray(randn(300_000, 5), [300_000], 'float32', b).setRequiresGrad();
  const bigCpu = Tensor.fromArray(randn(300_000, 5), [300_000], 'float32', cpuBackend).setRequiresGrad();
  big.grad = Tensor.fromArray(randn(300_000, 6), [300_000], 'float32', b);
  bigCpu.grad = Tensor.fromArray(randn(300_000, 6), [300_000], 'float32', cpuBackend);
  const want = clipGradNorm([bigCpu], 2).item();
  const got = clipGradNorm([big], 2).item();
  assert.ok(Math.abs(got - want) <= 1e-6 * want, `total norm ${got} vs cpu ${want}`);
  assertRel(big.grad.toFloat32Array(), bigCpu.grad.toFloat32Array(), 'clipped large grad');
});

const MLP = `import torch.nn as nn
import torch.nn.functional as F

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))
`;

test('train on webgpu: --resume from a mid-run checkpoint reproduces the uninterrupted run exactly (AdamW, grad_clip)', async (t) => {
  const b = await device(t);
  if (!b) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-train-gpu-'));
  try {
    writeFileSync(join(dir, 'model.py'), MLP);
    const r = mulberry32(1);
    const rows = ['a,b,c,d,label'];
    for (let i = 0; i < 160; i++) rows.push(`${[0, 1, 2, 3].map((j) => ((j === i % 3 ? 2 : 0) + (r() - 0.5)).toFixed(4)).join(',')},${i % 3}`);
    writeFileSync(join(dir, 'train.csv'), rows.join('\n') + '\n');
    const c = parseRunConfig({
      model: { file: 'model.py', class: 'MLP' },
      data: { train: { format: 'csv', path: 'train.csv' }, batch_size: 16 },
      loss: { name: 'cross_entropy' }, optimizer: { name: 'adamw', lr: 0.01 }, schedule: { name: 'warmup_cosine', warmup_steps: 3 },
      grad_clip: 0.5, epochs: 2, seed: 3, log_every: 1, checkpoint_every: 5, device: 'webgpu', output_dir: 'out',
    }, join(dir, 'train.json'));
    const quiet = { isTTY: false, write: () => true };
    await train(c, { buildModel: loadModelFile, stdout: quiet, out: join(dir, 'a') });
    await train(c, { buildModel: loadModelFile, stdout: quiet, out: join(dir, 'b') });
    const bd = join(dir, 'b');
    for (const f of readdirSync(bd)) {
      const m = /^checkpoint-(\d+)/.exec(f);
      if ((m && Number(m[1]) > 10) || f === 'model.safetensors') unlinkSync(join(bd, f));
    }
    const res = await train(c, { buildModel: loadModelFile, stdout: quiet, resume: bd });
    assert.equal(res.resumedFrom, 10);
    const strip = (d: string) => readMetrics(join(dir, d, 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map(({ step, value }) => ({ step, value }));
    assert.deepEqual(strip('b'), strip('a'));
    const wa = readSafetensors(join(dir, 'a', 'model.safetensors')).tensors;
    const wb = readSafetensors(join(dir, 'b', 'model.safetensors')).tensors;
    for (const [k, v] of wa) assert.deepEqual([...wb.get(k)!.data], [...v.data], k);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
