// WGSL kernels of the creation ops against the CPU backend (deterministic ones), and the GPU
// generator's rand / randn / randint by their statistics and determinism for a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, setDefaultBackend } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import { manualSeed } from '../../engine/src/runtime/rng.js';
import { fallbackOps } from '../../engine/src/backends/webgpu/index.js';
import { checkCases, close, device, op, type Case } from '../helpers/webgpu_parity.js';

const dt = (d: string) => ({ kind: 'dtype', dtype: d });
const cases: Case[] = [
  { name: 'zeros_like / ones_like / full_like', inputs: [{ shape: [3, 70] }], noGrad: true,
    run: ([x]) => [op('zeros_like', { input: x }), op('ones_like', { input: x }), op('full_like', { input: x, fill_value: -2.5 }), op('full_like', { input: x, fill_value: 3, dtype: dt('int64') })] },
  { name: 'new_zeros / new_ones / new_full', inputs: [{ shape: [2] }], noGrad: true,
    run: ([x]) => [op('new_zeros', { input: x, size: [4, 5] }), op('new_ones', { input: x, size: [7] }), op('new_full', { input: x, size: [3, 3], fill_value: 1.25 })] },
];

test('WebGPU creation kernels equal the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
  // Ops without tensor arguments run on the default backend.
  const build = (): Tensor[] => [
    op('arange', { start: 5 }), op('arange', { start: -3, end: 20, step: 4 }), op('arange', { start: 0.5, end: 3, step: 0.25 }),
    op('linspace', { start: -1, end: 2, steps: 301 }), op('linspace', { start: 4, end: 9, steps: 1 }),
    op('logspace', { start: -2, end: 3, steps: 11 }), op('logspace', { start: 0, end: 4, steps: 5, base: 2 }),
    op('eye', { n: 4 }), op('eye', { n: 3, m: 5 }), op('zeros', { size: [2, 3] }), op('ones', { size: [5] }), op('full', { size: [2, 2], fill_value: 7 }),
    op('tensor', { data: [[1, 2], [3, 4.5]] }),
  ];
  const want = build().map((x) => x.toFloat32Array());
  const before = new Set(fallbackOps());
  setDefaultBackend(b);
  let got: Tensor[];
  try { got = build(); } finally { setDefaultBackend(cpuBackend); }
  assert.deepEqual(fallbackOps().filter((o) => !before.has(o)), [], 'no CPU fallback');
  got.forEach((g, i) => {
    assert.equal(g.backend, b, `result ${i} lives on the GPU`);
    close(want[i]!, g.toFloat32Array(), `creation result ${i}`);
  });
});

test('WebGPU rand / randn / randint: statistics, range, dtype, determinism for a seed', async (t) => {
  const b = await device(t);
  if (!b) return;
  const x = Tensor.fromArray([0], [1], 'float32', b);
  const draw = (): Float32Array[] => [
    op('rand_like', { input: op('new_zeros', { input: x, size: [100_000] }) }).toFloat32Array(),
    op('randn_like', { input: op('new_zeros', { input: x, size: [100_000] }) }).toFloat32Array(),
    op('randint_like', { input: op('new_zeros', { input: x, size: [60_000] }), low: -3, high: 3 }).toFloat32Array(),
  ];
  manualSeed(5);
  const [u, z, r] = draw();
  manualSeed(5);
  const again = draw();
  manualSeed(6);
  const other = draw();
  const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
  const variance = (a: Float32Array): number => { const m = mean(a); return a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length; };
  assert.ok(u!.every((v) => v >= 0 && v < 1), 'rand in [0, 1)');
  assert.ok(Math.abs(mean(u!) - 0.5) < 0.005 && Math.abs(variance(u!) - 1 / 12) < 0.002, `rand mean ${mean(u!)} var ${variance(u!)}`);
  assert.ok(Math.abs(mean(z!)) < 0.02 && Math.abs(variance(z!) - 1) < 0.02, `randn mean ${mean(z!)} var ${variance(z!)}`);
  assert.ok(z!.every(Number.isFinite), 'randn finite');
  const counts = new Map<number, number>();
  for (const v of r!) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, c) => a - c), [-3, -2, -1, 0, 1, 2], 'randint covers [low, high)');
  for (const c of counts.values()) assert.ok(Math.abs(c - 10_000) < 500, `randint bucket ${c}`);
  [u, z, r].forEach((a, i) => {
    assert.deepEqual(a, again[i], `draw ${i} repeats for the same seed`);
    assert.notDeepEqual(a, other[i], `draw ${i} changes with the seed`);
  });
});
