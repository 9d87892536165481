// CPU kernels of the loss family. Class losses (cross_entropy, nll_loss) share one routine that
// computes the loss and, on request, the input gradient directly (softmax - coefficients), with
// ignore_index, class weights, label smoothing and probability targets. Pointwise losses are a
// data table of (loss, d/dinput, d/dtarget) expressions, generated like the elementwise family.
import { registerKernel } from '../../backends/kernel_registry.js';
import { compileMap, planBroadcast } from '../../backends/cpu/codegen.js';
import { data, empty, f32, num, numelOf, optTensor, tensorArg } from '../../backends/cpu/util.js';
import { sumToShape } from '../elementwise/cpu.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';

export function reductionOf(args: OpArgs): 'none' | 'mean' | 'sum' | 'batchmean' {
  // Legacy size_average/reduce flags override reduction when given (PyTorch semantics).
  if (args.reduce === false) return 'none';
  if (args.size_average === false) return 'sum';
  const r = args.reduction ?? 'mean';
  if (r !== 'none' && r !== 'mean' && r !== 'sum' && r !== 'batchmean') throw new Error(`reduction must be 'none', 'mean' or 'sum' (got '${String(r)}')`);
  return r;
}

/** Loss (and optionally d input) of cross_entropy (fromLogits) / nll_loss. */
export function classLoss(args: OpArgs, fromLogits: boolean, grad: Tensor | null): Tensor {
  const x = tensorArg(args.input, 'input'), target = tensorArg(args.target, 'target');
  const unbatched = x.ndim === 1;
  const N = unbatched ? 1 : x.shape[0]!, C = unbatched ? x.shape[0]! : x.shape[1]!, S = unbatched ? 1 : numelOf(x.shape.slice(2));
  const X = f32(x), T = data(target);
  const probs = target.dtype === 'float32';
  if (probs && !fromLogits) throw new Error('nll_loss expects class indices (an integer target)');
  if (probs && target.numel !== x.numel) throw new Error(`probability target Tensor[${target.shape.join(', ')}] must have the input's shape [${x.shape.join(', ')}]`);
  if (!probs && target.numel !== N * S) throw new Error(`target Tensor[${target.shape.join(', ')}] does not match the input Tensor[${x.shape.join(', ')}] (expected ${N * S} class indices)`);
  const w = optTensor(args.weight);
  const Wt = w ? f32(w) : null;
  const ii = num(args.ignore_index, -100);
  const ls = fromLogits ? num(args.label_smoothing, 0) : 0;
  const red = reductionOf(args);
  // log-probabilities, [N, C, S] layout
  let logp: Float32Array | Float64Array = X;
  if (fromLogits) {
    const lp = new Float64Array(X.length);
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
      const base = n * C * S + s;
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, X[base + c * S]!);
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(X[base + c * S]! - m);
      const lz = Math.log(z) + m;
      for (let c = 0; c < C; c++) lp[base + c * S] = X[base + c * S]! - lz;
    }
    logp = lp;
  }
  const E = N * S;
  const lossE = new Float64Array(E);
  const wtE = new Float64Array(E); // per-element weight used by 'mean'
  for (let e = 0; e < E; e++) {
    const n = Math.floor(e / S), s = e % S, base = n * C * S + s;
    if (probs) {
      let l = 0;
      for (let c = 0; c < C; c++) { const tc = T[base + c * S]! * (1 - ls) + ls / C; l -= (Wt ? Wt[c]! : 1) * tc * logp[base + c * S]!; }
      lossE[e] = l; wtE[e] = 1;
      continue;
    }
    const t = T[e]!;
    if (t === ii) continue;
    if (t < 0 || t >= C) throw new Error(`target ${t} is out of bounds for ${C} classes`);
    const wt = Wt ? Wt[t]! : 1;
    let l = -(1 - ls) * wt * logp[base + t * S]!;
    if (ls > 0) { let sm = 0; for (let c = 0; c < C; c++) sm -= (Wt ? Wt[c]! : 1) * logp[base + c * S]!; l += (ls / C) * sm; }
    lossE[e] = l; wtE[e] = wt;
  }
  let denom = 0;
  for (let e = 0; e < E; e++) denom += wtE[e]!;
  if (grad === null) {
    if (red === 'none') {
      const out = empty(unbatched ? [] : [N, ...x.shape.slice(2)], 'float32');
      f32(out).set(lossE);
      return out;
    }
    let total = 0;
    for (let e = 0; e < E; e++) total += lossE[e]!;
    const out = empty([], 'float32');
    f32(out)[0] = red === 'sum' ? total : total / denom;
    return out;
  }
  // d input: scale_e * d loss_e / d input
  const G = f32(grad);
  const dx = empty(x.shape, 'float32');
  const DX = f32(dx);
  for (let e = 0; e < E; e++) {
    const n = Math.floor(e / S), s = e % S, base = n * C * S + s;
    const sc = red === 'none' ? G[e]! : red === 'sum' ? G[0]! : G[0]! / denom;
    if (sc === 0) continue;
    let qsum = 0;
    const q = (c: number): number => {
      if (probs) return (Wt ? Wt[c]! : 1) * (T[base + c * S]! * (1 - ls) + ls / C);
      const t = T[e]!;
      if (t === ii) return 0;
      return (c === t ? (1 - ls) * (Wt ? Wt[t]! : 1) : 0) + (ls / C) * (Wt ? Wt[c]! : 1);
    };
    if (!probs && T[e] === ii) continue;
    for (let c = 0; c < C; c++) qsum += q(c);
    for (let c = 0; c < C; c++) {
      const k = base + c * S;
      DX[k] = fromLogits ? sc * (Math.exp(logp[k]!) * qsum - q(c)) : -sc * q(c);
    }
  }
  return dx;
}

