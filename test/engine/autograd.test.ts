// Autograd and dispatch behaviour: accumulation, shared subgraphs, no-grad, leaves vs non-leaves,
// shape errors from the op's own rule, the non-finite watch, seeded randomness, views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callOp, manualSeed, noGrad, isGradEnabled, setNonFiniteWatch, withSite, OpError, type NonFiniteReport } from '../../engine/src/runtime/dispatch.js';
import * as F from '../../engine/src/functional.js';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';

const arr = (t: Tensor): number[] => Array.from(t.toFloat32Array());
const close = (a: number[], b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `index ${i}: ${x} vs ${b[i]}`));
};

test('gradients accumulate over a shared subexpression (x used twice)', () => {
  const x = Tensor.fromArray([1, 2, 3], [3]).setRequiresGrad();
  const y = F.mul(x, x); // dy/dx = 2x
  const z = F.sum(F.add(y, x)); // + 1
  z.backward();
  close(arr(x.grad!), [3, 5, 7]);
});

test('backward twice accumulates into .grad; zeroGrad clears it', () => {
  const w = Tensor.fromArray([2], [1]).setRequiresGrad();
  F.sum(F.mul(w, 3)).backward();
  F.sum(F.mul(w, 3)).backward();
  close(arr(w.grad!), [6]);
  w.zeroGrad();
  assert.equal(w.grad, null);
});

test('diamond graph: topological order visits each node once', () => {
  const x = Tensor.fromArray([0.5, -1], [2]).setRequiresGrad();
  const a = F.tanh(x);
  const b = F.mul(a, 2);
  const c = F.mul(a, a);
  F.sum(F.add(b, c)).backward();
  const t = [Math.tanh(0.5), Math.tanh(-1)];
  close(arr(x.grad!), t.map((v) => (2 + 2 * v) * (1 - v * v)), 1e-5);
});

test('noGrad records nothing and restores the mode, also on throw', () => {
  const x = Tensor.fromArray([1, 2], [2]).setRequiresGrad();
  const y = noGrad(() => F.mul(x, 2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }));
  assert.equal(isGradEnabled(), true);
});

test('detach cuts the graph; non-scalar backward needs a gradient', () => {
  const x = Tensor.fromArray([1, 2], [2]).setRequiresGrad();
  const y = F.mul(x, 3);
  assert.equal(y.detach().requiresGrad, false);
  assert.throws(() => y.backward(), /scalar/);
  y.backward(Tensor.fromArray([1, 10], [2]));
  close(arr(x.grad!), [3, 30]);
});

test('integer tensors cannot require grad; int outputs are not recorded', () => {
  assert.throws(() => Tensor.fromArray([1], [1], 'int32').setRequiresGrad(), /float/);
  const x = Tensor.fromArray([1, 5, 2], [3]).setRequiresGrad();
  const i = F.argmax(x);
  assert.equal(i.requiresGrad, false);
  assert.equal(i.dtype, 'int32');
});

test('view/reshape share storage (no copy); copy_ is visible through views', () => {
  const x = Tensor.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = F.view(x, [3, 2]);
  assert.equal(v.storage, x.storage);
  x.copy_(Tensor.fromArray([6, 5, 4, 3, 2, 1], [6]));
  close(arr(v), [6, 5, 4, 3, 2, 1]);
});

test('shape errors come from the op library rule and name the op and the shapes', () => {
  const a = Tensor.zeros([64, 9126]);
  const w = Tensor.zeros([10, 9216]);
  assert.throws(() => F.linear(a, w), (e: unknown) => e instanceof OpError && /linear/.test(e.message) && /9216/.test(e.message) && /9126/.test(e.message));
  assert.throws(() => F.add(Tensor.zeros([8, 10]), Tensor.zeros([8, 12])), (e: unknown) => e instanceof OpError && /10/.test(e.message) && /12/.test(e.message));
  assert.throws(() => withSite('model.py:7', () => F.matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))), /model\.py:7/);
});

