// The first batch of rules the frontend relies on: concrete and symbolic cases, and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, b, callFn, callLayer, callMethod, dtypeOf, ell, f, i, ints, lst, makeLayer, none, show, sl, T, tup, unknown } from './helpers.js';
import { sub, sym } from '../../engine/src/shape/dim.js';

test('Conv2d: concrete and symbolic, the same rule', () => {
  const conv = makeLayer('Conv2d', [i(1), i(16)], { kernel_size: i(3) });
  assert.equal(show(callLayer(conv, [T([64, 1, 28, 28])])), 'Tensor[64, 16, 26, 26]');
  assert.equal(show(callLayer(conv, [T('N, 1, H, W')])), 'Tensor[N, 16, H-2, W-2]');
  const strided = makeLayer('Conv2d', [i(3), i(8), i(3)], { stride: i(2), padding: i(1) });
  assert.equal(show(callLayer(strided, [T('N, 3, H, W')])), 'Tensor[N, 8, (H+1)//2, (W+1)//2]');
  assert.equal(show(callLayer(strided, [T([2, 3, 32, 32])])), 'Tensor[2, 8, 16, 16]');
  assertError(callLayer(conv, [T([8, 3, 32, 32])]), 'Conv2d expects 1 input channels but the input has 3 (input Tensor[8, 3, 32, 32])');
  assertError(callLayer(conv, [T([8, 1, 2, 2])]), 'Conv2d: input spatial size 2x2 is smaller than kernel 3x3');
  assertError(callLayer(conv, [T([8, 784])]), 'Conv2d expects a 3D (unbatched) or 4D (batched) input');
  assert.equal(show(callLayer(conv, [unknown])), 'Tensor[?]');
  assert.equal(show(callLayer(conv, [T(null)])), 'Tensor[?]');
  assert.equal(show(callLayer(conv, [T('N, C, H, W')])), 'Tensor[N, 16, H-2, W-2]');
});

test('Linear / F.linear', () => {
  const fc = makeLayer('Linear', [i(9216), i(128)]);
  assert.equal(show(callLayer(fc, [T([64, 9216])])), 'Tensor[64, 128]');
  assert.equal(show(callLayer(fc, [T('N, L, 9216')])), 'Tensor[N, L, 128]');
  assertError(callLayer(fc, [T([64, 9126])]), "Linear expects in_features 9216 but the input's last dim is 9126 (input Tensor[64, 9126])");
  assert.equal(show(callFn('torch.nn.functional.linear', [T('N, 10'), T([5, 10]), T([5])])), 'Tensor[N, 5]');
  assertError(callFn('torch.nn.functional.linear', [T('N, 11'), T([5, 10])]), 'linear', '11', '10');
});

test('broadcasting arithmetic and dunders', () => {
  assert.equal(show(callMethod(T([8, 1, 5]), '__add__', [T([3, 1])])), 'Tensor[8, 3, 5]');
  assert.equal(show(callMethod(T('N, C'), '__mul__', [T('C')])), 'Tensor[N, C]');
  assert.equal(show(callMethod(T('N, 1'), '__sub__', [T([1, 7])])), 'Tensor[N, 7]');
  assertError(callMethod(T([8, 10]), '__add__', [T([8, 12])]), 'cannot broadcast Tensor[8, 10] and Tensor[8, 12]: dim 1 is 10 vs 12');
  assert.equal(show(callMethod(T([2, 3]), '__radd__', [f(1.5)])), 'Tensor[2, 3]');
  assert.equal(dtypeOf(callMethod(T([2], 'int64'), '__truediv__', [i(2)])), 'float32');
  assert.equal(dtypeOf(callMethod(T([2], 'int64'), '__mul__', [i(2)])), 'int64');
  assert.equal(dtypeOf(callMethod(T([2], 'int64'), '__mul__', [f(0.5)])), 'float32');
  assert.equal(dtypeOf(callMethod(T([2]), '__lt__', [i(0)])), 'bool');
  // __rsub__: 1 - x puts the number first.
  const r = callMethod(T([4]), '__rsub__', [i(1)]);
  assert.ok('args' in r);
  assert.deepEqual(r.args.input, i(1));
  assert.equal(show(callFn('torch.add', [T('N, 3'), T([3])], { alpha: i(2) })), 'Tensor[N, 3]');
  assert.equal(show(callFn('torch.nn.functional.relu', [T('N, 3')])), 'Tensor[N, 3]');
  assert.equal(show(callMethod(T(null), '__add__', [T([3])])), 'Tensor[?]');
  assert.equal(show(callMethod(T([3]), '__add__', [unknown])), 'Tensor[?]');
});

