// WebGPU kernels of the loss family: cross_entropy fused with log_softmax (and nll_loss) for the common case
// (logits [N, C], integer class targets, optional ignore_index, no class weights, no label
// smoothing, mean or sum), forward and gradient; other class-loss cases use the CPU fallback.
// Pointwise losses (mse, l1, smooth_l1, huber, kl_div, bce, ...) are generic maps and reductions
// over the same expression table the CPU kernels are generated from (cpu.ts POINT_LOSSES).
import { getKernel, registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runMap, runReduce, sumToShape, type MapOperand } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { fallback } from '../../backends/webgpu/fallback.js';
import { num } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';
import { POINT_LOSSES, reductionOf, type PointLoss } from './cpu.js';

function fusedCase(args: OpArgs): { x: Tensor; t: Tensor; red: 'mean' | 'sum'; ii: number } | null {
  const x = args.input, t = args.target;
  if (!(x instanceof Tensor) || !(t instanceof Tensor) || x.ndim !== 2 || t.ndim !== 1 || t.dtype === 'float32' || t.numel !== x.shape[0]) return null;
  if (args.weight instanceof Tensor || num(args.label_smoothing, 0) !== 0) return null;
  const red = reductionOf(args);
  if (red !== 'mean' && red !== 'sum') return null;
  return { x, t, red, ii: num(args.ignore_index, -100) };
}

// Row loss: logsumexp(x_n) - x_n[t_n] (0 where ignored); the count of kept rows for 'mean'.
const ROW = `
fn rowStats(n: u32, C: u32) -> vec2f {
  var m = X[n * C];
  for (var c = 1u; c < C; c++) { m = max(m, X[n * C + c]); }
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += exp(X[n * C + c] - m); }
  return vec2f(m, log(s) + m);
}
fn kept(N: u32, ii: i32) -> f32 {
  var k = 0.0;
  for (var n = 0u; n < N; n++) { if (T[n] != ii) { k += 1.0; } }
  return k;
}`;

function pointParams(e: PointLoss, args: OpArgs): number[] {
  return (e.params ?? []).map((p) => (p.name === 'log_target' ? (args.log_target === true ? 1 : 0) : num(args[p.name], p.default)));
}

/** Elementwise loss values (or their derivative) over the broadcast shape, times the optional weight. */
function pointMap(e: PointLoss, args: OpArgs, expr: string, what: string): Tensor {
  const x = args.input, t = args.target;
  if (!(x instanceof Tensor) || !(t instanceof Tensor)) throw new Error(`${e.name}: input and target must be tensors`);
  const names = (e.params ?? []).map((p) => p.name);
  let params = pointParams(e, args);
  const ops: MapOperand[] = [{ name: 'x', value: x }, { name: 't', value: t }];
  let paramNames = names;
  if (args.pos_weight instanceof Tensor) {
    // pos_weight is a tensor operand (per class), not the scalar parameter of the same name.
    ops.push({ name: 'pw', value: args.pos_weight });
    paramNames = names.filter((n) => n !== 'pw');
    params = params.slice(1);
  }
  const vals = runMap(`${e.name} ${what}`, expr, ops, paramNames, params, 'float32');
  return args.weight instanceof Tensor ? runMap(`${e.name} weight`, 'v * w', [{ name: 'v', value: vals }, { name: 'w', value: args.weight }], [], [], 'float32') : vals;
}

/** The reduction's divisor: 1 (sum), the element count (mean) or the batch size (batchmean). */
function divisor(red: string, x: Tensor, n: number): number {
  return red === 'sum' ? 1 : red === 'batchmean' ? (x.shape[0] ?? 1) : n;
}

