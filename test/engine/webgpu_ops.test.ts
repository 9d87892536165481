// Backend parity: every WebGPU kernel against the CPU backend, forward and gradient, within 1e-4
// relative (plus 1e-5 absolute for values near zero, where f32 rounding of different but equally
// valid summation orders dominates). Runs on Mesa lavapipe in CI; with CI=true a missing adapter
// fails. Also: ops without a WGSL kernel run through the CPU fallback and still agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import { kernelOps } from '../../engine/src/backends/kernel_registry.js';
import { UNARY, BINARY } from '../../engine/src/runtime/op_tables.js';
import { lcg } from '../../bench/webgpu_models.js';
import { checkCases, close, device, op, type Case } from '../helpers/webgpu_parity.js';

// Input ranges where each function is defined and smooth (no kinks at sampled points).
const DOMAIN: Record<string, [number, number]> = {
  log: [0.1, 3], log2: [0.1, 3], log10: [0.1, 3], log1p: [-0.5, 3], sqrt: [0.1, 3], rsqrt: [0.1, 3], reciprocal: [0.5, 3],
  asin: [-0.9, 0.9], acos: [-0.9, 0.9], tan: [-1.2, 1.2], exp2: [-3, 3],
};

const cases: Case[] = [];
for (const e of UNARY) {
  if (e.name === 'gelu_tanh') continue;
  const [lo, hi] = DOMAIN[e.name] ?? [-3, 3];
  cases.push({ name: e.name, inputs: [{ shape: [3, 37], lo, hi }], run: ([x]) => op(e.name, { input: x }), noGrad: e.grad === null });
}
cases.push({ name: 'gelu tanh', inputs: [{ shape: [50] }], run: ([x]) => op('gelu', { input: x, approximate: 'tanh' }) });
cases.push({ name: 'leaky_relu slope', inputs: [{ shape: [50] }], run: ([x]) => op('leaky_relu', { input: x, negative_slope: 0.2 }) });
cases.push({ name: 'clamp', inputs: [{ shape: [50] }], run: ([x]) => op('clamp', { input: x, min: -0.5, max: 1 }) });
for (const e of BINARY) {
  if (e.name === 'div_trunc' || e.name === 'prelu' || e.name === 'rsub') continue;
  const pos = ['pow', 'div', 'fmod', 'remainder', 'floor_divide', 'atan2'].includes(e.name);
  const other = e.name === 'pow' ? 'exponent' : 'other';
  cases.push({ name: `${e.name} broadcast`, inputs: [{ shape: [4, 1, 6], lo: pos ? 0.5 : -2 }, { shape: [3, 1], lo: pos ? 0.5 : -2 }],
    run: ([a, b]) => op(e.name, { input: a, [other]: b }), noGrad: e.gradA === null || ['fmod', 'remainder'].includes(e.name) });
  cases.push({ name: `${e.name} scalar`, inputs: [{ shape: [20], lo: pos ? 0.5 : -2 }], run: ([a]) => op(e.name, { input: a, [other]: 1.5 }), noGrad: e.gradA === null || ['fmod', 'remainder'].includes(e.name) });
}
cases.push({ name: 'add alpha', inputs: [{ shape: [5, 4] }, { shape: [4] }], run: ([a, b]) => op('add', { input: a, other: b, alpha: 0.5 }) });
cases.push({ name: 'add int', inputs: [{ shape: [6], int: 9 }, { shape: [6], int: 9 }], run: ([a, b]) => op('add', { input: a, other: b }) });
cases.push({ name: 'where', inputs: [{ shape: [4, 5] }, { shape: [5] }], run: ([a, b]) => op('where', { condition: op('gt', { input: a, other: 0 }), input: a, other: b }) });
for (const r of ['sum', 'mean', 'amax', 'amin', 'prod']) {
  cases.push({ name: `${r} all`, inputs: [{ shape: [3, 4, 5], lo: 0.5, hi: 1.5 }], run: ([x]) => op(r, { input: x }) });
  cases.push({ name: `${r} dim 1`, inputs: [{ shape: [3, 4, 5], lo: 0.5, hi: 1.5 }], run: ([x]) => op(r, { input: x, dim: 1 }) });
  cases.push({ name: `${r} dims (0,2) keepdim`, inputs: [{ shape: [3, 4, 5], lo: 0.5, hi: 1.5 }], run: ([x]) => op(r, { input: x, dim: [0, 2], keepdim: true }) });
}
for (const s of ['softmax', 'log_softmax']) {
  cases.push({ name: `${s} last`, inputs: [{ shape: [6, 10] }], run: ([x]) => op(s, { input: x, dim: -1 }) });
  cases.push({ name: `${s} dim 1 of 3`, inputs: [{ shape: [2, 7, 3] }], run: ([x]) => op(s, { input: x, dim: 1 }) });
}
cases.push({ name: 'matmul 2d', inputs: [{ shape: [37, 70] }, { shape: [70, 65] }], run: ([a, b]) => op('matmul', { input: a, other: b }) });
cases.push({ name: 'matmul batch broadcast', inputs: [{ shape: [3, 5, 8] }, { shape: [8, 4] }], run: ([a, b]) => op('matmul', { input: a, other: b }) });
cases.push({ name: 'matmul vec', inputs: [{ shape: [8] }, { shape: [2, 8, 3] }], run: ([a, b]) => op('matmul', { input: a, other: b }) });
cases.push({ name: 'bmm', inputs: [{ shape: [4, 9, 6] }, { shape: [4, 6, 10] }], run: ([a, b]) => op('bmm', { input: a, mat2: b }) });
cases.push({ name: 'linear', inputs: [{ shape: [2, 33, 20] }, { shape: [17, 20] }, { shape: [17] }], run: ([x, w, b]) => op('linear', { input: x, weight: w, bias: b }) });
cases.push({ name: 'linear no bias', inputs: [{ shape: [33, 20] }, { shape: [17, 20] }], run: ([x, w]) => op('linear', { input: x, weight: w }) });
cases.push({ name: 'permute', inputs: [{ shape: [2, 3, 4, 5] }], run: ([x]) => op('permute', { input: x, dims: [2, 0, 3, 1] }) });
cases.push({ name: 'transpose', inputs: [{ shape: [6, 7] }], run: ([x]) => op('transpose', { input: x, dim0: 0, dim1: 1 }) });
cases.push({ name: 'view + flatten', inputs: [{ shape: [4, 3, 2] }], run: ([x]) => op('flatten', { input: op('view', { input: x, shape: [2, -1, 3] }), start_dim: 1 }) });
cases.push({ name: 'expand', inputs: [{ shape: [3, 1] }], run: ([x]) => op('expand', { input: x, size: [2, 3, 4] }) });
cases.push({ name: 'repeat', inputs: [{ shape: [2, 3] }], run: ([x]) => op('repeat', { input: x, repeats: [2, 1, 2] }) });
cases.push({ name: 'conv2d', inputs: [{ shape: [2, 3, 9, 8] }, { shape: [5, 3, 3, 3] }, { shape: [5] }], run: ([x, w, b]) => op('conv2d', { input: x, weight: w, bias: b, padding: 1, stride: [1, 2] }) });
cases.push({ name: 'conv2d no bias', inputs: [{ shape: [2, 1, 8, 8] }, { shape: [4, 1, 3, 3] }], run: ([x, w]) => op('conv2d', { input: x, weight: w }) });
cases.push({ name: 'max_pool2d', inputs: [{ shape: [2, 3, 8, 9] }], run: ([x]) => op('max_pool2d', { input: x, kernel_size: 2 }) });
cases.push({ name: 'max_pool2d stride pad', inputs: [{ shape: [1, 2, 7, 7] }], run: ([x]) => op('max_pool2d', { input: x, kernel_size: 3, stride: 2, padding: 1 }) });
cases.push({ name: 'cross_entropy', inputs: [{ shape: [9, 10] }, { shape: [9], int: 10 }], run: ([x, y]) => op('cross_entropy', { input: x, target: y }) });
cases.push({ name: 'cross_entropy sum', inputs: [{ shape: [9, 10] }, { shape: [9], int: 10 }], run: ([x, y]) => op('cross_entropy', { input: x, target: y, reduction: 'sum' }) });
// An op that has no WGSL kernel: the fallback must still give the CPU's answer.
// (cat has a WGSL kernel now: test/engine/webgpu_kernels_shape.test.ts; logsumexp still falls back.)
cases.push({ name: 'logsumexp (fallback)', inputs: [{ shape: [4, 5] }], run: ([a]) => op('logsumexp', { input: a, dim: 1 }) });

