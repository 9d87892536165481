// Symbolic cases for every family: the same rules that the goldens check concretely must keep
// symbolic sizes (N, C, H, W, L) flowing, simplified, and flag only definite mismatches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sym } from '../../engine/src/shape/dim.js';
import { getLayer } from '../../engine/src/ops/index.js';
import { assertError, b, callFn, callLayer, callMethod, dt, dtypeOf, f, i, ints, lst, makeLayer, none, s, show, T, tup, unknown } from './helpers.js';

const N = sym('N');

test('conv family symbolic', () => {
  assert.equal(show(callLayer(makeLayer('Conv1d', [i(3), i(6), i(5)], { stride: i(2) }), [T('N, 3, L')])), 'Tensor[N, 6, (L+1)//2-2]');
  assert.equal(show(callLayer(makeLayer('Conv3d', [i(2), i(4), i(3)], { padding: i(1) }), [T('N, 2, D, H, W')])), 'Tensor[N, 4, D, H, W]');
  assert.equal(show(callLayer(makeLayer('Conv2d', [i(4), i(8), i(3)], { padding: s('same') }), [T('N, 4, H, W')])), 'Tensor[N, 8, H, W]');
  assert.equal(show(callLayer(makeLayer('ConvTranspose2d', [i(16), i(8), i(4)], { stride: i(2), padding: i(1) }), [T('N, 16, H, W')])), 'Tensor[N, 8, 2*H, 2*W]');
  assert.equal(show(callLayer(makeLayer('Conv2d', [i(3), i(8), i(3)], { dilation: i(2) }), [T('N, 3, H, W')])), 'Tensor[N, 8, H-4, W-4]');
  assert.equal(show(callFn('torch.nn.functional.conv2d', [T('N, C, H, W'), T([16, 3, 5, 5])], { padding: i(2) })), 'Tensor[N, 16, H, W]');
  assert.throws(() => makeLayer('Conv2d', [i(3), i(8), i(3)], { groups: i(2) }), /in_channels 3 is not divisible by groups 2/);
  assert.deepEqual(getLayer('Conv2d')!.params(makeLayer('Conv2d', [i(4), i(8), i(3)], { groups: i(2) }).attrs).map((p) => p.shape.join('x')), ['8x2x3x3', '8']);
  assert.deepEqual(getLayer('ConvTranspose2d')!.params(makeLayer('ConvTranspose2d', [i(4), i(8), i(3)], { groups: i(2), bias: b(false) }).attrs).map((p) => p.shape.join('x')), ['4x4x3x3']);
  assert.equal(show(getLayer('Conv2d')!.symbolicInput!(makeLayer('Conv2d', [i(3), i(8), i(3)]).attrs)!), 'Tensor[N, 3, H, W]');
  assert.equal(show(getLayer('Conv1d')!.symbolicInput!(makeLayer('Conv1d', [i(3), i(8), i(3)]).attrs)!), 'Tensor[N, 3, L]');
  assert.equal(show(getLayer('Conv3d')!.symbolicInput!(makeLayer('Conv3d', [i(3), i(8), i(3)]).attrs)!), 'Tensor[N, 3, D, H, W]');
});

test('pool family symbolic', () => {
  assert.equal(show(callLayer(makeLayer('MaxPool2d', [i(3)], { stride: i(2), padding: i(1) }), [T('N, C, H, W')])), 'Tensor[N, C, (H+1)//2, (W+1)//2]');
  assert.equal(show(callLayer(makeLayer('AvgPool1d', [i(4)]), [T('N, C, L')])), 'Tensor[N, C, L//4]');
  assert.equal(show(callLayer(makeLayer('AdaptiveAvgPool2d', [tup(i(1), i(1))]), [T('N, 512, H, W')])), 'Tensor[N, 512, 1, 1]');
  assert.equal(show(callLayer(makeLayer('AdaptiveAvgPool2d', [tup(none, i(7))]), [T('N, 512, H, W')])), 'Tensor[N, 512, H, 7]');
  assert.equal(show(callFn('torch.nn.functional.adaptive_max_pool2d', [T('N, C, H, W'), i(2)], { return_indices: b(true) })), '(Tensor[N, C, 2, 2], Tensor[N, C, 2, 2])');
  assert.throws(() => makeLayer('MaxPool2d', [i(3)], { padding: i(2) }), /padding should be at most half/);
});

