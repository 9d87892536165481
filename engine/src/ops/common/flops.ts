// FLOP rules shared by op families (OpDef.flops). Counted like PyTorch's profiler (with_flops):
// a multiply-add is 2 FLOPs, a bias add is not counted, an elementwise op is 1 per output element.
// Every rule reads the shape rule's output, so stride/padding/dilation/broadcasting are already in it.

import type { Dim } from '../../shape/dim.js';
import type { BoundArgs, FlopRule, Value } from '../types.js';

/** The product of concrete dims; undefined if any is symbolic. */
export function prod(dims: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

function shapeOf(v: Value | undefined): readonly Dim[] | undefined {
  return v?.kind === 'tensor' && v.shape ? v.shape : undefined;
}

const times = (...xs: (number | undefined)[]): number | undefined =>
  xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, x) => a * x!, 1);

/** 1 FLOP per output element (add, mul, relu...). */
export const elementwiseFlops: FlopRule = (_args, out) => {
  const s = shapeOf(out);
  return s ? prod(s) : undefined;
};

/**
 * A matrix product: 2 * out_elems * K, with K the inner dim of `a` (its last). Covers
 * matmul's 1-D and broadcast-batch cases, mm, bmm, and linear (`a` = input, weight [out, K] or [K]).
 */
export function matmulFlops(a = 'input'): FlopRule {
  return (args: BoundArgs, out: Value) => {
    const s = shapeOf(args[a]);
    const o = shapeOf(out);
    if (!s || !o || s.length === 0) return undefined;
    const k = s[s.length - 1]!;
    return times(2, prod(o), typeof k === 'number' ? k : undefined);
  };
}

/**
 * Convolution: 2 * out_elems * (C_in/groups) * prod(kernel), weight [C_out, C_in/groups, *k].
 * Transposed (weight [C_in, C_out/groups, *k]): each input element meets C_out/groups * prod(k)
 * weights, so 2 * in_elems * weight[1] * prod(k).
 */
export function convFlops(transposed: boolean): FlopRule {
  return (args: BoundArgs, out: Value) => {
    const w = shapeOf(args.weight);
    const o = shapeOf(transposed ? args.input : out);
    if (!w || !o || w.length < 3) return undefined;
    return times(2, prod(o), prod(w.slice(1)));
  };
}