export function registerLossWebgpu(): void {
  for (const e of POINT_LOSSES) {
    registerKernel(e.name, 'webgpu', (args) => {
      const vals = pointMap(e, args, e.loss, 'loss');
      const red = reductionOf(args);
      if (red === 'none') return vals;
      const sum = runReduce(e.name, vals, vals.shape.map(() => 1), '0', 'acc + x', 'acc', 'float32');
      const k = 1 / divisor(red, args.input as Tensor, vals.numel);
      return (k === 1 ? sum : runMap(`${e.name} ${red}`, 's * k', [{ name: 's', value: sum }], ['k'], [k], 'float32')).withShape([]);
    });
  }
  registerKernel('_point_loss_grad', 'webgpu', (args) => {
    const e = POINT_LOSSES.find((p) => p.name === args.name);
    if (!e) throw new Error(`_point_loss_grad: unknown loss '${String(args.name)}'`);
    const opArgs = args.opArgs as unknown as OpArgs;
    const which = args.which as 'input' | 'target';
    const g = args.grad as Tensor;
    const vals = pointMap(e, opArgs, which === 'input' ? e.dx : e.dt!, `d${which}`);
    const red = reductionOf(opArgs);
    const scaled = red === 'none'
      ? runMap(`${e.name} backward`, 'v * g', [{ name: 'v', value: vals }, { name: 'g', value: g }], [], [], 'float32')
      : runMap(`${e.name} backward`, 'v * g * k', [{ name: 'v', value: vals }, { name: 'g', value: g.withShape([]) }], ['k'], [1 / divisor(red, opArgs.input as Tensor, vals.numel)], 'float32');
    return sumToShape(scaled, (which === 'input' ? opArgs.input as Tensor : opArgs.target as Tensor).shape);
  });

  const cpuCe = getKernel('cross_entropy', 'cpu'), cpuNll = getKernel('nll_loss', 'cpu'), cpuGrad = getKernel('_class_loss_grad', 'cpu');
  const fbCe: Kernel | null = cpuCe ? (a, c) => fallback('cross_entropy', cpuCe, webgpuBackend())(a, c) : null;
  const fbNll: Kernel | null = cpuNll ? (a, c) => fallback('nll_loss', cpuNll, webgpuBackend())(a, c) : null;
  const fbGrad: Kernel | null = cpuGrad ? (a, c) => fallback('_class_loss_grad', cpuGrad, webgpuBackend())(a, c) : null;

  // cross_entropy (from logits) and nll_loss (from log-probabilities) share the kernels: the row
  // loss is logsumexp(x_n) - x_n[t] or -x_n[t], the gradient softmax(x_n) - onehot or -onehot.
  const classLoss = (name: 'cross_entropy' | 'nll_loss', fb: Kernel | null): Kernel => (args, ctx) => {
    const f = fusedCase(args);
    const logits = name === 'cross_entropy';
    if (!f) { if (!fb) throw new Error(`${name}: this case has no WebGPU kernel`); return fb(args, ctx); }
    const b = webgpuBackend();
    const [N, C] = f.x.shape as [number, number];
    const rows = gpuEmpty(b, [N], 'float32', 'cross_entropy');
    if (N > 0) {
      const wg = b.params.reduceWorkgroup;
      const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<i32>;
@group(0) @binding(3) var<storage, read_write> L: array<f32>;
${ROW}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x; let N = P(0u); let C = P(1u); let ii = bitcast<i32>(P(2u));
  if (n >= N) { return; }
  let t = T[n];
  if (t == ii) { L[n] = 0.0; return; }
  // An out-of-range class gives NaN (the CPU kernel reports it); never an out-of-bounds read.
  if (t < 0 || u32(t) >= C) { L[n] = bitcast<f32>(0x7fc00000u + P(3u)); return; }
  var l = -X[n * C + u32(t)];
  if (P(5u) == 1u) { l += rowStats(n, C).y; }
  if (P(4u) == 1u) { l = l / max(kept(N, ii), 1.0); }
  L[n] = l;
}`;
      b.run({ label: `${name} [${N}, ${C}]`, key: `ce|${wg}`, wgsl, bindings: [gpuStorage(f.x), gpuStorage(f.t), gpuStorage(rows)],
        uniforms: [N, C, f.ii >>> 0, 0, f.red === 'mean' ? 1 : 0, logits ? 1 : 0], groups: [Math.ceil(N / wg)] });
    }
    return runReduce(name, rows, [1], '0', 'acc + x', 'acc', 'float32').withShape([]);
  };
  registerKernel('cross_entropy', 'webgpu', classLoss('cross_entropy', fbCe));
  registerKernel('nll_loss', 'webgpu', classLoss('nll_loss', fbNll));

  registerKernel('_class_loss_grad', 'webgpu', (args, ctx) => {
    const opArgs = args.opArgs as unknown as OpArgs;
    const f = fusedCase(opArgs);
    const logits = args.fromLogits === true;
    const g = args.grad;
    if (!f || !(g instanceof Tensor) || g.numel !== 1) { if (!fbGrad) throw new Error('_class_loss_grad: no kernel'); return fbGrad(args, ctx); }
    const b = webgpuBackend();
    const [N, C] = f.x.shape as [number, number];
    const out = gpuEmpty(b, [N, C], 'float32', 'cross_entropy backward');
    if (out.numel === 0) return out;
    const wg = b.params.elementwiseWorkgroup;
    // dx[n, c] = g * (softmax(x_n)[c] - [c == t_n]) (/ kept rows for 'mean'); 0 on ignored rows.
    const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> T: array<i32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@group(0) @binding(4) var<storage, read_write> O: array<f32>;
${ROW}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  let N = P(0u); let C = P(1u); let ii = bitcast<i32>(P(2u));
  if (i >= N * C) { return; }
  let n = i / C; let c = i % C; let t = T[n];
  if (t == ii) { O[i] = 0.0; return; }
  var d = 0.0;
  if (P(4u) == 1u) { d = exp(X[i] - rowStats(n, C).y); }
  if (i32(c) == t) { d -= 1.0; }
  var scale = G[0];
  if (P(3u) == 1u) { scale = scale / max(kept(N, ii), 1.0); }
  O[i] = d * scale;
}`;
    const [gx, gy] = b.grid(out.numel, wg);
    b.run({ label: `${logits ? 'cross_entropy' : 'nll_loss'} backward [${N}, ${C}]`, key: `ce_grad|${wg}`, wgsl, bindings: [gpuStorage(f.x), gpuStorage(f.t), gpuStorage(g), gpuStorage(out)],
      uniforms: [N, C, f.ii >>> 0, f.red === 'mean' ? 1 : 0, logits ? 1 : 0], groups: [gx, gy] });
    return out;
  });
}
