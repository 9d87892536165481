// Optimizer state on disk: one safetensors file. Tensors are named
// `optimizer.state.<param>.<buffer>` (e.g. optimizer.state.fc1.weight.exp_avg); __metadata__ holds
// {"optimizer": kind, "lr": "...", "steps": JSON {param: step}} (safetensors metadata is str->str).
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { NdArray } from '../io/array.js';
import type { OptimizerState } from './optimizer.js';

const PREFIX = 'optimizer.state.';

export function saveOptimizerState(path: string, s: OptimizerState): void {
  const tensors = new Map<string, NdArray>();
  for (const [k, v] of s.buffers) tensors.set(PREFIX + k, v);
  writeSafetensors(path, tensors, { optimizer: s.kind, lr: String(s.lr), steps: JSON.stringify(s.steps) });
}

export function loadOptimizerState(path: string): OptimizerState {
  const f = readSafetensors(path);
  const kind = f.metadata.optimizer;
  if (!kind) throw new Error(`${path}: not an optimizer state file (no 'optimizer' in __metadata__)`);
  let steps: Record<string, number>;
  try { steps = JSON.parse(f.metadata.steps ?? '{}'); } catch { throw new Error(`${path}: __metadata__.steps is not valid JSON`); }
  const buffers = new Map<string, NdArray>();
  for (const [k, v] of f.tensors) {
    if (!k.startsWith(PREFIX)) throw new Error(`${path}: unexpected tensor '${k}' (optimizer state tensors start with '${PREFIX}')`);
    buffers.set(k.slice(PREFIX.length), v);
  }
  return { kind, lr: Number(f.metadata.lr), steps, buffers };
}
