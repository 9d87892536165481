// Pooling: max/avg pool 1d/2d/3d (sliding window) and adaptive avg/max pool (fixed output).

import { dimToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { spatialToString, windowOut } from '../common/shapes.js';
import { bool, getBool, getIntTuple, getTensor, int, intOf, isNone, itemsOf, NONE, tensor, tuple } from '../common/values.js';
import { checkSpatialRank } from '../conv/shape.js';
import { ShapeError, type BoundArgs, type DType, type Value } from '../types.js';

export interface PoolOptions {
  readonly kernel: readonly Dim[];
  readonly stride: readonly Dim[];
  readonly padding: readonly Dim[];
  readonly dilation: readonly Dim[];
  readonly ceil: boolean;
}

export function poolOptions(args: BoundArgs, who: string, n: number, hasDilation: boolean): PoolOptions {
  const kernel = getIntTuple(args, 'kernel_size', who, n);
  const stride = isNone(args.stride) || (args.stride?.kind === 'tuple' && args.stride.items.length === 0) ? kernel : getIntTuple(args, 'stride', who, n);
  const padding = getIntTuple(args, 'padding', who, n);
  const dilation = hasDilation ? getIntTuple(args, 'dilation', who, n) : Array<Dim>(n).fill(1);
  const o = { kernel, stride, padding, dilation, ceil: getBool(args, 'ceil_mode', who) };
  for (const [name, vals] of [['kernel_size', kernel], ['stride', stride], ['dilation', dilation]] as const) {
    if (vals.some((v) => typeof v === 'number' && v < 1)) throw new ShapeError(`${who}: ${name} must be positive, but got ${vals.map(dimToString).join(', ')}`, name);
  }
  padding.forEach((pd, i) => {
    const k = kernel[i]!;
    const d = dilation[i]!;
    if (typeof pd === 'number' && typeof k === 'number' && typeof d === 'number' && pd > Math.floor((d * (k - 1) + 1) / 2)) {
      throw new ShapeError(`${who}: padding should be at most half of the effective kernel size, but got padding=${pd}, kernel_size=${k} and dilation=${d}`, 'padding');
    }
  });
  return o;
}

export function poolShape(who: string, n: number, input: readonly Dim[], o: PoolOptions): Dim[] {
  checkSpatialRank(who, input, n);
  const spatial = input.slice(input.length - n);
  const out = spatial.map((L, i) => windowOut(L, o.kernel[i]!, o.stride[i]!, o.padding[i]!, o.dilation[i]!, o.ceil));
  if (out.some((x) => typeof x === 'number' && x < 1)) {
    const pads = o.padding.some((x) => x !== 0) ? ` (padding ${o.padding.map(dimToString).join(', ')})` : '';
    throw new ShapeError(`${who}: input spatial size ${spatialToString(spatial)} is smaller than kernel ${spatialToString(o.kernel)}${pads}`, 'input');
  }
  return [...input.slice(0, input.length - n), ...out];
}

/** Adaptive pooling: output_size is an int or a tuple whose None items keep the input size. */
export function adaptiveShape(who: string, n: number, input: readonly Dim[], outputSize: Value): Dim[] {
  checkSpatialRank(who, input, n);
  const spatial = input.slice(input.length - n);
  let sizes: (Dim | null)[];
  if (outputSize.kind === 'tuple' || outputSize.kind === 'list') {
    const items = itemsOf(outputSize, 'output_size', who);
    if (items.length !== n) throw new ShapeError(`${who}: output_size must have ${n} items, but got ${items.length}`, 'output_size');
    sizes = items.map((v) => (v.kind === 'none' ? null : intOf(v, 'output_size', who)));
  } else {
    sizes = Array(n).fill(intOf(outputSize, 'output_size', who));
  }
  const out = sizes.map((s, i) => s ?? spatial[i]!);
  if (out.some((x) => typeof x === 'number' && x < 0)) throw new ShapeError(`${who}: output_size must be non-negative, but got ${out.map(dimToString).join(', ')}`, 'output_size');
  return [...input.slice(0, input.length - n), ...out];
}

function withIndices(shape: readonly Dim[] | null, dtype: DType, ret: boolean): Value {
  return ret ? tuple([tensor(shape, dtype), tensor(shape, 'int64')]) : tensor(shape, dtype);
}

export function registerPoolOps(): void {
  for (const n of [1, 2, 3]) {
    const maxName = `max_pool${n}d`;
    const maxPool = defineOp({
      name: maxName,
      params: [p('input'), p('kernel_size'), p('stride', NONE), p('padding', int(0)), p('dilation', int(1)), p('ceil_mode', bool(false)), p('return_indices', bool(false))],
      shape: (args) => {
        const t = getTensor(args, 'input', maxName);
        const o = poolOptions(args, maxName, n, true);
        const ret = getBool(args, 'return_indices', maxName);
        return withIndices(t.shape ? poolShape(maxName, n, t.shape, o) : null, t.dtype, ret);
      },
    });
    fn([`torch.${maxName}`, `torch.nn.functional.${maxName}`], maxPool);
    fn(`torch.nn.functional.${maxName}_with_indices`, maxPool);

    const avgName = `avg_pool${n}d`;
    const avgParams = [p('input'), p('kernel_size'), p('stride', NONE), p('padding', int(0)), p('ceil_mode', bool(false)), p('count_include_pad', bool(true))];
    const avgPool = defineOp({
      name: avgName,
      params: n === 1 ? avgParams : [...avgParams, p('divisor_override', NONE)],
      shape: (args) => {
        const t = getTensor(args, 'input', avgName);
        const o = poolOptions(args, avgName, n, false);
        return tensor(t.shape ? poolShape(avgName, n, t.shape, o) : null, t.dtype);
      },
    });
    fn([`torch.nn.functional.${avgName}`], avgPool);
    if (n === 1) fn('torch.avg_pool1d', avgPool);

    const aavg = `adaptive_avg_pool${n}d`;
    const adaptiveAvg = defineOp({
      name: aavg,
      params: [p('input'), p('output_size')],
      shape: (args) => {
        const t = getTensor(args, 'input', aavg);
        return tensor(t.shape ? adaptiveShape(aavg, n, t.shape, args.output_size ?? NONE) : null, t.dtype);
      },
    });
    fn([`torch.nn.functional.${aavg}`], adaptiveAvg);
    if (n === 1) fn('torch.adaptive_avg_pool1d', adaptiveAvg);

    const amax = `adaptive_max_pool${n}d`;
    const adaptiveMax = defineOp({
      name: amax,
      params: [p('input'), p('output_size'), p('return_indices', bool(false))],
      shape: (args) => {
        const t = getTensor(args, 'input', amax);
        const ret = getBool(args, 'return_indices', amax);
        return withIndices(t.shape ? adaptiveShape(amax, n, t.shape, args.output_size ?? NONE) : null, t.dtype, ret);
      },
    });
    fn([`torch.nn.functional.${amax}`], adaptiveMax);
  }
}
