// Reductions with few outputs over long ranges run in two passes (chunks, then the partials):
// sum, mean (whose finish divides by the whole count), amax/amin, prod, an integer sum, and the
// conv bias gradient that motivated it, against the CPU backend.
import { test } from 'node:test';
import { checkCases, device, op, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'sum over 3 x 5000 -> 3', inputs: [{ shape: [3, 5000] }], run: ([x]) => op('sum', { input: x, dim: 1 }) },
  { name: 'mean over dims 0, 2', inputs: [{ shape: [40, 4, 130] }], run: ([x]) => op('mean', { input: x, dim: [0, 2] }) },
  { name: 'mean of everything', inputs: [{ shape: [70, 90] }], run: ([x]) => op('mean', { input: x }) },
  { name: 'amax over a long row', inputs: [{ shape: [2, 9000] }], noGrad: true, run: ([x]) => op('amax', { input: x, dim: 1 }) },
  { name: 'amin over a long row', inputs: [{ shape: [2, 9000] }], noGrad: true, run: ([x]) => op('amin', { input: x, dim: 1 }) },
  { name: 'prod near 1', inputs: [{ shape: [4, 3000], lo: 0.999, hi: 1.001 }], noGrad: true, run: ([x]) => op('prod', { input: x, dim: 1 }) },
  { name: 'integer sum', inputs: [{ shape: [3, 4000], int: 7 }], run: ([x]) => op('sum', { input: x, dim: 1 }) },
  { name: 'conv2d bias gradient', inputs: [{ shape: [16, 2, 30, 30] }, { shape: [8, 2, 3, 3] }, { shape: [8] }], run: ([x, w, b]) => op('conv2d', { input: x, weight: w, bias: b }) },
];

test('WebGPU two-pass reductions equal the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});
