// `device: auto`: WebGPU on a hardware adapter, the CPU otherwise. A software adapter (Mesa
// lavapipe/llvmpipe, SwiftShader, WARP) runs WGSL on the CPU through a rasteriser's JIT, which is
// slower than the CPU backend's own kernels, so auto does not pick it; "device": "webgpu" still can.
import type { AdapterReport } from '../backends/webgpu/adapter.js';

export interface AutoDevice {
  readonly device: 'cpu' | 'webgpu';
  /** One line for the run log: what was picked and why. */
  readonly note: string;
}

const SOFTWARE = [
  { re: /llvmpipe/i, name: 'llvmpipe' },
  { re: /lavapipe/i, name: 'lavapipe' },
  { re: /swiftshader/i, name: 'SwiftShader' },
  { re: /microsoft basic render|\bwarp\b/i, name: 'WARP' },
];

/** The software rasteriser behind this adapter, or undefined for a hardware adapter. */
export function softwareAdapter(a: AdapterReport): string | undefined {
  const text = `${a.vendor} ${a.architecture} ${a.description}`;
  for (const s of SOFTWARE) if (s.re.test(text)) return s.name;
  if (a.isFallbackAdapter) return 'a fallback adapter';
  if (/^(software|cpu)$/i.test(a.architecture)) return 'a software adapter';
  return undefined;
}

function adapterName(a: AdapterReport): string {
  return a.description || [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
}

/** The decision for `auto`, given the adapter (or null and why there is none). */
export function chooseAutoDevice(adapter: AdapterReport | null, reason?: string): AutoDevice {
  if (!adapter) return { device: 'cpu', note: `device: auto -> cpu (no WebGPU adapter: ${reason ?? 'unknown reason'})` };
  const sw = softwareAdapter(adapter);
  if (sw) {
    const what = sw.startsWith('a ') ? sw : `${sw}, a software rasteriser`;
    return { device: 'cpu', note: `device: auto -> cpu (the WebGPU adapter is ${what}: the CPU backend is faster; set "device": "webgpu" to use it anyway)` };
  }
  return { device: 'webgpu', note: `device: auto -> webgpu (${adapterName(adapter)})` };
}

let autoChoice: Promise<AutoDevice> | undefined;
/** `auto`'s choice on this machine (the adapter does not change while the process runs). */
export function autoDevice(): Promise<AutoDevice> {
  autoChoice ??= (async () => {
    // Loaded only here: the CPU path never touches Dawn unless auto asks for the adapter.
    const { requestAdapter, describeAdapter } = await import('../backends/webgpu/adapter.js');
    const { adapter, reason } = await requestAdapter();
    return chooseAutoDevice(adapter ? describeAdapter(adapter) : null, reason);
  })();
  return autoChoice;
}
