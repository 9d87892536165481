// bindArgs and the apply helpers: positional/keyword binding, defaults, varargs, keyword-only
// parameters, the errors users see, and how methods receive self.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBinding, bindArgs, bindLayer, getLayer, resolveFunction, resolveMethod, type ParamSpec } from '../../engine/src/ops/index.js';
import { b, f, i, ints, none, s, show, T, tup } from './helpers.js';

const PARAMS: ParamSpec[] = [{ name: 'input' }, { name: 'dim', default: none }, { name: 'keepdim', default: b(false) }, { name: 'dtype', default: none, keywordOnly: true }];

test('positional, keyword and defaults', () => {
  const r = bindArgs(PARAMS, [T([2, 3]), i(1)], { keepdim: b(true) });
  assert.ok('args' in r);
  assert.deepEqual(r.args.dim, i(1));
  assert.deepEqual(r.args.keepdim, b(true));
  assert.deepEqual(r.args.dtype, none);
});

test('binding errors are user-facing messages', () => {
  assert.deepEqual(bindArgs(PARAMS, [], {}), { error: "missing required argument 'input'" });
  assert.deepEqual(bindArgs(PARAMS, [T([2]), i(0), b(true), none], {}), { error: 'takes 3 positional arguments but 4 were given' });
  assert.deepEqual(bindArgs(PARAMS, [T([2]), i(0)], { dim: i(1) }), { error: "got multiple values for argument 'dim'" });
  assert.deepEqual(bindArgs(PARAMS, [T([2])], { axis: i(1) }), { error: "got an unexpected keyword argument 'axis'" });
});

test('varargs collect the rest as a tuple', () => {
  const r = bindArgs([{ name: 'input' }, { name: 'shape', variadic: true }], [T([6]), i(2), i(3)], {});
  assert.ok('args' in r);
  assert.deepEqual(r.args.shape, tup(i(2), i(3)));
});

test('applyBinding prefixes the op name and renames / inserts self', () => {
  const sum = resolveFunction('torch.sum')!;
  const bad = applyBinding(sum, [T([2])], { axis: i(0) });
  assert.ok('error' in bad && bad.error === "sum() got an unexpected keyword argument 'axis'");
  // Tensor.split(split_size, dim) maps onto split(tensor, split_size_or_sections, dim).
  const split = applyBinding(resolveMethod('split')!, [i(2)], { dim: i(1) }, T([3, 4]));
  assert.ok('args' in split);
  assert.deepEqual(Object.keys(split.args).sort(), ['dim', 'split_size_or_sections', 'tensor']);
  assert.equal(show(split), '(Tensor[3, 2], Tensor[3, 2])');
  // Reflected operators put self on the right.
  const rdiv = applyBinding(resolveMethod('__rtruediv__')!, [f(1)], {}, T([3]));
  assert.ok('args' in rdiv);
  assert.deepEqual(rdiv.args.input, f(1));
  assert.deepEqual(rdiv.args.other, T([3]));
  // Tensor.float() fixes the target dtype of the shared 'to' op.
  const fl = applyBinding(resolveMethod('float')!, [], {}, T([3], 'int64'));
  assert.ok('args' in fl && fl.value.kind === 'tensor' && fl.value.dtype === 'float32');
  assert.equal(fl.args.dtype?.kind, 'dtype');
  // Unbound methods called as functions: torch.Tensor.view(x, 3, -1).
  assert.equal(show(applyBinding(resolveFunction('torch.Tensor.view')!, [T([6]), i(3), i(-1)], {})), 'Tensor[3, 2]');
});

test('bindLayer fills defaults and runs the constructor check', () => {
  const conv = getLayer('Conv2d')!;
  const ok = bindLayer(conv, [i(3), i(16), i(3)], { padding: i(1) });
  assert.ok('attrs' in ok);
  assert.deepEqual(ok.attrs.stride, i(1));
  assert.deepEqual(ok.attrs.bias, b(true));
  assert.deepEqual(ok.attrs.padding_mode, s('zeros'));
  const bad = bindLayer(conv, [i(3), i(16), i(3)], { groups: i(2) });
  assert.ok('error' in bad && bad.error.includes('in_channels 3 is not divisible by groups 2'));
  const missing = bindLayer(getLayer('Linear')!, [i(3)], {});
  assert.ok('error' in missing && missing.error === "Linear() missing required argument 'out_features'");
  const flatten = bindLayer(getLayer('Flatten')!, [], {});
  assert.ok('attrs' in flatten);
  assert.deepEqual(flatten.attrs.start_dim, i(1));
  assert.ok('attrs' in bindLayer(getLayer('MaxPool2d')!, [ints(2, 2)], {}));
});
