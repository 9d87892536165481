// Optimizers with PyTorch's exact update formulas (torch/optim/{sgd,adam,adamw}.py, the
// single-tensor path), computed element by element on host copies with float32 rounding after
// every PyTorch op (Math.fround), then written back in place with copy_ (outside autograd).
// Host-side math keeps one implementation for every backend; a fused per-parameter kernel can
// replace `update` later without changing the state layout.
//
// State layout (state_dict / checkpoints): per parameter name, Float32Array buffers
// ('momentum_buffer' for SGD; 'exp_avg', 'exp_avg_sq' for Adam/AdamW) plus integer step counts.
import { Tensor } from '../tensor.js';
import { makeArray, type NdArray } from '../io/array.js';

const f = Math.fround;

export interface NamedParam { readonly name: string; readonly param: Tensor }

export interface OptimizerState {
  /** 'sgd' | 'adam' | 'adamw' */
  readonly kind: string;
  /** Learning rate in effect (schedules change it). */
  readonly lr: number;
  /** Per-parameter step counts (Adam's `step`), by parameter name. */
  readonly steps: Record<string, number>;
  /** `<param>.<buffer>` -> values, e.g. 'fc1.weight.exp_avg'. */
  readonly buffers: Map<string, NdArray>;
}

export abstract class Optimizer {
  readonly params: readonly NamedParam[];
  lr: number;
  protected readonly state = new Map<string, Record<string, Float32Array>>();
  protected readonly steps = new Map<string, number>();
  abstract readonly kind: string;

  constructor(params: Iterable<NamedParam | [string, Tensor]>, lr: number) {
    this.params = [...params].map((p) => (Array.isArray(p) ? { name: p[0], param: p[1] } : p));
    const seen = new Set<string>();
    for (const { name } of this.params) {
      if (seen.has(name)) throw new Error(`optimizer: parameter '${name}' given twice`);
      seen.add(name);
    }
    if (!(lr > 0)) throw new Error(`optimizer: lr must be a positive number (got ${lr})`);
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    for (const { name, param } of this.params) {
      if (!param.grad) continue;
      const p = param.toFloat32Array();
      const g = param.grad.toFloat32Array();
      let st = this.state.get(name);
      if (!st) { st = {}; this.state.set(name, st); }
      const k = (this.steps.get(name) ?? 0) + 1;
      this.steps.set(name, k);
      this.update(p, g, st, k);
      param.copy_(Tensor.fromArray(p, param.shape, 'float32', param.backend));
    }
  }

  zeroGrad(): void {
    for (const { param } of this.params) param.grad = null;
  }

  /** Updates `p` in place from gradient `g`; `state` is this parameter's buffers; `k` its 1-based step. */
  protected abstract update(p: Float32Array, g: Float32Array, state: Record<string, Float32Array>, k: number): void;

  stateDict(): OptimizerState {
    const buffers = new Map<string, NdArray>();
    const shapes = new Map(this.params.map((p) => [p.name, p.param.shape]));
    for (const [name, st] of this.state) {
      for (const [b, v] of Object.entries(st)) buffers.set(`${name}.${b}`, makeArray('float32', shapes.get(name) ?? [v.length], v.slice()));
    }
    return { kind: this.kind, lr: this.lr, steps: Object.fromEntries(this.steps), buffers };
  }

  loadStateDict(s: OptimizerState): void {
    if (s.kind !== this.kind) throw new Error(`optimizer state is for '${s.kind}', this run uses '${this.kind}'`);
    this.state.clear();
    this.steps.clear();
    const byName = new Map(this.params.map((p) => [p.name, p.param]));
    for (const [key, arr] of s.buffers) {
      const dot = key.lastIndexOf('.');
      const name = key.slice(0, dot);
      const p = byName.get(name);
      if (!p) throw new Error(`optimizer state has '${key}' but the model has no parameter '${name}'`);
      if (arr.data.length !== p.numel) throw new Error(`optimizer state '${key}' has ${arr.data.length} values, parameter '${name}' has ${p.numel}`);
      let st = this.state.get(name);
      if (!st) { st = {}; this.state.set(name, st); }
      st[key.slice(dot + 1)] = Float32Array.from(arr.data);
    }
    for (const [name, k] of Object.entries(s.steps)) this.steps.set(name, k);
    this.lr = s.lr;
  }
}

