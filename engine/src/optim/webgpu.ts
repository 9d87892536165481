// The optimizers' and clip_grad_norm_'s WebGPU kernels: one in-place dispatch per parameter that
// reads its gradient, updates the parameter and its state buffers, and takes the per-step scalars
// (lr, Adam's bias corrections, ...) from a row of a small persistent storage that the host writes
// before the step (optimizer.ts prepareStep). Uniforms hold only what is the same every step
// (numel, row, betas, eps, weight decay), so a captured step replays these dispatches unchanged.
//
// The arithmetic follows the CPU path op by op (optimizer.ts update()), in f32.
// One dispatch per parameter, not one per parameter group: a perfectly fused update (one
// dispatch over the same number of values) measured no faster on lavapipe for the Fashion CNN and
// MLP parameter sets (bench/optim_fusion.ts), and separate parameter buffers would need either a
// binding per tensor or one flat parameter buffer.
import { UNIFORM_HEADER, f32Bits, type GpuStorage, type WebGPUBackend } from '../backends/webgpu/backend.js';

/** f32 words per parameter row in an optimizer's scalars storage. */
export const ROW = 4;

// Rows: SGD [lr, fresh (1 until the momentum buffer exists)]; Adam/AdamW [-lr/bc1, sqrt(bc2), 1-lr*wd].
export const SGD_LR = 0, SGD_FRESH = 1;
export const ADAM_NEG_STEP = 0, ADAM_BC2_SQRT = 1, ADAM_DECAY = 2;

const INDEX = (wg: number) => `let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let r = P(1u) * ${ROW}u;`;

export interface SgdConsts { readonly weightDecay: number; readonly momentum: number; readonly dampening: number; readonly nesterov: boolean }

/** SGD (momentum, dampening, nesterov, weight decay) on one parameter, in place. */
export function sgdDispatch(b: WebGPUBackend, label: string, p: GpuStorage, g: GpuStorage, buf: GpuStorage | null, scalars: GpuStorage, row: number, c: SgdConsts): void {
  const wg = b.params.elementwiseWorkgroup;
  const wd = c.weightDecay !== 0, mom = c.momentum !== 0;
  const [gx, gy] = b.grid(p.numel, wg);
  b.run({
    label: `sgd ${label}`, key: `optim_sgd|${wg}|${+wd}${+mom}${+c.nesterov}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> W: array<f32>;
${mom ? '@group(0) @binding(4) var<storage, read_write> B: array<f32>;' : ''}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  ${INDEX(wg)}
  var d = G[i];
  ${wd ? 'd = d + F(2u) * W[i];' : ''}
  ${mom ? `var m = d;
  if (S[r + ${SGD_FRESH}u] == 0.0) { m = B[i] * F(3u) + F(4u) * d; }
  B[i] = m;
  ${c.nesterov ? 'd = d + F(3u) * m;' : 'd = m;'}` : ''}
  W[i] = W[i] + (-S[r + ${SGD_LR}u]) * d;
}`,
    bindings: mom ? [scalars, g, p, buf!] : [scalars, g, p],
    uniforms: [p.numel, row, f32Bits(c.weightDecay), f32Bits(c.momentum), f32Bits(1 - c.dampening)],
    groups: [gx, gy],
  });
}

export interface AdamConsts { readonly beta1: number; readonly beta2: number; readonly eps: number; readonly weightDecay: number; readonly decoupled: boolean }

/** Adam / AdamW on one parameter and its exp_avg / exp_avg_sq, in place. */
export function adamDispatch(b: WebGPUBackend, label: string, p: GpuStorage, g: GpuStorage, m: GpuStorage, v: GpuStorage, scalars: GpuStorage, row: number, c: AdamConsts): void {
  const wg = b.params.elementwiseWorkgroup;
  const decay = c.weightDecay !== 0 ? (c.decoupled ? 'pi = pi * S[r + ' + ADAM_DECAY + 'u];' : 'gi = gi + F(6u) * pi;') : '';
  const [gx, gy] = b.grid(p.numel, wg);
  b.run({
    label: `${c.decoupled ? 'adamw' : 'adam'} ${label}`, key: `optim_adam|${wg}|${c.weightDecay !== 0 ? (c.decoupled ? 'dw' : 'wd') : 'no'}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> W: array<f32>;
@group(0) @binding(4) var<storage, read_write> M: array<f32>;
@group(0) @binding(5) var<storage, read_write> V: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  ${INDEX(wg)}
  var gi = G[i];
  var pi = W[i];
  ${decay}
  let mi = M[i] * F(2u) + gi * F(3u);
  let vi = V[i] * F(4u) + (gi * gi) * F(5u);
  M[i] = mi;
  V[i] = vi;
  let denom = sqrt(vi) / S[r + ${ADAM_BC2_SQRT}u] + F(7u);
  W[i] = pi + S[r + ${ADAM_NEG_STEP}u] * (mi / denom);
}`,
    bindings: [scalars, g, p, m, v],
    uniforms: [p.numel, row, f32Bits(c.beta1), f32Bits(1 - c.beta1), f32Bits(c.beta2), f32Bits(1 - c.beta2), f32Bits(c.weightDecay), f32Bits(c.eps)],
    groups: [gx, gy],
  });
}