// ---- pointwise losses as a table ------------------------------------------------------------
export interface PointLoss { name: string; params?: { name: string; default: number }[]; loss: string; dx: string; dt: string | null }
export const POINT_LOSSES: readonly PointLoss[] = [
  { name: 'mse_loss', loss: '(x - t) * (x - t)', dx: '2 * (x - t)', dt: '-2 * (x - t)' },
  { name: 'l1_loss', loss: 'abs(x - t)', dx: 'sign(x - t)', dt: '-sign(x - t)' },
  { name: 'smooth_l1_loss', params: [{ name: 'beta', default: 1 }], loss: 'abs(x - t) < beta ? 0.5 * (x - t) * (x - t) / beta : abs(x - t) - 0.5 * beta',
    dx: 'abs(x - t) < beta ? (x - t) / beta : sign(x - t)', dt: 'abs(x - t) < beta ? (t - x) / beta : -sign(x - t)' },
  { name: 'huber_loss', params: [{ name: 'delta', default: 1 }], loss: 'abs(x - t) <= delta ? 0.5 * (x - t) * (x - t) : delta * (abs(x - t) - 0.5 * delta)',
    dx: 'abs(x - t) <= delta ? (x - t) : delta * sign(x - t)', dt: 'abs(x - t) <= delta ? (t - x) : -delta * sign(x - t)' },
  { name: 'kl_div', params: [{ name: 'log_target', default: 0 }], loss: 'log_target > 0.5 ? exp(t) * (t - x) : (t > 0 ? t * (log(t) - x) : 0)',
    dx: 'log_target > 0.5 ? -exp(t) : -t', dt: 'log_target > 0.5 ? exp(t) * (t - x + 1) : (t > 0 ? log(t) - x + 1 : 0)' },
  { name: 'soft_margin_loss', loss: 'log1p(exp(-t * x))', dx: '-t * sigmoid(-t * x)', dt: '-x * sigmoid(-t * x)' },
  { name: 'binary_cross_entropy', loss: '-(t * max(log(x), -100) + (1 - t) * max(log(1 - x), -100))',
    dx: '(x - t) / max((1 - x) * x, 1e-12)', dt: 'max(log(1 - x), -100) - max(log(x), -100)' },
  { name: 'binary_cross_entropy_with_logits', params: [{ name: 'pw', default: 1 }],
    loss: '(1 - t) * x + (1 + (pw - 1) * t) * (log1p(exp(-abs(x))) + max(-x, 0))',
    dx: 'sigmoid(x) * (pw * t + 1 - t) - pw * t', dt: '-x + (pw - 1) * (log1p(exp(-abs(x))) + max(-x, 0))' },
];
const pointByName = new Map(POINT_LOSSES.map((e) => [e.name, e]));

