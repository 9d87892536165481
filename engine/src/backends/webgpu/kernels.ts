// The WebGPU backend's kernel registration list (explicit: bundling breaks discovery), and the
// fallback that keeps every op working before it has a WGSL kernel: inputs are downloaded, the
// CPU kernel runs, outputs (and anything the kernel saved for backward) are uploaded again, with
// a one-time warning naming the op.
import { getKernel, kernelOps, registerKernel, type Kernel } from '../kernel_registry.js';
import { cpuBackend } from '../cpu/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { registerElementwiseWebgpu } from '../../ops/elementwise/webgpu.js';
import { registerReduceWebgpu } from '../../ops/reduce/webgpu.js';
import { registerLinearWebgpu } from '../../ops/linear/webgpu.js';
import { registerShapeWebgpu } from '../../ops/shape/webgpu.js';
import { registerConvWebgpu } from '../../ops/conv/webgpu.js';
import { registerPoolWebgpu } from '../../ops/pool/webgpu.js';
import { registerLossWebgpu } from '../../ops/loss/webgpu.js';
import type { WebGPUBackend } from './backend.js';

const warned = new Set<string>();
/** Ops that ran through the CPU fallback in this process (tests assert the training path has none). */
export function fallbackOps(): string[] { return [...warned]; }
let quiet = false;
/** Silence the fallback warnings (benchmarks print the list once instead). */
export function setFallbackWarnings(on: boolean): void { quiet = !on; }

function convert(v: unknown, to: 'cpu' | WebGPUBackend): unknown {
  if (v instanceof Tensor) {
    const target = to === 'cpu' ? cpuBackend : to;
    if (v.backend === target) return v;
    const t = new Tensor(target.fromArray(v.backend.read(v.storage), v.dtype), v.shape);
    if (v.requiresGrad && to !== 'cpu') t.requiresGrad = false;
    return t;
  }
  if (Array.isArray(v)) return v.map((x) => convert(x, to));
  return v;
}

function fallback(op: string, cpu: Kernel, backend: WebGPUBackend): Kernel {
  return (args, ctx) => {
    if (!warned.has(op)) {
      warned.add(op);
      if (!quiet) process.stderr.write(`tensor-studio: op '${op}' has no WebGPU kernel yet; running it on the CPU (download, compute, upload)\n`);
    }
    const cpuArgs: Record<string, RuntimeValue> = {};
    for (const [k, v] of Object.entries(args)) cpuArgs[k] = convert(v, 'cpu') as RuntimeValue;
    const cpuCtx = { saved: {} as Record<string, unknown> };
    const out = cpu(cpuArgs, cpuCtx);
    for (const [k, v] of Object.entries(cpuCtx.saved)) (ctx.saved as Record<string, unknown>)[k] = convert(v, backend);
    return convert(out, backend) as RuntimeValue;
  };
}

let done = false;
export function registerWebgpuKernels(backend: WebGPUBackend): void {
  if (done) return;
  done = true;
  registerElementwiseWebgpu();
  registerReduceWebgpu();
  registerLinearWebgpu();
  registerShapeWebgpu();
  registerConvWebgpu();
  registerPoolWebgpu();
  registerLossWebgpu();
  const have = new Set(kernelOps('webgpu'));
  for (const op of kernelOps('cpu')) {
    if (!have.has(op)) registerKernel(op, 'webgpu', fallback(op, getKernel(op, 'cpu')!, backend));
  }
}
