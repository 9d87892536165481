// state_dict <-> files: safetensors checkpoints with PyTorch names (io/ speaks plain arrays; the
// Tensor conversion lives here, above it).
import { readSafetensors, writeSafetensors, type NdArray } from '../io/index.js';
import { Tensor } from '../tensor.js';
import type { LoadStateDictOptions, LoadStateDictResult, Module } from './module.js';

export function arrayToTensor(a: NdArray): Tensor {
  return a.dtype === 'float32' ? Tensor.fromArray(a.data, a.shape, 'float32') : Tensor.fromArray(a.data, a.shape, 'int32');
}

export function tensorToArray(t: Tensor): NdArray {
  return t.dtype === 'float32'
    ? { dtype: 'float32', shape: [...t.shape], data: t.toFloat32Array() }
    : { dtype: 'int32', shape: [...t.shape], data: t.toInt32Array(), stored: 'int64' };
}

/** Reads a safetensors file as a state_dict (tensor name -> Tensor). */
export function readStateDict(path: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, a] of readSafetensors(path).tensors) out.set(k, arrayToTensor(a));
  return out;
}

/** Loads a safetensors checkpoint into a module; errors name the file and the offending keys. */
export function loadCheckpoint(module: Module, path: string, options: LoadStateDictOptions = {}): LoadStateDictResult {
  const state = readStateDict(path);
  try {
    return module.loadStateDict(state, options);
  } catch (e) {
    if (e instanceof Error) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

/** Writes a module's state_dict as safetensors (integer buffers as I64, as PyTorch saves them). */
export function saveCheckpoint(module: Module, path: string, metadata?: Record<string, string>): void {
  const arrays = new Map<string, NdArray>();
  for (const [k, t] of module.stateDict()) arrays.set(k, tensorToArray(t));
  writeSafetensors(path, arrays, metadata);
}
