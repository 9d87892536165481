// Constructor parameters without a default, when no call in the file gives them a value: each
// becomes a named symbol (`planes`), the way a reader of the class thinks of it. The value may in
// truth be a config object, a list or a layer factory, so a guess answers as one would:
// `config.n_embd` and `cfg["dim"]` are symbols of their own (`n_embd`, `dim`), calling it makes a
// layer the analysis cannot see, and it is never data for a tensor (`torch.as_tensor(mean)`).

import type { LayerSpec, Value } from '../ops/types.js';
import { sym } from '../shape/dim.js';
import { int, type FV } from './values.js';

const guessed = new WeakSet<object>();

export function guessParam(name: string): FV {
  const v = int(sym(name));
  guessed.add(v);
  return v;
}

export function isGuess(v: FV | undefined): boolean {
  return v !== undefined && guessed.has(v);
}

/** `guess[i]` / `guess["key"]`: a symbol named after the element. */
export function guessItem(base: FV, idx: FV): FV | null {
  const name = base.kind === 'int' && typeof base.value !== 'number' ? String(base.value) : null;
  if (name === null) return null;
  if (idx.kind === 'str' && idx.value !== null && /^[A-Za-z_]\w*$/.test(idx.value)) return guessParam(idx.value);
  if (idx.kind === 'int' && typeof idx.value === 'number') return guessParam(`${name}[${idx.value}]`);
  return null;
}

/**
 * A guess passed where a layer takes a bool, float or string (`bias=config.bias`): the default
 * stands in for it (those never change a shape); a guess for a size stays a symbol.
 */
export function guessesAsDefaults(spec: LayerSpec, pos: FV[], kw: Record<string, FV>): { pos: FV[]; kw: Record<string, FV> } {
  const nonSize = (d: Value | undefined): boolean => d !== undefined && (d.kind === 'bool' || d.kind === 'float' || d.kind === 'str');
  const p2 = pos.map((v, i) => (isGuess(v) && nonSize(spec.ctor[i]?.default) ? (spec.ctor[i]!.default as FV) : v));
  const k2: Record<string, FV> = {};
  for (const [k, v] of Object.entries(kw)) {
    const d = spec.ctor.find((c) => c.name === k)?.default;
    k2[k] = isGuess(v) && nonSize(d) ? (d as FV) : v;
  }
  return { pos: p2, kw: k2 };
}
