// Helpers shared by CPU kernels: raw array access, output allocation, argument parsing.
import { Tensor } from '../../tensor.js';
import type { EngineDType } from '../backend.js';
import { cpuBackend, type CpuStorage } from './backend.js';
import type { RuntimeValue } from '../../runtime/value.js';

export function data(t: Tensor): Float32Array | Int32Array {
  if (t.backend !== cpuBackend) throw new Error(`CPU kernel got a tensor on backend '${t.backend.name}'`);
  return (t.storage as CpuStorage).data;
}
export function f32(t: Tensor): Float32Array {
  const d = data(t);
  if (d instanceof Float32Array) return d;
  return Float32Array.from(d);
}
export function i32(t: Tensor): Int32Array {
  const d = data(t);
  if (d instanceof Int32Array) return d;
  return Int32Array.from(d, (v) => Math.trunc(v));
}
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
/** A fresh output tensor (zero-filled). */
export function empty(shape: readonly number[], dtype: EngineDType = 'float32'): Tensor {
  return new Tensor(cpuBackend.allocate(numelOf(shape), dtype), shape);
}
/** Wrap a kernel-made array as a tensor (no copy). */
export function wrap(arr: Float32Array | Int32Array, shape: readonly number[], dtype?: EngineDType): Tensor {
  return new Tensor(cpuBackend.adopt(arr, dtype), shape);
}
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

// ---- argument readers: the dispatcher filled defaults; these only normalise forms ----
export function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor, got ${v === null || v === undefined ? 'None' : typeof v}`);
}
export function optTensor(v: RuntimeValue | undefined): Tensor | null {
  return v instanceof Tensor ? v : null;
}
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
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