test('norm family symbolic, declared sizes win over symbolic inputs', () => {
  assert.equal(show(callLayer(makeLayer('BatchNorm2d', [i(16)]), [T('N, C, H, W')])), 'Tensor[N, 16, H, W]');
  assert.equal(show(callLayer(makeLayer('BatchNorm1d', [i(16)]), [T('N, 16, L')])), 'Tensor[N, 16, L]');
  assertError(callLayer(makeLayer('BatchNorm1d', [i(16)]), [T('N, 16, H, W')]), 'BatchNorm1d expects a 2D or 3D input');
  assert.equal(show(callLayer(makeLayer('LayerNorm', [i(64)]), [T('N, L, D')])), 'Tensor[N, L, 64]');
  assertError(callLayer(makeLayer('LayerNorm', [i(64)]), [T('N, L, 32')]), "LayerNorm expects the input's last dim to be [64] but the input is Tensor[N, L, 32]");
  assert.equal(show(callLayer(makeLayer('GroupNorm', [i(4), i(16)]), [T('N, C, H, W')])), 'Tensor[N, 16, H, W]');
  assert.throws(() => makeLayer('GroupNorm', [i(3), i(16)]), /num_channels 16 must be divisible by num_groups 3/);
  assert.deepEqual(getLayer('LayerNorm')!.params(makeLayer('LayerNorm', [ints(10, 64)]).attrs).map((p) => `${p.name}:${p.shape.join('x')}`), ['weight:10x64', 'bias:10x64']);
  assert.equal(show(getLayer('LayerNorm')!.symbolicInput!(makeLayer('LayerNorm', [i(64)]).attrs)!), 'Tensor[N, 64]');
  assert.equal(show(callFn('torch.nn.functional.layer_norm', [T('N, L, D'), tup(i(sym('D')))])), 'Tensor[N, L, D]');
});

test('elementwise family symbolic and dtype', () => {
  assert.equal(show(callFn('torch.where', [T('N, 1', 'bool'), T('N, C'), f(0)])), 'Tensor[N, C]');
  assert.equal(dtypeOf(callFn('torch.where', [T('N, 1', 'bool'), T('N, C'), f(0)])), 'float32');
  assert.equal(show(callMethod(T('N, L, L'), 'masked_fill', [T('L, L', 'bool'), f(-1e9)])), 'Tensor[N, L, L]');
  assertError(callMethod(T('N, L'), 'masked_fill', [T('N, L'), f(0)]), 'mask must be a bool tensor');
  assert.equal(show(callFn('torch.clamp', [T('N, C')], { min: f(0), max: f(6) })), 'Tensor[N, C]');
  assert.equal(dtypeOf(callMethod(T('N'), 'float', [])), 'float32');
  assert.equal(dtypeOf(callMethod(T('N'), 'long', [])), 'int64');
  assert.equal(dtypeOf(callMethod(T('N'), 'half', [])), 'float16');
  assert.equal(dtypeOf(callMethod(T('N'), 'to', [s('cuda'), dt('float64')])), 'float64');
  assert.equal(dtypeOf(callMethod(T('N'), 'to', [], { dtype: dt('int32') })), 'int32');
  assert.equal(dtypeOf(callMethod(T('N'), 'cuda', [])), 'float32');
  assert.equal(show(callMethod(T('N, C'), 'detach', [])), 'Tensor[N, C]');
  assert.equal(show(callMethod(T('N, C'), '__pow__', [i(2)])), 'Tensor[N, C]');
  assert.equal(show(callMethod(T('N, C'), '__neg__', [])), 'Tensor[N, C]');
  assert.equal(dtypeOf(callMethod(T('N, C'), '__eq__', [T('C')])), 'bool');
  assert.equal(show(callFn('torch.nn.functional.glu', [T('N, 2*C')])), 'Tensor[N, C]');
  assert.equal(show(callFn('torch.nn.functional.glu', [T([4, 10])])), 'Tensor[4, 5]');
  assert.equal(show(callLayer(makeLayer('GELU', []), [T('N, C')])), 'Tensor[N, C]');
  assertError(callLayer(makeLayer('PReLU', [i(3)]), [T('N, 4, H, W')]), 'PReLU expects 3 channels');
});

