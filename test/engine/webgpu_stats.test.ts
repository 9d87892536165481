// WebGPU var / std / logsumexp (with their gradients) and dtype casts against the CPU backend,
// with no CPU fallback.
import { test } from 'node:test';
import { checkCases, device, op, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'var over dim 1', inputs: [{ shape: [5, 7] }], run: ([x]) => op('var', { input: x, dim: 1 }) },
  { name: 'var all, unbiased false', inputs: [{ shape: [6, 4] }], run: ([x]) => op('var', { input: x, unbiased: false }) },
  { name: 'std dims [0, 2], keepdim', inputs: [{ shape: [3, 4, 5] }], run: ([x]) => op('std', { input: x, dim: [0, 2], keepdim: true }) },
  { name: 'std correction 0 over a long row', inputs: [{ shape: [2, 3000] }], run: ([x]) => op('std', { input: x, dim: 1, correction: 0 }) },
  { name: 'logsumexp dim 1', inputs: [{ shape: [4, 9], lo: -30, hi: 30 }], run: ([x]) => op('logsumexp', { input: x, dim: 1 }) },
  { name: 'logsumexp dims keepdim', inputs: [{ shape: [3, 4, 5] }], run: ([x]) => op('logsumexp', { input: x, dim: [0, 2], keepdim: true }) },
  { name: 'norm (2) over dim 1', inputs: [{ shape: [5, 7] }], run: ([x]) => op('norm', { input: x, dim: 1 }) },
  { name: 'norm fro of everything', inputs: [{ shape: [4, 6] }], run: ([x]) => op('norm', { input: x, p: 'fro' }) },
  { name: 'norm p=1 keepdim', inputs: [{ shape: [3, 8] }], noGrad: true, run: ([x]) => op('norm', { input: x, p: 1, dim: 1, keepdim: true }) },
  { name: 'norm p=3', inputs: [{ shape: [3, 8], lo: 0.5, hi: 2 }], noGrad: true, run: ([x]) => op('norm', { input: x, p: 3, dim: 0 }) },
  { name: 'norm p=inf', inputs: [{ shape: [3, 8] }], noGrad: true, run: ([x]) => op('norm', { input: x, p: Infinity, dim: 1 }) },
  { name: 'outer', inputs: [{ shape: [5] }, { shape: [7] }], run: ([x, y]) => op('outer', { input: x, vec2: y }) },
  { name: 'all over dim 1', inputs: [{ shape: [4, 6], int: 3 }], noGrad: true, run: ([x]) => op('all', { input: x, dim: 1 }) },
  { name: 'any of everything', inputs: [{ shape: [4, 6], int: 2 }], noGrad: true, run: ([x]) => op('any', { input: x }) },
  { name: 'any keepdim, long rows', inputs: [{ shape: [2, 3000], int: 2 }], noGrad: true, run: ([x]) => op('any', { input: x, dim: 1, keepdim: true }) },
  { name: 'count_nonzero dims', inputs: [{ shape: [3, 4, 5], int: 3 }], noGrad: true, run: ([x]) => op('count_nonzero', { input: x, dim: [0, 2] }) },
  { name: 'nansum', inputs: [{ shape: [5, 6] }], run: ([x]) => op('nansum', { input: op('log', { input: x }), dim: 1 }) },
  { name: 'nanmean keepdim', inputs: [{ shape: [5, 6] }], run: ([x]) => op('nanmean', { input: op('log', { input: x }), dim: 0, keepdim: true }) },
  { name: 'to int (truncates)', inputs: [{ shape: [4, 5], lo: -5, hi: 5 }], noGrad: true, run: ([x]) => op('to', { input: x, dtype: { kind: 'dtype', dtype: 'int64' } }) },
  { name: 'to bool', inputs: [{ shape: [9], int: 3 }], noGrad: true, run: ([x]) => op('to', { input: x, dtype: { kind: 'dtype', dtype: 'bool' } }) },
  { name: 'int to float', inputs: [{ shape: [3, 3], int: 10 }], noGrad: true, run: ([x]) => op('to', { input: x, dtype: { kind: 'dtype', dtype: 'float32' } }) },
  { name: 'type_as', inputs: [{ shape: [6], lo: -3, hi: 3 }, { shape: [2], int: 4 }], noGrad: true, run: ([x, y]) => op('type_as', { input: x, other: y }) },
];

test('WebGPU var, std, logsumexp and casts equal the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU max/min (elementwise, all, along a dim), argmax/argmin equal the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, [
    { name: 'max along dim 1 (values, indices)', inputs: [{ shape: [4, 7, 3] }], run: ([x]) => op('max', { input: x, dim: 1 }) as unknown as ReturnType<typeof op>[] },
    { name: 'min along dim 0 keepdim', inputs: [{ shape: [5, 6] }], run: ([x]) => op('min', { input: x, dim: 0, keepdim: true }) as unknown as ReturnType<typeof op>[] },
    { name: 'max of everything', inputs: [{ shape: [3, 50] }], run: ([x]) => op('max', { input: x }) },
    { name: 'max elementwise', inputs: [{ shape: [4, 5] }, { shape: [5] }], run: ([x, y]) => op('max', { input: x, dim: y }) },
    { name: 'argmax dim -1', inputs: [{ shape: [6, 9] }], noGrad: true, run: ([x]) => op('argmax', { input: x, dim: -1 }) },
    { name: 'argmin flat', inputs: [{ shape: [6, 9] }], noGrad: true, run: ([x]) => op('argmin', { input: x }) },
    { name: 'argmax int input', inputs: [{ shape: [3, 8], int: 5 }], noGrad: true, run: ([x]) => op('argmax', { input: x, dim: 1, keepdim: true }) },
  ]);
});

test('WebGPU NaN tests in expressions (x != x) survive shader compilation: max/amax propagate NaN', async (t) => {
  const b = await device(t);
  if (!b) return;
  const withNan = (x: ReturnType<typeof op>): ReturnType<typeof op> => op('log', { input: x });
  checkCases(b, [
    { name: 'amax with NaN', inputs: [{ shape: [4, 6], lo: -0.3, hi: 2 }], noGrad: true, run: ([x]) => op('amax', { input: withNan(x!), dim: 1 }) },
    { name: 'maximum with NaN', inputs: [{ shape: [12], lo: -0.5, hi: 2 }, { shape: [12] }], noGrad: true, run: ([x, y]) => op('max', { input: withNan(x!), dim: y }) },
    { name: 'max along a dim with NaN', inputs: [{ shape: [4, 7], lo: -0.4, hi: 2 }], noGrad: true, run: ([x]) => op('max', { input: withNan(x!), dim: 1 }) as unknown as ReturnType<typeof op>[] },
    { name: 'isnan', inputs: [{ shape: [12], lo: -1, hi: 1 }], noGrad: true, run: ([x]) => op('isnan', { input: withNan(x!) }) },
  ]);
});
