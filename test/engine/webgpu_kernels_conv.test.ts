// WGSL kernels of the conv variants (conv1d, conv3d, grouped and depthwise conv2d, unbatched
// input, conv_transpose1d/2d/3d) against the CPU backend, forward and the input, weight and
// bias gradients, with no CPU fallback.
import { test } from 'node:test';
import { checkCases, device, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'conv1d', inputs: [{ shape: [2, 3, 17] }, { shape: [5, 3, 4] }, { shape: [5] }], run: ([x, w, b]) => op('conv1d', { input: x, weight: w, bias: b, stride: 2, padding: 1 }) },
  { name: 'conv1d groups dilation same', inputs: [{ shape: [2, 4, 11] }, { shape: [6, 2, 3] }], run: ([x, w]) => op('conv1d', { input: x, weight: w, groups: 2, dilation: 2, padding: 'same' }) },
  { name: 'conv1d same dilation (as conv2d)', inputs: [{ shape: [3, 5, 23] }, { shape: [4, 5, 3] }, { shape: [4] }], run: ([x, w, b]) => op('conv1d', { input: x, weight: w, bias: b, padding: 'same', dilation: 2 }) },
  { name: 'conv1d valid wide (as conv2d)', inputs: [{ shape: [2, 16, 40] }, { shape: [24, 16, 5] }], run: ([x, w]) => op('conv1d', { input: x, weight: w, padding: 'valid', stride: 3 }) },
  { name: 'conv1d unbatched', inputs: [{ shape: [3, 9] }, { shape: [2, 3, 3] }], run: ([x, w]) => op('conv1d', { input: x, weight: w }) },
  { name: 'conv2d groups 2', inputs: [{ shape: [2, 4, 7, 6] }, { shape: [6, 2, 3, 3] }, { shape: [6] }], run: ([x, w, b]) => op('conv2d', { input: x, weight: w, bias: b, groups: 2, padding: 1 }) },
  { name: 'conv2d depthwise stride 2', inputs: [{ shape: [3, 5, 9, 8] }, { shape: [5, 1, 3, 3] }, { shape: [5] }], run: ([x, w, b]) => op('conv2d', { input: x, weight: w, bias: b, groups: 5, stride: 2, padding: 1 }) },
  { name: 'conv2d depthwise multiplier 2, large', inputs: [{ shape: [2, 3, 30, 31] }, { shape: [6, 1, 5, 5] }], run: ([x, w]) => op('conv2d', { input: x, weight: w, groups: 3, padding: 2 }) },
  { name: 'conv3d', inputs: [{ shape: [2, 2, 5, 6, 4] }, { shape: [3, 2, 2, 3, 2] }, { shape: [3] }], run: ([x, w, b]) => op('conv3d', { input: x, weight: w, bias: b, stride: [1, 2, 1], padding: [1, 0, 1] }) },
  { name: 'conv_transpose1d', inputs: [{ shape: [2, 3, 7] }, { shape: [3, 4, 3] }, { shape: [4] }], run: ([x, w, b]) => op('conv_transpose1d', { input: x, weight: w, bias: b, stride: 2, padding: 1, output_padding: 1 }) },
  { name: 'conv_transpose2d', inputs: [{ shape: [2, 4, 5, 6] }, { shape: [4, 3, 3, 3] }, { shape: [3] }], run: ([x, w, b]) => op('conv_transpose2d', { input: x, weight: w, bias: b, stride: 2, padding: 1 }) },
  { name: 'conv_transpose2d groups dilation', inputs: [{ shape: [1, 4, 5, 5] }, { shape: [4, 1, 2, 3] }], run: ([x, w]) => op('conv_transpose2d', { input: x, weight: w, groups: 2, dilation: [2, 1] }) },
  { name: 'conv_transpose3d', inputs: [{ shape: [1, 2, 3, 4, 3] }, { shape: [2, 2, 2, 2, 2] }], run: ([x, w]) => op('conv_transpose3d', { input: x, weight: w, stride: 2 }) },
];

test('WebGPU conv variants equal the CPU backend, forward and gradients', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU conv variants: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  withSmallDispatchRows(b, 40, () => checkCases(b, [cases[7]!]));
});
