// Argument readers shared by kernels (any backend), gradient rules and composites: the
// dispatcher has filled defaults; these only normalise Python's spellings (3 vs (3, 3), -1 dims).
import { Tensor } from '../tensor.js';
import type { RuntimeValue } from './value.js';

export function num(v: RuntimeValue | undefined, dflt: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Tensor && v.numel === 1) return v.item();
  return dflt;
}
export function bool(v: RuntimeValue | undefined, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : dflt;
}
/** An int or a tuple of n ints (kernel_size=3 or (3, 3)). */
export function tupleN(v: RuntimeValue | undefined, n: number, dflt: number): number[] {
  if (v === null || v === undefined) return new Array<number>(n).fill(dflt);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (Array.isArray(v)) {
    const a = (v as RuntimeValue[]).map((x) => num(x, dflt));
    if (a.length === 1 && n > 1) return new Array<number>(n).fill(a[0]!);
    return a;
  }
  return new Array<number>(n).fill(dflt);
}
/** A dim argument normalised against ndim; null/undefined -> null (all dims). */
export function dimList(v: RuntimeValue | undefined, ndim: number): number[] | null {
  if (v === null || v === undefined) return null;
  const raw = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as RuntimeValue[]).map((x) => num(x, 0)) : null;
  if (raw === null) return null;
  if (raw.length === 0) return null;
  return [...new Set(raw.map((d) => normDim(d, ndim)))].sort((a, b) => a - b);
}
export function normDim(d: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (d < -n || d >= n) throw new Error(`dim ${d} out of range for a ${ndim}-d tensor`);
  return d < 0 ? d + n : d;
}
export function intList(v: RuntimeValue | undefined): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return (v as RuntimeValue[]).flatMap((x) => intList(x));
  if (v instanceof Tensor) return Array.from(v.toInt32Array());
  return [];
}
