// WebGPU kernels of the linear family: one GEMM entry (gemmGpu) behind matmul, mm, bmm, linear
// (bias fused), the gradient helpers _gemm and _linear_grad_weight and the conv GEMMs, with
// three kernels chosen per adapter (backends/webgpu/tuning.ts: mmKernel and tile sizes):
// 'tiled' (GPUs: shared-memory tiles, vec4, register blocking), 'direct' (registers only) and
// 'rows' (lavapipe). scripts/device/gemm_autotune.ts times tile configurations on a device.
import { getKernel, registerKernel } from '../../backends/kernel_registry.js';
import { broadcastShapes, gpuEmpty, gpuStorage, runMap, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import type { KernelParams } from '../../backends/webgpu/tuning.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Bias epilogue: none, one value per column (linear) or per row (conv with rows = channels). */
export type GemmBias = 'none' | 'col' | 'row';
const biasDecl = (bias: GemmBias, vec = false): string => (bias === 'none' ? '' : `@group(0) @binding(3) var<storage, read> ${vec ? 'BIAS4: array<vec4<f32>>' : 'BIAS: array<f32>'};`);

/**
 * The same product without shared memory: each thread keeps an RM x RN block in registers and
 * reads its operands straight from storage. On lavapipe, workgroup barriers are very costly
 * (measured 0.17 GFLOP/s with shared tiles against several with this form).
 * Uniforms: M, N, K, batch strides of A and B, LDB (B's row stride when B is [K, N]).
 */
export function gemmDirectWgsl(ta: boolean, tb: boolean, bias: GemmBias, RM: number, RN: number, WX: number, WY: number): string {
  const I = [...Array(RM).keys()], J = [...Array(RN).keys()];
  // Thread (x, y) owns rows m0 + y + i*WY and columns n0 + x + j*WX: neighbouring invocations
  // (SIMD lanes on a CPU driver) read neighbouring columns of B and the same element of A.
  const decl = I.map((i) => J.map((j) => `var c${i}_${j} = 0.0;`).join(' ')).join('\n  ');
  const rows = I.map((i) => `let m${i} = min(m + ${i * WY}u, M - 1u);`).join(' ');
  const cols = J.map((j) => `let n${j} = min(n + ${j * WX}u, N - 1u);`).join(' ');
  const aAt = (i: number): string => (ta ? `A[aOff + k * M + m${i}]` : `A[aOff + m${i} * K + k]`);
  const bAt = (j: number): string => (tb ? `B[bOff + n${j} * K + k]` : `B[bOff + k * LDB + n${j}]`);
  const body = [...I.map((i) => `let a${i} = ${aAt(i)};`), ...J.map((j) => `let b${j} = ${bAt(j)};`),
    ...I.flatMap((i) => J.map((j) => `c${i}_${j} += a${i} * b${j};`))].join(' ');
  const add = (i: number, j: number): string => (bias === 'col' ? ` + BIAS[n + ${j * WX}u]` : bias === 'row' ? ` + BIAS[m + ${i * WY}u]` : '');
  const store = I.map((i) => `if (m + ${i * WY}u < M) { ${J.map((j) => `if (n + ${j * WX}u < N) { C[cOff + (m + ${i * WY}u) * N + n + ${j * WX}u] = c${i}_${j}${add(i, j)}; }`).join(' ')} }`).join('\n  ');
  return `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
${biasDecl(bias)}
@group(0) @binding(${bias !== 'none' ? 4 : 3}) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(${WX}, ${WY}) fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = P(0u); let N = P(1u); let K = P(2u); let LDB = P(5u);
  let aOff = wid.z * P(3u); let bOff = wid.z * P(4u); let cOff = wid.z * M * N;
  let m = wid.y * ${WY * RM}u + lid.y; let n = wid.x * ${WX * RN}u + lid.x;
  if (m >= M || n >= N) { return; }
  ${rows} ${cols}
  ${decl}
  for (var k = 0u; k < K; k++) { ${body} }
  ${store}
}`;
}

/**
 * Lavapipe's "rows" kernel. Lavapipe runs a workgroup's invocations as SIMD lanes on a CPU core:
 * a load whose address is the same in every lane (derived from workgroup_id) is one scalar load,
 * a per-lane load is a gather. So each workgroup owns RM whole rows of C (A read with uniform
 * addresses, any layout) and each lane a few vec4 column groups of B (one gather feeds 4*RM FMAs).
 * Measured on lavapipe (128x784 · 784x256): ~2-3x the direct kernel.
 * Needs B as [K, N] with a row stride LDB % 4 == 0 (>= N rounded up to 4; gemmGpu transposes a
 * [N, K] B first: measured faster than lanes reading B's rows as vec4s and reducing with dot
 * products). C is written with vec4 stores when N % 4 == 0, else per element.
 */
export function gemmRowsWgsl(ta: boolean, bias: GemmBias, vecC: boolean, RM: number, RN: number, WX: number): string {
  const I = [...Array(RM).keys()], J = [...Array(RN).keys()];
  const decl = I.map((i) => J.map((j) => `var c${i}_${j} = vec4<f32>(0.0);`).join(' ')).join('\n  ');
  const rows = I.map((i) => `let r${i} = min(mb + ${i}u, M - 1u);`).join(' ');
  const cols = J.map((j) => `let n${j} = min(n + ${j * WX}u, N4 - 1u);`).join(' ');
  const aAt = (i: number): string => (ta ? `A[aOff + k * M + r${i}]` : `A[aOff + r${i} * K + k]`);
  const body = [...I.map((i) => `let a${i} = ${aAt(i)};`), ...J.map((j) => `let b${j} = B4[bOff + k * LDB4 + n${j}];`),
    ...I.flatMap((i) => J.map((j) => `c${i}_${j} += a${i} * b${j};`))].join(' ');
  const one = (i: number, j: number): string => {
    const col = `n + ${j * WX}u`;
    if (vecC) return `if (${col} < N4) { C4[cOff / 4u + (mb + ${i}u) * N4 + ${col}] = c${i}_${j}${bias === 'col' ? ` + BIAS4[${col}]` : bias === 'row' ? ` + BIAS[mb + ${i}u]` : ''}; }`;
    const add = bias === 'col' ? ' + BIAS[c]' : bias === 'row' ? ` + BIAS[mb + ${i}u]` : '';
    return `for (var e = 0u; e < 4u; e++) { let c = (${col}) * 4u + e; if (c < N) { C[cOff + (mb + ${i}u) * N + c] = c${i}_${j}[e]${add}; } }`;
  };
  const store = I.map((i) => `if (mb + ${i}u < M) { ${J.map((j) => one(i, j)).join(' ')} }`).join('\n  ');
  return `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B4: array<vec4<f32>>;
${biasDecl(bias, bias === 'col' && vecC)}
@group(0) @binding(${bias !== 'none' ? 4 : 3}) var<storage, read_write> ${vecC ? 'C4: array<vec4<f32>>' : 'C: array<f32>'};
@compute @workgroup_size(${WX}) fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = P(0u); let N = P(1u); let K = P(2u); let N4 = (N + 3u) / 4u; let LDB4 = P(5u) / 4u;
  let aOff = wid.z * P(3u); let bOff = wid.z * (P(4u) / 4u); let cOff = wid.z * M * N;
  let mb = wid.y * ${RM}u; let n = wid.x * ${WX * RN}u + lid.x;
  ${rows} ${cols}
  ${decl}
  for (var k = 0u; k < K; k++) { ${body} }
  ${store}
}`;
}

/**
 * The GPU kernel: a BM x BN output tile per workgroup, TM x TN per thread (TM, TN multiples of 4),
 * K in slices of BK staged through workgroup memory (k-major, vec4 reads), the next slice
 * prefetched into registers while the current one is multiplied. A thread's rows and columns are
 * TM/4 (TN/4) groups of 4 spread BM/(TM/4) apart, so neighbouring threads read neighbouring
 * vec4s of workgroup memory (no bank conflicts) and C is written with vec4 stores when N % 4 == 0.
 */
export function gemmTiledWgsl(ta: boolean, tb: boolean, bias: GemmBias, vecC: boolean, BM: number, BN: number, BK: number, TM: number, TN: number): string {
  const tx = BN / TN, ty = BM / TM, threads = tx * ty;
  const gm = TM / 4, gn = TN / 4;
  const la = (BM * BK) / threads, lb = (BN * BK) / threads;
  // Global loads: consecutive threads walk the operand's contiguous axis (coalesced).
  const aIdx = ta ? 'let mm = l % BM; let kk = l / BM;' : 'let kk = l % BK; let mm = l / BK;';
  const aAddr = ta ? 'aOff + gk * M + gm_' : 'aOff + gm_ * K + gk';
  const bIdx = tb ? 'let kk = l % BK; let nn = l / BK;' : 'let nn = l % BN; let kk = l / BN;';
  const bAddr = tb ? 'bOff + gn_ * K + gk' : 'bOff + gk * LDB + gn_';
  const R = (n: number): number[] => [...Array(n).keys()];
  const loadA = R(la).map((t) => `{ let l = li + ${t * threads}u; ${aIdx} let gm_ = m0 + mm; let gk = k0 + kk; ra${t} = select(0.0, A[min(${aAddr}, lastA)], gm_ < M && gk < K); }`).join('\n    ');
  const loadB = R(lb).map((t) => `{ let l = li + ${t * threads}u; ${bIdx} let gn_ = n0 + nn; let gk = k0 + kk; rb${t} = select(0.0, B[min(${bAddr}, lastB)], gn_ < N && gk < K); }`).join('\n    ');
  const storeA = R(la).map((t) => `{ let l = li + ${t * threads}u; ${aIdx} As[kk * SA + mm / 4u][mm % 4u] = ra${t}; }`).join(' ');
  const storeB = R(lb).map((t) => `{ let l = li + ${t * threads}u; ${bIdx} Bs[kk * SB + nn / 4u][nn % 4u] = rb${t}; }`).join(' ');
  const decl = R(TM).map((i) => R(gn).map((g) => `var c${i}_${g} = vec4<f32>(0.0);`).join(' ')).join('\n  ');
  const inner = R(BK).map((k) => [
    ...R(gm).map((g) => `let a${g} = As[${k}u * SA + lid.y + ${g * ty}u];`),
    ...R(gn).map((g) => `let b${g} = Bs[${k}u * SB + lid.x + ${g * tx}u];`),
    ...R(TM).flatMap((i) => R(gn).map((g) => `c${i}_${g} += a${Math.floor(i / 4)}[${i % 4}] * b${g};`)),
  ].join(' ')).map((s) => `{ ${s} }`).join('\n      ');
  // Row i of the thread: group i/4, lane i%4; column group g starts at n0 + (lid.x + g*tx)*4.
  const rowOf = (i: number): string => `m0 + (lid.y + ${Math.floor(i / 4) * ty}u) * 4u + ${i % 4}u`;
  const store = R(TM).map((i) => `{ let m = ${rowOf(i)}; if (m < M) { ${R(gn).map((g) => {
    const n = `n0 + (lid.x + ${g * tx}u) * 4u`;
    const v = `c${i}_${g}${bias === 'col' ? ` + vec4<f32>(BIAS[min(${n}, N - 1u)], BIAS[min(${n} + 1u, N - 1u)], BIAS[min(${n} + 2u, N - 1u)], BIAS[min(${n} + 3u, N - 1u)])` : bias === 'row' ? ' + BIAS[m]' : ''}`;
    return vecC
      ? `{ let n = ${n}; if (n < N) { C4[(cOff + m * N + n) / 4u] = ${v}; } }`
      : `{ let n = ${n}; let v = ${v}; for (var j = 0u; j < 4u; j++) { if (n + j < N) { C[cOff + m * N + n + j] = v[j]; } } }`;
  }).join(' ')} } }`).join('\n  ');
  return `${UNIFORM_HEADER}
// Rows of the k-major tiles are padded by one vec4: the scalar stores of a K-contiguous operand
// (threads walking k) then fall in distinct banks.
const BM = ${BM}u; const BN = ${BN}u; const BK = ${BK}u; const SA = ${BM / 4 + 1}u; const SB = ${BN / 4 + 1}u;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
${biasDecl(bias)}
@group(0) @binding(${bias !== 'none' ? 4 : 3}) var<storage, read_write> ${vecC ? 'C4: array<vec4<f32>>' : 'C: array<f32>'};
var<workgroup> As: array<vec4<f32>, ${(BM / 4 + 1) * BK}>;
var<workgroup> Bs: array<vec4<f32>, ${(BN / 4 + 1) * BK}>;
@compute @workgroup_size(${tx}, ${ty}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let M = P(0u); let N = P(1u); let K = P(2u); let LDB = P(5u);
  let aOff = wid.z * P(3u); let bOff = wid.z * P(4u); let cOff = wid.z * M * N;
  let lastA = arrayLength(&A) - 1u; let lastB = arrayLength(&B) - 1u;
  let m0 = wid.y * BM; let n0 = wid.x * BN;
  ${R(la).map((t) => `var ra${t} = 0.0;`).join(' ')} ${R(lb).map((t) => `var rb${t} = 0.0;`).join(' ')}
  ${decl}
  var k0 = 0u;
  ${loadA}
  ${loadB}
  loop {
    ${storeA}
    ${storeB}
    workgroupBarrier();
    k0 += BK;
    if (k0 < K) {
    ${loadA}
    ${loadB}
    }
    {
      ${inner}
    }
    workgroupBarrier();
    if (k0 >= K) { break; }
  }
  ${store}
}`;
}

/** Which GEMM kernel and tile sizes; from the adapter's KernelParams unless a caller (the autotune script) passes one. */
export interface GemmConfig {
  /** 'tiled': shared-memory tiles (GPUs); 'direct': registers only; 'rows': lavapipe (uniform rows, vec4 lanes). */
  readonly kind: 'tiled' | 'direct' | 'rows';
  /** tiled: BM x BN tile, BK slice, TM x TN per thread. direct: TM x TN per thread, BM/TM x BN/TN threads. */
  readonly BM: number; readonly BN: number; readonly BK: number; readonly TM: number; readonly TN: number;
  /** rows: RM rows per workgroup, RN column groups per lane, WX lanes. */
  readonly RM: number; readonly RN: number; readonly WX: number;
}

export function gemmConfigOf(p: KernelParams): GemmConfig {
  return { kind: p.mmKernel, BM: p.mmTileM, BN: p.mmTileN, BK: p.mmTileK, TM: p.mmThreadM, TN: p.mmThreadN, RM: p.mmRowsM, RN: p.mmRowsN, WX: p.mmRowsThreads };
}

/** Why a config cannot run on this device (limits, divisibility), or null. */
export function gemmConfigProblem(c: GemmConfig, limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number }): string | null {
  if (c.kind === 'rows') return c.WX > limits.maxComputeInvocationsPerWorkgroup ? `WX ${c.WX} > ${limits.maxComputeInvocationsPerWorkgroup} invocations` : null;
  if (c.BM % c.TM || c.BN % c.TN) return `tile ${c.BM}x${c.BN} not a multiple of the thread tile ${c.TM}x${c.TN}`;
  const threads = (c.BM / c.TM) * (c.BN / c.TN);
  if (threads > limits.maxComputeInvocationsPerWorkgroup) return `${threads} threads > ${limits.maxComputeInvocationsPerWorkgroup}`;
  if (c.kind === 'direct') return null;
  if (c.TM % 4 || c.TN % 4) return `thread tile ${c.TM}x${c.TN} must be multiples of 4`;
  if ((c.BM * c.BK) % threads || (c.BN * c.BK) % threads) return `BK ${c.BK}: the ${c.BM}x${c.BK} and ${c.BN}x${c.BK} slices do not split evenly over ${threads} threads`;
  const shared = (c.BM + c.BN + 8) * c.BK * 4;
  if (shared > limits.maxComputeWorkgroupStorageSize) return `${shared} bytes of workgroup memory > ${limits.maxComputeWorkgroupStorageSize}`;
  return null;
}

