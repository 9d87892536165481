// The dropout family on the GPU: masks come from a counter-based hash of (seed, step, call,
// element), so they cannot equal the CPU generator's draws. Checked instead: the keep rate,
// the scaling, y = x * mask, the gradient = upstream * mask, per-plane masks for dropout2d,
// the alpha-dropout affine, determinism for a seed, fresh masks per call and per step, and
// that a step issues the same uniforms every time (no per-step uniform).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { manualSeed } from '../../engine/src/runtime/rng.js';
import { fallbackOps } from '../../engine/src/backends/webgpu/index.js';
import { gpuRngNextStep, gpuRngPosition } from '../../engine/src/ops/dropout/webgpu.js';
import { lcg } from '../../bench/webgpu_models.js';
import { device, op, withSmallDispatchRows } from '../helpers/webgpu_parity.js';
import type { WebGPUBackend } from '../../engine/src/backends/webgpu/index.js';

function drop(b: WebGPUBackend, name: string, shape: number[], p: number): { x: Float32Array; y: Float32Array; g: Float32Array; w: Float32Array } {
  const n = shape.reduce((a, c) => a * c, 1);
  const xs = lcg(n, 2, 11), ws = lcg(n, 1, 12);
  const x = Tensor.fromArray(xs, shape, 'float32', b).setRequiresGrad();
  const y = op(name, { input: x, p, training: true });
  op('sum', { input: op('mul', { input: y, other: Tensor.fromArray(ws, shape, 'float32', b) }) }).backward();
  return { x: xs, y: y.toFloat32Array(), g: x.grad!.toFloat32Array(), w: ws };
}

test('WebGPU dropout: keep rate, scaling, y = x*mask and grad = upstream*mask', async (t) => {
  const b = await device(t);
  if (!b) return;
  manualSeed(1234);
  const before = new Set(fallbackOps());
  for (const p of [0.1, 0.5, 0.8]) {
    const n = 200_000;
    const { x, y, g, w } = drop(b, 'dropout', [400, 500], p);
    const scale = Math.fround(1 / (1 - p));
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const keep = y[i] !== 0;
      if (keep) kept++;
      // y is exactly x * scale or 0; the gradient is upstream * (scale or 0) at the same places.
      // (=== so that x * 0 = -0 for negative x counts as 0, as on the CPU)
      assert.ok(y[i] === (keep ? Math.fround(x[i]! * scale) : 0), `p=${p} y[${i}] = ${y[i]}`);
      assert.ok(g[i] === (keep ? Math.fround(w[i]! * scale) : 0), `p=${p} grad[${i}] = ${g[i]}`);
    }
    const rate = kept / n, sd = Math.sqrt(p * (1 - p) / n);
    assert.ok(Math.abs(rate - (1 - p)) < 5 * sd, `p=${p}: keep rate ${rate} vs ${1 - p}`);
  }
  assert.deepEqual(fallbackOps().filter((o) => !before.has(o)), [], 'no CPU fallback');
});

test('WebGPU dropout2d drops whole planes; alpha_dropout keeps the affine of the CPU kernel', async (t) => {
  const b = await device(t);
  if (!b) return;
  manualSeed(7);
  const { y, x } = drop(b, 'dropout2d', [8, 16, 5, 7], 0.5);
  let droppedPlanes = 0;
  for (let pl = 0; pl < 8 * 16; pl++) {
    const seg = Array.from(y.slice(pl * 35, pl * 35 + 35));
    const zero = seg.every((v) => v === 0);
    if (zero) droppedPlanes++;
    else seg.forEach((v, i) => assert.equal(v, Math.fround(x[pl * 35 + i]! * 2), `plane ${pl} kept`));
  }
  assert.ok(droppedPlanes > 30 && droppedPlanes < 98, `dropped ${droppedPlanes} of 128 planes`);
  const p = 0.3;
  const ap = -1.7580993408473766, a = 1 / Math.sqrt((ap * ap * p + 1) * (1 - p)), c = -a * ap * p;
  const r = drop(b, 'alpha_dropout', [1000], p);
  let kept = 0;
  r.y.forEach((v, i) => {
    const want1 = a * r.x[i]! + c, want0 = a * ap + c;
    const k = Math.abs(v - want1) <= 1e-5 * (1 + Math.abs(want1));
    if (k) kept++;
    else assert.ok(Math.abs(v - want0) <= 1e-5, `alpha_dropout[${i}] = ${v}`);
    assert.ok(Math.abs(r.g[i]! - (k ? r.w[i]! * a : 0)) <= 1e-5 * (1 + Math.abs(r.w[i]! * a)), `alpha_dropout grad[${i}]`);
  });
  assert.ok(Math.abs(kept / 1000 - 0.7) < 0.08, `alpha keep rate ${kept / 1000}`);
});

test('WebGPU dropout: deterministic for a seed, fresh per call and per step, same uniforms per step', async (t) => {
  const b = await device(t);
  if (!b) return;
  const masks = (seed: number): Float32Array[] => {
    manualSeed(seed);
    const out: Float32Array[] = [];
    for (let s = 0; s < 2; s++) {
      gpuRngNextStep();
      out.push(drop(b, 'dropout', [3000], 0.5).y, drop(b, 'dropout', [3000], 0.5).y);
    }
    return out;
  };
  const a = masks(42), again = masks(42), other = masks(43);
  a.forEach((m, i) => assert.deepEqual(m, again[i], `mask ${i} repeats for the same seed`));
  const same = (u: Float32Array, v: Float32Array): number => u.reduce((acc, x, i) => acc + (x === v[i] ? 1 : 0), 0);
  // Independent masks agree on about half of the elements (p = 0.5), never on all.
  assert.ok(same(a[0]!, a[1]!) < 1700, 'two calls in a step draw different masks');
  assert.ok(same(a[0]!, a[2]!) < 1700, 'the next step draws a different mask');
  assert.ok(same(a[0]!, other[0]!) < 1700, 'another seed draws a different mask');
  // The call index restarts at each step: a step's dispatches carry the same uniform words.
  gpuRngNextStep();
  assert.equal(gpuRngPosition().calls, 0);
  drop(b, 'dropout', [10], 0.5);
  assert.equal(gpuRngPosition().calls, 1);
});

test('WebGPU dropout and rand: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  manualSeed(3);
  const n = 30_000;
  const { x, y, g, w } = withSmallDispatchRows(b, 40, () => drop(b, 'dropout', [n], 0.5));
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const keep = y[i] !== 0;
    if (keep) kept++;
    assert.ok(y[i] === (keep ? Math.fround(x[i]! * 2) : 0) && g[i] === (keep ? Math.fround(w[i]! * 2) : 0), `element ${i}`);
  }
  assert.ok(Math.abs(kept / n - 0.5) < 0.02, `keep rate ${kept / n}`);
  const u = withSmallDispatchRows(b, 40, () => op('rand_like', { input: Tensor.fromArray(new Float32Array(n), [n], 'float32', b) }).toFloat32Array());
  assert.ok(u.every((v) => v >= 0 && v < 1) && new Set(u).size > n * 0.99, 'every element drawn, values distinct');
});
