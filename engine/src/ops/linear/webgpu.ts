// WebGPU kernels of the linear family: one tiled, register-blocked GEMM (tile sizes from the
// per-adapter table in backends/webgpu/tuning.ts) behind matmul, mm, bmm, linear (bias fused)
// and the gradient helpers _gemm and _linear_grad_weight.
import { getKernel, registerKernel } from '../../backends/kernel_registry.js';
import { broadcastShapes, gpuEmpty, gpuStorage, runMap, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function gemmWgsl(ta: boolean, tb: boolean, bias: boolean, TM: number, TN: number, RM: number, RN: number, TK: number): string {
  const tx = TN / RN, ty = TM / RM, threads = tx * ty;
  const loadsA = Math.ceil((TM * TK) / threads), loadsB = Math.ceil((TN * TK) / threads);
  // Loads walk the operand's contiguous axis with consecutive threads (coalesced on GPUs).
  const aIdx = ta ? 'let mm = l % TM; let kk = l / TM;' : 'let kk = l % TK; let mm = l / TK;';
  const aAddr = ta ? 'aOff + gk * M + gm' : 'aOff + gm * K + gk';
  // Accumulators as named scalars, loops unrolled: private arrays indexed in loops spill on some
  // compilers (lavapipe measured 15x slower).
  const I = [...Array(RM).keys()], J = [...Array(RN).keys()];
  const decl = I.map((i) => J.map((j) => `var c${i}_${j} = 0.0;`).join(' ')).join('\n  ');
  const unroll = [
    ...I.map((i) => `let a${i} = As[ab + ${i}u];`), ...J.map((j) => `let b${j} = Bs[bb + ${j}u];`),
    ...I.flatMap((i) => J.map((j) => `c${i}_${j} += a${i} * b${j};`)),
  ].join(' ');
  const store = I.map((i) => `{ let gm = m0 + lid.y * RM + ${i}u; if (gm < M) { ${J.map((j) => `{ let gn = n0 + lid.x * RN + ${j}u; if (gn < N) { C[cOff + gm * N + gn] = c${i}_${j}${bias ? ' + BIAS[gn]' : ''}; } }`).join(' ')} } }`).join('\n  ');
  const bIdx = tb ? 'let kk = l % TK; let nn = l / TK;' : 'let nn = l % TN; let kk = l / TN;';
  const bAddr = tb ? 'bOff + gn * K + gk' : 'bOff + gk * N + gn';
  return `${UNIFORM_HEADER}
const TM = ${TM}u; const TN = ${TN}u; const TK = ${TK}u; const RM = ${RM}u; const RN = ${RN}u;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
${bias ? '@group(0) @binding(3) var<storage, read> BIAS: array<f32>;' : ''}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<f32, ${TM * TK}>;
var<workgroup> Bs: array<f32, ${TN * TK}>;
@compute @workgroup_size(${tx}, ${ty}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let M = P(0u); let N = P(1u); let K = P(2u);
  let aOff = wid.z * P(3u); let bOff = wid.z * P(4u); let cOff = wid.z * M * N;
  let m0 = wid.y * TM; let n0 = wid.x * TN;
  ${decl}
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var t = 0u; t < ${loadsA}u; t++) {
      let l = li + t * ${threads}u;
      if (l < TM * TK) {
        ${aIdx}
        let gm = m0 + mm; let gk = k0 + kk;
        var v = 0.0; if (gm < M && gk < K) { v = A[${aAddr}]; }
        As[kk * TM + mm] = v;
      }
    }
    for (var t = 0u; t < ${loadsB}u; t++) {
      let l = li + t * ${threads}u;
      if (l < TN * TK) {
        ${bIdx}
        let gn = n0 + nn; let gk = k0 + kk;
        var v = 0.0; if (gn < N && gk < K) { v = B[${bAddr}]; }
        Bs[kk * TN + nn] = v;
      }
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let ab = k * TM + lid.y * RM; let bb = k * TN + lid.x * RN;
      ${unroll}
    }
    workgroupBarrier();
  }
  ${store}
}`;
}

/**
 * The same product without shared memory: each thread keeps an RM x RN block in registers and
 * reads its operands straight from storage. On lavapipe, workgroup barriers are very costly
 * (measured 0.17 GFLOP/s with shared tiles against several with this form).
 */
export function gemmDirectWgsl(ta: boolean, tb: boolean, bias: boolean, RM: number, RN: number, WX: number, WY: number): string {
  const I = [...Array(RM).keys()], J = [...Array(RN).keys()];
  // Thread (x, y) owns rows m0 + y + i*WY and columns n0 + x + j*WX: neighbouring invocations
  // (SIMD lanes on a CPU driver) read neighbouring columns of B and the same element of A.
  const decl = I.map((i) => J.map((j) => `var c${i}_${j} = 0.0;`).join(' ')).join('\n  ');
  const rows = I.map((i) => `let m${i} = min(m + ${i * WY}u, M - 1u);`).join(' ');
  const cols = J.map((j) => `let n${j} = min(n + ${j * WX}u, N - 1u);`).join(' ');
  const aAt = (i: number): string => (ta ? `A[aOff + k * M + m${i}]` : `A[aOff + m${i} * K + k]`);
  const bAt = (j: number): string => (tb ? `B[bOff + n${j} * K + k]` : `B[bOff + k * N + n${j}]`);
  const body = [...I.map((i) => `let a${i} = ${aAt(i)};`), ...J.map((j) => `let b${j} = ${bAt(j)};`),
    ...I.flatMap((i) => J.map((j) => `c${i}_${j} += a${i} * b${j};`))].join(' ');
  const store = I.map((i) => `if (m + ${i * WY}u < M) { ${J.map((j) => `if (n + ${j * WX}u < N) { C[cOff + (m + ${i * WY}u) * N + n + ${j * WX}u] = c${i}_${j}${bias ? ` + BIAS[n + ${j * WX}u]` : ''}; }`).join(' ')} }`).join('\n  ');
  return `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
${bias ? '@group(0) @binding(3) var<storage, read> BIAS: array<f32>;' : ''}
@group(0) @binding(${bias ? 4 : 3}) var<storage, read_write> C: array<f32>;
@compute @workgroup_size(${WX}, ${WY}) fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let M = P(0u); let N = P(1u); let K = P(2u);
  let aOff = wid.z * P(3u); let bOff = wid.z * P(4u); let cOff = wid.z * M * N;
  let m = wid.y * ${WY * RM}u + lid.y; let n = wid.x * ${WX * RN}u + lid.x;
  if (m >= M || n >= N) { return; }
  ${rows} ${cols}
  ${decl}
  for (var k = 0u; k < K; k++) { ${body} }
  ${store}
}`;
}

/** C[batch, M, N] = op(A)·op(B) (+ bias[N]); A/B batch strides 0 where shared. */
export function gemmGpu(op: string, a: Tensor, b: Tensor, M: number, N: number, K: number, batch: number, strideA: number, strideB: number, ta: boolean, tb: boolean, bias: Tensor | null, outShape: readonly number[]): Tensor {
  const be = webgpuBackend();
  const out = gpuEmpty(be, outShape, 'float32', op);
  if (out.numel === 0) return out;
  if (K === 0) return new Tensor(be.allocate(out.numel, 'float32'), outShape);
  const p = be.params;
  const uni = [M, N, K, strideA, strideB];
  const shared = p.mmShared;
  // Few output tiles but a long reduction (weight gradients: [Co, K] over N*H*W rows): split K
  // into S chunks as a batch, then sum the S partial products. Needs A as [K, M] and B as [K, N]
  // so that each chunk is a contiguous block.
  const tiles = Math.ceil(M / p.mmTileM) * Math.ceil(N / p.mmTileN);
  if (batch === 1 && ta && !tb && !bias && tiles < 16 && K >= 2048) {
    let S = 1;
    for (let s = Math.min(64, Math.floor(K / 256)); s > 1; s--) if (K % s === 0) { S = s; break; }
    if (S > 1) {
      const part = gemmGpu(op, a, b, M, N, K / S, S, (K / S) * M, (K / S) * N, true, false, null, [S, M, N]);
      return runReduce(`${op} (split-K sum)`, part, [1, M, N], '0', 'acc + x', 'acc', 'float32').withShape(outShape);
    }
  }
  if (!shared && tb) {
    // The direct kernel wants B as [K, N] (columns contiguous across invocations): transposing
    // costs O(NK) against the product's O(MNK).
    const bt = getKernel('transpose', 'webgpu')!({ input: b.withShape([b.numel / (N * K), N, K]), dim0: 1, dim1: 2 }, { saved: {} }) as Tensor;
    return gemmGpu(op, a, bt, M, N, K, batch, strideA, strideB === 0 ? 0 : N * K, ta, false, bias, outShape);
  }
  const key = `gemm|${shared}|${ta}|${tb}|${bias !== null}|${p.mmTileM}|${p.mmTileN}|${p.mmThreadM}|${p.mmThreadN}|${p.mmTileK}`;
  const label = `${op} [${M}x${K}]·[${K}x${N}]${batch > 1 ? ` x${batch}` : ''}`;
  const bind = [gpuStorage(a), gpuStorage(b), ...(bias ? [gpuStorage(bias)] : []), gpuStorage(out)];
  const gx = Math.ceil(N / p.mmTileN), gy = Math.ceil(M / p.mmTileM);
  const maxG = be.limits.maxComputeWorkgroupsPerDimension;
  if (batch > maxG) throw new Error(`${label}: batch ${batch} exceeds ${maxG} (WebGPU dispatch limit)`);
  const wx = p.mmTileN / p.mmThreadN, wy = p.mmTileM / p.mmThreadM;
  const wgsl = shared
    ? () => gemmWgsl(ta, tb, bias !== null, p.mmTileM, p.mmTileN, p.mmThreadM, p.mmThreadN, p.mmTileK)
    : () => gemmDirectWgsl(ta, tb, bias !== null, p.mmThreadM, p.mmThreadN, wx, wy);
  be.run({ label, key, wgsl, bindings: bind, uniforms: uni, groups: [gx, gy, batch] });
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