export interface SgdOptions { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; weightDecay?: number }

export class SGD extends Optimizer {
  readonly kind = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  constructor(params: Iterable<NamedParam | [string, Tensor]>, o: SgdOptions) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: nesterov momentum requires a momentum > 0 and zero dampening');
    }
  }
  protected update(p: Float32Array, g: Float32Array, st: Record<string, Float32Array>, _k: number): void {
    const { momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    const lr = this.lr;
    let buf = st.momentum_buffer;
    const fresh = mu !== 0 && !buf;
    if (fresh) buf = st.momentum_buffer = new Float32Array(p.length);
    for (let i = 0; i < p.length; i++) {
      let d = g[i];
      if (wd !== 0) d = f(d + f(wd * p[i]));
      if (mu !== 0) {
        const b = fresh ? d : f(f(buf![i] * mu) + f((1 - dampening) * d));
        buf![i] = b;
        d = nesterov ? f(d + f(mu * b)) : b;
      }
      p[i] = f(p[i] + f(-lr * d));
    }
  }
}

export interface AdamOptions { lr: number; betas?: readonly [number, number]; eps?: number; weightDecay?: number }

export class Adam extends Optimizer {
  readonly kind: string = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW: decoupled weight decay (p *= 1 - lr*wd) instead of adding wd*p to the gradient. */
  protected readonly decoupled: boolean = false;
  constructor(params: Iterable<NamedParam | [string, Tensor]>, o: AdamOptions, decoupled = false) {
    super(params, o.lr);
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (decoupled ? 0.01 : 0);
    this.decoupled = decoupled;
  }
  protected update(p: Float32Array, g: Float32Array, st: Record<string, Float32Array>, k: number): void {
    const { beta1, beta2, eps, weightDecay: wd, lr } = this;
    const m = (st.exp_avg ??= new Float32Array(p.length));
    const v = (st.exp_avg_sq ??= new Float32Array(p.length));
    // Scalars are Python floats (double) in PyTorch; only tensor ops round to float32.
    const bc1 = 1 - beta1 ** k;
    const bc2sqrt = Math.sqrt(1 - beta2 ** k);
    const stepSize = lr / bc1;
    const decay = f(1 - lr * wd);
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      let pi = p[i];
      if (wd !== 0) {
        if (this.decoupled) pi = f(pi * decay);
        else gi = f(gi + f(wd * pi));
      }
      const mi = f(f(m[i] * beta1) + f(gi * (1 - beta1)));
      const vi = f(f(v[i] * beta2) + f(f(gi * gi) * (1 - beta2)));
      m[i] = mi;
      v[i] = vi;
      const denom = f(f(f(Math.sqrt(vi)) / bc2sqrt) + eps);
      p[i] = f(pi + f(-stepSize * f(mi / denom)));
    }
  }
}

export class AdamW extends Adam {
  override readonly kind: string = 'adamw';
  constructor(params: Iterable<NamedParam | [string, Tensor]>, o: AdamOptions) {
    super(params, o, true);
  }
}

/**
 * clip_grad_norm_: scales every gradient by max_norm / (total_norm + 1e-6) when the total L2 norm
 * over all gradients exceeds max_norm. Returns the total norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor | NamedParam>, maxNorm: number): number {
  const ts = [...params].map((p) => (p instanceof Tensor ? p : p.param)).filter((p) => p.grad);
  let sq = 0;
  const grads = ts.map((p) => p.grad!.toFloat32Array());
  for (const g of grads) {
    let s = 0;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    sq += s;
  }
  const total = Math.sqrt(sq);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    ts.forEach((p, j) => {
      const g = grads[j];
      for (let i = 0; i < g.length; i++) g[i] = f(g[i] * coef);
      p.grad!.copy_(Tensor.fromArray(g, p.grad!.shape, 'float32', p.grad!.backend));
    });
  }
  return total;
}
