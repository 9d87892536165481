// The CPU fallback for ops (or cases of ops) without a WGSL kernel: inputs are downloaded, the
// CPU kernel runs, outputs (and anything the kernel saved for backward) are uploaded again, with
// a one-time warning naming the op.
import type { Kernel } from '../kernel_registry.js';
import { cpuBackend } from '../cpu/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import type { GpuStorage, WebGPUBackend } from './backend.js';

const warned = new Set<string>();
/** Ops that ran through the CPU fallback in this process (tests assert the training path has none). */
export function fallbackOps(): string[] { return [...warned]; }
let quiet = false;
/** Silence the fallback warnings (benchmarks print the list once instead). */
export function setFallbackWarnings(on: boolean): void { quiet = !on; }

/** GPU tensors sent to the CPU in this call, with their host copies (to detect in-place updates). */
type Sent = { gpu: Tensor; cpu: Tensor; before: Float32Array | Int32Array }[];

function convert(v: unknown, to: 'cpu' | WebGPUBackend, sent?: Sent): unknown {
  if (v instanceof Tensor) {
    const target = to === 'cpu' ? cpuBackend : to;
    if (v.backend === target) return v;
    const data = v.backend.read(v.storage);
    const t = new Tensor(target.fromArray(data, v.dtype), v.shape);
    sent?.push({ gpu: v, cpu: t, before: data });
    return t;
  }
  if (Array.isArray(v)) return v.map((x) => convert(x, to, sent));
  // Internal gradient kernels get the op's whole argument record (opArgs) as a plain object.
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = convert(x, to, sent);
    return o;
  }
  return v;
}

export function fallback(op: string, cpu: Kernel, backend: WebGPUBackend): Kernel {
  return (args, ctx) => {
    if (!warned.has(op)) {
      warned.add(op);
      if (!quiet) process.stderr.write(`tensor-studio: op '${op}' has no WebGPU kernel yet; running it on the CPU (download, compute, upload)\n`);
    }
    const cpuArgs: Record<string, RuntimeValue> = {};
    const sent: Sent = [];
    for (const [k, v] of Object.entries(args)) cpuArgs[k] = convert(v, 'cpu', sent) as RuntimeValue;
    const cpuCtx = { saved: {} as Record<string, unknown> };
    const out = cpu(cpuArgs, cpuCtx);
    // Kernels that update an input in place (batch norm's running statistics): copy it back.
    for (const { gpu, cpu: c, before } of sent) {
      const after = c.backend.read(c.storage);
      if (after.some((x, i) => !Object.is(x, before[i]))) backend.write(gpu.storage as GpuStorage, after);
    }
    for (const [k, v] of Object.entries(cpuCtx.saved)) (ctx.saved as Record<string, unknown>)[k] = convert(v, backend);
    return convert(out, backend) as RuntimeValue;
  };
}