test('linear family symbolic', () => {
  assert.equal(show(callFn('torch.einsum', [s('bhqd,bhkd->bhqk'), T('B, H, L, D'), T('B, H, S, D')])), 'Tensor[B, H, L, S]');
  assert.equal(show(callFn('torch.einsum', [s('...ij,...jk->...ik'), T('B, L, D'), T('D, K')])), 'Tensor[B, L, K]');
  assert.equal(show(callFn('torch.einsum', [s('ij->ji'), T('N, C')])), 'Tensor[C, N]');
  assert.equal(show(callFn('torch.einsum', [s('bij,bjk->bik'), lst(T('B, N, D'), T('B, D, M'))])), 'Tensor[B, N, M]');
  assertError(callFn('torch.einsum', [s('bij,bjk->bik'), T([2, 3, 4]), T([2, 5, 5])]), "subscript 'j' is 4 in one operand and 5");
  assert.equal(show(callFn('torch.bmm', [T('B, N, D'), T('B, D, M')])), 'Tensor[B, N, M]');
  assertError(callFn('torch.bmm', [T('B, N, D'), T('B, D')]), 'bmm: both arguments must be 3D');
  assert.equal(show(callLayer(makeLayer('Bilinear', [i(5), i(6), i(3)]), [T('N, 5'), T('N, 6')])), 'Tensor[N, 3]');
  assert.equal(show(getLayer('Linear')!.symbolicInput!(makeLayer('Linear', [i(784), i(10)]).attrs)!), 'Tensor[N, 784]');
});

