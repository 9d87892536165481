// Entry point of the WebGPU backend: acquire the device, register kernels (after the CPU ones,
// so every op without a WGSL kernel gets the CPU fallback).
import '../../runtime/dispatch.js';
import { getWebGPUBackend, type WebGPUBackend } from './backend.js';
import { registerWebgpuKernels } from './kernels.js';

export { WebGPUBackend, GpuError } from './backend.js';
export { fallbackOps, setFallbackWarnings } from './kernels.js';

/** The WebGPU backend, ready to run ops; rejects with the reason when no adapter is available. */
export async function initWebGPU(): Promise<WebGPUBackend> {
  const b = await getWebGPUBackend();
  registerWebgpuKernels(b);
  return b;
}
