// einops shape rules (engine/src/ops/einops/): rearrange, reduce, repeat, pack/unpack, einops.einsum
// and the layers Rearrange/Reduce, through the op registry. Concrete cases are einops' own docstring
// examples and test cases (einops/einops.py, einops/packing.py, einops/tests/test_ops.py), whose
// shapes einops' CI checks; errors must carry einops' EinopsError wording; unknowns never error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { shapeToString, sym } from '../../engine/src/shape/dim.js';
import { applyLayer, bindArgs, getLayer, getOp, resolveFunction, ShapeError, type Value } from '../../engine/src/ops/index.js';
import { AXES_LENGTHS } from '../../engine/src/ops/einops/shape.js';
import { T, i, lst, s, tup, unknown } from './helpers.js';

type Kw = Record<string, number | Value>;
const axes = (kw: Kw = {}): Value => tup(...Object.entries(kw).map(([k, v]) => tup(s(k), typeof v === 'number' ? i(v) : v)));
const show = (v: Value): string => {
  if (v.kind === 'tensor') return shapeToString(v.shape);
  if (v.kind === 'tuple' || v.kind === 'list') return `(${(v.items ?? []).map(show).join(', ')})`;
  if (v.kind === 'int') return String(v.value);
  return v.kind;
};
function run(op: string, args: Record<string, Value>): string {
  try { return show(getOp(op)!.shape(args)); } catch (e) {
    if (e instanceof ShapeError) return `error: ${e.message}`;
    throw e;
  }
}
const arrange = (x: Value, pattern: string, kw?: Kw): string => run('einops_rearrange', { input: x, pattern: s(pattern), axes_lengths: axes(kw) });
const reduce = (x: Value, pattern: string, reduction: string | Value, kw?: Kw): string =>
  run('einops_reduce', { input: x, pattern: s(pattern), reduction: typeof reduction === 'string' ? s(reduction) : reduction, axes_lengths: axes(kw) });
const repeat = (x: Value, pattern: string, kw?: Kw): string => run('einops_repeat', { input: x, pattern: s(pattern), axes_lengths: axes(kw) });
const einsum = (...items: Value[]): string => run('einops_einsum', { tensors_and_pattern: tup(...items) });

function eq(got: string, want: string, what: string): void { assert.equal(got, want, what); }
function err(got: string, ...words: string[]): void {
  assert.ok(got.startsWith('error: '), `expected an error, got ${got}`);
  for (const w of words) assert.ok(got.includes(w), `error lacks "${w}": ${got}`);
}

