// Elementwise ops: unary maps (activations, math), binary ops with broadcasting, comparisons,
// where/masked_fill/clamp, and dtype casts. Unary ops keep the shape; binary ops broadcast.

import { exactDiv, floordiv, shapeToString } from '../../shape/dim.js';
import { defineOp, fn, kw, method, p, torchAndF, varargs } from '../common/define.js';
import { elementwiseFlops } from '../common/flops.js';
import { broadcastShapes, checkBroadcastTo } from '../common/shapes.js';
import {
  bool, describe, dtypeKnown, dtypeValue, float, getDim, getTensor, isFloatDtype, isTensor, NONE, promote, str, tensor, UnknownArg,
} from '../common/values.js';
import { getOp } from '../registry.js';
import { ShapeError, type BoundArgs, type DType, type OpDef, type ParamSpec, type Value } from '../types.js';

const INPLACE = p('inplace', bool(false));

/** dtype of a float-valued unary op: float inputs keep theirs, integer inputs become float32. */
function floatOf(d: DType): DType { return isFloatDtype(d) ? d : 'float32'; }

type DtypeRule = 'same' | 'float' | 'bool';

/** Unary ops that do no arithmetic (tests and bit ops are not FLOPs). */
const NO_FLOPS = new Set(['positive', 'bitwise_not']);

function unary(name: string, extra: readonly ParamSpec[], dt: DtypeRule = 'float'): OpDef {
  return defineOp({
    name,
    params: [p('input'), ...extra],
    shape: (args) => {
      const t = getTensor(args, 'input', name);
      const dtype = dt === 'same' ? t.dtype : dt === 'bool' ? 'bool' : floatOf(t.dtype);
      return tensor(t.shape, dtype);
    },
    ...(dt !== 'bool' && !NO_FLOPS.has(name) ? { flops: elementwiseFlops } : {}),
  });
}

/** Binary ops counted 1 FLOP per output element (PyTorch counts add and mul so). */
const ARITH = new Set(['add', 'sub', 'mul', 'div']);

/** Result of a binary op between tensors and/or Python numbers. */
function binaryShape(who: string, a: Value, b: Value, dt: DtypeRule | 'promote' | 'truediv', aName: string, bName: string): Value {
  const operand = (v: Value, name: string): void => {
    if (v.kind === 'unknown') throw new UnknownArg(name);
    if (v.kind !== 'tensor' && v.kind !== 'int' && v.kind !== 'float' && v.kind !== 'bool') {
      throw new ShapeError(`${who}: unsupported operand ${describe(v)} (expected a Tensor or a number)`, name);
    }
  };
  operand(a, aName);
  operand(b, bName);
  if (!isTensor(a) && !isTensor(b)) throw new UnknownArg(aName); // number op number is the frontend's
  let dtype = promote(a, b);
  if (dt === 'bool') dtype = 'bool';
  else if (dt === 'truediv' || dt === 'float') dtype = floatOf(dtype);
  const sa = isTensor(a) ? a.shape : [];
  const sb = isTensor(b) ? b.shape : [];
  if (!sa || !sb) return tensor(null, dtype);
  return tensor(broadcastShapes(sa, sb, '', bName), dtype);
}

function binary(name: string, dt: DtypeRule | 'promote' | 'truediv', second = 'other', extra: readonly ParamSpec[] = []): OpDef {
  return defineOp({
    name,
    params: [p('input'), p(second), ...extra],
    shape: (args) => binaryShape(name, args.input ?? NONE, args[second] ?? NONE, dt, 'input', second),
    ...(ARITH.has(name) ? { flops: elementwiseFlops } : {}),
    unknown: (args) => tensor(null, isTensor(args.input) ? args.input.dtype : isTensor(args[second]) ? (args[second] as { dtype: DType }).dtype : 'float32'),
  });
}