const SMALL_TILES = { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 } as const;

/** Layout extras: B's row stride when B is [K, N] (default N; padded to 4 for the rows kernel), bias per row instead of per column. */
export interface GemmLayout { readonly ldb?: number; readonly biasPerRow?: boolean }

/**
 * C[batch, M, N] = op(A)·op(B) (+ bias[N], or bias[M] with biasPerRow); A/B batch strides 0
 * where shared. `config` overrides the adapter's kernel choice (tests, the autotune script).
 */
export function gemmGpu(op: string, a: Tensor, b: Tensor, M: number, N: number, K: number, batch: number, strideA: number, strideB: number, ta: boolean, tb: boolean, bias: Tensor | null, outShape: readonly number[], config?: GemmConfig, layout: GemmLayout = {}): Tensor {
  const be = webgpuBackend();
  const out = gpuEmpty(be, outShape, 'float32', op);
  if (out.numel === 0) return out;
  if (K === 0) return new Tensor(be.allocate(out.numel, 'float32'), outShape);
  let c = config ?? gemmConfigOf(be.params);
  // Big tiles leave most of a GPU idle on small products (MLP layers: 128x256 is 2 tiles of
  // 128x128) and compute mostly padding on narrow ones (conv channels): there the adapter's
  // tiles give way to 64x64 ones.
  if (!config && c.kind === 'tiled' && (c.BM > 64 || c.BN > 64) && (M <= 64 || N <= 64 || Math.ceil(M / c.BM) * Math.ceil(N / c.BN) * batch < 48)) c = { ...c, ...SMALL_TILES };
  const ldb = tb ? K : layout.ldb ?? N;
  const uni = [M, N, K, strideA, strideB, ldb];
  const biasKind: GemmBias = !bias ? 'none' : layout.biasPerRow ? 'row' : 'col';
  // Few output tiles but a long reduction (weight gradients: [Co, K] over N*H*W rows): split K
  // into S chunks as a batch, then sum the S partial products. Needs A as [K, M] and B as [K, N]
  // so that each chunk is a contiguous block.
  const tiles = c.kind === 'rows' ? Math.ceil(M / c.RM) * Math.ceil(N / (4 * c.RN * c.WX)) : Math.ceil(M / c.BM) * Math.ceil(N / c.BN);
  if (batch === 1 && ta && !tb && !bias && ldb === N && tiles < 16 && K >= 2048) {
    let S = 1;
    for (let s = Math.min(64, Math.floor(K / 256)); s > 1; s--) if (K % s === 0) { S = s; break; }
    if (S > 1) {
      const part = gemmGpu(op, a, b, M, N, K / S, S, (K / S) * M, (K / S) * N, true, false, null, [S, M, N], config);
      return runReduce(`${op} (split-K sum)`, part, [1, M, N], '0', 'acc + x', 'acc', 'float32').withShape(outShape);
    }
  }
  const label = `${op} [${M}x${K}]·[${K}x${N}]${batch > 1 ? ` x${batch}` : ''}`;
  const maxG = be.limits.maxComputeWorkgroupsPerDimension;
  if (batch > maxG) throw new Error(`${label}: batch ${batch} exceeds ${maxG} (WebGPU dispatch limit)`);
  const bind = [gpuStorage(a), gpuStorage(b), ...(bias ? [gpuStorage(bias)] : []), gpuStorage(out)];
  if (c.kind === 'rows' && !tb && ldb % 4 === 0 && strideB % 4 === 0) {
    // Narrow products (conv channels): fewer lanes and column groups, more rows per workgroup,
    // so that lanes are not spent on columns past N.
    const N4 = Math.ceil(N / 4);
    let RN = c.RN, WX = c.WX, RM = c.RM;
    while (WX > 8 && (WX / 2) * RN >= N4) WX /= 2;
    while (RN > 1 && WX * (RN / 2) >= N4) { RN /= 2; RM *= 2; }
    RM = Math.min(RM, 32);
    const vecC = N % 4 === 0;
    be.run({ label, key: `gemm_rows|${ta}|${biasKind}|${vecC}|${RM}|${RN}|${WX}`, wgsl: () => gemmRowsWgsl(ta, biasKind, vecC, RM, RN, WX), bindings: bind, uniforms: uni,
      groups: [Math.ceil(N4 / (RN * WX)), Math.ceil(M / RM), batch] });
    return out;
  }
  if (c.kind !== 'tiled' && tb) {
    // The direct and rows kernels want B as [K, N] (columns contiguous across invocations):
    // transposing costs O(NK) against the product's O(MNK).
    const bt = getKernel('transpose', 'webgpu')!({ input: b.withShape([b.numel / (N * K), N, K]), dim0: 1, dim1: 2 }, { saved: {} }) as Tensor;
    return gemmGpu(op, a, bt, M, N, K, batch, strideA, strideB === 0 ? 0 : N * K, ta, false, bias, outShape, config, layout);
  }
  const gx = Math.ceil(N / c.BN), gy = Math.ceil(M / c.BM);
  if (c.kind === 'tiled') {
    const vecC = N % 4 === 0;
    be.run({ label, key: `gemm_tiled|${ta}|${tb}|${biasKind}|${vecC}|${c.BM}|${c.BN}|${c.BK}|${c.TM}|${c.TN}`,
      wgsl: () => gemmTiledWgsl(ta, tb, biasKind, vecC, c.BM, c.BN, c.BK, c.TM, c.TN), bindings: bind, uniforms: uni, groups: [gx, gy, batch] });
    return out;
  }
  const wx = c.BN / c.TN, wy = c.BM / c.TM;
  be.run({ label, key: `gemm_direct|${ta}|${biasKind}|${c.TM}|${c.TN}|${wx}|${wy}`, wgsl: () => gemmDirectWgsl(ta, false, biasKind, c.TM, c.TN, wx, wy), bindings: bind, uniforms: uni, groups: [gx, gy, batch] });
  return out;
}

