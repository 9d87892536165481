// Reductions: sum/mean/prod/amax/amin/var/std/norm/logsumexp/all/any over dims (keepdim),
// max/min/median (a (values, indices) pair when given a dim), argmax/argmin, topk/sort/argsort,
// and softmax/log_softmax/softmin (shape-preserving, but their dim is checked).

import { dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, kw, method, p } from '../common/define.js';
import { broadcastShapes } from '../common/shapes.js';
import {
  bool, dtypeKnown, getBool, getDim, getDims, getInt, getOptDtype, getTensor, int, isFloatDtype, isIntDtype, isNone, isTensor, NONE,
  promote, str, tensor, tuple,
} from '../common/values.js';
import { ShapeError, type BoundArgs, type DType, type ParamSpec, type TensorType, type Value } from '../types.js';

export function reduceShape(shape: readonly Dim[], dims: readonly number[] | null, keepdim: boolean): Dim[] {
  if (dims === null) return keepdim ? shape.map(() => 1) : [];
  return keepdim ? shape.map((d, i) => (dims.includes(i) ? 1 : d)) : shape.filter((_, i) => !dims.includes(i));
}

function reduced(args: BoundArgs, who: string, dtype: (t: TensorType) => DType): TensorType {
  const t = getTensor(args, 'input', who);
  const keep = isNone(args.keepdim) ? false : getBool(args, 'keepdim', who);
  const out = getOptDtype(args, 'dtype', who) ?? dtype(t);
  if (!t.shape) return tensor(null, out);
  return tensor(reduceShape(t.shape, getDims(args, 'dim', who, t.shape), keep), out);
}

const sumDtype = (t: TensorType): DType => (isIntDtype(t.dtype) || t.dtype === 'bool' ? 'int64' : t.dtype);
const floatOnly = (who: string) => (t: TensorType): DType => {
  if (dtypeKnown(t) && !isFloatDtype(t.dtype)) {
    throw new ShapeError(`${who}: input dtype must be floating point, but got ${t.dtype} ${shapeToString(t.shape)} (call .float() first)`, 'input');
  }
  return t.dtype;
};

/** A (values, indices) named tuple as returned by max(dim)/topk/sort. */
function pair(shape: readonly Dim[] | null, dtype: DType): Value {
  return { kind: 'tuple', items: [tensor(shape, dtype), tensor(shape, 'int64')], names: ['values', 'indices'] };
}

function softmaxDim(args: BoundArgs, who: string, t: TensorType): void {
  if (!t.shape || isNone(args.dim)) return;
  getDim(args, 'dim', who, t.shape);
}

