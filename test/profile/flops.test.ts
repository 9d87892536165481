// The FLOP rules ops carry (OpDef.flops) as the profiler applies them to a call's runtime
// arguments: matmul in every PyTorch broadcasting and 1-D case, conv with groups, stride,
// padding and dilation (and transposed), elementwise ops; ops without a rule count nothing.
// Values marked torch are PyTorch 1.13's with_flops counts (test/fixtures/traces/flops_golden.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { opFlops } from '../../engine/src/profile/flops.js';
import { getOp } from '../../engine/src/ops/index.js';
import { opaque } from '../../engine/src/shape/dim.js';
import type { OpArgs } from '../../engine/src/runtime/value.js';
import '../../engine/src/runtime/dispatch.js';

const t = (...shape: number[]): Tensor => Tensor.zeros(shape);
const count = (name: string, args: OpArgs): number | undefined => opFlops(name, args);

test('matmul, mm, bmm, linear: 2 * output elements * inner dim, every broadcasting case', () => {
  assert.equal(count('matmul', { input: t(3, 4, 5), other: t(5, 6) }), 720); // torch (as aten::mm [12,5] @ [5,6])
  assert.equal(count('matmul', { input: t(5), other: t(5) }), 2 * 5); // dot
  assert.equal(count('matmul', { input: t(4, 5), other: t(5) }), 2 * 4 * 5); // matrix @ vector
  assert.equal(count('matmul', { input: t(5), other: t(2, 5, 6) }), 2 * 2 * 6 * 5); // vector @ batch
  assert.equal(count('matmul', { input: t(2, 1, 4, 5), other: t(3, 5, 6) }), 2 * (2 * 3 * 4 * 6) * 5); // batch dims broadcast
  assert.equal(count('mm', { input: t(12, 5), mat2: t(5, 6) }), 720); // torch
  assert.equal(count('bmm', { input: t(3, 4, 5), mat2: t(3, 5, 6) }), 720); // torch
  assert.equal(count('linear', { input: t(32, 800), weight: t(128, 800), bias: t(128) }), 6553600); // torch (aten::addmm)
  assert.equal(count('linear', { input: t(32, 128), weight: t(10, 128), bias: t(10) }), 81920); // torch
  assert.equal(count('linear', { input: t(2, 3, 800), weight: t(128, 800) }), 2 * 6 * 128 * 800); // no bias, leading dims
  assert.equal(count('linear', { input: t(32, 800), weight: t(800) }), 2 * 32 * 800); // 1-D weight
});

test('conv: 2 * output elements * (C_in / groups) * kernel size, stride/padding/dilation through the output shape', () => {
  const x = t(2, 8, 17, 19), w = t(12, 4, 3, 5);
  // torch: out [2, 12, 8, 11]
  assert.equal(count('conv2d', { input: x, weight: w, stride: [2, 1], padding: [1, 2], dilation: [2, 3], groups: 2 }), 253440);
  assert.equal(count('conv2d', { input: x, weight: w, stride: [2, 1], padding: [1, 2], groups: 2 }), 2 * (2 * 12 * 9 * 19) * 4 * 15);
  assert.equal(count('conv2d', { input: t(32, 1, 28, 28), weight: t(16, 1, 3, 3), bias: t(16) }), 6230016); // torch
  assert.equal(count('conv2d', { input: t(32, 16, 13, 13), weight: t(32, 16, 3, 3), bias: t(32) }), 35684352); // torch
  assert.equal(count('conv2d', { input: t(8, 10, 10), weight: t(4, 8, 3, 3), padding: 'same' }), 2 * (4 * 10 * 10) * 8 * 9); // unbatched
  assert.equal(count('conv1d', { input: t(2, 4, 10), weight: t(6, 4, 3) }), 2 * (2 * 6 * 8) * 4 * 3);
  // Depthwise: groups = C_in, one input channel per output.
  assert.equal(count('conv1d', { input: t(1, 6, 10), weight: t(6, 1, 3), groups: 6, stride: 2 }), 2 * (6 * 4) * 1 * 3);
  // conv3d, groups 2, stride 2, padding 1: out [1, 8, 3, 3, 4].
  assert.equal(count('conv3d', { input: t(1, 4, 5, 6, 7), weight: t(8, 2, 3, 3, 3), stride: 2, padding: 1, groups: 2 }), 2 * (8 * 3 * 3 * 4) * 2 * 27);
  // Transposed: each input element meets C_out/groups * kernel weights.
  assert.equal(count('conv_transpose2d', { input: t(2, 4, 5, 5), weight: t(4, 6, 3, 3) }), 2 * (2 * 4 * 5 * 5) * 6 * 9);
  assert.equal(count('conv_transpose2d', { input: t(2, 4, 5, 5), weight: t(4, 3, 3, 3), groups: 2, stride: 2 }), 2 * (2 * 4 * 5 * 5) * 3 * 9);
  assert.equal(count('conv_transpose1d', { input: t(1, 2, 7), weight: t(2, 5, 4) }), 2 * (2 * 7) * 5 * 4);
});

test('elementwise: 1 per output element (after broadcasting); ops without a rule count nothing', () => {
  assert.equal(count('add', { input: t(32, 10), other: t(32, 10) }), 320); // torch
  assert.equal(count('mul', { input: t(32, 10), other: t(32, 10) }), 320); // torch
  assert.equal(count('add', { input: t(4, 1), other: t(1, 5) }), 20);
  assert.equal(count('mul', { input: t(3, 4), other: 2 }), 12);
  assert.equal(count('relu', { input: t(32, 128) }), 4096);
  assert.equal(count('sigmoid', { input: t(7) }), 7);
  for (const [name, args] of [
    ['max_pool2d', { input: t(1, 2, 4, 4), kernel_size: 2 }], ['flatten', { input: t(2, 3) }], ['isnan', { input: t(3) }],
    ['eq', { input: t(3), other: t(3) }], ['view', { input: t(6), size: [2, 3] }], ['_gemm', { a: t(2, 2), b: t(2, 2) }],
  ] as const) assert.equal(count(name, args as OpArgs), undefined, name);
  // A call the shape rule rejects counts nothing (the op itself reports the error).
  assert.equal(count('mm', { input: t(2, 3), mat2: t(4, 5) }), undefined);
});

test('a rule over symbolic sizes gives no count instead of a guess', () => {
  const rule = getOp('linear')!.flops!;
  const n = opaque('N');
  const args = { input: { kind: 'tensor', shape: [n, 800], dtype: 'float32' }, weight: { kind: 'tensor', shape: [128, 800], dtype: 'float32' }, bias: { kind: 'none' } } as const;
  assert.equal(rule(args, getOp('linear')!.shape(args)), undefined);
  assert.equal(getOp('max_pool2d')!.flops, undefined);
});