test('matmul', () => {
  assert.equal(show(callFn('torch.matmul', [T([4, 8, 16]), T([4, 16, 32])])), 'Tensor[4, 8, 32]');
  assert.equal(show(callMethod(T('B, L, D'), '__matmul__', [T('D, K')])), 'Tensor[B, L, K]');
  assert.equal(show(callFn('torch.matmul', [T([3]), T([3])])), 'Tensor[]');
  assert.equal(show(callFn('torch.matmul', [T([2, 3]), T([3])])), 'Tensor[2]');
  assert.equal(show(callFn('torch.matmul', [T([3]), T([5, 3, 2])])), 'Tensor[5, 2]');
  assert.equal(show(callFn('torch.matmul', [T([1, 4, 2, 3]), T([5, 1, 3, 6])])), 'Tensor[5, 4, 2, 6]');
  assertError(callFn('torch.matmul', [T([4, 8, 16]), T([4, 32, 16])]), 'matmul: Tensor[4, 8, 16] @ Tensor[4, 32, 16]: inner dims 16 and 32 differ');
});

test('view / reshape / flatten', () => {
  assert.equal(show(callMethod(T([64, 32, 5, 5]), 'view', [i(64), i(-1)])), 'Tensor[64, 800]');
  assert.equal(show(callMethod(T('N, 32, 5, 5'), 'view', [i(-1), i(800)])), 'Tensor[N, 800]');
  assert.equal(show(callMethod(T('N, 32, 5, 5'), 'view', [i(sym('N')), i(-1)])), 'Tensor[N, 800]');
  assert.equal(show(callMethod(T('N, 32, 5, 5'), 'reshape', [ints(-1, 800)])), 'Tensor[N, 800]');
  assertError(callMethod(T([64, 32, 24, 12]), 'view', [i(64), i(9000)]), 'view: shape [64, 9000] is invalid for input of 589824 elements');
  assertError(callMethod(T([10, 3]), 'view', [i(-1), i(4)]), 'view: shape [-1, 4] is invalid for input of 30 elements');
  assertError(callMethod(T([10, 3]), 'view', [i(-1), i(-1)]), 'only one dimension can be inferred');
  assert.equal(show(callFn('torch.flatten', [T('N, 32, 5, 5'), i(1)])), 'Tensor[N, 800]');
  assert.equal(show(callMethod(T('N, C, H, W'), 'flatten', [i(1)])), 'Tensor[N, C*H*W]');
  assert.equal(show(callMethod(T('N, C, H, W'), 'flatten', [])), 'Tensor[N*C*H*W]');
  const flat = makeLayer('Flatten', []);
  assert.equal(show(callLayer(flat, [T('N, 32, 5, 5')])), 'Tensor[N, 800]');
  assert.equal(show(callMethod(T(null), 'view', [i(-1), i(10)])), 'Tensor[?]');
  assert.equal(show(callMethod(T(null), 'view', [i(4), i(10)])), 'Tensor[4, 10]');
});

test('size, dim, numel', () => {
  assert.equal(show(callMethod(T('N, 3, H, W'), 'size', [])), '(int N, int 3, int H, int W)');
  assert.equal(show(callMethod(T('N, 3, H, W'), 'size', [i(-1)])), 'int W');
  assert.equal(show(callMethod(T('N, 3'), 'dim', [])), 'int 2');
  assert.equal(show(callMethod(T('N, 3'), 'numel', [])), 'int 3*N');
  assertError(callMethod(T('N, 3'), 'size', [i(2)]), 'dim 2 is out of range');
  assert.equal(show(callMethod(T(null), 'size', [i(0)])), 'unknown');
});

test('indexing', () => {
  const x = T('N, L, D');
  assert.equal(show(callMethod(x, '__getitem__', [i(0)])), 'Tensor[L, D]');
  assert.equal(show(callMethod(x, '__getitem__', [tup(sl(null, null), i(-1))])), 'Tensor[N, D]');
  assert.equal(show(callMethod(x, '__getitem__', [tup(ell, none)])), 'Tensor[N, L, D, 1]');
  assert.equal(show(callMethod(x, '__getitem__', [tup(sl(null, null), sl(1, null))])), 'Tensor[N, L-1, D]');
  assert.equal(show(callMethod(x, '__getitem__', [tup(sl(null, null), sl(null, -1))])), 'Tensor[N, L-1, D]');
  assert.equal(show(callMethod(x, '__getitem__', [tup(ell, sl(null, sym('K')))])), 'Tensor[N, L, K]');
  assert.equal(show(callMethod(T([10, 4]), '__getitem__', [sl(2, 100, 3)])), 'Tensor[3, 4]');
  assert.equal(show(callMethod(T([10, 4]), '__getitem__', [T([5], 'int64')])), 'Tensor[5, 4]');
  assert.equal(show(callMethod(T([10, 4]), '__getitem__', [tup(sl(null, null), lst(i(0), i(2)))])), 'Tensor[10, 2]');
  assertError(callMethod(T([10, 4]), '__getitem__', [tup(i(0), i(0), i(0))]), 'too many indices for Tensor[10, 4]: 3 indices for 2 dims');
  assertError(callMethod(T([10, 4]), '__getitem__', [tup(i(0), i(4))]), 'index 4 is out of bounds for dim 1 with size 4');
});

