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
export { num, bool, tupleN, dimList, normDim, intList } from '../../runtime/args.js';
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
