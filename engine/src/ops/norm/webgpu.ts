// WebGPU kernels of the normalisation family: batch_norm (training: batch statistics and the
// running-statistics update on the GPU; eval), layer_norm, group_norm, and their gradients
// (_batch_norm_grad, _row_norm_grad). Same math as cpu.ts, in four kernels shared by all three:
//   stats  one workgroup per statistics row: two-pass mean / variance in workgroup memory
//          (two passes, not one-pass sums, so a large mean does not cancel the variance);
//   apply  elementwise y = (x - mean) * invstd * w + b;
//   sums   one workgroup per row: sum g*f and g*f*xhat (the backward's row sums, and dw / db);
//   dx     elementwise input gradient from those sums.
// Every layout is described by two index maps over the flat input (no copies):
//   a reduction row r holds M elements, element j at  r*A + (j / S)*ST + j % S
//   element e belongs to statistics row (e / rd) % rn and affine index (e / ad) % an
// batch_norm's channel c: A = S = spatial, ST = C*spatial, M = N*spatial; layer/group norm rows
// are contiguous. Mean and invstd stay on the GPU as float32 tensors (saved for backward), so a
// training step reads nothing back.
import { registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runReduce } from '../../backends/webgpu/codegen.js';
import { f32Bits, UNIFORM_HEADER, webgpuBackend, type GpuStorage } from '../../backends/webgpu/backend.js';
import { bool, intList, num, numelOf, optTensor, tensorArg } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';

/** Reduction rows: count, elements per row and the address map (see the header). */
interface Rows { rows: number; M: number; A: number; S: number; ST: number }
/** Per-element maps to the statistics row and the affine index. */
interface Maps { rd: number; rn: number; ad: number; an: number }

const ROW_ADDR = 'fn addr(r: u32, j: u32) -> u32 { return r * P(2u) + (j / P(3u)) * P(4u) + j % P(3u); }';
const ELEM_MAPS = 'fn srow(e: u32) -> u32 { return (e / P(2u)) % P(3u); }\nfn aff(e: u32) -> u32 { return (e / P(4u)) % P(5u); }';

/** Tree reduction of `red` (workgroup size wg, a power of two) in place; the total is red[0]. */
function treeReduce(wg: number): string {
  return `workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { red[t] = red[t] + red[t + k]; }
    workgroupBarrier();
  }`;
}

function rowGroups(rows: number, wg: number): [number, number] {
  return webgpuBackend().grid(rows * wg, wg);
}

/**
 * Rows longer than this many elements per workgroup thread are split into chunks, one workgroup
 * each (batch norm: a few channels of N*H*W elements would otherwise occupy a few workgroups of
 * the whole GPU); the chunks' partial results are merged by a second small kernel.
 */
const CHUNK_PER_THREAD = 16;
function chunking(M: number, wg: number): { K: number; CH: number } {
  const CH = wg * CHUNK_PER_THREAD;
  return M > CH ? { K: Math.ceil(M / CH), CH } : { K: 1, CH: Math.max(1, M) };
}

/** WGSL that writes a row's final statistics (and the running-statistics update). */
function finishStats(hasM: boolean, hasV: boolean): string {
  return `MEAN[r] = mean;
    INV[r] = 1.0 / sqrt(varB + F(5u));
    let m = F(6u);
    ${hasM ? 'RM[r] = (1.0 - m) * RM[r] + m * mean;' : ''}
    ${hasV ? 'RV[r] = (1.0 - m) * RV[r] + m * varB * F(7u);' : ''}`;
}

/**
 * Mean and invstd per row; when rm/rv are given, also running = (1-m)*running + m*stat (the
 * variance unbiased by M/(M-1)), in place, as the CPU kernel does. Each workgroup takes one chunk
 * of a row with two passes (mean, then squared deviations); chunks are merged with Chan's
 * pairwise update (count, mean, M2), so no single sum grows with the row.
 */
