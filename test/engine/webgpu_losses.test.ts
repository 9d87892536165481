// WGSL pointwise losses (mse, l1, smooth_l1, huber, kl_div, soft_margin, bce, bce with logits)
// with every reduction, weights, pos_weight and broadcasting, against the CPU backend: forward and
// the gradients of input and target, with no CPU fallback.
import { test } from 'node:test';
import { checkCases, device, op, type Case } from '../helpers/webgpu_parity.js';

const reds = ['mean', 'sum', 'none'] as const;
const cases: Case[] = [
  ...reds.map((r): Case => ({ name: `mse_loss ${r}`, inputs: [{ shape: [6, 5] }, { shape: [6, 5] }], run: ([x, t]) => op('mse_loss', { input: x, target: t, reduction: r }) })),
  ...reds.map((r): Case => ({ name: `l1_loss ${r}`, inputs: [{ shape: [4, 7] }, { shape: [4, 7] }], run: ([x, t]) => op('l1_loss', { input: x, target: t, reduction: r }) })),
  { name: 'mse_loss broadcast target', inputs: [{ shape: [5, 3] }, { shape: [3] }], run: ([x, t]) => op('mse_loss', { input: x, target: t }) },
  { name: 'mse_loss 3000 elements', inputs: [{ shape: [30, 100] }, { shape: [30, 100] }], run: ([x, t]) => op('mse_loss', { input: x, target: t }) },
  { name: 'smooth_l1_loss beta 0.5', inputs: [{ shape: [8, 3] }, { shape: [8, 3] }], run: ([x, t]) => op('smooth_l1_loss', { input: x, target: t, beta: 0.5 }) },
  { name: 'huber_loss delta 0.7 sum', inputs: [{ shape: [8, 3] }, { shape: [8, 3] }], run: ([x, t]) => op('huber_loss', { input: x, target: t, delta: 0.7, reduction: 'sum' }) },
  { name: 'kl_div batchmean', inputs: [{ shape: [4, 5], lo: -3, hi: 0 }, { shape: [4, 5], lo: 0.01, hi: 1 }], run: ([x, t]) => op('kl_div', { input: x, target: t, reduction: 'batchmean' }) },
  { name: 'kl_div log_target', inputs: [{ shape: [4, 5], lo: -3, hi: 0 }, { shape: [4, 5], lo: -3, hi: 0 }], run: ([x, t]) => op('kl_div', { input: x, target: t, log_target: true, reduction: 'sum' }) },
  { name: 'soft_margin_loss', inputs: [{ shape: [6] }, { shape: [6], lo: -1, hi: 1 }], run: ([x, t]) => op('soft_margin_loss', { input: x, target: t }) },
  { name: 'binary_cross_entropy', inputs: [{ shape: [5, 4], lo: 0.05, hi: 0.95 }, { shape: [5, 4], lo: 0, hi: 1 }], run: ([x, t]) => op('binary_cross_entropy', { input: x, target: t }) },
  { name: 'binary_cross_entropy weighted', inputs: [{ shape: [5, 4], lo: 0.05, hi: 0.95 }, { shape: [5, 4], lo: 0, hi: 1 }, { shape: [4], lo: 0.5, hi: 2, noGrad: true }], run: ([x, t, w]) => op('binary_cross_entropy', { input: x, target: t, weight: w }) },
  { name: 'bce_with_logits pos_weight', inputs: [{ shape: [5, 4] }, { shape: [5, 4], lo: 0, hi: 1 }, { shape: [4], lo: 0.5, hi: 3, noGrad: true }], run: ([x, t, pw]) => op('binary_cross_entropy_with_logits', { input: x, target: t, pos_weight: pw }) },
  { name: 'bce_with_logits none', inputs: [{ shape: [3, 7] }, { shape: [3, 7], lo: 0, hi: 1 }], run: ([x, t]) => op('binary_cross_entropy_with_logits', { input: x, target: t, reduction: 'none' }) },
];

test('WebGPU pointwise losses equal the CPU backend, forward and gradients', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU cross_entropy and nll_loss (fused kernels) equal the CPU backend', async (t) => {
  const b = await device(t);
  if (!b) return;
  const lsm = (x: Parameters<typeof op>[1]['input']): ReturnType<typeof op> => op('log_softmax', { input: x, dim: 1 });
  checkCases(b, [
    { name: 'cross_entropy mean', inputs: [{ shape: [7, 5] }, { shape: [7], int: 5 }], run: ([x, y]) => op('cross_entropy', { input: x, target: y }) },
    { name: 'cross_entropy sum, ignore_index', inputs: [{ shape: [9, 4] }, { shape: [9], int: 4 }], run: ([x, y]) => op('cross_entropy', { input: x, target: y, reduction: 'sum', ignore_index: 2 }) },
    { name: 'nll_loss of log_softmax', inputs: [{ shape: [7, 5] }, { shape: [7], int: 5 }], run: ([x, y]) => op('nll_loss', { input: lsm(x), target: y }) },
    { name: 'nll_loss sum, ignore_index', inputs: [{ shape: [9, 4] }, { shape: [9], int: 4 }], run: ([x, y]) => op('nll_loss', { input: x, target: y, reduction: 'sum', ignore_index: 1 }) },
  ]);
});
