// Kernel parameters per adapter. Tuning on lavapipe (a CPU pretending to be a GPU) does not
// transfer to real GPUs, so choices live in a small table keyed by vendor/architecture; the
// first matching row wins and the last row is the default.

export interface KernelParams {
  /** Threads per workgroup for elementwise / copy kernels. */
  readonly elementwiseWorkgroup: number;
  /**
   * Matmul kernel (ops/linear/webgpu.ts): 'tiled' stages K slices through workgroup memory (GPUs),
   * 'direct' reads operands straight from storage, 'rows' is lavapipe's (uniform rows per
   * workgroup, vec4 lanes; cases it does not cover use 'direct').
   */
  readonly mmKernel: 'tiled' | 'direct' | 'rows';
  /** tiled/direct: output tile per workgroup (mmTileM x mmTileN) and per thread (mmThreadM x mmThreadN); K slice mmTileK. */
  readonly mmTileM: number;
  readonly mmTileN: number;
  readonly mmThreadM: number;
  readonly mmThreadN: number;
  readonly mmTileK: number;
  /** rows: rows per workgroup, column groups per lane, lanes per workgroup. */
  readonly mmRowsM: number;
  readonly mmRowsN: number;
  readonly mmRowsThreads: number;
  /** conv2d as im2col + the tuned GEMM (true) or as direct loops, one thread per output (false). */
  readonly convIm2col: boolean;
  /** Threads per workgroup for row reductions (softmax, sum over the last dim). */
  readonly reduceWorkgroup: number;
}

interface Row { readonly vendor?: RegExp; readonly architecture?: RegExp; readonly params: KernelParams; readonly why: string }

const DEFAULT: KernelParams = {
  elementwiseWorkgroup: 256, mmKernel: 'tiled', mmTileM: 64, mmTileN: 64, mmThreadM: 4, mmThreadN: 4, mmTileK: 16,
  mmRowsM: 8, mmRowsN: 2, mmRowsThreads: 32, convIm2col: true, reduceWorkgroup: 256,
};

const TABLE: readonly Row[] = [
  // lavapipe runs workgroups as CPU threads with SIMD lanes: no shared memory (barriers are
  // costly), uniform loads are cheap and per-lane loads are gathers, hence the 'rows' kernel;
  // 8 rows x 2 vec4 x 32 lanes measured best of the autotune's CPU configs (512^3: ~4 GFLOP/s,
  // the direct kernel ~2.3) and the CNN step ~2.3x faster than with the direct kernel.
  { vendor: /mesa/i, architecture: /software|llvmpipe/i, why: 'Mesa lavapipe (CPU)',
    params: { ...DEFAULT, elementwiseWorkgroup: 64, reduceWorkgroup: 64, mmKernel: 'rows', mmTileM: 32, mmTileN: 32 } },
  // The classic SGEMM shape: 128x128 tiles, 8x8 per thread (256 threads), K slices of 8,
  // vec4 workgroup reads. scripts/device/gemm_autotune.ts measures the alternatives.
  { vendor: /nvidia/i, why: 'NVIDIA: 128x128 tiles, 8x8 per thread, BK 8',
    params: { ...DEFAULT, mmTileM: 128, mmTileN: 128, mmThreadM: 8, mmThreadN: 8, mmTileK: 8 } },
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
  if (p.mmRowsThreads > limits.maxComputeInvocationsPerWorkgroup) p = { ...p, mmRowsThreads: 32 };
  const cap = limits.maxComputeInvocationsPerWorkgroup;
  if (p.elementwiseWorkgroup > cap) p = { ...p, elementwiseWorkgroup: cap };
  if (p.reduceWorkgroup > cap) p = { ...p, reduceWorkgroup: cap };
  return { params: p, why };
}