export function registerReduceOps(): void {
  const DIM_KEEP: ParamSpec[] = [p('input'), p('dim', NONE), p('keepdim', bool(false))];
  const table: [string, (who: string) => (t: TensorType) => DType, boolean][] = [
    ['sum', () => sumDtype, true], ['mean', floatOnly, true], ['nansum', () => sumDtype, true], ['nanmean', floatOnly, true],
    ['prod', () => sumDtype, true], ['amax', () => (t) => t.dtype, false], ['amin', () => (t) => t.dtype, false],
    ['logsumexp', floatOnly, false], ['all', () => () => 'bool', false], ['any', () => () => 'bool', false],
    ['count_nonzero', () => () => 'int64', false],
  ];
  for (const [name, dtypeRule, hasDtype] of table) {
    const params = name === 'count_nonzero' ? [p('input'), p('dim', NONE)] : hasDtype ? [...DIM_KEEP, kw('dtype', NONE)] : DIM_KEEP;
    const op = defineOp({ name, params, shape: (args) => reduced(args, name, dtypeRule(name)) });
    fn(`torch.${name}`, op);
    method(name, op);
  }

  for (const name of ['var', 'std'] as const) {
    const op = defineOp({
      name,
      params: [p('input'), p('dim', NONE), p('unbiased', bool(true)), p('keepdim', bool(false)), kw('correction', NONE)],
      shape: (args) => reduced(args, name, floatOnly(name)),
    });
    fn(`torch.${name}`, op);
    method(name, op);
    const meanPair = defineOp({
      name: `${name}_mean`,
      params: [p('input'), p('dim', NONE), p('unbiased', bool(true)), p('keepdim', bool(false)), kw('correction', NONE)],
      shape: (args) => { const r = reduced(args, `${name}_mean`, floatOnly(`${name}_mean`)); return tuple([r, r]); },
      unknown: 'value',
    });
    fn(`torch.${name}_mean`, meanPair);
  }

  const norm = defineOp({
    name: 'norm',
    params: [p('input'), p('p', str('fro')), p('dim', NONE), p('keepdim', bool(false)), p('dtype', NONE)],
    shape: (args) => reduced(args, 'norm', (t) => (isFloatDtype(t.dtype) ? t.dtype : 'float32')),
  });
  fn(['torch.norm', 'torch.linalg.norm', 'torch.linalg.vector_norm'], norm);
  method('norm', norm);

  // max/min: no dim -> 0-dim tensor; dim -> (values, indices); a tensor -> elementwise maximum.
  for (const name of ['max', 'min', 'median', 'mode'] as const) {
    const op = defineOp({
      name,
      params: name === 'mode' ? [p('input'), p('dim', int(-1)), p('keepdim', bool(false))] : DIM_KEEP,
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        const d = args.dim ?? NONE;
        if (isTensor(d)) {
          if (name === 'median' || name === 'mode') throw new ShapeError(`${name}: dim must be an int, not a Tensor`, 'dim');
          const dtype = promote(t, d);
          return tensor(t.shape && d.shape ? broadcastShapes(t.shape, d.shape, `${name}: `, 'dim') : null, dtype);
        }
        if (d.kind === 'none') return tensor(t.shape ? [] : null, t.dtype);
        const keep = getBool(args, 'keepdim', name);
        if (!t.shape) return pair(null, t.dtype);
        return pair(reduceShape(t.shape, [getDim(args, 'dim', name, t.shape)], keep), t.dtype);
      },
      unknown: (args) => (isNone(args.dim) ? tensor(null, isTensor(args.input) ? args.input.dtype : 'float32') : { kind: 'unknown' }),
    });
    fn(`torch.${name}`, op);
    method(name, op);
  }

  for (const name of ['argmax', 'argmin'] as const) {
    const op = defineOp({
      name,
      params: DIM_KEEP,
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        if (!t.shape) return tensor(null, 'int64');
        const keep = getBool(args, 'keepdim', name);
        if (isNone(args.dim)) return tensor(keep ? t.shape.map(() => 1) : [], 'int64');
        return tensor(reduceShape(t.shape, [getDim(args, 'dim', name, t.shape)], keep), 'int64');
      },
      unknown: () => tensor(null, 'int64'),
    });
    fn(`torch.${name}`, op);
    method(name, op);
  }

  const topk = defineOp({
    name: 'topk',
    params: [p('input'), p('k'), p('dim', int(-1)), p('largest', bool(true)), p('sorted', bool(true))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'topk');
      const k = getInt(args, 'k', 'topk');
      if (!t.shape) return pair(null, t.dtype);
      const d = getDim(args, 'dim', 'topk', t.shape);
      const out = [...t.shape];
      if (out.length === 0) return pair([], t.dtype);
      if (typeof k === 'number' && typeof out[d] === 'number' && (k > (out[d] as number) || k < 0)) {
        throw new ShapeError(`topk: k ${k} is out of range for dim ${d} of size ${dimToString(out[d]!)} (input ${shapeToString(t.shape)})`, 'k');
      }
      out[d] = k;
      return pair(out, t.dtype);
    },
    unknown: 'value',
  });
  fn('torch.topk', topk);
  method('topk', topk);

  const kthvalue = defineOp({
    name: 'kthvalue',
    params: [p('input'), p('k'), p('dim', int(-1)), p('keepdim', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'kthvalue');
      getInt(args, 'k', 'kthvalue');
      if (!t.shape) return pair(null, t.dtype);
      return pair(reduceShape(t.shape, [getDim(args, 'dim', 'kthvalue', t.shape)], getBool(args, 'keepdim', 'kthvalue')), t.dtype);
    },
    unknown: 'value',
  });
  fn('torch.kthvalue', kthvalue);
  method('kthvalue', kthvalue);

  const sort = defineOp({
    name: 'sort',
    params: [p('input'), p('dim', int(-1)), p('descending', bool(false)), kw('stable', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'sort');
      if (t.shape) getDim(args, 'dim', 'sort', t.shape);
      return pair(t.shape, t.dtype);
    },
    unknown: 'value',
  });
  fn('torch.sort', sort);
  method('sort', sort);
  const argsort = defineOp({
    name: 'argsort',
    params: [p('input'), p('dim', int(-1)), p('descending', bool(false)), kw('stable', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'argsort');
      if (t.shape) getDim(args, 'dim', 'argsort', t.shape);
      return tensor(t.shape, 'int64');
    },
    unknown: () => tensor(null, 'int64'),
  });
  fn('torch.argsort', argsort);
  method('argsort', argsort);

  // softmax family: F.softmax(input, dim=None, _stacklevel=3, dtype=None); torch.softmax(input, dim, dtype=None).
  for (const name of ['softmax', 'log_softmax', 'softmin'] as const) {
    const op = defineOp({
      name,
      params: [p('input'), p('dim', NONE), p('_stacklevel', int(3)), p('dtype', NONE)],
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        softmaxDim(args, name, t);
        const dt = getOptDtype(args, 'dtype', name) ?? (isFloatDtype(t.dtype) ? t.dtype : floatOnly(name)(t));
        return tensor(t.shape, dt);
      },
    });
    fn(`torch.nn.functional.${name}`, op);
    if (name !== 'softmin') {
      fn(`torch.${name}`, op, [p('input'), p('dim'), p('dtype', NONE)]);
      method(name, op, [p('dim'), p('dtype', NONE)]);
    }
  }
}
