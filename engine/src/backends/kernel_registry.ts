// Kernels keyed by (op, backend). Registration is explicit (see backends/cpu/kernels.ts): a
// bundled extension has no file system to discover kernels from. Duplicates are refused so two
// files can never silently fight over an op.
import type { OpArgs, RuntimeValue } from '../runtime/value.js';

/** Per-call scratch a kernel may fill for its gradient (argmax indices, batch statistics, masks). */
export interface KernelContext {
  readonly saved: Record<string, unknown>;
}

export type Kernel = (args: OpArgs, ctx: KernelContext) => RuntimeValue;

const kernels = new Map<string, Kernel>();

export function registerKernel(op: string, backend: string, kernel: Kernel): void {
  const key = `${op}@${backend}`;
  if (kernels.has(key)) throw new Error(`kernel for op '${op}' on backend '${backend}' registered twice`);
  kernels.set(key, kernel);
}

export function getKernel(op: string, backend: string): Kernel | undefined {
  return kernels.get(`${op}@${backend}`);
}

export function kernelOps(backend: string): string[] {
  const suffix = `@${backend}`;
  return [...kernels.keys()].filter((k) => k.endsWith(suffix)).map((k) => k.slice(0, -suffix.length));
}