test('shape family symbolic', () => {
  assert.equal(show(callMethod(T('N, L, D'), 'view', [i(N), i(sym('L')), i(4), i(-1)])), 'Tensor[N, L, 4, D//4]');
  assertError(callMethod(T('B, 7'), 'view', [i(sym('B')), i(-1), i(2)]), 'view: shape [B, -1, 2] is invalid for input of 7*B elements');
  assert.equal(show(callMethod(T('B, C, H, W'), 'view', [i(sym('B')), i(sym('C')), i(-1)])), 'Tensor[B, C, H*W]');
  assert.equal(show(callMethod(T([6, 7]), 'view', [i(sym('K')), i(-1)])), 'Tensor[K, 42/K]');
  assertError(callMethod(T('B, 7'), 'view', [i(sym('B')), i(2), i(4)]), 'view: shape [B, 2, 4] is invalid for input of 7*B elements');
  assert.equal(show(callMethod(T('B, L, 512'), 'view', [i(sym('B')), i(-1), i(8), i(64)])), 'Tensor[B, L, 8, 64]');
  assert.equal(show(callMethod(T('N, L, H, K'), 'transpose', [i(1), i(2)])), 'Tensor[N, H, L, K]');
  assert.equal(show(callMethod(T('N, C, H, W'), 'permute', [i(0), i(2), i(3), i(1)])), 'Tensor[N, H, W, C]');
  assertError(callMethod(T('N, C, H'), 'permute', [i(0), i(1)]), 'permute: the number of dims 2 does not match');
  assert.equal(show(callMethod(T('N, 1, L'), 'squeeze', [i(1)])), 'Tensor[N, L]');
  assert.equal(show(callMethod(T('N, 1, L'), 'squeeze', [])), 'Tensor[N, L]');
  assert.equal(show(callMethod(T('N, L'), 'unsqueeze', [i(1)])), 'Tensor[N, 1, L]');
  assert.equal(show(callMethod(T('N, 1, L'), 'expand', [i(-1), i(4), i(-1)])), 'Tensor[N, 4, L]');
  assertError(callMethod(T([3, 2]), 'expand', [i(3), i(4)]), 'expand: Tensor[3, 2] cannot be expanded to [3, 4]');
  assert.equal(show(callMethod(T('N, L'), 'repeat', [i(2), i(3)])), 'Tensor[2*N, 3*L]');
  assert.equal(show(callFn('torch.stack', [lst(T('N, C'), T('N, C'), T('N, C'))], { dim: i(1) })), 'Tensor[N, 3, C]');
  assert.equal(show(callFn('torch.chunk', [T('N, 2*C'), i(2)], { dim: i(1) })), '(Tensor[N, C], Tensor[N, C])');
  assert.equal(show(callMethod(T('N, 3*E'), 'split', [i(sym('E'))], { dim: i(-1) })), '(Tensor[N, E], Tensor[N, E], Tensor[N, E])');
  assert.equal(show(callFn('torch.split', [T('N, L'), ints(2, 3)], { dim: i(0) })), '(Tensor[2, L], Tensor[3, L])');
  assert.equal(show(callFn('torch.cat', [tup(T('N, C'), T('M, C'))])), 'Tensor[M+N, C]');
  assert.equal(show(callFn('torch.nn.functional.interpolate', [T('N, C, H, W')], { scale_factor: i(2) })), 'Tensor[N, C, 2*H, 2*W]');
  assert.equal(show(callFn('torch.nn.functional.interpolate', [T('N, C, H, W')], { scale_factor: f(0.5) })), 'Tensor[N, C, H//2, W//2]');
  assert.equal(show(callFn('torch.nn.functional.pad', [T('N, C, H, W'), ints(1, 1, 2, 2)])), 'Tensor[N, C, H+4, W+2]');
  assert.equal(show(callLayer(makeLayer('ZeroPad2d', [i(1)]), [T('N, C, H, W')])), 'Tensor[N, C, H+2, W+2]');
  assert.equal(show(callLayer(makeLayer('Upsample', [], { scale_factor: i(2), mode: s('bilinear') }), [T('N, C, H, W')])), 'Tensor[N, C, 2*H, 2*W]');
  assert.equal(show(callLayer(makeLayer('Unflatten', [i(1), ints(32, 5, 5)]), [T('N, 800')])), 'Tensor[N, 32, 5, 5]');
  assert.equal(show(callLayer(makeLayer('Flatten', []), [T('N, C, H, W')])), 'Tensor[N, C*H*W]');
  assert.equal(show(callMethod(T('N, L, D'), '__getitem__', [tup(i(0), sl2(null, sym('K')))])), 'Tensor[K, D]');
  assert.equal(show(callMethod(T('N, L, D'), '__len__', [])), 'int N');
  assert.equal(show(callMethod(T('N, H-2'), '__getitem__', [tup(unknown)])), 'Tensor[?]');
  assert.equal(show(callMethod(T('N, H-2'), '__getitem__', [tup(sl2(1, null))])), 'Tensor[N-1, H-2]');
});
function sl2(a: number | null, bb: ReturnType<typeof sym> | number | null) { return { kind: 'slice' as const, start: a, stop: bb, step: null }; }

