// FLOPs of one op call for the trace, from the op's own FLOP rule (OpDef.flops, next to its
// shape rule in engine/src/ops): the runtime arguments are bound as the rule's Values, defaults
// filled, and the shape rule gives the output the count is read from.
import { getOp } from '../ops/index.js';
import type { BoundArgs, Value } from '../ops/types.js';
import { toValue } from '../runtime/dispatch.js';
import type { OpArgs } from '../runtime/value.js';

/** FLOPs of `name` called with `args`, or undefined when the op has no FLOP rule. */
export function opFlops(name: string, args: OpArgs): number | undefined {
  const def = getOp(name);
  if (!def?.flops) return undefined;
  const bound: Record<string, Value> = {};
  for (const p of def.params) {
    const v = args[p.name];
    bound[p.name] = v !== undefined ? toValue(v) : p.default ?? (p.variadic ? { kind: 'tuple', items: [] } : { kind: 'unknown' });
  }
  try {
    const n = def.flops(bound as BoundArgs, def.shape(bound));
    return n !== undefined && Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined; // a bad call: the op itself reports it
  }
}