describe('einops docstring examples (shapes checked by einops\' own doctests)', () => {
  const images = lst(...Array.from({ length: 32 }, () => T([30, 40, 3])));
  test('rearrange', () => {
    eq(arrange(images, 'b h w c -> b h w c'), 'Tensor[32, 30, 40, 3]', 'stack');
    eq(arrange(images, 'b h w c -> b c h w'), 'Tensor[32, 3, 30, 40]', 'permute');
    eq(arrange(images, 'b h w c -> (b h) w c'), 'Tensor[960, 40, 3]', 'concatenate along height');
    eq(arrange(images, 'b h w c -> h (b w) c'), 'Tensor[30, 1280, 3]', 'concatenate along width');
    eq(arrange(images, 'b h w c -> b (c h w)'), 'Tensor[32, 3600]', 'flatten');
    eq(arrange(images, 'b (h1 h) (w1 w) c -> (b h1 w1) h w c', { h1: 2, w1: 2 }), 'Tensor[128, 15, 20, 3]', 'split into 4');
    eq(arrange(images, 'b (h h1) (w w1) c -> b h w (c h1 w1)', { h1: 2, w1: 2 }), 'Tensor[32, 15, 20, 12]', 'space to depth');
  });
  test('reduce', () => {
    eq(reduce(T([100, 32, 64]), 't b c -> b c', 'max'), 'Tensor[32, 64]', 'max over t');
    const x = T([10, 20, 30, 40]);
    eq(reduce(x, 'b c (h1 h2) (w1 w2) -> b c h1 w1', 'max', { h2: 2, w2: 2 }), 'Tensor[10, 20, 15, 20]', 'max-pool 2x2');
    eq(reduce(x, 'b c (h1 2) (w1 2) -> b c h1 w1', 'max'), 'Tensor[10, 20, 15, 20]', 'anonymous reduced axes');
    eq(reduce(x, 'b c (h1 h2) (w1 w2) -> b c h1 w1', 'max', { h1: 3, w1: 4 }), 'Tensor[10, 20, 3, 4]', 'adaptive pool');
    eq(reduce(x, 'b c h w -> b c', 'mean'), 'Tensor[10, 20]', 'global average pool');
    eq(reduce(x, 'b c h w -> 1 c 1 1', 'mean'), 'Tensor[1, 20, 1, 1]', 'mean over batch');
    eq(reduce(x, 'b c h w -> b c () ()', 'mean'), 'Tensor[10, 20, 1, 1]', 'empty compositions');
  });
  test('repeat', () => {
    const image = T([30, 40]);
    eq(repeat(image, 'h w -> h w c', { c: 3 }), 'Tensor[30, 40, 3]', 'to RGB');
    eq(repeat(image, 'h w -> (repeat h) w', { repeat: 2 }), 'Tensor[60, 40]', 'along height');
    eq(repeat(image, 'h w -> (h2 h) (w3 w)', { h2: 2, w3: 3 }), 'Tensor[60, 120]', 'tile');
    eq(repeat(image, 'h w -> (h h2) (w w2)', { h2: 2, w2: 2 }), 'Tensor[60, 80]', 'upsample');
    eq(reduce(image, '(h h2) (w w2) -> h w', 'mean', { h2: 2, w2: 2 }), 'Tensor[15, 20]', 'downsample');
    eq(repeat(T([15, 20]), 'h w -> (h h2) (w w2)', { h2: 2, w2: 2 }), 'Tensor[30, 40]', 'pixelate');
  });
  test('pack and unpack', () => {
    const packed = run('einops_pack', { tensors: lst(T([2, 3, 5]), T([2, 3, 7, 5]), T([2, 3, 7, 9, 5])), pattern: s('i j * k') });
    eq(packed, '(Tensor[2, 3, 71, 5], ((), (7), (7, 9)))', 'pack');
    const ps = lst(tup(), tup(i(7)), tup(i(7), i(9)));
    eq(run('einops_unpack', { input: T([2, 3, 71, 5]), packed_shapes: ps, pattern: s('i j * k') }), '(Tensor[2, 3, 5], Tensor[2, 3, 7, 5], Tensor[2, 3, 7, 9, 5])', 'unpack');
  });
  test('einsum', () => {
    const x = T([20, 20, 20]);
    eq(einsum(x, x, x, s('a b c, c b d, a g k -> a b k')), 'Tensor[20, 20, 20]', 'three operands');
    eq(einsum(T([128, 16, 16]), T([16, 16, 30]), s('batch h w, h w channel -> batch channel')), 'Tensor[128, 30]', 'filters');
    eq(einsum(T([10, 20]), T([50, 30, 20]), s('out_dim in_dim, ... in_dim -> ... out_dim')), 'Tensor[50, 30, 10]', 'ellipsis');
    eq(einsum(T([10, 10]), s('i i ->')), 'Tensor[]', 'trace');
  });
});

