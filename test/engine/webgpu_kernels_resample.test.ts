// WGSL kernels of pad (constant, reflect, replicate, circular) and interpolate (nearest,
// nearest-exact, linear / bilinear / trilinear, align_corners) and their gradients, against the
// CPU backend, with no CPU fallback.
import { test } from 'node:test';
import { checkCases, device, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'pad constant 2-d', inputs: [{ shape: [2, 3, 5, 4] }], run: ([x]) => op('pad', { input: x, pad: [1, 2, 0, 3] }) },
  { name: 'pad constant value 3 dims', inputs: [{ shape: [2, 3, 4] }], run: ([x]) => op('pad', { input: x, pad: [2, 1, 1, 0, 1, 1], value: 0.5 }) },
  { name: 'pad constant int', inputs: [{ shape: [3, 4], int: 7 }], run: ([x]) => op('pad', { input: x, pad: [1, 1], value: 3 }), noGrad: true },
  { name: 'pad reflect', inputs: [{ shape: [2, 3, 6, 5] }], run: ([x]) => op('pad', { input: x, pad: [2, 1, 3, 2], mode: 'reflect' }) },
  { name: 'pad replicate', inputs: [{ shape: [2, 2, 7] }], run: ([x]) => op('pad', { input: x, pad: [3, 4], mode: 'replicate' }) },
  { name: 'pad circular', inputs: [{ shape: [1, 2, 4, 5] }], run: ([x]) => op('pad', { input: x, pad: [2, 2, 1, 3], mode: 'circular' }) },
  { name: 'interpolate nearest x2', inputs: [{ shape: [2, 3, 4, 5] }], run: ([x]) => op('interpolate', { input: x, scale_factor: 2, mode: 'nearest' }) },
  { name: 'interpolate nearest size', inputs: [{ shape: [1, 2, 5, 7] }], run: ([x]) => op('interpolate', { input: x, size: [8, 3], mode: 'nearest' }) },
  { name: 'interpolate nearest-exact', inputs: [{ shape: [1, 2, 6] }], run: ([x]) => op('interpolate', { input: x, size: [9], mode: 'nearest-exact' }) },
  { name: 'interpolate bilinear x2', inputs: [{ shape: [2, 3, 4, 5] }], run: ([x]) => op('interpolate', { input: x, scale_factor: 2, mode: 'bilinear' }) },
  { name: 'interpolate bilinear size down', inputs: [{ shape: [1, 2, 9, 7] }], run: ([x]) => op('interpolate', { input: x, size: [5, 4], mode: 'bilinear' }) },
  { name: 'interpolate bilinear align_corners', inputs: [{ shape: [2, 1, 5, 6] }], run: ([x]) => op('interpolate', { input: x, size: [9, 11], mode: 'bilinear', align_corners: true }) },
  { name: 'interpolate linear', inputs: [{ shape: [2, 3, 7] }], run: ([x]) => op('interpolate', { input: x, scale_factor: 3, mode: 'linear' }) },
  { name: 'interpolate trilinear', inputs: [{ shape: [1, 2, 3, 4, 5] }], run: ([x]) => op('interpolate', { input: x, scale_factor: 2, mode: 'trilinear' }) },
  { name: 'interpolate bilinear large', inputs: [{ shape: [2, 4, 30, 30] }], run: ([x]) => op('interpolate', { input: x, scale_factor: 2, mode: 'bilinear' }) },
];

test('WebGPU pad and interpolate kernels equal the CPU backend, forward and gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU pad and interpolate: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  withSmallDispatchRows(b, 40, () => checkCases(b, [cases[14]!, cases[3]!]));
});
