// The WebGPU backend's kernel registration list (explicit: bundling breaks discovery), then the
// CPU fallback (fallback.ts) for every op that has no WGSL kernel yet.
import { getKernel, kernelOps, registerKernel } from '../kernel_registry.js';
import { fallback } from './fallback.js';
import { registerElementwiseWebgpu } from '../../ops/elementwise/webgpu.js';
import { registerReduceWebgpu } from '../../ops/reduce/webgpu.js';
import { registerReduceStatsWebgpu } from '../../ops/reduce/webgpu_stats.js';
import { registerEinsumWebgpu } from '../../ops/linear/webgpu_einsum.js';
import { registerLinearWebgpu } from '../../ops/linear/webgpu.js';
import { registerShapeWebgpu } from '../../ops/shape/webgpu.js';
import { registerConvWebgpu } from '../../ops/conv/webgpu.js';
import { registerPoolWebgpu } from '../../ops/pool/webgpu.js';
import { registerLossWebgpu } from '../../ops/loss/webgpu.js';
import { registerNormWebgpu } from '../../ops/norm/webgpu.js';
import { registerEmbeddingWebgpu } from '../../ops/embedding/webgpu.js';
import { registerDropoutWebgpu } from '../../ops/dropout/webgpu.js';
import { registerCreationWebgpu } from '../../ops/creation/webgpu.js';
import { registerConvVariantsWebgpu } from '../../ops/conv/webgpu_variants.js';
import { registerAvgPoolWebgpu } from '../../ops/pool/webgpu_avg.js';
import type { WebGPUBackend } from './backend.js';

export { fallbackOps, setFallbackWarnings } from './fallback.js';

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
  registerNormWebgpu();
  registerEmbeddingWebgpu();
  registerDropoutWebgpu();
  registerCreationWebgpu();
  registerConvVariantsWebgpu();
  registerReduceStatsWebgpu();
  registerEinsumWebgpu();
  // Last: fills only the average pools no kernel above has registered.
  registerAvgPoolWebgpu();
  const have = new Set(kernelOps('webgpu'));
  for (const op of kernelOps('cpu')) {
    if (!have.has(op)) registerKernel(op, 'webgpu', fallback(op, getKernel(op, 'cpu')!, backend));
  }
}
