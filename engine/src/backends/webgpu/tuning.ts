// Kernel parameters per adapter. Tuning on lavapipe (a CPU pretending to be a GPU) does not
// transfer to real GPUs, so choices live in a small table keyed by vendor/architecture; the
// first matching row wins and the last row is the default.

export interface KernelParams {
  /** Threads per workgroup for elementwise / copy kernels. */
  readonly elementwiseWorkgroup: number;
  /** Matmul: output tile per workgroup (TM x TN) and per thread (RM x RN); K slice kept in shared memory. */
  readonly mmTileM: number;
  readonly mmTileN: number;
  readonly mmThreadM: number;
  readonly mmThreadN: number;
  readonly mmTileK: number;
  /** Stage tiles through workgroup memory (GPUs) or read operands directly (lavapipe: barriers are costly). */
  readonly mmShared: boolean;
  /** conv2d as im2col + the tuned GEMM (true) or as direct loops, one thread per output (false). */
  readonly convIm2col: boolean;
  /** Threads per workgroup for row reductions (softmax, sum over the last dim). */
  readonly reduceWorkgroup: number;
}

interface Row { readonly vendor?: RegExp; readonly architecture?: RegExp; readonly params: KernelParams; readonly why: string }

const DEFAULT: KernelParams = {
  elementwiseWorkgroup: 256, mmTileM: 64, mmTileN: 64, mmThreadM: 4, mmThreadN: 4, mmTileK: 16, mmShared: true, convIm2col: true, reduceWorkgroup: 256,
};

const TABLE: readonly Row[] = [
  // lavapipe runs workgroups as CPU threads with SIMD lanes: big register tiles win, 64x64/4x4
  // measured 3x a 16x16 shared tile (see shared/notes/webgpu-on-cpu.md).
  { vendor: /mesa/i, architecture: /software|llvmpipe/i, why: 'Mesa lavapipe (CPU)',
    params: { ...DEFAULT, elementwiseWorkgroup: 64, reduceWorkgroup: 64, mmShared: false, mmTileM: 32, mmTileN: 32 } },
  { vendor: /nvidia/i, why: 'NVIDIA: 64x64 tiles, 4x4 per thread, 256 threads',
    params: { ...DEFAULT } },
  { vendor: /amd|ati/i, why: 'AMD', params: { ...DEFAULT } },
  { vendor: /apple/i, why: 'Apple', params: { ...DEFAULT } },
  { vendor: /intel/i, why: 'Intel: smaller shared footprint', params: { ...DEFAULT, mmTileK: 8 } },
  { why: 'default', params: DEFAULT },
];

export function kernelParamsFor(vendor: string, architecture: string, limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number }): { params: KernelParams; why: string } {
  const row = TABLE.find((r) => (!r.vendor || r.vendor.test(vendor)) && (!r.architecture || r.architecture.test(architecture)))!;
  let p = row.params;
  let why = row.why;
  // TENSOR_STUDIO_WEBGPU_PARAMS='{"mmShared":true}' overrides entries (tuning runs, tests of the other kernel variants).
  const env = process.env.TENSOR_STUDIO_WEBGPU_PARAMS;
  if (env) {
    try { p = { ...p, ...(JSON.parse(env) as Partial<KernelParams>) }; why += ` + override ${env}`; } catch { throw new Error(`TENSOR_STUDIO_WEBGPU_PARAMS is not valid JSON: ${env}`); }
  }
  // Respect the device's limits whatever the table says.
  const threads = (p.mmTileM / p.mmThreadM) * (p.mmTileN / p.mmThreadN);
  const shared = (p.mmTileM + p.mmTileN) * p.mmTileK * 4;
  if (threads > limits.maxComputeInvocationsPerWorkgroup || shared > limits.maxComputeWorkgroupStorageSize) {
    p = { ...p, mmTileM: 32, mmTileN: 32, mmThreadM: 4, mmThreadN: 4, mmTileK: 8 };
  }
  const cap = limits.maxComputeInvocationsPerWorkgroup;
  if (p.elementwiseWorkgroup > cap) p = { ...p, elementwiseWorkgroup: cap };
  if (p.reduceWorkgroup > cap) p = { ...p, reduceWorkgroup: cap };
  return { params: p, why };
}