function stats(op: string, x: Tensor, L: Rows, eps: number, rm: Tensor | null, rv: Tensor | null, momentum: number): { mean: Tensor; invstd: Tensor } {
  const b = webgpuBackend();
  const mean = gpuEmpty(b, [L.rows], 'float32', op), invstd = gpuEmpty(b, [L.rows], 'float32', op);
  if (L.rows === 0) return { mean, invstd };
  const wg = b.params.reduceWorkgroup;
  const hasM = rm !== null, hasV = rv !== null;
  const { K, CH } = chunking(L.M, wg);
  const final = K === 1;
  const part = final ? null : gpuEmpty(b, [L.rows * K * 3], 'float32', op);
  const outs: GpuStorage[] = [gpuStorage(mean), gpuStorage(invstd)];
  if (rm) outs.push(gpuStorage(rm, 'running_mean'));
  if (rv) outs.push(gpuStorage(rv, 'running_var'));
  const outDecls = (first: number): string => [
    `@group(0) @binding(${first}) var<storage, read_write> MEAN: array<f32>;`,
    `@group(0) @binding(${first + 1}) var<storage, read_write> INV: array<f32>;`,
    hasM ? `@group(0) @binding(${first + 2}) var<storage, read_write> RM: array<f32>;` : '',
    hasV ? `@group(0) @binding(${first + 2 + (hasM ? 1 : 0)}) var<storage, read_write> RV: array<f32>;` : '',
  ].join('\n');
  const uni = [L.rows * K, L.M, L.A, L.S, L.ST, f32Bits(eps), f32Bits(momentum), f32Bits(L.M > 1 ? L.M / (L.M - 1) : 1), K, CH];
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
${final ? outDecls(2) : '@group(0) @binding(2) var<storage, read_write> PART: array<f32>;'}
var<workgroup> red: array<f32, ${wg}>;
${ROW_ADDR}
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) t: u32) {
  let q = wid.x + wid.y * nw.x;
  if (q >= P(0u)) { return; }
  let r = q / P(8u);
  let j0 = (q % P(8u)) * P(9u);
  let j1 = min(j0 + P(9u), P(1u));
  let cnt = f32(j1 - j0);
  var s = 0.0;
  for (var j = j0 + t; j < j1; j += ${wg}u) { s += X[addr(r, j)]; }
  red[t] = s;
  ${treeReduce(wg)}
  let mean = red[0] / cnt;
  workgroupBarrier();
  var v = 0.0;
  for (var j = j0 + t; j < j1; j += ${wg}u) { let d = X[addr(r, j)] - mean; v += d * d; }
  red[t] = v;
  ${treeReduce(wg)}
  if (t == 0u) {
    ${final ? `let varB = red[0] / cnt;
    ${finishStats(hasM, hasV)}` : 'PART[3u * q] = cnt; PART[3u * q + 1u] = mean; PART[3u * q + 2u] = red[0];'}
  }
}`;
  b.run({
    label: `${op} statistics [${x.shape.join(', ')}]${final ? '' : ` (${K} chunks per row)`}`, key: `norm_stats|${final}|${hasM}|${hasV}|${wg}`, wgsl,
    bindings: final ? [gpuStorage(x), ...outs] : [gpuStorage(x), gpuStorage(part!)], uniforms: uni, groups: rowGroups(L.rows * K, wg),
  });
  if (final) return { mean, invstd };
  const ew = b.params.elementwiseWorkgroup;
  b.run({
    label: `${op} statistics merge [${L.rows} x ${K}]`, key: `norm_stats_merge|${hasM}|${hasV}|${ew}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> PART: array<f32>;