/** Batched op(a)·op(b) with batch broadcasting (same contract as the CPU batchedGemm). */
function batchedGemm(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new Error('internal: batchedGemm needs 2-d operands');
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const M = ta ? ac : ar, K = ta ? ar : ac;
  const Kb = tb ? bc : br, N = tb ? br : bc;
  if (K !== Kb) throw new Error(`inner dims ${K} and ${Kb} differ (Tensor[${a.shape.join(', ')}] @ Tensor[${b.shape.join(', ')}])`);
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2);
  const batch = broadcastShapes([ba, bb]);
  const nb = prod(batch);
  // A shared operand (batch of 1) gets stride 0; otherwise expand to the full batch.
  const fit = (t: Tensor, bs: readonly number[], rows: number, cols: number): [Tensor, number] => {
    if (prod(bs) === 1) return [t, 0];
    if (bs.length === batch.length && bs.every((d, i) => d === batch[i])) return [t, rows * cols];
    return [runMap('matmul broadcast', 'x', [{ name: 'x', value: t }], [], [], 'float32', [...batch, rows, cols]), rows * cols];
  };
  const [a2, sa] = fit(a, ba, ar, ac);
  const [b2, sb] = fit(b, bb, br, bc);
  return gemmGpu('matmul', a2, b2, M, N, K, nb, sa, sb, ta, tb, null, [...batch, M, N]);
}

