// Tensor creation: arange/linspace, zeros/ones/empty/full/rand/randn/randint (+ *_like), eye,
// tensor(data). Sizes come as varargs or one tuple; dtype follows PyTorch's defaults.

import { dimEquals, sub, type Dim } from '../../shape/dim.js';
import { defineOp, fn, kw, method, p, varargs } from '../common/define.js';
import { ceildiv } from '../common/shapes.js';
import {
  bool, describe, dtypeValue, getOptDtype, getTensor, int, NONE, shapeArg, tensor, UNKNOWN, UnknownArg,
} from '../common/values.js';
import { registerFunction } from '../registry.js';
import { ShapeError, type BoundArgs, type DType, type ParamSpec, type Value } from '../types.js';

/** Keyword-only arguments every factory accepts. */
const FACTORY: ParamSpec[] = [
  kw('out', NONE), kw('dtype', NONE), kw('layout', NONE), kw('device', NONE), kw('pin_memory', bool(false)),
  kw('requires_grad', bool(false)), kw('memory_format', NONE),
];
const RANDOM: ParamSpec[] = [kw('generator', NONE), ...FACTORY];

function sizeOf(args: BoundArgs, who: string): Dim[] {
  const size = shapeArg(args.size ?? UNKNOWN, 'size', who);
  const neg = size.find((d) => typeof d === 'number' && d < 0);
  if (neg !== undefined) throw new ShapeError(`${who}: sizes must be non-negative, but got ${neg}`, 'size');
  return size;
}

/** dtype of a Python scalar fill value: bool -> bool, int -> int64, float -> float32. */
function scalarDtype(v: Value | undefined): DType {
  if (v?.kind === 'bool') return 'bool';
  if (v?.kind === 'int') return 'int64';
  if (v?.kind === 'tensor') return v.dtype;
  return 'float32';
}

/** dtype and nesting shape of `torch.tensor(data)`. */
function dataShape(v: Value, who: string): { shape: Dim[] | null; dtype: DType } {
  if (v.kind === 'int') return { shape: [], dtype: 'int64' };
  if (v.kind === 'float') return { shape: [], dtype: 'float32' };
  if (v.kind === 'bool') return { shape: [], dtype: 'bool' };
  if (v.kind === 'tensor') return { shape: v.shape ? [...v.shape] : null, dtype: v.dtype };
  if (v.kind === 'list' || v.kind === 'tuple') {
    if (!v.items) return { shape: null, dtype: 'float32' };
    if (v.items.length === 0) return { shape: [0], dtype: 'float32' };
    const inner = v.items.map((x) => dataShape(x, who));
    const first = inner[0]!;
    const rank = (d: { shape: Dim[] | null }): number => d.shape?.length ?? -1;
    if (inner.some((d) => rank(d) !== rank(first))) {
      throw new ShapeError(`${who}: nested sequences have different depths, so they do not form a tensor`, 'data');
    }
    if (first.shape && inner.some((d) => d.shape && d.shape.some((x, i) => dimEquals(x, first.shape![i]!) === false))) {
      throw new ShapeError(`${who}: nested sequences have different lengths, so they do not form a tensor`, 'data');
    }
    const order: DType[] = ['bool', 'int64', 'float32', 'float64'];
    const dtype = inner.reduce<DType>((acc, d) => (order.indexOf(d.dtype) > order.indexOf(acc) ? d.dtype : acc), 'bool');
    return { shape: first.shape ? [v.items.length, ...first.shape] : null, dtype };
  }
  if (v.kind === 'unknown') return { shape: null, dtype: 'float32' };
  throw new ShapeError(`${who}: cannot build a tensor from ${describe(v)}`, 'data');
}

function badRandint(): never {
  throw new ShapeError(`torch.randint: missing the size argument (randint(high, size) or randint(low, high, size))`, 'size');
}