${outDecls(2)}
@compute @workgroup_size(${ew}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let r = gid.x + gid.y * nw.x * ${ew}u;
  if (r >= P(0u) / P(8u)) { return; }
  var n = 0.0; var mean = 0.0; var m2 = 0.0;
  for (var k = 0u; k < P(8u); k++) {
    let q = r * P(8u) + k;
    let nb = PART[3u * q]; let d = PART[3u * q + 1u] - mean; let tot = n + nb;
    mean += d * nb / tot;
    m2 += PART[3u * q + 2u] + d * d * n * nb / tot;
    n = tot;
  }
  let varB = m2 / n;
  ${finishStats(hasM, hasV)}
}`,
    bindings: [gpuStorage(part!), ...outs], uniforms: uni, groups: b.grid(L.rows, ew),
  });
  return { mean, invstd };
}

/** Eval-mode batch norm statistics: mean = running_mean, invstd = 1/sqrt(running_var + eps). */
function evalStats(rm: Tensor, rv: Tensor, eps: number): { mean: Tensor; invstd: Tensor } {
  const b = webgpuBackend();
  const C = rm.numel;
  const mean = gpuEmpty(b, [C], 'float32', 'batch_norm'), invstd = gpuEmpty(b, [C], 'float32', 'batch_norm');
  if (C === 0) return { mean, invstd };
  const wg = b.params.elementwiseWorkgroup;
  b.run({
    label: `batch_norm eval statistics [${C}]`, key: `norm_eval_stats|${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> RM: array<f32>;
@group(0) @binding(2) var<storage, read> RV: array<f32>;
@group(0) @binding(3) var<storage, read_write> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read_write> INV: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  MEAN[i] = RM[i];
  INV[i] = 1.0 / sqrt(RV[i] + F(1u));
}`,
    bindings: [gpuStorage(rm, 'running_mean'), gpuStorage(rv, 'running_var'), gpuStorage(mean), gpuStorage(invstd)],
    uniforms: [C, f32Bits(eps)], groups: b.grid(C, wg),
  });
  return { mean, invstd };
}

/** y = (x - mean[srow]) * invstd[srow] * w[aff] + b[aff]. */
function apply(op: string, x: Tensor, mean: Tensor, invstd: Tensor, w: Tensor | null, bias: Tensor | null, maps: Maps): Tensor {
  const b = webgpuBackend();
  const y = gpuEmpty(b, x.shape, 'float32', op);
  const n = x.numel;
  if (n === 0) return y;
  const wg = b.params.elementwiseWorkgroup;
  const bindings = [gpuStorage(x), gpuStorage(mean), gpuStorage(invstd), gpuStorage(y)];
  const decl: string[] = [];
  if (w) { bindings.push(gpuStorage(w, 'weight')); decl.push('@group(0) @binding(5) var<storage, read> W: array<f32>;'); }
  if (bias) { bindings.push(gpuStorage(bias, 'bias')); decl.push(`@group(0) @binding(${w ? 6 : 5}) var<storage, read> B: array<f32>;`); }
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> MEAN: array<f32>;
@group(0) @binding(3) var<storage, read> INV: array<f32>;
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;
${decl.join('\n')}
${ELEM_MAPS}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let r = srow(i);
  let a = aff(i);
  Y[i] = (X[i] - MEAN[r]) * INV[r]${w ? ' * W[a]' : ''}${bias ? ' + B[a]' : ''};
}`;
  b.run({ label: `${op} [${x.shape.join(', ')}]`, key: `norm_apply|${!!w}|${!!bias}|${wg}`, wgsl, bindings,
    uniforms: [n, 0, maps.rd, maps.rn, maps.ad, maps.an], groups: b.grid(n, wg) });
  return y;
}

/**
 * Per reduction row (layout L): T1 = sum g*f, T2 = sum g*f*xhat, with f = w[aff] when `w` is
 * given (else 1) and xhat from the statistics row of each element (maps).
 */