test('reduce family symbolic', () => {
  assert.equal(show(callMethod(T('N, C, H, W'), 'mean', [ints(2, 3)])), 'Tensor[N, C]');
  assert.equal(show(callMethod(T('N, C, H, W'), 'mean', [ints(2, 3)], { keepdim: b(true) })), 'Tensor[N, C, 1, 1]');
  assert.equal(show(callMethod(T('N, C'), 'max', [i(1)])), '(Tensor[N], Tensor[N])');
  assert.equal(show(callMethod(T('N, C'), 'max', [])), 'Tensor[]');
  const mx = callMethod(T('N, C'), 'max', [], { dim: i(-1) });
  assert.ok('value' in mx && mx.value.kind === 'tuple');
  assert.deepEqual(mx.value.names, ['values', 'indices']);
  assert.equal(dtypeOf(callMethod(T('N, C'), 'argmax', [], { dim: i(1) })), 'int64');
  assert.equal(show(callMethod(T('N, C'), 'argmax', [], { dim: i(1) })), 'Tensor[N]');
  assert.equal(show(callFn('torch.nn.functional.softmax', [T('N, C')], { dim: i(-1) })), 'Tensor[N, C]');
  assertError(callFn('torch.nn.functional.softmax', [T('N, C')], { dim: i(2) }), 'softmax: dim 2 is out of range for Tensor[N, C]');
  assert.equal(show(callFn('torch.topk', [T('N, L'), i(5)])), '(Tensor[N, 5], Tensor[N, 5])');
  assert.equal(show(callMethod(T('N, C'), 'sum', [])), 'Tensor[]');
  assert.equal(dtypeOf(callMethod(T('N, C', 'bool'), 'sum', [])), 'int64');
  assertError(callMethod(T('N, C', 'int64'), 'mean', []), 'mean: input dtype must be floating point');
  assert.equal(show(callLayer(makeLayer('Softmax', [], { dim: i(1) }), [T('N, C')])), 'Tensor[N, C]');
});

test('creation family', () => {
  assert.equal(show(callFn('torch.arange', [i(N)])), 'Tensor[N]');
  assert.equal(dtypeOf(callFn('torch.arange', [i(N)])), 'int64');
  assert.equal(show(callFn('torch.arange', [i(1), i(N)])), 'Tensor[N-1]');
  assert.equal(show(callFn('torch.arange', [i(0), i(N), i(2)])), 'Tensor[(N+1)//2]');
  assert.equal(dtypeOf(callFn('torch.arange', [f(0), f(1), f(0.1)])), 'float32');
  assert.equal(show(callFn('torch.zeros', [i(N), i(3)])), 'Tensor[N, 3]');
  assert.equal(show(callFn('torch.zeros', [tup(i(N), i(3))])), 'Tensor[N, 3]');
  assert.equal(show(callFn('torch.randn', [i(N), i(3)], { device: s('cpu'), requires_grad: b(true) })), 'Tensor[N, 3]');
  assert.equal(dtypeOf(callFn('torch.randint', [i(0), i(10), tup(i(N))])), 'int64');
  assert.equal(show(callFn('torch.randint', [i(10), tup(i(N), i(2))])), 'Tensor[N, 2]');
  assert.equal(show(callFn('torch.full', [tup(i(N)), f(1)])), 'Tensor[N]');
  assert.equal(dtypeOf(callFn('torch.full', [tup(i(N)), b(true)])), 'bool');
  assert.equal(show(callFn('torch.ones_like', [T('N, C')])), 'Tensor[N, C]');
  assert.equal(dtypeOf(callFn('torch.zeros_like', [T('N, C')], { dtype: dt('int64') })), 'int64');
  assert.equal(show(callFn('torch.tensor', [lst(lst(i(1), i(2)), lst(i(3), i(4)))])), 'Tensor[2, 2]');
  assert.equal(dtypeOf(callFn('torch.tensor', [lst(i(1), f(2))])), 'float32');
  assert.equal(dtypeOf(callFn('torch.tensor', [lst(i(1), i(2))])), 'int64');
  assert.equal(dtypeOf(callFn('torch.LongTensor', [lst(i(1), i(2))])), 'int64');
  assert.equal(show(callMethod(T('N, C'), 'new_zeros', [tup(i(N))])), 'Tensor[N]');
  assertError(callFn('torch.zeros', [i(-1)]), 'sizes must be non-negative');
});