test('WebGPU kernels equal the CPU backend, forward and gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  t.diagnostic(`adapter: ${b.adapter.vendor} ${b.adapter.architecture} (${b.paramsWhy})`);
  checkCases(b, cases); // every case runs; the failures are reported together
});

test('WebGPU: the elementwise table is fully covered by generated kernels', async (t) => {
  const b = await device(t);
  if (!b) return;
  const ops = new Set(kernelOps('webgpu'));
  for (const e of [...UNARY, ...BINARY]) if (!['gelu_tanh', 'div_trunc'].includes(e.name)) assert.ok(ops.has(e.name), e.name);
});

test('WebGPU: bad input gives one clear error naming the op', async (t) => {
  const b = await device(t);
  if (!b) return;
  const a = Tensor.fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'float32', b);
  assert.throws(() => op('matmul', { input: a, other: a }), /matmul/);
  const huge = 2 ** 31;
  assert.throws(() => b.allocateUninit(huge, 'float32', 'zeros'), /zeros: a tensor of 2147483648 elements .* exceeds/);
});

test('WebGPU: elementwise ops tile operands past the storage-binding limit', async (t) => {
  const b = await device(t);
  if (!b) return;
  // Lower the limit to 64 KiB so a 100k-element tensor (400 KB) needs 7 tiles.
  const saved = b.bindingLimit;
  b.bindingLimit = 64 * 1024;
  try {
    const n = 100_003;
    const x = lcg(n, 3, 9), y = lcg(n, 3, 10);
    const gx = Tensor.fromArray(x, [n], 'float32', b), gy = Tensor.fromArray(y, [n], 'float32', b);
    const got = op('mul', { input: op('tanh', { input: gx }), other: gy }).toFloat32Array();
    const want = op('mul', { input: op('tanh', { input: Tensor.fromArray(x, [n]) }), other: Tensor.fromArray(y, [n]) }).toFloat32Array();
    close(want, got, 'tiled tanh * y');
    // Broadcasting past the limit is refused with a message naming the op, not a crash.
    assert.throws(() => op('add', { input: gx.withShape([n, 1]), other: Tensor.fromArray([1, 2], [2], 'float32', b) }), /add .*binding limit/);
  } finally {
    b.bindingLimit = saved;
  }
});

test('WebGPU: the CPU fallback keeps in-place buffer updates (batch_norm running stats)', async (t) => {
  const b = await device(t);
  if (!b) return;
  const run = (be: Backend): Float32Array[] => {
    const x = Tensor.fromArray(lcg(4 * 3 * 5, 2, 21), [4, 3, 5], 'float32', be);
    const rm = Tensor.fromArray([0, 0, 0], [3], 'float32', be), rv = Tensor.fromArray([1, 1, 1], [3], 'float32', be);
    const y = op('batch_norm', { input: x, running_mean: rm, running_var: rv, training: true, momentum: 0.1 });
    return [y.toFloat32Array(), rm.toFloat32Array(), rv.toFloat32Array()];
  };
  const want = run(cpuBackend), got = run(b);
  assert.notDeepEqual(want[1], Float32Array.from([0, 0, 0]), 'the CPU kernel updates running_mean');
  want.forEach((w, i) => close(w, got[i]!, ['output', 'running_mean', 'running_var'][i]!));
});