function pointParams(e: PointLoss, args: OpArgs): number[] {
  return (e.params ?? []).map((p) => (p.name === 'log_target' ? (args.log_target === true ? 1 : 0) : num(args[p.name], p.default)));
}

/** Elementwise loss values (broadcast shape) times the optional weight; pos_weight handled per class. */
function pointValues(e: PointLoss, args: OpArgs, expr: string): { vals: Float32Array; shape: number[] } {
  const x = tensorArg(args.input, 'input'), t = tensorArg(args.target, 'target');
  const tF = t.dtype === 'float32' ? t : new Tensor(t.backend.fromArray(data(t), 'float32'), t.shape);
  const pw = optTensor(args.pos_weight);
  const ops = [x.shape, tF.shape, pw ? pw.shape : []];
  const plan = planBroadcast(ops);
  const vals = new Float32Array(plan.n);
  const names = [...(e.params ?? []).map((p) => p.name)];
  const params = pointParams(e, args);
  if (pw) {
    // pos_weight is a tensor operand, not a scalar: bind it as a third variable.
    compileMap(expr, ['x', 't', 'pw'], names.filter((n) => n !== 'pw'))(vals, [f32(x), f32(tF), f32(pw)], plan, params.slice(1));
  } else {
    compileMap(expr, ['x', 't', '_'], names)(vals, [f32(x), f32(tF), new Float32Array(1)], plan, params);
  }
  const w = optTensor(args.weight);
  if (w) {
    const wp = planBroadcast([plan.outShape, w.shape]);
    const tmp = new Float32Array(plan.n);
    compileMap('v * w', ['v', 'w'], [])(tmp, [vals, f32(w)], wp, []);
    return { vals: tmp, shape: plan.outShape };
  }
  return { vals, shape: plan.outShape };
}

export function registerLossCpu(): void {
  registerKernel('cross_entropy', 'cpu', (args) => classLoss(args, true, null));
  registerKernel('nll_loss', 'cpu', (args) => classLoss(args, false, null));
  registerKernel('_class_loss_grad', 'cpu', (args) => classLoss(args.opArgs as unknown as OpArgs, args.fromLogits === true, tensorArg(args.grad, 'grad')));
  for (const e of POINT_LOSSES) {
    registerKernel(e.name, 'cpu', (args) => {
      const { vals, shape } = pointValues(e, args, e.loss);
      const red = reductionOf(args);
      if (red === 'none') { const out = empty(shape, 'float32'); f32(out).set(vals); return out; }
      let s = 0;
      for (let i = 0; i < vals.length; i++) s += vals[i]!;
      const out = empty([], 'float32');
      const x = tensorArg(args.input, 'input');
      f32(out)[0] = red === 'sum' ? s : red === 'batchmean' ? s / (x.shape[0] ?? 1) : s / vals.length;
      return out;
    });
  }
  registerKernel('_point_loss_grad', 'cpu', (args) => {
    const e = pointByName.get(args.name as string)!;
    const opArgs = args.opArgs as unknown as OpArgs;
    const which = args.which as 'input' | 'target';
    const { vals, shape } = pointValues(e, opArgs, which === 'input' ? e.dx : e.dt!);
    const red = reductionOf(opArgs);
    const g = f32(tensorArg(args.grad, 'grad'));
    const x = tensorArg(opArgs.input, 'input');
    const scale = red === 'none' ? 0 : red === 'sum' ? g[0]! : red === 'batchmean' ? g[0]! / (x.shape[0] ?? 1) : g[0]! / vals.length;
    if (red === 'none') for (let i = 0; i < vals.length; i++) vals[i] *= g[i]!;
    else for (let i = 0; i < vals.length; i++) vals[i] *= scale;
    const full = empty(shape, 'float32');
    f32(full).set(vals);
    const target = which === 'input' ? x : tensorArg(opArgs.target, 'target');
    return sumToShape(full, target.shape);
  });
}