describe('einops test-suite cases (einops/tests/test_ops.py)', () => {
  const x5 = T([2, 3, 4, 5, 6]);
  test('identity patterns keep the shape', () => {
    for (const p of ['...->...', 'a b c d e-> a b c d e', 'a b c d e ...-> ... a b c d e', 'a b c d e ...-> a ... b c d e',
      '... a b c d e -> ... a b c d e', 'a ... e-> a ... e', 'a ... -> a ... ', 'a ... c d e -> a (...) c d e']) {
      eq(arrange(x5, p), 'Tensor[2, 3, 4, 5, 6]', p);
    }
  });
  test('equivalent rearrange patterns agree', () => {
    const pairs: [string, string, string][] = [
      ['a b c d e -> (a b) c d e', 'a b ... -> (a b) ... ', 'Tensor[6, 4, 5, 6]'],
      ['a b c d e -> a b (c d) e', '... c d e -> ... (c d) e', 'Tensor[2, 3, 20, 6]'],
      ['a b c d e -> a b c d e', '... -> ... ', 'Tensor[2, 3, 4, 5, 6]'],
      ['a b c d e -> (a b c d e)', '... ->  (...)', 'Tensor[720]'],
      ['a b c d e -> b (c d e) a', 'a b ... -> b (...) a', 'Tensor[3, 120, 2]'],
      ['a b c d e -> b (a c d) e', 'a b ... e -> b (a ...) e', 'Tensor[3, 40, 6]'],
    ];
    for (const [p1, p2, want] of pairs) { eq(arrange(x5, p1), want, p1); eq(arrange(x5, p2), want, p2); }
  });
  test('reductions', () => {
    const cases: [string, Kw, string][] = [
      ['a b c d e -> ', {}, 'Tensor[]'], ['a ... -> ', {}, 'Tensor[]'], ['(a1 a2) ... (e1 e2) -> ', { a1: 1, e2: 2 }, 'Tensor[]'],
      ['a b c d e -> (e c) a', {}, 'Tensor[24, 2]'], ['a ... c d e -> (e c) a', {}, 'Tensor[24, 2]'], ['a b c d e ... -> (e c) a', {}, 'Tensor[24, 2]'],
      ['a b c d e -> (e c a)', {}, 'Tensor[48]'], ['(a a2) ... -> (a2 a) ...', { a2: 1 }, 'Tensor[2, 3, 4, 5, 6]'],
      ['a b c d e -> (e a)', {}, 'Tensor[12]'], [' a b c d e ... -> d (a e) ', {}, 'Tensor[5, 12]'], [' ... c d e  -> (...) ', {}, 'Tensor[6]'],
    ];
    for (const red of ['min', 'max', 'sum', 'mean', 'prod']) for (const [p, kw, want] of cases) eq(reduce(x5, p, red, kw), want, `${red} ${p}`);
  });
  test('repeats', () => {
    const x = T([2, 3, 5]);
    const cases: [string, Kw, string][] = [
      ['a b c -> c a b', {}, 'Tensor[5, 2, 3]'], ['a b c -> (c copy a b)', { copy: 2, a: 2, b: 3, c: 5 }, 'Tensor[60]'],
      ['a b c -> (a copy) b c ', { copy: 1 }, 'Tensor[2, 3, 5]'], ['a b c -> (c a) (copy1 b copy2)', { a: 2, copy1: 1, copy2: 2 }, 'Tensor[10, 6]'],
      ['a ...  -> a ... copy', { copy: 4 }, 'Tensor[2, 3, 5, 4]'], ['... c -> ... (copy1 c copy2)', { copy1: 1, copy2: 2 }, 'Tensor[2, 3, 10]'],
      ['...  -> ... ', {}, 'Tensor[2, 3, 5]'], [' ...  -> copy1 ... copy2 ', { copy1: 2, copy2: 3 }, 'Tensor[2, 2, 3, 5, 3]'],
      ['a b c  -> copy1 a copy2 b c () ', { copy1: 2, copy2: 1 }, 'Tensor[2, 2, 1, 3, 5, 1]'],
    ];
    for (const [p, kw, want] of cases) eq(repeat(x, p, kw), want, p);
    const y = T([1, 2, 4, 6]);
    const anon: [string, Kw, string][] = [
      ['a b c d -> c a d b', {}, 'Tensor[4, 1, 6, 2]'], ['a b c d -> (c 2 d a b)', { a: 1, c: 4, d: 6 }, 'Tensor[96]'],
      ['1 b c d -> (d copy 1) 3 b c ', { copy: 3 }, 'Tensor[18, 3, 2, 4]'], ['1 ...  -> 3 ... ', {}, 'Tensor[3, 2, 4, 6]'],
      ['() ... d -> 1 (copy1 d copy2) ... ', { copy1: 2, copy2: 3 }, 'Tensor[1, 36, 2, 4]'],
      ['1 b c d -> (1 1) (1 b) 2 c 3 d (1 1)', {}, 'Tensor[1, 2, 2, 4, 3, 6, 1]'],
    ];
    for (const [p, kw, want] of anon) eq(repeat(y, p, kw), want, p);
  });
  test('list inputs are stacked', () => {
    const items = lst(T([3, 4, 5, 6]), T([3, 4, 5, 6]));
    eq(arrange(items, '... -> (...)'), 'Tensor[720]', 'rearrange');
    eq(reduce(items, 'a ... e -> (...)', 'min'), 'Tensor[60]', 'reduce');
    eq(repeat(items, '...  -> b (...)', { b: 3 }), 'Tensor[3, 720]', 'repeat');
    err(arrange(lst(T([3, 4]), T([3, 5])), 'n a b -> a n b'), 'stack expects each tensor to be equal size', '[3, 4]', '[3, 5]');
  });
  test('a parenthesised ellipsis on the left is refused', () => {
    const x = T([1, 1, 1, 1, 1]);
    eq(arrange(x, 'a b c d ... ->  a b c ... d'), 'Tensor[1, 1, 1, 1, 1]', 'plain ellipsis');
    err(arrange(x, 'a b c d (...) ->  a b c ... d'), 'Ellipsis inside parenthesis in the left side is not allowed');
    err(arrange(x, '(...) -> (...)'), 'Ellipsis inside parenthesis in the left side is not allowed');
  });
});

