// Whole training steps on WebGPU against the CPU backend: the MLP 784-256-10 and the small CNN,
// 3 SGD steps each (forward, cross-entropy, backward, update); weights must agree within 1e-4
// relative (+1e-6 absolute), every op must have run on the GPU (no CPU fallback), and the
// buffer pool must stop allocating after warm-up.
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import { fallbackOps } from '../../engine/src/backends/webgpu/index.js';
import { batch, cnn, mlp, trainStep, type Model } from '../../bench/webgpu_models.js';
import { device } from '../helpers/webgpu_parity.js';

function train(make: (b: Backend) => Model, b: Backend, n: number, steps: number): { losses: number[]; weights: Float32Array[] } {
  const m = make(b);
  const { x, y } = batch(n, b);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push(trainStep(m, x, y, 0.05).item());
  return { losses, weights: m.params.map((p) => p.toFloat32Array()) };
}

function compare(name: string, want: ReturnType<typeof train>, got: ReturnType<typeof train>): void {
  want.losses.forEach((l, i) => assert.ok(Math.abs(l - got.losses[i]!) <= 1e-4 * Math.abs(l) + 1e-6, `${name} loss at step ${i}: cpu ${l} vs webgpu ${got.losses[i]}`));
  want.weights.forEach((w, j) => {
    const g = got.weights[j]!;
    for (let i = 0; i < w.length; i++) {
      assert.ok(Math.abs(w[i]! - g[i]!) <= 1e-4 * Math.abs(w[i]!) + 1e-6, `${name} param ${j}[${i}]: cpu ${w[i]} vs webgpu ${g[i]}`);
    }
  });
}

test('WebGPU: MLP 784-256-10, 3 SGD steps, equals the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  const want = train(mlp, cpuBackend, 32, 3);
  const got = train(mlp, b, 32, 3);
  t.diagnostic(`losses cpu ${want.losses.join(', ')} / webgpu ${got.losses.join(', ')}`);
  assert.ok(want.losses[2]! < want.losses[0]!, 'the loss goes down');
  compare('mlp', want, got);
  assert.deepEqual(fallbackOps(), [], 'ops that ran on the CPU fallback');
});

test('WebGPU: small CNN, 3 SGD steps, equals the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  const want = train(cnn, cpuBackend, 8, 3);
  const got = train(cnn, b, 8, 3);
  t.diagnostic(`losses cpu ${want.losses.join(', ')} / webgpu ${got.losses.join(', ')}`);
  compare('cnn', want, got);
  assert.deepEqual(fallbackOps(), [], 'ops that ran on the CPU fallback');
});

test('WebGPU: the buffer pool stops allocating after warm-up', async (t) => {
  const b = await device(t);
  if (!b) return;
  const m = mlp(b);
  const { x, y } = batch(16, b);
  // Let dead tensors hand their buffers back between steps (collection + finalizers).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const settle = async (): Promise<void> => { gc(); await new Promise((r) => setTimeout(r, 20)); };
  for (let s = 0; s < 3; s++) { trainStep(m, x, y, 0.01).item(); await settle(); }
  b.resetPeak();
  for (let s = 0; s < 3; s++) { trainStep(m, x, y, 0.01).item(); await settle(); }
  const after = b.pool();
  t.diagnostic(`pool: ${after.buffers} buffers, ${(after.createdBytes / 2 ** 20).toFixed(1)} MiB; peak live ${(b.memory().peakBytes / 2 ** 20).toFixed(1)} MiB; created during the last 3 steps: ${after.createdSinceReset}`);
  assert.equal(after.createdSinceReset, 0, 'buffers created after warm-up');
});

test('WebGPU: a read of a GPU tensor is synchronous and exact', async (t) => {
  const b = await device(t);
  if (!b) return;
  const v = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3);
  const x = Tensor.fromArray(v, [10, 100], 'float32', b);
  assert.deepEqual(x.toFloat32Array(), v);
  assert.deepEqual(await b.readAsync(x.storage), v);
});
