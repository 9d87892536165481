// A loop over values not known before running runs its body once, so the code inside is still
// analysed. A list it appends to would then hold one item where Python's has many: after such a
// loop, every list that grew has an unknown length (`torch.cat` of it is unknown, not wrong).

import { dimEquals } from '../shape/dim.js';
import { join, type FV, type ListV, type Scope } from './values.js';

/** Lists reachable from the local scopes (and `self`'s fields), with their lengths now. */
export function listLengths(scope: Scope, moduleScope: Scope): Map<ListV, number> {
  const out = new Map<ListV, number>();
  const visit = (v: FV, depth: number): void => {
    if (v.kind === 'list') {
      if (out.has(v) || !v.items) return;
      out.set(v, v.items.length);
      if (depth < 2) for (const x of v.items) visit(x, depth + 1);
    } else if (v.kind === 'tuple' && depth < 2) {
      for (const x of v.items) visit(x, depth + 1);
    } else if (v.kind === 'dict' && depth < 2) {
      for (const x of v.entries.values()) visit(x, depth + 1);
    } else if (v.kind === 'module' && depth === 0) {
      for (const x of v.fields.values()) visit(x, 1);
    }
  };
  for (let s: Scope | null = scope; s && s !== moduleScope; s = s.parent) for (const v of s.vars.values()) visit(v, 0);
  return out;
}

/** Lists that grew (or shrank) since `before`. */
export function changedLists(before: Map<ListV, number>): ListV[] {
  const out: ListV[] = [];
  for (const [l, n] of before) if (!l.items || l.items.length !== n) out.push(l);
  return out;
}

/**
 * A variable before and after one run of such a loop: kept where both agree, unknown where not
 * (no fresh unknown dims: an analysis must print the same whether it ran afresh or replayed).
 */
export function loopJoin(before: FV, after: FV): FV {
  if (before === after) return after;
  if (before.kind === 'tensor' && after.kind === 'tensor') {
    const same = before.shape && after.shape && before.shape.length === after.shape.length && before.shape.every((d, i) => dimEquals(d, after.shape![i]!) === true);
    return same ? after : { kind: 'tensor', shape: null, dtype: after.dtype, why: 'changes shape in a loop over values not known before running' };
  }
  if (before.kind === 'int' && after.kind === 'int') return dimEquals(before.value, after.value) === true ? after : { kind: 'unknown', why: 'changes in a loop over values not known before running' };
  if (before.kind === 'tuple' && after.kind === 'tuple' && before.items.length === after.items.length) return { kind: 'tuple', items: before.items.map((x, i) => loopJoin(x, after.items[i]!)) };
  if (before.kind === after.kind && (before.kind === 'list' || before.kind === 'dict' || before.kind === 'module')) return after;
  return join(before, after).kind === 'unknown' ? { kind: 'unknown', why: 'changes in a loop over values not known before running' } : join(before, after);
}