describe('symbolic sizes', () => {
  test('(h d) with h given: d = C/h, exact when C has the factor', () => {
    eq(arrange(T('B, N, C'), 'b n (h d) -> b h n d', { h: 8 }), 'Tensor[B, 8, N, C//8]', 'C//8');
    eq(arrange(T('B, N, 8*D'), 'b n (h d) -> b h n d', { h: 8 }), 'Tensor[B, 8, N, D]', 'exact');
    eq(arrange(T('B, N, C'), 'b n (h d) -> b h n d', { h: i(sym('heads')) }), 'Tensor[B, heads, N, (C)//(heads)]', 'symbolic heads');
    // A composition that is put back together reads as the input dim, not h*(C//h).
    eq(arrange(T('B, N, C'), 'b n (h d) -> b (h d) n', { h: 8 }), 'Tensor[B, C, N]', 'round trip');
    eq(arrange(T('B, N, C'), 'b n (h d) -> b (d h) n', { h: 8 }), 'Tensor[B, C, N]', 'any order');
  });
  test('ViT patches, BHWC, heads merge', () => {
    eq(arrange(T('B, 3, 224, 224'), 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', { p1: 16, p2: 16 }), 'Tensor[B, 196, 768]', 'concrete');
    eq(arrange(T('B, C, H, W'), 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', { p1: 16, p2: 16 }), 'Tensor[B, H//16*W//16, 256*C]', 'symbolic');
    eq(arrange(T('B, C, H, W'), 'b c h w -> b (h w) c'), 'Tensor[B, H*W, C]', 'tokens');
    eq(arrange(T('B, heads, N, D'), 'b h n d -> b n (h d)'), 'Tensor[B, N, heads*D]', 'merge heads');
    eq(reduce(T('B, C, H, W'), 'b c h w -> b c', 'mean'), 'Tensor[B, C]', 'pool');
    eq(repeat(T('N, D'), 'n d -> b n d', { b: i(sym('B')) }), 'Tensor[B, N, D]', 'cls token');
  });
  test('unknown inputs give unknowns, never errors', () => {
    // Sizes nobody knows print as the pattern's axis names (opaque: equal to nothing but themselves).
    eq(arrange(T(null), 'b n (h d) -> b h n d', { h: 8 }), 'Tensor[b, 8, n, d]', 'unknown rank, rank from the pattern');
    eq(arrange(T(null), 'b ... -> ... b'), 'Tensor[?]', 'unknown rank with an ellipsis');
    eq(arrange(T('B, N, C'), 'b n (h d) -> b h n d', { h: unknown }), 'Tensor[B, h, N, d]', 'unknown axis length');
    eq(arrange(T('B, H'), 'b h -> h b', { h: 3 }), 'Tensor[3, B]', 'a symbolic dim may equal the given length');
    eq(arrange(unknown, 'b c -> c b'), 'Tensor[?]', 'unknown input');
    eq(run('einops_rearrange', { input: T([2, 3]), pattern: unknown, axes_lengths: axes() }), 'Tensor[?]', 'unknown pattern');
    eq(reduce(T('B, N, D'), 'b n d -> b d', unknown), 'Tensor[B, D]', 'a callable reduction: the pattern decides');
    eq(run('einops_rearrange', { input: T([2, 3]), pattern: s('a b -> b a'), axes_lengths: unknown }), 'Tensor[?]', 'unknown **kwargs');
    eq(einsum(T(null), T('B, N, D'), s('b m d, b n d -> b m n')), 'Tensor[B, m, N]', 'einsum with an unknown operand');
    eq(run('einops_pack', { tensors: lst(T(null), T('B, D')), pattern: s('b * d') }), '(Tensor[?], (unknown, ()))', 'pack with an unknown tensor');
  });
});

describe('errors carry einops\' wording', () => {
  test('rank', () => {
    err(arrange(T([2, 3, 4, 5]), 'b c h -> b (c h)'), 'Wrong shape: expected 3 dims. Received 4-dim tensor.');
    err(arrange(T([7]), 'a b ... -> b a ...'), 'Wrong shape: expected >=2 dims. Received 1-dim tensor.');
  });
  test('sizes', () => {
    err(arrange(T([2, 5, 60]), 'b n (h d) -> b h n d', { h: 8 }), "Shape mismatch, can't divide axis of length 60 in chunks of 8");
    err(arrange(T([2, 4]), 'b h -> h b', { h: 3 }), 'Shape mismatch, 4 != 3');
    err(arrange(T([2, 3]), 'b 1 -> b'.replace('b 1 -> b', 'b 1 -> b 1')), 'Shape mismatch, 3 != 1');
    err(arrange(T('B, N, 60'), 'b n (h d) -> b h n d', { h: 8 }), "can't divide axis of length 60 in chunks of 8");
  });
  test('identifiers', () => {
    err(arrange(T([2, 3]), 'b c -> b c d'), "Identifiers only on one side of expression (should be on both): {'d'}");
    err(arrange(T([2, 3]), 'b c -> b'), "Identifiers only on one side of expression (should be on both): {'c'}");
    err(arrange(T([2, 3]), 'b c -> c b', { x: 3 }), 'Axis x is not used in transform');
    err(arrange(T([2, 12]), 'b (h w) -> b h w'), "Could not infer sizes for {'h', 'w'}");
    err(arrange(T([2, 4]), 'b (c 2) -> b c'), 'Non-unitary anonymous axes are not supported in rearrange (exception is length 1)');
    err(arrange(T([2, 3]), 'a a -> a'), 'Indexing expression contains duplicate dimension "a"');
    err(arrange(T([2, 3]), 'a b -> ... a b'), 'Ellipsis found in right side, but not left side of a pattern');
    err(arrange(T([2, 3]), 'a b -> (a b'), 'Imbalanced parentheses');
    err(arrange(T([2, 3]), 'a b -> a.b'), 'Expression may contain dots only inside ellipsis (...)');
    err(arrange(T([2, 3]), 'a b -> a-b'), "Unknown character '-'");
    err(arrange(T([2, 3]), 'a _b -> _b a'), 'Invalid axis identifier: _b');
    err(repeat(T([2, 3]), 'h w -> h w c'), "Specify sizes for new axes in repeat: {'c'}");
    err(repeat(T([2, 3]), 'h w -> h'), "Unexpected identifiers on the left side of repeat: {'w'}");
    err(reduce(T([2, 3]), 'b c -> b x', 'mean'), "Unexpected identifiers on the right side of reduce mean: {'x'}");
    err(reduce(T([2, 3]), 'b c -> b', 'median'), "Unknown reduction median. Expect one of ('min', 'max', 'sum', 'mean', 'prod', 'any', 'all').");
  });
  test('a pattern that cannot work is an error for any tensor', () => {
    err(arrange(T(null), 'b c -> b c d'), 'Identifiers only on one side of expression');
    err(arrange(unknown, 'b c -> b c d'), 'Identifiers only on one side of expression');
  });
  test('dtypes', () => {
    err(reduce(T([2, 3], 'int64'), 'b c -> b', 'mean'), 'reduce_mean is not available for non-floating tensors');
    assert.equal((getOp('einops_reduce')!.shape({ input: T([2, 3], 'float32'), pattern: s('b c -> b'), reduction: s('any'), axes_lengths: axes() }) as { dtype: string }).dtype, 'bool');
    assert.equal((getOp('einops_reduce')!.shape({ input: T([2, 3], 'int32'), pattern: s('b c -> b'), reduction: s('sum'), axes_lengths: axes() }) as { dtype: string }).dtype, 'int64');
  });
  test('messages name the op, the pattern and the input', () => {
    const m = arrange(T('B, 5, 60'), 'b n (h d) -> b h n d', { h: 8 });
    for (const w of ['einops.rearrange', 'b n (h d) -> b h n d', '[B, 5, 60]', 'h=8']) assert.ok(m.includes(w), `${w} in ${m}`);
  });
});

describe('pack / unpack', () => {
  test('symbolic pack: the packed dim is the sum of the packed products', () => {
    eq(run('einops_pack', { tensors: lst(T('B, N, D'), T('B, D')), pattern: s('b * d') }), '(Tensor[B, N+1, D], ((N), ()))', 'cls token');
    eq(run('einops_pack', { tensors: lst(T('B, H, W, C'), T('B, N, C')), pattern: s('b * c') }), '(Tensor[B, H*W+N, C], ((H, W), (N)))', 'two kinds of tokens');
  });
  test('unpack with -1 infers the remaining length', () => {
    eq(run('einops_unpack', { input: T([2, 10, 5]), packed_shapes: lst(tup(i(3)), tup(i(-1))), pattern: s('b * d') }), '(Tensor[2, 3, 5], Tensor[2, 7, 5])', '-1');
    eq(run('einops_unpack', { input: T('B, N+1, D'), packed_shapes: lst(tup(), tup(i(-1))), pattern: s('b * d') }), '(Tensor[B, D], Tensor[B, N, D])', 'symbolic -1');
  });
  test('errors', () => {
    err(run('einops_pack', { tensors: lst(T([5])), pattern: s('i j * k') }), 'packed tensor #0 (enumeration starts with 0) has shape [5], while pattern i j * k assumes at least 3 axes');
    err(run('einops_pack', { tensors: lst(T([2, 3, 5]), T([2, 4])), pattern: s('b * d') }), 'Sizes of tensors must match except in dimension 1', '5', '4');
    err(run('einops_pack', { tensors: lst(T([2, 3])), pattern: s('b d') }), 'No *-axis in pack(..., "b d")');
    err(run('einops_pack', { tensors: lst(T([2, 3])), pattern: s('b * b') }), 'Duplicates in axes names in pack(..., "b * b")');
    err(run('einops_unpack', { input: T([2, 10]), packed_shapes: lst(tup(i(3))), pattern: s('b * d') }), 'unpack(..., b * d) received input of wrong dim with shape [2, 10]');
    err(run('einops_unpack', { input: T([2, 10, 5]), packed_shapes: lst(tup(i(3)), tup(i(4))), pattern: s('b * d') }), 'could not split axis of size 10 into requested');
    err(run('einops_unpack', { input: T([2, 10, 5]), packed_shapes: lst(tup(i(-1)), tup(i(-1))), pattern: s('b * d') }), "more than one -1");
  });
});

describe('einops.einsum', () => {
  test('attention', () => {
    eq(einsum(T('B, H, N, D'), T('B, H, M, D'), s('b h i d, b h j d -> b h i j')), 'Tensor[B, H, N, M]', 'scores');
    eq(einsum(T('B, H, N, M'), T('B, H, M, D'), s('b h i j, b h j d -> b h i d')), 'Tensor[B, H, N, D]', 'values');
  });
  test('errors', () => {
    err(einsum(T([2, 4, 6, 64]), T([2, 4, 6, 32]), s('b h i d, b h j d -> b h i j')), "axis 'd' is 64 in one operand but 32 in operand 1");
    err(einsum(T([2, 3]), T([3, 4]), s('a b, b c -> a x')), 'Unknown axis x on right side of einsum');
    err(einsum(T([2, 3]), s('(a b) -> a')), 'Shape rearrangement is not yet supported in einsum.');
    err(einsum(T([2, 3]), s('a 2 -> a')), 'Anonymous axes are not yet supported in einsum.');
    err(einsum(T([2, 3]), s('a b')), "Einsum pattern must contain '->'.");
    err(einsum(T([2, 3, 4]), s('a b -> a')), 'operand 0 has 3 dims');
    err(einsum(T([2, 3]), T([3, 4]), s('a b -> a')), 'names 1 operand(s) but 2 tensor(s) were given');
    eq(einsum(s('a -> a')), 'Tensor[?]', 'a pattern alone (maybe einsum(*xs, p) with xs unseen): unknown');
    err(einsum(T([2]), T([2])), 'The last argument passed to `einops.einsum` must be a string');
  });
});

describe('layers Rearrange / Reduce', () => {
  const build = (name: string, pos: Value[], kw: Kw = {}): { attrs: Record<string, Value> } | { error: string } => {
    const spec = getLayer(name)!;
    // The layer's **axes_lengths arrive as pairs, as the registry's varkw binding will hand them over;
    // bound here by hand (bindLayer would refuse the keywords until the registry has varkw).
    const attrs: Record<string, Value> = { axes_lengths: axes(kw) };
    spec.ctor.filter((p) => p.name !== 'axes_lengths').forEach((p, k) => { attrs[p.name] = pos[k] ?? p.default!; });
    try { spec.check?.(attrs); } catch (e) { if (e instanceof ShapeError) return { error: e.message }; throw e; }
    return { attrs };
  };
  test('forward shapes', () => {
    const r = build('Rearrange', [s('b c (h p1) (w p2) -> b (h w) (p1 p2 c)')], { p1: 16, p2: 16 });
    assert.ok('attrs' in r);
    const out = applyLayer(getLayer('Rearrange')!, r.attrs, [T('B, 3, 224, 224')], {});
    assert.ok('value' in out); eq(show(out.value), 'Tensor[B, 196, 768]', 'Rearrange');
    const red = build('Reduce', [s('b n d -> b d'), s('mean')]);
    assert.ok('attrs' in red);
    const o2 = applyLayer(getLayer('Reduce')!, red.attrs, [T('B, N, 64')], {});
    assert.ok('value' in o2); eq(show(o2.value), 'Tensor[B, 64]', 'Reduce');
    const bad = applyLayer(getLayer('Rearrange')!, r.attrs, [T([2, 3, 225, 224])], {});
    assert.ok('error' in bad && bad.error.includes("can't divide axis of length 225 in chunks of 16"), JSON.stringify(bad));
  });
  test('a pattern that cannot work is reported at construction', () => {
    const r = build('Rearrange', [s('b c -> b c d')]);
    assert.ok('error' in r && r.error.includes('Identifiers only on one side of expression'), JSON.stringify(r));
    const r2 = build('Reduce', [s('b c -> b'), s('median')]);
    assert.ok('error' in r2 && r2.error.includes('Unknown reduction median'), JSON.stringify(r2));
  });
  test('the symbolic input comes from the left side of the pattern', () => {
    const r = build('Rearrange', [s('b c (h p1) (w p2) -> b (h w) (p1 p2 c)')], { p1: 16, p2: 16 });
    assert.ok('attrs' in r);
    const t = getLayer('Rearrange')!.symbolicInput!(r.attrs);
    eq(t ? shapeToString(t.shape) : 'null', 'Tensor[b, c, 16*h, 16*w]', 'symbolic input');
    const r2 = build('Rearrange', [s('b ... -> b (...)')]);
    assert.ok('attrs' in r2);
    assert.equal(getLayer('Rearrange')!.symbolicInput!(r2.attrs), null);
  });
});

test('Python spellings are registered, and **kwargs axis lengths bind', () => {
  const names = ['einops.rearrange', 'einops.reduce', 'einops.repeat', 'einops.pack', 'einops.unpack', 'einops.einsum'];
  for (const n of names) assert.ok(resolveFunction(n) !== undefined, n);
  const r = bindArgs([{ name: 'input' }, AXES_LENGTHS], [i(1)], { h: i(2), w: i(3) });
  assert.ok('args' in r);
  assert.deepEqual(r.args.axes_lengths, tup(tup(s('h'), i(2)), tup(s('w'), i(3))));
  assert.deepEqual(bindArgs([{ name: 'input' }], [i(1)], { h: i(2) }), { error: "got an unexpected keyword argument 'h'" });
});
