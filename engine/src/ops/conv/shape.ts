// Convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d, one rule parametrised by the
// number of spatial dims. Layers reuse the same rule with their declared weight shape.

import { add, dimEquals, dimToString, exactDiv, mul, shapeToString, sub, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { convFlops } from '../common/flops.js';
import { spatialToString, windowOut } from '../common/shapes.js';
import { getConcreteInt, getIntTuple, getOptTensor, getShape, getTensor, int, NONE, tensor, UnknownArg } from '../common/values.js';
import { ShapeError, type BoundArgs, type TensorType, type Value } from '../types.js';

export interface ConvOptions {
  readonly stride: readonly Dim[];
  /** Per spatial dim, or PyTorch's string modes. */
  readonly padding: readonly Dim[] | 'same' | 'valid';
  readonly dilation: readonly Dim[];
  readonly groups: Dim;
  /** Transposed convolutions only. */
  readonly outputPadding?: readonly Dim[];
}

/** The rank check shared by conv and pooling: [N, C, *spatial] or unbatched [C, *spatial]. */
export function checkSpatialRank(who: string, input: readonly Dim[], n: number): void {
  if (input.length !== n + 1 && input.length !== n + 2) {
    throw new ShapeError(`${who} expects a ${n + 1}D (unbatched) or ${n + 2}D (batched) input, but got ${shapeToString(input)}`, 'input');
  }
}

/**
 * Output shape of a convolution. `weight` is [out, in/groups, *k] (or [in, out/groups, *k]
 * when transposed). `layer` switches messages to the layer's wording.
 */
export function convShape(who: string, n: number, input: readonly Dim[], weight: readonly Dim[], o: ConvOptions, transposed: boolean, layer: boolean): Dim[] {
  checkSpatialRank(who, input, n);
  if (weight.length !== n + 2) {
    throw new ShapeError(`${who}: weight must be ${n + 2}D [out_channels, in_channels/groups, ${Array.from({ length: n }, (_, i) => `k${i}`).join(', ')}], but got ${shapeToString(weight)}`, 'weight');
  }
  const batched = input.length === n + 2;
  const c = input[input.length - n - 1]!;
  const expected = transposed ? weight[0]! : mul(weight[1]!, o.groups);
  if (dimEquals(c, expected) === false) {
    throw new ShapeError(layer
      ? `${who} expects ${dimToString(expected)} input channels but the input has ${dimToString(c)} (input ${shapeToString(input)})`
      : `${who}: expected input with ${dimToString(expected)} channels (weight ${shapeToString(weight)}, groups ${dimToString(o.groups)}), but the input has ${dimToString(c)} (input ${shapeToString(input)})`, 'input');
  }
  const outC = transposed ? mul(weight[1]!, o.groups) : weight[0]!;
  const spatial = input.slice(input.length - n);
  const k = weight.slice(2);
  const out: Dim[] = [];
  const padding = o.padding === 'valid' ? Array<Dim>(n).fill(0) : o.padding;
  if (padding === 'same' && o.stride.some((s) => s !== 1)) {
    throw new ShapeError(`${who}: padding='same' is not supported for strided convolutions (stride ${o.stride.map(dimToString).join(', ')})`, 'padding');
  }
  for (let i = 0; i < n; i++) {
    const L = spatial[i]!;
    const s = o.stride[i]!;
    const d = o.dilation[i]!;
    if (transposed) {
      const pd = padding === 'same' ? 0 : padding[i]!;
      // (L-1)*s - 2p + d*(k-1) + output_padding + 1
      out.push(add(add(sub(mul(sub(L, 1), s), mul(2, pd)), mul(d, sub(k[i]!, 1))), add(o.outputPadding?.[i] ?? 0, 1)));
    } else if (padding === 'same') {
      out.push(L);
    } else {
      out.push(windowOut(L, k[i]!, s, padding[i]!, d));
    }
  }
  if (out.some((x) => typeof x === 'number' && x < 1)) {
    const pads = padding === 'same' ? [] : padding;
    const extra = pads.some((x) => x !== 0) || o.dilation.some((x) => x !== 1)
      ? ` (padding ${pads.map(dimToString).join(', ')}, dilation ${o.dilation.map(dimToString).join(', ')})` : '';
    throw new ShapeError(`${who}: input spatial size ${spatialToString(spatial)} is smaller than kernel ${spatialToString(k)}${extra}`, 'input');
  }
  return batched ? [input[0]!, outC, ...out] : [outC, ...out];
}

/** Read stride/padding/dilation/groups (and output_padding) from bound args. */
export function convOptions(args: BoundArgs, who: string, n: number, transposed: boolean): ConvOptions {
  const pv = args.padding;
  const padding = pv?.kind === 'str'
    ? (pv.value === 'same' || pv.value === 'valid' ? pv.value : badPadding(who, pv.value))
    : getIntTuple(args, 'padding', who, n);
  const o: ConvOptions = {
    stride: getIntTuple(args, 'stride', who, n),
    padding,
    dilation: getIntTuple(args, 'dilation', who, n),
    groups: getConcreteInt(args, 'groups', who),
    ...(transposed ? { outputPadding: getIntTuple(args, 'output_padding', who, n) } : {}),
  };
  for (const [name, vals] of [['stride', o.stride], ['dilation', o.dilation]] as const) {
    if (vals.some((v) => typeof v === 'number' && v < 1)) throw new ShapeError(`${who}: ${name} must be positive, but got ${vals.map(dimToString).join(', ')}`, name);
  }
  if (Array.isArray(padding) && padding.some((v) => typeof v === 'number' && v < 0)) {
    throw new ShapeError(`${who}: padding must be non-negative, but got ${padding.map(dimToString).join(', ')}`, 'padding');
  }
  if (typeof o.groups === 'number' && o.groups < 1) throw new ShapeError(`${who}: groups must be positive, but got ${o.groups}`, 'groups');
  return o;
}

function badPadding(who: string, v: string | null): never {
  if (v === null) throw new UnknownArg('padding');
  throw new ShapeError(`${who}: padding must be 'same', 'valid', an int or a tuple, but got '${v}'`, 'padding');
}

/** Weight shape a conv layer declares: [out, in/groups, *k] or transposed [in, out/groups, *k]. */
export function convWeight(_who: string, inC: Dim, outC: Dim, k: readonly Dim[], groups: Dim, transposed: boolean): Dim[] {
  const [a, b] = transposed ? [inC, outC] : [outC, inC];
  const per = exactDiv(b, groups) ?? b;
  return [a, per, ...k];
}

export function checkGroups(who: string, inC: Dim, outC: Dim, groups: Dim): void {
  if (typeof groups !== 'number') return;
  for (const [name, c] of [['in_channels', inC], ['out_channels', outC]] as const) {
    if (typeof c === 'number' && c % groups !== 0) {
      throw new ShapeError(`${who}: ${name} ${c} is not divisible by groups ${groups}`, name === 'in_channels' ? 'in_channels' : 'out_channels');
    }
  }
}

function convOp(n: number, transposed: boolean): void {
  const name = transposed ? `conv_transpose${n}d` : `conv${n}d`;
  const params = transposed
    ? [p('input'), p('weight'), p('bias', NONE), p('stride', int(1)), p('padding', int(0)), p('output_padding', int(0)), p('groups', int(1)), p('dilation', int(1))]
    : [p('input'), p('weight'), p('bias', NONE), p('stride', int(1)), p('padding', int(0)), p('dilation', int(1)), p('groups', int(1))];
  const op = defineOp({
    name,
    params,
    flops: convFlops(transposed),
    shape: (args): Value => {
      const t: TensorType = getTensor(args, 'input', name);
      const w = getShape(args, 'weight', name);
      getOptTensor(args, 'bias', name);
      const o = convOptions(args, name, n, transposed);
      if (!t.shape) return tensor(null, t.dtype);
      const out = convShape(name, n, t.shape, w, o, transposed, false);
      if (!transposed && typeof o.groups === 'number' && typeof w[0] === 'number' && w[0] % o.groups !== 0) {
        throw new ShapeError(`${name}: out_channels ${w[0]} (weight ${shapeToString(w)}) is not divisible by groups ${o.groups}`, 'weight');
      }
      return tensor(out, t.dtype);
    },
  });
  fn([`torch.${name}`, `torch.nn.functional.${name}`], op);
}

export function registerConvOps(): void {
  for (const n of [1, 2, 3]) convOp(n, false);
  for (const n of [1, 2, 3]) convOp(n, true);
}
