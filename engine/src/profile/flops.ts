// FLOPs of one op call for the trace, from the op's own FLOP rule (OpDef.flops, next to its
// shape rule in engine/src/ops): the runtime arguments are bound as the rule's Values, defaults
// filled, and the shape rule gives the output the count is read from.
import { getOp } from '../ops/index.js';
import type { BoundArgs, Value } from '../ops/types.js';
import { Tensor } from '../tensor.js';
import type { OpArgs, RuntimeValue } from '../runtime/value.js';

/** Only what FLOP and shape rules read: tensors' shapes, numbers, strings, tuples. */
function toValue(v: RuntimeValue): Value {
  if (v instanceof Tensor) return { kind: 'tensor', shape: v.shape, dtype: v.dtype === 'int32' ? 'int64' : v.dtype };
  if (v === null) return { kind: 'none' };
  if (Array.isArray(v)) return { kind: 'tuple', items: (v as readonly RuntimeValue[]).map(toValue) };
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
    case 'boolean': return { kind: 'bool', value: v };
    case 'string': return { kind: 'str', value: v };
    default: return { kind: 'unknown' };
  }
}

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