test('bad arguments give one clear error, not a crash', () => {
  assert.throws(() => callOp('relu', { input: Tensor.zeros([2]), bogus: 1 }), /unexpected argument 'bogus'/);
  assert.throws(() => callOp('no_such_op', { input: Tensor.zeros([2]) }), /no cpu kernel/);
  assert.throws(() => F.crossEntropy(Tensor.zeros([2, 3]), Tensor.fromArray([0, 7], [2], 'int32')), /out of bounds/);
});

test('the non-finite watch names the op that produced NaN/Inf (not the ones it flowed through)', () => {
  const reports: NonFiniteReport[] = [];
  setNonFiniteWatch((r) => reports.push(r));
  try {
    const x = Tensor.fromArray([1, 0, -1], [3]);
    const l = withSite('model.py:12', () => F.log(x)); // log(0) = -inf, log(-1) = NaN
    F.mul(l, 2); // inherits, not reported
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.op, 'log');
    assert.equal(reports[0]!.site, 'model.py:12');
  } finally {
    setNonFiniteWatch(null);
  }
});

test('manualSeed makes randn/rand/dropout reproducible; randn has mean 0, std 1', () => {
  manualSeed(42);
  const a = arr(callOp('randn', { size: [1000] }) as Tensor);
  const m = F.dropout(Tensor.ones([100]), 0.5, true);
  manualSeed(42);
  const b = arr(callOp('randn', { size: [1000] }) as Tensor);
  const m2 = F.dropout(Tensor.ones([100]), 0.5, true);
  assert.deepEqual(a, b);
  assert.deepEqual(arr(m), arr(m2));
  const big = arr(callOp('randn', { size: [20000] }) as Tensor);
  const mean = big.reduce((s, v) => s + v, 0) / big.length;
  const sd = Math.sqrt(big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `mean ${mean}, std ${sd}`);
  // Dropout in eval mode is the identity; in training it scales kept values by 1/(1-p).
  assert.deepEqual(arr(F.dropout(Tensor.ones([4]), 0.5, false)), [1, 1, 1, 1]);
  assert.ok(arr(m).every((v) => v === 0 || v === 2));
});

test('batch_norm training updates running stats in place (momentum, unbiased variance)', () => {
  const x = Tensor.fromArray([1, 2, 3, 4], [4, 1]);
  const rm = Tensor.zeros([1]), rv = Tensor.ones([1]);
  F.batchNorm(x, rm, rv, null, null, true, 0.1);
  close(arr(rm), [0.25]);
  close(arr(rv), [0.9 + 0.1 * (5 / 3)]);
});

test('the CPU backend accounts live and peak bytes', () => {
  cpuBackend.resetPeak();
  const before = cpuBackend.memory().liveBytes;
  const t = Tensor.zeros([1024]);
  assert.ok(cpuBackend.memory().liveBytes >= before + 4096);
  assert.ok(cpuBackend.memory().peakBytes >= before + 4096);
  assert.equal(t.numel, 1024);
});

test('a small MLP learns XOR with SGD (end to end through callOp)', () => {
  manualSeed(3);
  const X = Tensor.fromArray([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]);
  const Y = Tensor.fromArray([0, 1, 1, 0], [4], 'int32');
  const w1 = F.mul(callOp('randn', { size: [8, 2] }) as Tensor, 1).setRequiresGrad();
  const b1 = Tensor.zeros([8]).setRequiresGrad();
  const w2 = F.mul(callOp('randn', { size: [2, 8] }) as Tensor, 0.5).setRequiresGrad();
  const b2 = Tensor.zeros([2]).setRequiresGrad();
  let loss = 0;
  for (let i = 0; i < 300; i++) {
    const l = F.crossEntropy(F.linear(F.tanh(F.linear(X, w1, b1)), w2, b2), Y);
    l.backward();
    loss = l.item();
    noGrad(() => { for (const p of [w1, b1, w2, b2]) { p.copy_(F.sub(p, p.grad!, 0.5)); p.zeroGrad(); } });
  }
  assert.ok(loss < 0.05, `final loss ${loss}`);
});