// ---- clip_grad_norm_ ---------------------------------------------------------------------------
// Storage layout: [0] total norm, [1] clip coefficient min(1, max_norm/(total+1e-6)), then
// PARTS partial sums of squares per gradient. Every sum is a tree of f32 partial sums (each
// thread adds at most numel/(PARTS*256) squares) so the f32 total stays within ~1e-7 of the
// CPU's double sum.
const PARTS = 64;
const CLIP_WG = 256;

export function clipStorageSize(nGrads: number): number { return 2 + nGrads * PARTS; }

/** Sums of squares of one gradient into its PARTS slots (slot j). Unused slots stay zero. */
export function clipSumSquares(b: WebGPUBackend, label: string, g: GpuStorage, s: GpuStorage, j: number): void {
  const groups = Math.max(1, Math.min(PARTS, Math.ceil(g.numel / CLIP_WG)));
  b.run({
    label: `clip_grad_norm sumsq ${label}`, key: 'clip_sumsq',
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> S: array<f32>;
var<workgroup> part: array<f32, ${CLIP_WG}>;
@compute @workgroup_size(${CLIP_WG}) fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) w: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let n = P(0u);
  let stride = nw.x * ${CLIP_WG}u;
  var acc = 0.0;
  for (var i = w.x * ${CLIP_WG}u + t; i < n; i = i + stride) { let x = G[i]; acc = acc + x * x; }
  part[t] = acc;
  workgroupBarrier();
  for (var k = ${CLIP_WG / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { part[t] = part[t] + part[t + k]; }
    workgroupBarrier();
  }
  if (t == 0u) { S[2u + P(1u) * ${PARTS}u + w.x] = part[0]; }
}`,
    bindings: [g, s], uniforms: [g.numel, j], groups: [groups],
  });
}

/** Total norm and clip coefficient from the partial sums (one workgroup). */
export function clipTotal(b: WebGPUBackend, s: GpuStorage, nGrads: number, maxNorm: number): void {
  b.run({
    label: `clip_grad_norm total (${nGrads} grads)`, key: 'clip_total',
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read_write> S: array<f32>;
var<workgroup> part: array<f32, ${CLIP_WG}>;
@compute @workgroup_size(${CLIP_WG}) fn main(@builtin(local_invocation_index) t: u32) {
  let n = P(0u);
  var acc = 0.0;
  for (var i = t; i < n; i = i + ${CLIP_WG}u) { acc = acc + S[2u + i]; }
  part[t] = acc;
  workgroupBarrier();
  for (var k = ${CLIP_WG / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { part[t] = part[t] + part[t + k]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let total = sqrt(part[0]);
    S[0] = total;
    S[1] = min(1.0, F(1u) / (total + 1e-6));
  }
}`,
    bindings: [s], uniforms: [nGrads * PARTS, f32Bits(maxNorm)], groups: [1],
  });
}

/** g *= coefficient, when it is below 1 (as the CPU path: no rounding pass otherwise). */
export function clipScale(b: WebGPUBackend, label: string, g: GpuStorage, s: GpuStorage): void {
  const wg = b.params.elementwiseWorkgroup;
  const [gx, gy] = b.grid(g.numel, wg);
  b.run({
    label: `clip_grad_norm scale ${label}`, key: `clip_scale|${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read_write> G: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let c = S[1];
  if (c < 1.0) { G[i] = G[i] * c; }
}`,
    bindings: [s, g], uniforms: [g.numel], groups: [gx, gy],
  });
}