test('embedding family', () => {
  const emb = makeLayer('Embedding', [i(1000), i(64)]);
  assert.equal(show(callLayer(emb, [T('N, L', 'int64')])), 'Tensor[N, L, 64]');
  assertError(callLayer(emb, [T('N, L')]), 'Embedding expects an integer (int64) index tensor but got float32 Tensor[N, L]');
  assert.equal(show(getLayer('Embedding')!.symbolicInput!(emb.attrs)!), 'Tensor[N, L]');
  assert.equal(getLayer('Embedding')!.symbolicInput!(emb.attrs)!.dtype, 'int64');
  assert.equal(show(callFn('torch.nn.functional.one_hot', [T('N', 'int64'), i(10)])), 'Tensor[N, 10]');
  assert.equal(show(callFn('torch.nn.functional.one_hot', [T('N', 'int64')])), 'Tensor[N, num_classes]');
  assert.throws(() => makeLayer('Embedding', [i(10), i(4)], { padding_idx: i(10) }), /padding_idx 10 must be within num_embeddings 10/);
});

test('loss family', () => {
  assert.equal(show(callFn('torch.nn.functional.cross_entropy', [T('N, C'), T('N', 'int64')])), 'Tensor[]');
  assert.equal(show(callFn('torch.nn.functional.cross_entropy', [T('N, C, H, W'), T('N, H, W', 'int64')], { reduction: s('none') })), 'Tensor[N, H, W]');
  assertError(callFn('torch.nn.functional.cross_entropy', [T([64, 10]), T([32], 'int64')]), 'cross_entropy: input batch size 64 does not match target batch size 32 (input Tensor[64, 10], target Tensor[32])');
  assertError(callFn('torch.nn.functional.cross_entropy', [T([64, 10]), T([64])]), 'class-index targets must be int64');
  assertError(callFn('torch.nn.functional.cross_entropy', [T([64, 10]), T([64], 'int64')], { reduction: s('avg') }), "reduction must be 'mean', 'sum' or 'none'");
  assert.equal(show(callFn('torch.nn.functional.mse_loss', [T('N, 1'), T('N, 1')], { reduction: s('none') })), 'Tensor[N, 1]');
  assertError(callFn('torch.nn.functional.binary_cross_entropy_with_logits', [T([4, 1]), T([4])]), 'target Tensor[4] must have the same shape as input Tensor[4, 1]');
  assertError(callLayer(makeLayer('CrossEntropyLoss', []), [T([64, 10]), T([32], 'int64')]), 'CrossEntropyLoss: input batch size 64');
  assert.equal(show(callLayer(makeLayer('CrossEntropyLoss', [], { reduction: s('none') }), [T('N, C'), T('N', 'int64')])), 'Tensor[N]');
});

test('rnn family', () => {
  const lstm = makeLayer('LSTM', [i(10), i(20)], { num_layers: i(2), bidirectional: b(true), batch_first: b(true) });
  assert.equal(show(callLayer(lstm, [T('N, L, 10')])), '(Tensor[N, L, 40], (Tensor[4, N, 20], Tensor[4, N, 20]))');
  assertError(callLayer(lstm, [T('N, L, 11')]), "LSTM expects input_size 10 but the input's last dim is 11 (input Tensor[N, L, 11])");
  assert.equal(show(getLayer('LSTM')!.symbolicInput!(lstm.attrs)!), 'Tensor[N, L, 10]');
  assert.deepEqual(getLayer('LSTM')!.params(lstm.attrs).map((p) => `${p.name}:${p.shape.join('x')}`), [
    'weight_ih_l0:80x10', 'weight_hh_l0:80x20', 'bias_ih_l0:80', 'bias_hh_l0:80',
    'weight_ih_l0_reverse:80x10', 'weight_hh_l0_reverse:80x20', 'bias_ih_l0_reverse:80', 'bias_hh_l0_reverse:80',
    'weight_ih_l1:80x40', 'weight_hh_l1:80x20', 'bias_ih_l1:80', 'bias_hh_l1:80',
    'weight_ih_l1_reverse:80x40', 'weight_hh_l1_reverse:80x20', 'bias_ih_l1_reverse:80', 'bias_hh_l1_reverse:80',
  ]);
  const gru = makeLayer('GRU', [i(8), i(16)]);
  assert.equal(show(callLayer(gru, [T('L, N, 8')])), '(Tensor[L, N, 16], Tensor[1, N, 16])');
  assert.equal(show(getLayer('GRU')!.symbolicInput!(gru.attrs)!), 'Tensor[L, N, 8]');
  assertError(callLayer(gru, [T('L, N, 8'), T([2, 3, 16])]), 'GRU expects h_0 of shape [1, N, 16] but got Tensor[2, 3, 16]');
  const proj = makeLayer('LSTM', [i(10), i(20)], { proj_size: i(5) });
  assert.equal(show(callLayer(proj, [T('L, N, 10')])), '(Tensor[L, N, 5], (Tensor[1, N, 5], Tensor[1, N, 20]))');
  assert.ok(getLayer('LSTM')!.params(proj.attrs).some((p) => p.name === 'weight_hr_l0' && p.shape.join('x') === '5x20'));
  assert.equal(show(callLayer(makeLayer('LSTMCell', [i(10), i(20)]), [T('N, 10')])), '(Tensor[N, 20], Tensor[N, 20])');
});

