// Composite ops: defined by calling other ops through callOp, on every backend, so their
// gradient is the gradient of the primitives they call (GUIDE convention 1). A kernel registered
// for (op, backend) takes precedence: that is the named fast path when one is measurably faster.
import type { OpArgs, RuntimeValue } from './value.js';

export type CompositeFn = (args: OpArgs) => RuntimeValue;

const composites = new Map<string, CompositeFn>();

export function registerComposite(op: string, fn: CompositeFn): void {
  if (composites.has(op)) throw new Error(`composite for op '${op}' registered twice`);
  composites.set(op, fn);
}
export function getComposite(op: string): CompositeFn | undefined { return composites.get(op); }
export function compositeOps(): string[] { return [...composites.keys()]; }
