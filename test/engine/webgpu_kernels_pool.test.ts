// WGSL kernels of average pooling (avg_pool1d/2d/3d with padding, ceil_mode, count_include_pad,
// divisor_override; adaptive_avg_pool1d/2d/3d) and its gradient, against the CPU backend, with
// no CPU fallback.
import { test } from 'node:test';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import { maxPoolGradAtomic } from '../../engine/src/ops/pool/webgpu_avg.js';
import { checkCases, close, device, makeData, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'avg_pool2d', inputs: [{ shape: [2, 3, 8, 9] }], run: ([x]) => op('avg_pool2d', { input: x, kernel_size: 2 }) },
  { name: 'avg_pool2d overlapping, padded', inputs: [{ shape: [2, 2, 7, 7] }], run: ([x]) => op('avg_pool2d', { input: x, kernel_size: 3, stride: 2, padding: 1 }) },
  { name: 'avg_pool2d ceil, no pad count', inputs: [{ shape: [1, 3, 7, 8] }], run: ([x]) => op('avg_pool2d', { input: x, kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }) },
  { name: 'avg_pool2d divisor_override', inputs: [{ shape: [1, 2, 6, 6] }], run: ([x]) => op('avg_pool2d', { input: x, kernel_size: 2, divisor_override: 3 }) },
  { name: 'avg_pool1d unbatched', inputs: [{ shape: [4, 11] }], run: ([x]) => op('avg_pool1d', { input: x, kernel_size: 3, stride: 2 }) },
  { name: 'avg_pool3d', inputs: [{ shape: [1, 2, 4, 6, 5] }], run: ([x]) => op('avg_pool3d', { input: x, kernel_size: 2, stride: [1, 2, 2] }) },
  { name: 'adaptive_avg_pool2d to 1x1', inputs: [{ shape: [3, 8, 7, 7] }], run: ([x]) => op('adaptive_avg_pool2d', { input: x, output_size: 1 }) },
  { name: 'adaptive_avg_pool2d uneven', inputs: [{ shape: [2, 3, 10, 7] }], run: ([x]) => op('adaptive_avg_pool2d', { input: x, output_size: [3, 4] }) },
  { name: 'adaptive_avg_pool1d', inputs: [{ shape: [2, 3, 13] }], run: ([x]) => op('adaptive_avg_pool1d', { input: x, output_size: 5 }) },
  { name: 'adaptive_avg_pool3d', inputs: [{ shape: [1, 2, 5, 4, 6] }], run: ([x]) => op('adaptive_avg_pool3d', { input: x, output_size: [2, 3, 4] }) },
  { name: 'avg_pool2d large', inputs: [{ shape: [4, 16, 30, 30] }], run: ([x]) => op('avg_pool2d', { input: x, kernel_size: 3, stride: 1, padding: 1 }) },
  // A ResNet stem's pool: overlapping windows, so the gradient adds with atomics (no fallback).
  { name: 'max_pool1d', inputs: [{ shape: [2, 3, 11] }], run: ([x]) => op('max_pool1d', { input: x, kernel_size: 3, stride: 2 }) },
  { name: 'max_pool1d padded, dilated', inputs: [{ shape: [2, 2, 13] }], run: ([x]) => op('max_pool1d', { input: x, kernel_size: 3, padding: 1, dilation: 2 }) },
  { name: 'max_pool3d', inputs: [{ shape: [1, 2, 4, 6, 5] }], run: ([x]) => op('max_pool3d', { input: x, kernel_size: 2 }) },
  { name: 'adaptive_max_pool2d uneven', inputs: [{ shape: [2, 3, 10, 7] }], run: ([x]) => op('adaptive_max_pool2d', { input: x, output_size: [3, 4] }) },
  { name: 'adaptive_max_pool1d', inputs: [{ shape: [2, 3, 13] }], run: ([x]) => op('adaptive_max_pool1d', { input: x, output_size: 5 }) },
  { name: 'adaptive_max_pool3d', inputs: [{ shape: [1, 2, 5, 4, 6] }], run: ([x]) => op('adaptive_max_pool3d', { input: x, output_size: [2, 3, 4] }) },
  { name: 'max_pool2d 3x3 stride 2 (overlapping)', inputs: [{ shape: [2, 3, 9, 9] }], run: ([x]) => op('max_pool2d', { input: x, kernel_size: 3, stride: 2, padding: 1 }) },
];

test('WebGPU average and max pools equal the CPU backend, forward and gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU average pools: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  withSmallDispatchRows(b, 40, () => checkCases(b, [cases[10]!]));
});

test('maxPoolGradAtomic (overlapping max-pool windows) equals the CPU gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  const shape = [2, 3, 9, 11];
  const x = Tensor.fromArray(makeData({ shape }, 4), shape, 'float32', cpuBackend);
  const [y, idx] = op('max_pool2d', { input: x, kernel_size: 3, stride: 2, padding: 1, return_indices: true }) as unknown as [Tensor, Tensor];
  const g = Tensor.fromArray(makeData({ shape: [...y.shape] }, 5), y.shape, 'float32', cpuBackend);
  const want = op('_max_pool_grad', { grad: g, indices: idx, shape, n: 2 }).toFloat32Array();
  const onGpu = (t2: Tensor): Tensor => Tensor.fromArray(t2.backend.read(t2.storage), t2.shape, t2.dtype, b);
  close(want, maxPoolGradAtomic(onGpu(g), onGpu(idx), shape, 2).toFloat32Array(), 'overlapping max-pool gradient');
});
