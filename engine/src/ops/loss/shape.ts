// Losses: cross_entropy/nll_loss (class indices or probabilities), regression losses that
// broadcast, BCE (same shapes), kl_div; plus cosine_similarity. Reduction 'mean'/'sum' gives a
// 0-dim tensor, 'none' the elementwise shape.

import { dimEquals, dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { broadcastShapes, listToString } from '../common/shapes.js';
import { bool, dtypeKnown, float, getOptTensor, getStr, getTensor, int, isFloatDtype, isIntDtype, NONE, str, tensor } from '../common/values.js';
import { ShapeError, type BoundArgs, type ParamSpec, type TensorType } from '../types.js';

const LEGACY: ParamSpec[] = [p('size_average', NONE), p('reduce', NONE)];

function reduction(args: BoundArgs, who: string): string {
  const r = getStr(args, 'reduction', who);
  if (r === 'batchmean' && who.startsWith('kl_div')) return 'sum';
  if (!['mean', 'sum', 'none'].includes(r)) throw new ShapeError(`${who}: reduction must be 'mean', 'sum' or 'none', but got '${r}'`, 'reduction');
  return r;
}

/** cross_entropy / nll_loss: input [N, C, d...] or [C]; target int64 [N, d...] or float like input. */
export function classLossShape(who: string, input: TensorType, target: TensorType, weight: TensorType | null, red: string, allowProbs: boolean): Dim[] | null {
  const x = input.shape;
  const y = target.shape;
  if (!x) return red === 'none' ? null : [];
  if (x.length === 0) throw new ShapeError(`${who}: input must have at least 1 dim [C] or [N, C, ...], but got a 0-dim tensor`, 'input');
  const classes = x.length === 1 ? x[0]! : x[1]!;
  if (weight?.shape && weight.shape.length === 1 && dimEquals(weight.shape[0]!, classes) === false) {
    throw new ShapeError(`${who}: weight ${shapeToString(weight.shape)} must have one entry per class (${dimToString(classes)})`, 'weight');
  }
  const indexShape = x.length === 1 ? [] : [x[0]!, ...x.slice(2)];
  if (!dtypeKnown(target) || !y) return red === 'none' ? indexShape : [];
  if (isFloatDtype(target.dtype)) {
    if (!allowProbs) throw new ShapeError(`${who}: target must be int64 class indices, but got ${target.dtype} ${shapeToString(y)} (use target.long())`, 'target');
    if (y && y.length !== x.length) {
      throw new ShapeError(`${who}: class-index targets must be int64, but got ${target.dtype} ${shapeToString(y)} for input ${shapeToString(x)} (use target.long(), or give probabilities shaped like the input)`, 'target');
    }
    if (y && y.some((d, i) => dimEquals(d, x[i]!) === false)) {
      throw new ShapeError(`${who}: probability targets must have the input's shape, but got target ${shapeToString(y)} for input ${shapeToString(x)}`, 'target');
    }
    return red === 'none' ? indexShape : [];
  }
  if (!isIntDtype(target.dtype)) throw new ShapeError(`${who}: target must be int64 class indices or float probabilities, but got ${target.dtype}`, 'target');
  if (y) {
    if (y.length !== indexShape.length) {
      throw new ShapeError(`${who}: target ${shapeToString(y)} does not fit input ${shapeToString(x)}: expected class indices shaped ${listToString(indexShape)}`, 'target');
    }
    if (x.length >= 2 && dimEquals(y[0]!, x[0]!) === false) {
      throw new ShapeError(`${who}: input batch size ${dimToString(x[0]!)} does not match target batch size ${dimToString(y[0]!)} (input ${shapeToString(x)}, target ${shapeToString(y)})`, 'target');
    }
    const bad = y.findIndex((d, i) => dimEquals(d, indexShape[i]!) === false);
    if (bad >= 0) {
      throw new ShapeError(`${who}: target ${shapeToString(y)} does not fit input ${shapeToString(x)}: expected class indices shaped ${listToString(indexShape)}`, 'target');
    }
  }
  return red === 'none' ? indexShape : [];
}

/** Losses that need exactly equal shapes (BCE). */
function sameShapeLoss(who: string, x: readonly Dim[] | null, y: readonly Dim[] | null, red: string): Dim[] | null {
  if (x && y && (x.length !== y.length || x.some((d, i) => dimEquals(d, y[i]!) === false))) {
    throw new ShapeError(`${who}: target ${shapeToString(y)} must have the same shape as input ${shapeToString(x)}`, 'target');
  }
  return red === 'none' ? (x ? [...x] : y ? [...y] : null) : [];
}

export function registerLossOps(): void {
  const ce = defineOp({
    name: 'cross_entropy',
    params: [p('input'), p('target'), p('weight', NONE), ...LEGACY, p('ignore_index', int(-100)), p('reduction', str('mean')), p('label_smoothing', float(0))],
    shape: (args) => {
      const x = getTensor(args, 'input', 'cross_entropy');
      const y = getTensor(args, 'target', 'cross_entropy');
      return tensor(classLossShape('cross_entropy', x, y, getOptTensor(args, 'weight', 'cross_entropy'), reduction(args, 'cross_entropy'), true), x.dtype);
    },
  });
  fn('torch.nn.functional.cross_entropy', ce);
  const nll = defineOp({
    name: 'nll_loss',
    params: [p('input'), p('target'), p('weight', NONE), ...LEGACY, p('ignore_index', int(-100)), p('reduction', str('mean'))],
    shape: (args) => {
      const x = getTensor(args, 'input', 'nll_loss');
      const y = getTensor(args, 'target', 'nll_loss');
      return tensor(classLossShape('nll_loss', x, y, getOptTensor(args, 'weight', 'nll_loss'), reduction(args, 'nll_loss'), false), x.dtype);
    },
  });
  fn('torch.nn.functional.nll_loss', nll);

  const regression: [string, ParamSpec[]][] = [
    ['mse_loss', []], ['l1_loss', []], ['smooth_l1_loss', [p('beta', float(1))]], ['huber_loss', [p('delta', float(1))]],
    ['kl_div', [p('log_target', bool(false))]], ['soft_margin_loss', []],
  ];
  for (const [name, extra] of regression) {
    const params = name === 'huber_loss' ? [p('input'), p('target'), p('reduction', str('mean')), ...extra]
      : [p('input'), p('target'), ...LEGACY, p('reduction', str('mean')), ...extra];
    const op = defineOp({
      name,
      params,
      shape: (args) => {
        const x = getTensor(args, 'input', name);
        const y = getTensor(args, 'target', name);
        const red = reduction(args, name);
        if (!x.shape || !y.shape) return tensor(red === 'none' ? null : [], x.dtype);
        const b = broadcastShapes(x.shape, y.shape, `${name}: `, 'target');
        return tensor(red === 'none' ? b : [], x.dtype);
      },
    });
    fn(`torch.nn.functional.${name}`, op);
  }

  for (const name of ['binary_cross_entropy', 'binary_cross_entropy_with_logits'] as const) {
    const params = [p('input'), p('target'), p('weight', NONE), ...LEGACY, p('reduction', str('mean')),
      ...(name === 'binary_cross_entropy_with_logits' ? [p('pos_weight', NONE)] : [])];
    const op = defineOp({
      name,
      params,
      shape: (args) => {
        const x = getTensor(args, 'input', name);
        const y = getTensor(args, 'target', name);
        if (dtypeKnown(y) && !isFloatDtype(y.dtype)) throw new ShapeError(`${name}: target must be a float tensor, but got ${y.dtype} ${shapeToString(y.shape)} (use target.float())`, 'target');
        return tensor(sameShapeLoss(name, x.shape, y.shape, reduction(args, name)), x.dtype);
      },
    });
    fn(`torch.nn.functional.${name}`, op);
  }

  const cosine = defineOp({
    name: 'cosine_similarity',
    params: [p('x1'), p('x2'), p('dim', int(1)), p('eps', float(1e-8))],
    shape: (args) => {
      const a = getTensor(args, 'x1', 'cosine_similarity');
      const b = getTensor(args, 'x2', 'cosine_similarity');
      if (!a.shape || !b.shape) return tensor(null, a.dtype);
      const s = broadcastShapes(a.shape, b.shape, 'cosine_similarity: ', 'x2');
      const dv = args.dim;
      const d = dv?.kind === 'int' && typeof dv.value === 'number' ? dv.value : 1;
      const r = Math.max(s.length, 1);
      if (d < -r || d >= r) throw new ShapeError(`cosine_similarity: dim ${d} is out of range for ${shapeToString(s)}`, 'dim');
      const n = d < 0 ? d + r : d;
      return tensor(s.filter((_, i) => i !== n), a.dtype);
    },
  });
  fn(['torch.nn.functional.cosine_similarity', 'torch.cosine_similarity'], cosine);
}