test('attention family', () => {
  const mha = makeLayer('MultiheadAttention', [i(512), i(8)], { batch_first: b(true) });
  assert.equal(show(callLayer(mha, [T('N, L, 512'), T('N, S, 512'), T('N, S, 512')])), '(Tensor[N, L, 512], Tensor[N, L, S])');
  assert.equal(show(callLayer(mha, [T('N, L, 512'), T('N, L, 512'), T('N, L, 512')], { need_weights: b(false) })), '(Tensor[N, L, 512], None)');
  assert.equal(show(callLayer(mha, [T('N, L, 512'), T('N, S, 512'), T('N, S, 512')], { average_attn_weights: b(false) })), '(Tensor[N, L, 512], Tensor[N, 8, L, S])');
  assertError(callLayer(mha, [T('N, L, 256'), T('N, L, 256'), T('N, L, 256')]), "MultiheadAttention expects embed_dim 512 but the query's last dim is 256");
  assert.throws(() => makeLayer('MultiheadAttention', [i(100), i(8)]), /embed_dim 100 must be divisible by num_heads 8/);
  assert.equal(show(getLayer('MultiheadAttention')!.symbolicInput!(mha.attrs)!), 'Tensor[N, L, 512]');
  assert.deepEqual(getLayer('MultiheadAttention')!.params(makeLayer('MultiheadAttention', [i(32), i(4)]).attrs).map((p) => `${p.name}:${p.shape.join('x')}`),
    ['in_proj_weight:96x32', 'in_proj_bias:96', 'out_proj.weight:32x32', 'out_proj.bias:32']);
  assert.equal(show(callFn('torch.nn.functional.scaled_dot_product_attention', [T('N, H, L, E'), T('N, H, S, E'), T('N, H, S, V')])), 'Tensor[N, H, L, V]');
  assertError(callFn('torch.nn.functional.scaled_dot_product_attention', [T([2, 4, 5, 8]), T([2, 4, 6, 16]), T([2, 4, 6, 16])]), "query's last dim 8 must match key's 16");
  assertError(callFn('torch.nn.functional.scaled_dot_product_attention', [T([2, 4, 5, 8]), T([2, 4, 6, 8]), T([2, 4, 7, 8])]), 'key and value must have the same sequence length');
});

test('dropout family', () => {
  assert.equal(show(callFn('torch.nn.functional.dropout', [T('N, C')], { p: f(0.1), training: b(false) })), 'Tensor[N, C]');
  assertError(callFn('torch.nn.functional.dropout', [T('N, C')], { p: f(-0.1) }), 'dropout probability has to be between 0 and 1, but got -0.1');
  assertError(callLayer(makeLayer('Dropout2d', []), [T('N, C')]), 'Dropout2d expects a 3D (unbatched) or 4D (batched) input');
  assert.equal(show(callLayer(makeLayer('AlphaDropout', [f(0.2)]), [T('N, C')])), 'Tensor[N, C]');
});
