// User classes built on a torch.nn class other than Module: `class _Transition(nn.Sequential)`,
// `class _DenseBlock(nn.ModuleDict)`, `class LayerNorm2d(nn.LayerNorm)`. Their instances behave
// as that container or layer where the class does not say otherwise: `super().__init__(...)`
// fills the children or binds the layer's arguments, a missing forward runs the base's, and
// `super().forward(x)` applies the layer's rule.

import { getLayer } from '../ops/index.js';
import type { ClassV, ModuleInst } from './values.js';

const CONTAINER_BASES = new Set(['Sequential', 'ModuleList', 'ModuleDict']);

/** The torch.nn class (container or known layer) a class derives from, if any. */
export function torchBaseOf(cls: ClassV, seen = new Set<ClassV>()): string | null {
  if (seen.has(cls)) return null;
  seen.add(cls);
  for (const b of cls.bases) {
    if (b.kind === 'ns') {
      const name = torchNnName(b.qual);
      if (name && (CONTAINER_BASES.has(name) || getLayer(name))) return name;
    } else if (b.kind === 'class') {
      const inner = torchBaseOf(b, seen);
      if (inner) return inner;
    }
  }
  return null;
}

/** 'torch.nn.Sequential' / 'nn.Sequential' / 'torch.nn.modules.container.Sequential' -> 'Sequential'. */
export function torchNnName(qual: string): string | null {
  const m = /^(?:torch\.)?nn\.(?:modules\.[a-z_]+\.)?([A-Za-z0-9_]+)$/.exec(qual);
  return m ? m[1]! : null;
}

/** Container behaviour of a module: its own type for torch containers, its base's for subclasses. */
export function containerKind(m: ModuleInst): string {
  if (m.cls && m.torchBase && CONTAINER_BASES.has(m.torchBase)) return m.torchBase;
  return m.type;
}

export function isContainerBase(name: string): boolean {
  return CONTAINER_BASES.has(name);
}