test('torch.cat and pooling', () => {
  assert.equal(show(callFn('torch.cat', [lst(T('N, 16, H, W'), T('N, 32, H, W'))], { dim: i(1) })), 'Tensor[N, 48, H, W]');
  assertError(callFn('torch.cat', [lst(T([8, 16, 32]), T([8, 16, 16]))], { dim: i(1) }), 'torch.cat: tensors must match except in dim 1, but dim 2 is 32 vs 16');
  const pool = makeLayer('MaxPool2d', [i(2)]);
  assert.equal(show(callLayer(pool, [T([64, 16, 26, 26])])), 'Tensor[64, 16, 13, 13]');
  assert.equal(show(callLayer(pool, [T([sym('N'), 16, sub(sym('H'), 2), sub(sym('W'), 2)])])), 'Tensor[N, 16, H//2-1, W//2-1]');
  assert.equal(show(callFn('torch.nn.functional.max_pool2d', [T([1, 1, 7, 7]), i(2)], { ceil_mode: b(true) })), 'Tensor[1, 1, 4, 4]');
  assert.equal(show(callFn('torch.nn.functional.max_pool2d', [T([1, 1, 7, 7]), i(2)], { return_indices: b(true) })), '(Tensor[1, 1, 3, 3], Tensor[1, 1, 3, 3])');
  assertError(callLayer(pool, [T([1, 3, 1, 1])]), 'MaxPool2d: input spatial size 1x1 is smaller than kernel 2x2');
});

test('BatchNorm2d, Dropout, ReLU layers', () => {
  const bn = makeLayer('BatchNorm2d', [i(16)]);
  assert.equal(show(callLayer(bn, [T('N, 16, H, W')])), 'Tensor[N, 16, H, W]');
  assertError(callLayer(bn, [T([8, 32, 10, 10])]), 'BatchNorm2d expects 16 channels but the input has 32 (input Tensor[8, 32, 10, 10])');
  assert.deepEqual(
    (callLayerParams('BatchNorm2d', [i(16)])).map((p) => `${p.name}${p.buffer ? '*' : ''}:${p.shape.join('x')}${p.dtype ? ':' + p.dtype : ''}`),
    ['weight:16', 'bias:16', 'running_mean*:16', 'running_var*:16', 'num_batches_tracked*::int64'],
  );
  const drop = makeLayer('Dropout', [f(0.25)]);
  assert.equal(show(callLayer(drop, [T('N, 10')])), 'Tensor[N, 10]');
  assert.throws(() => makeLayer('Dropout', [f(1.5)]), /dropout probability has to be between 0 and 1, but got 1.5/);
  assert.equal(show(callLayer(makeLayer('ReLU', []), [T('N, 10')])), 'Tensor[N, 10]');
});

test('the example model, symbolically and concretely', () => {
  for (const [input, expected] of [[T([64, 1, 28, 28]), 'Tensor[64, 10]'], [T('N, 1, 28, 28'), 'Tensor[N, 10]']] as const) {
    const conv1 = makeLayer('Conv2d', [i(1), i(16)], { kernel_size: i(3) });
    const conv2 = makeLayer('Conv2d', [i(16), i(32)], { kernel_size: i(3) });
    const pool = makeLayer('MaxPool2d', [i(2)]);
    const fc1 = makeLayer('Linear', [i(32 * 5 * 5), i(128)]);
    const fc2 = makeLayer('Linear', [i(128), i(10)]);
    const v = (r: ReturnType<typeof callLayer>) => { assert.ok('value' in r, show(r)); return r.value; };
    let x = v(callLayer(pool, [v(callFn('torch.nn.functional.relu', [v(callLayer(conv1, [input]))]))]));
    x = v(callLayer(pool, [v(callFn('torch.nn.functional.relu', [v(callLayer(conv2, [x]))]))]));
    x = v(callFn('torch.flatten', [x, i(1)]));
    x = v(callFn('torch.nn.functional.relu', [v(callLayer(fc1, [x]))]));
    assert.equal(show(callLayer(fc2, [x])), expected);
  }
});

import { getLayer } from '../../engine/src/ops/index.js';
import type { Value } from '../../engine/src/ops/index.js';
function callLayerParams(name: string, positional: Value[]) {
  const l = makeLayer(name, positional);
  return getLayer(name)!.params(l.attrs);
}
