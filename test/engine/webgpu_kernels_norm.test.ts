// WGSL kernels of the norm family (batch_norm training + running statistics and eval,
// layer_norm, group_norm, and their gradients) against the CPU backend, with no CPU fallback.
import { test } from 'node:test';
import type { Tensor } from '../../engine/src/tensor.js';
import { checkCases, device, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const bn = (x: Tensor, rm: Tensor | null, rv: Tensor | null, w: Tensor | null, b: Tensor | null, training: boolean): Tensor[] => {
  const y = op('batch_norm', { input: x, running_mean: rm, running_var: rv, weight: w, bias: b, training, momentum: 0.1, eps: 1e-5 });
  return [y, ...(rm ? [rm] : []), ...(rv ? [rv] : [])];
};
const stat = (c: number, lo: number): { shape: number[]; lo: number; hi: number; noGrad: true } => ({ shape: [c], lo, hi: lo + 1, noGrad: true });

const cases: Case[] = [
  { name: 'batch_norm2d train', inputs: [{ shape: [4, 3, 5, 7] }, stat(3, -0.5), stat(3, 0.5), { shape: [3] }, { shape: [3] }], run: ([x, rm, rv, w, b]) => bn(x!, rm!, rv!, w!, b!, true) },
  { name: 'batch_norm2d train M > workgroup', inputs: [{ shape: [3, 2, 19, 21], lo: 3, hi: 5 }, stat(2, 0), stat(2, 1), { shape: [2] }, { shape: [2] }], run: ([x, rm, rv, w, b]) => bn(x!, rm!, rv!, w!, b!, true) },
  { name: 'batch_norm2d train, rows in several chunks', inputs: [{ shape: [8, 3, 20, 20], lo: 3, hi: 5 }, stat(3, 0), stat(3, 1), { shape: [3] }, { shape: [3] }], run: ([x, rm, rv, w, b]) => bn(x!, rm!, rv!, w!, b!, true) },
  { name: 'group_norm long rows', inputs: [{ shape: [2, 4, 30, 30] }, { shape: [4] }, { shape: [4] }], run: ([x, w, b]) => op('group_norm', { input: x, num_groups: 2, weight: w, bias: b }) },
  { name: 'batch_norm1d train [N, C]', inputs: [{ shape: [9, 5] }, stat(5, 0), stat(5, 1)], run: ([x, rm, rv]) => bn(x!, rm!, rv!, null, null, true) },
  { name: 'batch_norm1d train [N, C, L] no stats', inputs: [{ shape: [3, 4, 6] }, { shape: [4] }], run: ([x, w]) => bn(x!, null, null, w!, null, true) },
  { name: 'batch_norm eval', inputs: [{ shape: [2, 3, 4, 5] }, stat(3, -0.5), stat(3, 0.5), { shape: [3] }, { shape: [3] }], run: ([x, rm, rv, w, b]) => bn(x!, rm!, rv!, w!, b!, false) },
  { name: 'layer_norm last dim', inputs: [{ shape: [3, 5, 7] }, { shape: [7] }, { shape: [7] }], run: ([x, w, b]) => op('layer_norm', { input: x, normalized_shape: [7], weight: w, bias: b }) },
  { name: 'layer_norm two dims', inputs: [{ shape: [3, 5, 7] }, { shape: [5, 7] }, { shape: [5, 7] }], run: ([x, w, b]) => op('layer_norm', { input: x, normalized_shape: [5, 7], weight: w, bias: b }) },
  { name: 'layer_norm 100 rows (several column blocks)', inputs: [{ shape: [2, 50, 12] }, { shape: [12] }, { shape: [12] }], run: ([x, w, b]) => op('layer_norm', { input: x, normalized_shape: [12], weight: w, bias: b }) },
  { name: 'layer_norm wide row no affine', inputs: [{ shape: [4, 301], lo: 1, hi: 4 }], run: ([x]) => op('layer_norm', { input: x, normalized_shape: [301] }) },
  { name: 'group_norm', inputs: [{ shape: [2, 6, 5, 3] }, { shape: [6] }, { shape: [6] }], run: ([x, w, b]) => op('group_norm', { input: x, num_groups: 3, weight: w, bias: b }) },
  { name: 'group_norm 1 group', inputs: [{ shape: [3, 4, 7] }, { shape: [4] }, { shape: [4] }], run: ([x, w, b]) => op('group_norm', { input: x, num_groups: 1, weight: w, bias: b }) },
  { name: 'group_norm per channel no affine', inputs: [{ shape: [2, 5, 9, 11] }], run: ([x]) => op('group_norm', { input: x, num_groups: 5 }) },
];

test('WebGPU norm kernels equal the CPU backend, forward, running stats and gradients', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU norm kernels: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  withSmallDispatchRows(b, 7, () => checkCases(b, [
    { name: 'layer_norm 37 rows', inputs: [{ shape: [37, 13] }, { shape: [13] }, { shape: [13] }], run: ([x, w, bb]) => op('layer_norm', { input: x, normalized_shape: [13], weight: w, bias: bb }) },
    { name: 'batch_norm 11 channels', inputs: [{ shape: [5, 11, 9] }, stat(11, 0), stat(11, 1), { shape: [11] }, { shape: [11] }], run: ([x, rm, rv, w, bb]) => bn(x!, rm!, rv!, w!, bb!, true) },
  ]));
});