export function registerElementwiseOps(): void {
  // ---- unary ----------------------------------------------------------------------------
  const both = (name: string, op: OpDef, fParams?: readonly ParamSpec[]): void => {
    fn(`torch.${name}`, op);
    fn(`torch.nn.functional.${name}`, op, fParams ?? op.params);
  };
  const relu = unary('relu', [INPLACE], 'same');
  both('relu', relu);
  method(['relu', 'relu_'], relu, []);
  fn('torch.relu_', relu, [p('input')]);
  fn('torch.nn.functional.relu_', relu, [p('input')]);

  // F.<name>(input, ...extra) only.
  const fOnly: [string, ParamSpec[], DtypeRule][] = [
    ['relu6', [INPLACE], 'same'],
    ['gelu', [p('approximate', str('none'))], 'float'],
    ['silu', [INPLACE], 'float'],
    ['mish', [INPLACE], 'float'],
    ['hardswish', [INPLACE], 'float'],
    ['hardsigmoid', [INPLACE], 'float'],
    ['hardtanh', [p('min_val', float(-1)), p('max_val', float(1)), INPLACE], 'same'],
    ['elu', [p('alpha', float(1)), INPLACE], 'float'],
    ['selu', [INPLACE], 'float'],
    ['celu', [p('alpha', float(1)), INPLACE], 'float'],
    ['leaky_relu', [p('negative_slope', float(0.01)), INPLACE], 'float'],
    ['softplus', [p('beta', float(1)), p('threshold', float(20))], 'float'],
    ['logsigmoid', [], 'float'],
    ['softsign', [], 'float'],
    ['tanhshrink', [], 'float'],
    ['softshrink', [p('lambd', float(0.5))], 'float'],
    ['hardshrink', [p('lambd', float(0.5))], 'float'],
  ];
  for (const [name, extra, dt] of fOnly) {
    const op = unary(name, extra, dt);
    fn(`torch.nn.functional.${name}`, op);
  }
  // torch.X, F.X (where PyTorch has it) and Tensor.X.
  const math: [string, DtypeRule, boolean][] = [
    ['sigmoid', 'float', true], ['tanh', 'float', true], ['exp', 'float', false], ['log', 'float', false],
    ['sqrt', 'float', false], ['rsqrt', 'float', false], ['abs', 'same', false], ['neg', 'same', false],
    ['sin', 'float', false], ['cos', 'float', false], ['tan', 'float', false], ['log1p', 'float', false],
    ['expm1', 'float', false], ['exp2', 'float', false], ['log2', 'float', false], ['log10', 'float', false],
    ['floor', 'same', false], ['ceil', 'same', false], ['round', 'same', false], ['trunc', 'same', false],
    ['frac', 'same', false], ['sign', 'same', false], ['reciprocal', 'float', false], ['square', 'same', false],
    ['erf', 'float', false], ['erfc', 'float', false], ['atan', 'float', false], ['asin', 'float', false],
    ['acos', 'float', false], ['sinh', 'float', false], ['cosh', 'float', false], ['positive', 'same', false],
    ['logical_not', 'bool', false], ['isnan', 'bool', false], ['isinf', 'bool', false], ['isfinite', 'bool', false],
    ['bitwise_not', 'same', false],
  ];
  for (const [name, dt, inF] of math) {
    const op = unary(name, [], dt);
    fn(`torch.${name}`, op);
    if (inF) fn(`torch.nn.functional.${name}`, op);
    method(name, op, []);
    if (dt !== 'bool' && name !== 'positive') method(`${name}_`, op, []);
  }
  fn('torch.negative', getOpOrThrow('neg'));
  fn('torch.absolute', getOpOrThrow('abs'));

  // clamp(input, min=None, max=None)
  const clamp = defineOp({
    name: 'clamp',
    params: [p('input'), p('min', NONE), p('max', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'clamp');
      let shape = t.shape;
      for (const b of ['min', 'max'] as const) {
        const v = args[b];
        if (isTensor(v) && shape && v.shape) shape = broadcastShapes(shape, v.shape, 'clamp: ', b);
      }
      return tensor(shape, t.dtype);
    },
  });
  fn(['torch.clamp', 'torch.clip'], clamp);
  method(['clamp', 'clip', 'clamp_', 'clip_'], clamp);

  const prelu = defineOp({
    name: 'prelu',
    params: [p('input'), p('weight')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'prelu');
      const w = getTensor(args, 'weight', 'prelu');
      if (t.shape && w.shape && w.shape.length === 1 && w.shape[0] !== 1 && t.shape.length >= 2) {
        const c = t.shape[1]!;
        if (typeof c === 'number' && typeof w.shape[0] === 'number' && c !== w.shape[0]) {
          throw new ShapeError(`prelu: weight has ${w.shape[0]} parameters but the input has ${c} channels (input ${shapeToString(t.shape)})`, 'weight');
        }
      }
      return tensor(t.shape, t.dtype);
    },
  });
  torchAndF('prelu', prelu);

  // glu halves `dim`: the first half gates the second.
  const glu = defineOp({
    name: 'glu',
    params: [p('input'), p('dim', { kind: 'int', value: -1 })],
    shape: (args) => {
      const t = getTensor(args, 'input', 'glu');
      if (!t.shape) return tensor(null, t.dtype);
      if (t.shape.length === 0) throw new ShapeError('glu: does not support 0-dim tensors', 'input');
      const d = getDim(args, 'dim', 'glu', t.shape);
      const size = t.shape[d]!;
      const half = exactDiv(size, 2);
      if (half === undefined && typeof size === 'number') {
        throw new ShapeError(`glu: halving dimension must be even, but dim ${d} of ${shapeToString(t.shape)} is ${size}`, 'input');
      }
      return tensor(t.shape.map((x, i) => (i === d ? half ?? floordiv(size, 2) : x)), floatOf(t.dtype));
    },
  });
  fn('torch.nn.functional.glu', glu);

  // ---- binary ---------------------------------------------------------------------------
  const add = binary('add', 'promote', 'other', [kw('alpha', { kind: 'int', value: 1 })]);
  const sub = binary('sub', 'promote', 'other', [kw('alpha', { kind: 'int', value: 1 })]);
  const mul = binary('mul', 'promote');
  const div = binary('div', 'truediv', 'other', [kw('rounding_mode', NONE)]);
  const floorDiv = binary('floor_divide', 'promote');
  const remainder = binary('remainder', 'promote');
  const pow = binary('pow', 'promote', 'exponent');
  const table: [string, OpDef, string[]][] = [
    ['add', add, ['add', 'add_']], ['sub', sub, ['sub', 'sub_', 'subtract']], ['mul', mul, ['mul', 'mul_', 'multiply']],
    ['div', div, ['div', 'div_', 'divide', 'true_divide']], ['floor_divide', floorDiv, ['floor_divide']],
    ['remainder', remainder, ['remainder']], ['pow', pow, ['pow', 'pow_']],
  ];
  for (const [name, op, methods] of table) {
    fn(`torch.${name}`, op);
    method(methods, op);
  }
  fn(['torch.subtract'], sub);
  fn(['torch.multiply'], mul);
  fn(['torch.divide', 'torch.true_divide'], div);
  const fmod = binary('fmod', 'promote');
  fn('torch.fmod', fmod);
  method('fmod', fmod);
  for (const name of ['maximum', 'minimum', 'atan2', 'bitwise_and', 'bitwise_or', 'bitwise_xor']) {
    const op = binary(name, name === 'atan2' ? 'float' : 'promote');
    fn(`torch.${name}`, op);
    method(name, op);
  }
  for (const name of ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor']) {
    const op = binary(name, 'bool');
    fn(`torch.${name}`, op);
    method(name, op);
  }
  fn('torch.greater', getOpOrThrow('gt'));
  fn('torch.less', getOpOrThrow('lt'));
  fn('torch.greater_equal', getOpOrThrow('ge'));
  fn('torch.less_equal', getOpOrThrow('le'));
  fn('torch.not_equal', getOpOrThrow('ne'));

  // Python operator dunders on Tensor: (dunder without underscores, op, reflected?).
  const DUNDERS: [string, string, boolean][] = [
    ['add', 'add', false], ['radd', 'add', true], ['iadd', 'add', false],
    ['sub', 'sub', false], ['rsub', 'sub', true], ['isub', 'sub', false],
    ['mul', 'mul', false], ['rmul', 'mul', true], ['imul', 'mul', false],
    ['truediv', 'div', false], ['rtruediv', 'div', true], ['itruediv', 'div', false],
    ['floordiv', 'floor_divide', false], ['rfloordiv', 'floor_divide', true], ['ifloordiv', 'floor_divide', false],
    ['mod', 'remainder', false], ['rmod', 'remainder', true],
    ['pow', 'pow', false], ['rpow', 'pow', true], ['ipow', 'pow', false],
    ['and', 'bitwise_and', false], ['rand', 'bitwise_and', true], ['iand', 'bitwise_and', false],
    ['or', 'bitwise_or', false], ['ror', 'bitwise_or', true], ['ior', 'bitwise_or', false],
    ['xor', 'bitwise_xor', false], ['rxor', 'bitwise_xor', true],
    ['lt', 'lt', false], ['le', 'le', false], ['gt', 'gt', false], ['ge', 'ge', false], ['eq', 'eq', false], ['ne', 'ne', false],
  ];
  for (const [d, opName, reflected] of DUNDERS) {
    const op = getOpOrThrow(opName);
    const second = op.params[1]!.name;
    if (reflected) method(`__${d}__`, op, [p('other')], { rename: { other: 'input' }, self: second });
    else method(`__${d}__`, op, [p('other')], second === 'other' ? {} : { rename: { other: second } });
  }
  method('__neg__', getOpOrThrow('neg'), []);
  method('__pos__', getOpOrThrow('positive'), []);
  method('__abs__', getOpOrThrow('abs'), []);
  method('__invert__', getOpOrThrow('bitwise_not'), []);

  // where(condition, input, other): three-way broadcast.
  const where = defineOp({
    name: 'where',
    params: [p('condition'), p('input'), p('other')],
    shape: (args) => {
      const c = getTensor(args, 'condition', 'where');
      const ab = binaryShape('where', args.input ?? NONE, args.other ?? NONE, 'promote', 'input', 'other');
      if (!isTensor(ab) || !ab.shape || !c.shape) return tensor(null, isTensor(ab) ? ab.dtype : 'float32');
      return tensor(broadcastShapes(c.shape, ab.shape, 'where: ', 'condition'), ab.dtype);
    },
  });
  fn('torch.where', where);
  method('where', where, [p('condition'), p('other')]);

  // masked_fill(input, mask, value): the mask broadcasts to the input's shape.
  const maskedFill = defineOp({
    name: 'masked_fill',
    params: [p('input'), p('mask'), p('value')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'masked_fill');
      const m = getTensor(args, 'mask', 'masked_fill');
      if (dtypeKnown(m) && m.dtype !== 'bool' && m.dtype !== 'uint8') {
        throw new ShapeError(`masked_fill: mask must be a bool tensor, but got ${m.dtype} ${shapeToString(m.shape)}`, 'mask');
      }
      if (t.shape && m.shape) checkBroadcastTo(m.shape, t.shape, 'masked_fill: mask', 'mask');
      return tensor(t.shape, t.dtype);
    },
  });
  fn('torch.masked_fill', maskedFill);
  method(['masked_fill', 'masked_fill_'], maskedFill);

  // ---- dtype casts ------------------------------------------------------------------------
  const to = defineOp({
    name: 'to',
    params: [p('input'), varargs('args'), kw('dtype', NONE), kw('device', NONE), kw('non_blocking', bool(false)), kw('copy', bool(false)), kw('memory_format', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'to');
      let dtype: DType = t.dtype;
      const pos = args.args?.kind === 'tuple' ? args.args.items : [];
      for (const v of pos) {
        if (v.kind === 'dtype') dtype = v.dtype;
        else if (v.kind === 'tensor') dtype = v.dtype;
      }
      const d = args.dtype;
      if (d?.kind === 'dtype') dtype = d.dtype;
      return tensor(t.shape, dtype);
    },
  });
  method('to', to);
  const casts: [string, DType][] = [
    ['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'],
    ['long', 'int64'], ['int', 'int32'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8'], ['bool', 'bool'],
  ];
  for (const [m, dt] of casts) method(m, to, [kw('memory_format', NONE)], { fixed: { dtype: dtypeValue(dt) } });
  method(['cpu', 'cuda'], to, [p('device', NONE), p('non_blocking', bool(false)), kw('memory_format', NONE)]);
  // x.type(dtype) casts; x.type() returns a str (the frontend sees a non-tensor result).
  const typeOp = defineOp({
    name: 'type',
    params: [p('input'), p('dtype', NONE), p('non_blocking', bool(false))],
    shape: (args: BoundArgs) => {
      const t = getTensor(args, 'input', 'type');
      const d = args.dtype;
      if (!d || d.kind === 'none') return str(null);
      if (d.kind === 'dtype') return tensor(t.shape, d.dtype);
      return tensor(t.shape, t.dtype);
    },
    unknown: 'value',
  });
  method('type', typeOp);
  for (const name of ['clone', 'detach', 'contiguous']) {
    const op = defineOp({
      name,
      params: name === 'detach' ? [p('input')] : [p('input'), kw('memory_format', NONE)],
      shape: (args) => { const t = getTensor(args, 'input', name); return tensor(t.shape, t.dtype); },
    });
    if (name !== 'contiguous') fn(`torch.${name}`, op);
    method(name === 'detach' ? ['detach', 'detach_'] : name, op);
  }
  const typeAs = defineOp({
    name: 'type_as',
    params: [p('input'), p('other')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'type_as');
      const o = getTensor(args, 'other', 'type_as');
      return tensor(t.shape, o.dtype);
    },
  });
  method('type_as', typeAs);
}

function getOpOrThrow(name: string): OpDef {
  const op = getOp(name);
  if (!op) throw new Error(`op '${name}' is not registered yet`);
  return op;
}
