// Unknown values that say why they are unknown. The reason is for the coverage report only: an
// unknown is never an error, and it is never a 0-d tensor (a 0-d tensor is a definite shape that
// fails every op that needs a dim).

import type { ParamShape, Value } from '../ops/types.js';
import type { FV, TensorV } from './values.js';

export function unk(why: string): FV {
  return { kind: 'unknown', why };
}

export function unkTensor(why: string): TensorV {
  return { kind: 'tensor', shape: null, dtype: 'float32', why };
}

/** The reason carried by an unknown value (or an unknown-rank tensor), if any. */
export function whyOf(v: FV | Value): string | undefined {
  if (v.kind === 'unknown') return v.why;
  if (v.kind === 'tensor' && v.shape === null) return (v as TensorV).why;
  return undefined;
}

/** The first reason among the inputs of a call whose result the analysis could not see. */
export function firstWhy(vals: readonly (FV | Value)[]): string | undefined {
  for (const v of vals) {
    const w = whyOf(v);
    if (w) return w;
    if (v.kind === 'tuple' || v.kind === 'list') {
      const inner = v.items ? firstWhy(v.items as readonly FV[]) : 'list of unknown length';
      if (inner) return inner;
    }
  }
  return undefined;
}

/** An op result that came out unknown: tag it with its inputs' reason (`fallback` when none has one). */
export function tagUnknown(out: FV, inputs: readonly (FV | Value)[], fallback: string): FV {
  if (out.kind === 'unknown' && !out.why) return unk(firstWhy(inputs) ?? fallback);
  if (out.kind === 'tensor' && out.shape === null && !(out as TensorV).why) return { ...out, why: firstWhy(inputs) ?? fallback } as TensorV;
  return out;
}

/** A parameter or buffer's entry: a tensor of unknown rank stays unknown (not `[]`, which is 0-d). */
export function paramShape(name: string, t: TensorV, extra?: Partial<ParamShape>): ParamShape {
  const base: ParamShape = t.shape ? { name, shape: t.shape, dtype: t.dtype } : { name, shape: [], dtype: t.dtype, rankUnknown: true };
  return extra ? { ...base, ...extra } : base;
}