function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error('both arguments to matmul need to be at least 1D');
  const a2 = a.ndim === 1 ? a.withShape([1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? b.withShape([b.shape[0]!, 1]) : b;
  const r = batchedGemm(a2, b2, false, false);
  let shape = [...r.shape];
  if (b.ndim === 1) shape = shape.slice(0, -1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return r.withShape(shape);
}

export function registerLinearWebgpu(): void {
  registerKernel('matmul', 'webgpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.other, 'other')));
  registerKernel('mm', 'webgpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.mat2, 'mat2')));
  registerKernel('bmm', 'webgpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.mat2, 'mat2')));
  registerKernel('linear', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input'), w = tensorArg(args.weight, 'weight');
    const bias = args.bias instanceof Tensor ? args.bias : null;
    const inF = x.shape[x.ndim - 1] ?? 1;
    const outF = w.ndim === 1 ? 1 : w.shape[0]!;
    if ((w.ndim === 1 ? w.shape[0] : w.shape[1]) !== inF) throw new Error(`input's last dim ${inF} does not match weight Tensor[${w.shape.join(', ')}]`);
    const M = x.numel / Math.max(inF, 1);
    const outShape = w.ndim === 1 ? x.shape.slice(0, -1) : [...x.shape.slice(0, -1), outF];
    // A scalar bias is broadcast to [outF] first so the GEMM epilogue indexes it by column.
    const b = bias && bias.numel !== outF ? runMap('linear bias', 'x', [{ name: 'x', value: bias }], [], [], 'float32', [outF]) : bias;
    return gemmGpu('linear', x, w, M, outF, inF, 1, 0, 0, false, true, b, outShape);
  });
  registerKernel('_gemm', 'webgpu', (args) => batchedGemm(tensorArg(args.a, 'a'), tensorArg(args.b, 'b'), args.ta === true, args.tb === true));
  registerKernel('_linear_grad_weight', 'webgpu', (args) => {
    // dW [out, in] = gᵀ · x over all leading dims.
    const g = tensorArg(args.grad, 'grad'), x = tensorArg(args.input, 'input');
    const outF = g.shape[g.ndim - 1] ?? 1, inF = x.shape[x.ndim - 1] ?? 1;
    const rows = x.numel / Math.max(1, inF);
    return gemmGpu('linear backward (weight)', g, x, outF, inF, rows, 1, 0, 0, true, false, null, args.weightShape as number[]);
  });
}