function rowSums(op: string, x: Tensor, g: Tensor, mean: Tensor, invstd: Tensor, w: Tensor | null, L: Rows, maps: Maps): [Tensor, Tensor] {
  const b = webgpuBackend();
  const wg = b.params.reduceWorkgroup;
  // Long rows are split into K chunks (one workgroup each, as in stats); the chunk sums are then
  // added per row by the generic reduction.
  const { K, CH } = chunking(L.M, wg);
  const t1 = gpuEmpty(b, [L.rows * K], 'float32', op), t2 = gpuEmpty(b, [L.rows * K], 'float32', op);
  if (L.rows === 0) return [t1, t2];
  const bindings = [gpuStorage(x), gpuStorage(g, 'grad'), gpuStorage(mean, 'mean'), gpuStorage(invstd, 'invstd'), gpuStorage(t1), gpuStorage(t2)];
  if (w) bindings.push(gpuStorage(w, 'weight'));
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read> INV: array<f32>;
@group(0) @binding(5) var<storage, read_write> T1: array<f32>;
@group(0) @binding(6) var<storage, read_write> T2: array<f32>;
${w ? '@group(0) @binding(7) var<storage, read> W: array<f32>;' : ''}
var<workgroup> red: array<vec2<f32>, ${wg}>;
${ROW_ADDR}
fn srow(e: u32) -> u32 { return (e / P(5u)) % P(6u); }
fn aff(e: u32) -> u32 { return (e / P(7u)) % P(8u); }
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) t: u32) {
  let q0 = wid.x + wid.y * nw.x;
  if (q0 >= P(0u)) { return; }
  let r = q0 / P(9u);
  let j0 = (q0 % P(9u)) * P(10u);
  let j1 = min(j0 + P(10u), P(1u));
  var s = vec2<f32>(0.0, 0.0);
  for (var j = j0 + t; j < j1; j += ${wg}u) {
    let e = addr(r, j);
    let q = srow(e);
    let gf = G[e]${w ? ' * W[aff(e)]' : ''};
    s += vec2<f32>(gf, gf * (X[e] - MEAN[q]) * INV[q]);
  }
  red[t] = s;
  ${treeReduce(wg)}
  if (t == 0u) { T1[q0] = red[0].x; T2[q0] = red[0].y; }
}`;
  b.run({ label: `${op} row sums [${x.shape.join(', ')}]${K > 1 ? ` (${K} chunks per row)` : ''}`, key: `norm_sums|${!!w}|${wg}`, wgsl, bindings,
    uniforms: [L.rows * K, L.M, L.A, L.S, L.ST, maps.rd, maps.rn, maps.ad, maps.an, K, CH], groups: rowGroups(L.rows * K, wg) });
  if (K === 1) return [t1, t2];
  const merge = (t: Tensor): Tensor => runReduce(`${op} row sums (chunks)`, t.withShape([L.rows, K]), [L.rows, 1], '0', 'acc + x', 'acc', 'float32').withShape([L.rows]);
  return [merge(t1), merge(t2)];
}

/** Rows of a block in the first stage of columnSums. */
const COL_BLOCK = 32;

/**
 * For a [R, C] layout (element e in column e % C): T1[c] = sum g, T2[c] = sum g*xhat per column.
 * Stage 1: one thread per (block of COL_BLOCK rows, column), reading along rows, so neighbouring
 * threads read neighbouring words; stage 2: the reduction over blocks.
 */
function columnSums(op: string, x: Tensor, g: Tensor, mean: Tensor, invstd: Tensor, C: number, maps: Maps): [Tensor, Tensor] {
  const b = webgpuBackend();
  const R = x.numel / C;
  const B = Math.max(1, Math.ceil(R / COL_BLOCK));
  const p1 = gpuEmpty(b, [B, C], 'float32', op), p2 = gpuEmpty(b, [B, C], 'float32', op);
  const n = B * C;
  if (n > 0) {
    const wg = b.params.elementwiseWorkgroup;
    b.run({
      label: `${op} column sums [${R}, ${C}]`, key: `norm_colsums|${wg}`,
      wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read> INV: array<f32>;
@group(0) @binding(5) var<storage, read_write> P1: array<f32>;
@group(0) @binding(6) var<storage, read_write> P2: array<f32>;
fn srow(e: u32) -> u32 { return (e / P(3u)) % P(4u); }
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let C = P(1u);
  let c = i % C;
  let r0 = (i / C) * ${COL_BLOCK}u;
  let r1 = min(r0 + ${COL_BLOCK}u, P(2u));
  var s1 = 0.0; var s2 = 0.0;
  for (var r = r0; r < r1; r++) {
    let e = r * C + c;
    let q = srow(e);
    let gv = G[e];
    s1 += gv; s2 += gv * (X[e] - MEAN[q]) * INV[q];
  }
  P1[i] = s1; P2[i] = s2;
}`,
      bindings: [gpuStorage(x), gpuStorage(g, 'grad'), gpuStorage(mean, 'mean'), gpuStorage(invstd, 'invstd'), gpuStorage(p1), gpuStorage(p2)],
      uniforms: [n, C, R, maps.rd, maps.rn], groups: b.grid(n, wg),
    });
  }
  const sum = (t: Tensor): Tensor => runReduce(`${op} column sums`, t, [1, C], '0', 'acc + x', 'acc', 'float32').withShape([C]);
  return [sum(p1), sum(p2)];
}

