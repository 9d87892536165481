// Thin typed wrappers over callOp for the composite layers (RNNs, attention, BatchNorm stats).
// Every call goes through the op library's names, so shapes are checked and autograd records.
import { callOp } from '../runtime/dispatch.js';
import type { OpArgs, RuntimeValue } from '../runtime/value.js';
import { Tensor } from '../tensor.js';

export function op(name: string, args: OpArgs): Tensor {
  const out = callOp(name, args);
  if (!(out instanceof Tensor)) throw new Error(`internal: op '${name}' returned a non-tensor where a tensor was expected`);
  return out;
}

export function ops(name: string, args: OpArgs): Tensor[] {
  const out = callOp(name, args);
  if (!Array.isArray(out) || !out.every((t) => t instanceof Tensor)) throw new Error(`internal: op '${name}' did not return a tuple of tensors`);
  return out as Tensor[];
}

export const linear = (input: Tensor, weight: Tensor, bias: Tensor | null): Tensor => op('linear', { input, weight, bias });
export const add = (input: Tensor, other: Tensor | number): Tensor => op('add', { input, other });
export const sub = (input: Tensor, other: Tensor | number): Tensor => op('sub', { input, other });
export const mul = (input: Tensor, other: Tensor | number): Tensor => op('mul', { input, other });
export const sigmoid = (input: Tensor): Tensor => op('sigmoid', { input });
export const tanh = (input: Tensor): Tensor => op('tanh', { input });
export const relu = (input: Tensor): Tensor => op('relu', { input });
export const reshape = (input: Tensor, shape: readonly number[]): Tensor => op('reshape', { input, shape });
export const transpose = (input: Tensor, dim0: number, dim1: number): Tensor => op('transpose', { input, dim0, dim1 });
export const matmul = (input: Tensor, other: Tensor): Tensor => op('matmul', { input, other });
export const softmax = (input: Tensor, dim: number): Tensor => op('softmax', { input, dim });
export const stack = (tensors: readonly Tensor[], dim: number): Tensor => op('stack', { tensors, dim });
export const cat = (tensors: readonly Tensor[], dim: number): Tensor => op('cat', { tensors, dim });
export const chunk = (input: Tensor, chunks: number, dim: number): Tensor[] => ops('chunk', { input, chunks, dim });
export const mean = (input: Tensor, dim: readonly number[], keepdim = false): Tensor => op('mean', { input, dim, keepdim });
export const dropout = (input: Tensor, p: number, training: boolean): Tensor => (training && p > 0 ? op('dropout', { input, p, training }) : input);

/** The slices of `input` along `dim`, each without that dim (torch.unbind). */
export const unbind = (input: Tensor, dim: number): Tensor[] => ops('unbind', { input, dim });

export type { RuntimeValue };
