// Acquiring a WebGPU device through Dawn (npm `webgpu`).
//
// Dawn crashes if the object returned by `create()` is garbage-collected while a device lives,
// so it is held here, at module level, for the life of the process.
import { createRequire } from 'node:module';

let gpu: GPU | undefined;
const requireNative = createRequire(__filename);

export interface AdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly features: readonly string[];
}

/** The adapter, or null with the reason when none is available (no Vulkan driver, ...). */
export async function requestAdapter(): Promise<{ adapter: GPUAdapter | null; reason?: string }> {
  try {
    if (!gpu) {
      const webgpu = requireNative('webgpu') as { create(flags: string[]): GPU; globals: object };
      Object.assign(globalThis, webgpu.globals);
      gpu = webgpu.create([]);
    }
    // Software adapters (Mesa lavapipe) are fine: CI runs on one.
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { adapter: null, reason: 'no WebGPU adapter (is a Vulkan driver installed? on Debian: mesa-vulkan-drivers from bookworm-backports)' };
    return { adapter };
  } catch (e) {
    return { adapter: null, reason: `WebGPU unavailable: ${(e as Error).message}` };
  }
}

export function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    features: [...adapter.features].sort(),
  };
}