/**
 * dx = invstd * wOut / M * (M * g * wIn - S1 - xhat * S2) per element (training), where batch
 * norm has w outside the row sums (wOut = w[aff], wIn = 1) and layer / group norm inside
 * (wOut = 1, wIn = w[aff]); eval batch norm: dx = g * w * invstd.
 */
function inputGrad(op: string, x: Tensor, g: Tensor, mean: Tensor, invstd: Tensor, w: Tensor | null, s1: Tensor, s2: Tensor, M: number, maps: Maps, mode: 'bn' | 'row' | 'eval'): Tensor {
  const b = webgpuBackend();
  const dx = gpuEmpty(b, x.shape, 'float32', op);
  const n = x.numel;
  if (n === 0) return dx;
  const wg = b.params.elementwiseWorkgroup;
  const bindings = [gpuStorage(x), gpuStorage(g, 'grad'), gpuStorage(mean, 'mean'), gpuStorage(invstd, 'invstd'), gpuStorage(s1), gpuStorage(s2), gpuStorage(dx)];
  if (w) bindings.push(gpuStorage(w, 'weight'));
  const wv = w ? 'W[aff(i)]' : '1.0';
  // (eval touches S1/S2 with phony assignments so the auto layout keeps their bindings)
  const body = mode === 'eval' ? `_ = S1[0]; _ = S2[0]; DX[i] = G[i] * ${wv} * INV[r];`
    : mode === 'bn' ? `DX[i] = INV[r] * ${wv} / M * (M * G[i] - S1[r] - xh * S2[r]);`
    : `DX[i] = INV[r] / M * (M * G[i] * ${wv} - S1[r] - xh * S2[r]);`;
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read> INV: array<f32>;
@group(0) @binding(5) var<storage, read> S1: array<f32>;
@group(0) @binding(6) var<storage, read> S2: array<f32>;
@group(0) @binding(7) var<storage, read_write> DX: array<f32>;
${w ? '@group(0) @binding(8) var<storage, read> W: array<f32>;' : ''}
${ELEM_MAPS}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let r = srow(i);
  let M = F(1u);
  let xh = (X[i] - MEAN[r]) * INV[r];
  ${body}
}`;
  b.run({ label: `${op} input gradient [${x.shape.join(', ')}]`, key: `norm_dx|${mode}|${!!w}|${wg}`, wgsl, bindings,
    uniforms: [n, f32Bits(M), maps.rd, maps.rn, maps.ad, maps.an], groups: b.grid(n, wg) });
  return dx;
}

function savedTensor(v: unknown, what: string, op: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`${op}: the saved ${what} is not a WebGPU tensor (was the forward run on another backend?)`);
}

export function registerNormWebgpu(): void {
  const bnLayout = (x: Tensor): { C: number; S: number; L: Rows; maps: Maps } => {
    const N = x.shape[0]!, C = x.ndim > 1 ? x.shape[1]! : 1, S = numelOf(x.shape.slice(2));
    return { C, S, L: { rows: C, M: N * S, A: S, S, ST: C * S }, maps: { rd: S, rn: C, ad: S, an: C } };
  };
  registerKernel('batch_norm', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const rm = optTensor(args.running_mean), rv = optTensor(args.running_var);
    const w = optTensor(args.weight), bias = optTensor(args.bias);
    const training = bool(args.training, false);
    const eps = num(args.eps, 1e-5);
    const { L, maps } = bnLayout(x);
    let st: { mean: Tensor; invstd: Tensor };
    if (training) {
      if (L.M <= 1) throw new Error(`expected more than 1 value per channel when training, got input Tensor[${x.shape.join(', ')}]`);
      if ((rm || rv) && args.momentum === null) throw new Error('batch_norm: momentum=None (cumulative moving average) is not supported by the embedded engine yet');
      st = stats('batch_norm', x, L, eps, rm, rv, num(args.momentum, 0.1));
    } else {
      if (!rm || !rv) throw new Error('batch_norm in eval mode needs running_mean and running_var');
      st = evalStats(rm, rv, eps);
    }
    ctx.saved.mean = st.mean; ctx.saved.invstd = st.invstd;
    return apply('batch_norm', x, st.mean, st.invstd, w, bias, maps);
  });
  registerKernel('_batch_norm_grad', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const w = optTensor(args.weight);
    const mean = savedTensor(args.mean, 'mean', 'batch_norm backward'), invstd = savedTensor(args.invstd, 'invstd', 'batch_norm backward');
    const { L, maps } = bnLayout(x);
    // Row sums without w: sum g = db, sum g*xhat = dw.
    const [db, dw] = rowSums('batch_norm backward', x, g, mean, invstd, null, L, maps);
    const dx = inputGrad('batch_norm backward', x, g, mean, invstd, w, db, dw, L.M, maps, args.training === true ? 'bn' : 'eval');
    return [dx, dw, db];
  });

  registerKernel('layer_norm', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const ns = intList(args.normalized_shape);
    const inner = numelOf(ns), rows = x.numel / Math.max(1, inner);
    if (x.shape.slice(x.ndim - ns.length).join() !== ns.join()) throw new Error(`normalized_shape [${ns.join(', ')}] does not match the input's trailing dims (Tensor[${x.shape.join(', ')}])`);
    const st = stats('layer_norm', x, { rows, M: inner, A: inner, S: Math.max(1, inner), ST: 0 }, num(args.eps, 1e-5), null, null, 0);
    ctx.saved.mean = st.mean; ctx.saved.invstd = st.invstd;
    return apply('layer_norm', x, st.mean, st.invstd, optTensor(args.weight), optTensor(args.bias), { rd: Math.max(1, inner), rn: Math.max(1, rows), ad: 1, an: Math.max(1, inner) });
  });
  registerKernel('group_norm', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const G = num(args.num_groups, 1);
    const N = x.shape[0]!, C = x.shape[1]!, S = numelOf(x.shape.slice(2));
    if (C % G !== 0) throw new Error(`expected the number of channels (${C}) to be divisible by num_groups (${G})`);
    const inner = (C / G) * S;
    const st = stats('group_norm', x, { rows: N * G, M: inner, A: inner, S: Math.max(1, inner), ST: 0 }, num(args.eps, 1e-5), null, null, 0);
    ctx.saved.mean = st.mean; ctx.saved.invstd = st.invstd;
    return apply('group_norm', x, st.mean, st.invstd, optTensor(args.weight), optTensor(args.bias), { rd: Math.max(1, inner), rn: Math.max(1, N * G), ad: Math.max(1, S), an: Math.max(1, C) });
  });
  // layer_norm / group_norm backward. The grad's arguments describe the affine index of element
  // i of row r as (i / affDiv + (r % rowOff) * (inner / affDiv)) % affMod; for contiguous rows
  // that is (e / affDiv) % affMod over the flat index e (layer norm: rowOff 0 and affMod = inner;
  // group norm: affMod = C channels of affDiv = S elements).
  registerKernel('_row_norm_grad', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const w = optTensor(args.weight);
    const mean = savedTensor(args.mean, 'mean', 'norm backward'), invstd = savedTensor(args.invstd, 'invstd', 'norm backward');
    const rows = mean.numel, inner = rows > 0 ? x.numel / rows : 0;
    const affDiv = Math.max(1, args.affDiv as number), affMod = Math.max(1, args.affMod as number);
    const maps: Maps = { rd: Math.max(1, inner), rn: Math.max(1, rows), ad: affDiv, an: affMod };
    const L: Rows = { rows, M: inner, A: inner, S: Math.max(1, inner), ST: 0 };
    const [s1, s2] = rowSums('norm backward', x, g, mean, invstd, w, L, maps);
    const dx = inputGrad('norm backward', x, g, mean, invstd, w, s1, s2, inner, maps, 'row');
    // dw[a] = sum g*xhat and db[a] = sum g over the elements of affine index a. Layer norm
    // (affDiv 1): column sums, in two coalesced stages; group norm: the same row sums over a
    // strided layout (row a, element j at a*affDiv + (j / affDiv)*affDiv*affMod + j % affDiv).
    const La: Rows = { rows: affMod, M: x.numel / affMod, A: affDiv, S: affDiv, ST: affDiv * affMod };
    const [db, dw] = affDiv === 1 ? columnSums('norm backward', x, g, mean, invstd, affMod, maps) : rowSums('norm backward', x, g, mean, invstd, null, La, maps);
    const wShape = args.wShape as number[];
    return [dx, dw.withShape(wShape), db.withShape(wShape)];
  });
}