export function registerCreationOps(): void {
  for (const [name, dflt] of [['zeros', 'float32'], ['ones', 'float32'], ['empty', 'float32'], ['rand', 'float32'], ['randn', 'float32']] as const) {
    const op = defineOp({
      name,
      params: [varargs('size'), ...(name.startsWith('rand') ? RANDOM : FACTORY)],
      shape: (args) => tensor(sizeOf(args, `torch.${name}`), getOptDtype(args, 'dtype', `torch.${name}`) ?? dflt),
    });
    fn(`torch.${name}`, op);
    // x.new_zeros(size) and friends keep x's dtype unless told otherwise.
    const newOp = defineOp({
      name: `new_${name}`,
      params: [p('input'), varargs('size'), ...FACTORY],
      shape: (args) => {
        const t = getTensor(args, 'input', `new_${name}`);
        return tensor(sizeOf(args, `new_${name}`), getOptDtype(args, 'dtype', `new_${name}`) ?? t.dtype);
      },
    });
    if (name !== 'rand' && name !== 'randn') method(`new_${name}`, newOp);
  }
  const full = defineOp({
    name: 'full',
    params: [p('size'), p('fill_value'), ...FACTORY],
    shape: (args) => tensor(sizeOf(args, 'torch.full'), getOptDtype(args, 'dtype', 'torch.full') ?? scalarDtype(args.fill_value)),
  });
  fn('torch.full', full);
  const newFull = defineOp({
    name: 'new_full',
    params: [p('input'), p('size'), p('fill_value'), ...FACTORY],
    shape: (args) => tensor(sizeOf(args, 'new_full'), getOptDtype(args, 'dtype', 'new_full') ?? getTensor(args, 'input', 'new_full').dtype),
  });
  method('new_full', newFull);

  // randint(low=0, high, size): `randint(10, (3,))` binds 10 to low and (3,) to high; shift them.
  const randint = defineOp({
    name: 'randint',
    params: [p('low'), p('high', NONE), p('size', NONE), ...RANDOM],
    shape: (args) => {
      // randint(high, size) binds size to `high`; an unknown `high` leaves the size unknown.
      const size = args.size?.kind === 'none' ? (args.high?.kind === 'none' ? (args.low?.kind === 'unknown' ? UNKNOWN : badRandint()) : args.high ?? UNKNOWN) : args.size ?? UNKNOWN;
      return tensor(sizeOf({ size }, 'torch.randint'), getOptDtype(args, 'dtype', 'torch.randint') ?? 'int64');
    },
    unknown: () => tensor(null, 'int64'),
  });
  fn('torch.randint', randint);

  for (const [name, dflt] of [['zeros_like', null], ['ones_like', null], ['empty_like', null], ['rand_like', null], ['randn_like', null]] as const) {
    const op = defineOp({
      name,
      params: [p('input'), ...FACTORY],
      shape: (args) => {
        const t = getTensor(args, 'input', `torch.${name}`);
        return tensor(t.shape, getOptDtype(args, 'dtype', `torch.${name}`) ?? dflt ?? t.dtype);
      },
    });
    fn(`torch.${name}`, op);
  }
  const fullLike = defineOp({
    name: 'full_like',
    params: [p('input'), p('fill_value'), ...FACTORY],
    shape: (args) => {
      const t = getTensor(args, 'input', 'torch.full_like');
      return tensor(t.shape, getOptDtype(args, 'dtype', 'torch.full_like') ?? t.dtype);
    },
  });
  fn('torch.full_like', fullLike);
  const randintLike = defineOp({
    name: 'randint_like',
    params: [p('input'), p('low'), p('high', NONE), ...FACTORY],
    shape: (args) => {
      const t = getTensor(args, 'input', 'torch.randint_like');
      return tensor(t.shape, getOptDtype(args, 'dtype', 'torch.randint_like') ?? t.dtype);
    },
  });
  fn('torch.randint_like', randintLike);

  // arange(end) / arange(start, end, step=1): length ceil((end - start) / step).
  const arange = defineOp({
    name: 'arange',
    params: [p('start'), p('end', NONE), p('step', int(1)), ...FACTORY],
    shape: (args) => {
      const bounds = [args.start, args.end, args.step].map((v) => v ?? NONE);
      const [s0, e0, st] = bounds as [Value, Value, Value];
      const [startV, endV] = e0.kind === 'none' ? [int(0), s0] : [s0, e0];
      const isFloat = [startV, endV, st].some((v) => v.kind === 'float');
      const dtype = getOptDtype(args, 'dtype', 'torch.arange') ?? (isFloat ? 'float32' : 'int64');
      const num = (v: Value, name: string): Dim | number => {
        if (v.kind === 'int') return v.value;
        if (v.kind === 'float' && v.value !== null) return v.value;
        if (v.kind === 'unknown' || v.kind === 'float') throw new UnknownArg(name);
        throw new ShapeError(`torch.arange: '${name}' must be a number, not ${describe(v)}`, name);
      };
      const a = num(startV, 'start');
      const b = num(endV, 'end');
      const s = num(st, 'step');
      if (s === 0) throw new ShapeError(`torch.arange: step must be nonzero`, 'step');
      if (typeof a === 'number' && typeof b === 'number' && typeof s === 'number') {
        const n = Math.ceil((b - a) / s);
        if (n < 0) throw new ShapeError(`torch.arange: upper bound and larger bound inconsistent with step sign (start ${a}, end ${b}, step ${s})`, 'step');
        return tensor([n], dtype);
      }
      if (typeof s === 'number' && Number.isInteger(s) && s > 0 && (typeof a !== 'number' || Number.isInteger(a)) && (typeof b !== 'number' || Number.isInteger(b))) {
        const span = sub(b, a);
        return tensor([s === 1 ? span : ceildiv(span, s)], dtype);
      }
      return tensor(null, dtype);
    },
    unknown: (args) => tensor(null, getOptDtype(args, 'dtype', 'torch.arange') ?? 'int64'),
  });
  fn('torch.arange', arange);

  const linspace = defineOp({
    name: 'linspace',
    params: [p('start'), p('end'), p('steps'), ...FACTORY],
    shape: (args) => {
      const steps = args.steps;
      if (steps?.kind !== 'int') throw new UnknownArg('steps');
      return tensor([steps.value], getOptDtype(args, 'dtype', 'torch.linspace') ?? 'float32');
    },
  });
  fn('torch.linspace', linspace);
  const logspace = defineOp({
    name: 'logspace',
    params: [p('start'), p('end'), p('steps'), p('base', { kind: 'float', value: 10 }), ...FACTORY],
    shape: (args) => {
      const steps = args.steps;
      if (steps?.kind !== 'int') throw new UnknownArg('steps');
      return tensor([steps.value], getOptDtype(args, 'dtype', 'torch.logspace') ?? 'float32');
    },
  });
  fn('torch.logspace', logspace);

  const eye = defineOp({
    name: 'eye',
    params: [p('n'), p('m', NONE), ...FACTORY],
    shape: (args) => {
      const n = args.n;
      const m = args.m?.kind === 'none' ? n : args.m;
      if (n?.kind !== 'int' || m?.kind !== 'int') throw new UnknownArg('n');
      return tensor([n.value, m.value], getOptDtype(args, 'dtype', 'torch.eye') ?? 'float32');
    },
  });
  fn('torch.eye', eye);

  const tensorOp = defineOp({
    name: 'tensor',
    params: [p('data'), kw('dtype', NONE), kw('device', NONE), kw('requires_grad', bool(false)), kw('pin_memory', bool(false))],
    shape: (args) => {
      const { shape, dtype } = dataShape(args.data ?? UNKNOWN, 'torch.tensor');
      return tensor(shape, getOptDtype(args, 'dtype', 'torch.tensor') ?? dtype);
    },
  });
  fn(['torch.tensor', 'torch.as_tensor'], tensorOp);
  fn(['torch.from_numpy'], tensorOp, [p('data')]);
  for (const [name, dt] of [['FloatTensor', 'float32'], ['LongTensor', 'int64'], ['BoolTensor', 'bool'], ['IntTensor', 'int32']] as const) {
    registerFunction(`torch.${name}`, { op: tensorOp, params: [p('data')], fixed: { dtype: dtypeValue(dt) } });
  }
}
