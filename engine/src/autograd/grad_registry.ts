// Gradient rules keyed by op name (backend-independent: they are written with callOp, so they
// run on whatever backend holds the tensors). Registered from each op family's grad.ts through
// the explicit list in autograd/grads.ts.
import type { Tensor } from '../tensor.js';
import type { OpArgs, RuntimeValue } from '../runtime/value.js';

export interface GradContext {
  /** The op's arguments, defaults filled. */
  readonly args: OpArgs;
  /** What the kernel returned. */
  readonly output: RuntimeValue;
  /** What the kernel saved for backward. */
  readonly saved: Readonly<Record<string, unknown>>;
}

/** A gradient per argument name; lists for list arguments (cat's tensors); null or absent = none. */
export type GradResult = Tensor | null | undefined | readonly GradResult[];

/** gradOutputs: one per tensor in the flattened output (null where no gradient flowed). */
export type GradFn = (ctx: GradContext, gradOutputs: readonly (Tensor | null)[]) => Readonly<Record<string, GradResult>>;

const grads = new Map<string, GradFn | 'none'>();

export function registerGrad(op: string, fn: GradFn): void {
  if (grads.has(op)) throw new Error(`gradient for op '${op}' registered twice`);
  grads.set(op, fn);
}

/** Mark an op as having no gradient (argmax, comparisons, size, creation ops). */
export function registerNonDifferentiable(...opNames: string[]): void {
  for (const op of opNames) {
    if (grads.has(op)) throw new Error(`gradient for op '${op}' registered twice`);
    grads.set(op, 'none');
  }
}

export function getGrad(op: string): GradFn | 'none' | undefined { return grads.get(op); }
export function gradOps(): string[] { return [...grads.keys()]; }
