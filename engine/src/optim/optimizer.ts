// Optimizers with PyTorch's exact update formulas (torch/optim/{sgd,adam,adamw}.py, the
// single-tensor path).
//
// CPU parameters: element by element on host copies with float32 rounding after every PyTorch op
// (Math.fround), written back in place with copy_ (outside autograd).
// WebGPU parameters: the state lives on the GPU and one in-place kernel per parameter applies the
// same formulas (optim/webgpu.ts). A step is split so that a captured training step can replay
// it: prepareStep() runs on the host before the step (step counts, per-step scalars in double,
// written into ONE persistent storage per optimizer, a row per parameter); applyStep() only
// dispatches, with the same keys, bindings and uniforms every step (no reads, no uploads, no
// allocations after the first step).
//
// State layout (state_dict / checkpoints): per parameter name, Float32Array buffers
// ('momentum_buffer' for SGD; 'exp_avg', 'exp_avg_sq' for Adam/AdamW) plus integer step counts.
import { Tensor } from '../tensor.js';
import { makeArray, type NdArray } from '../io/array.js';
import { ROW, SGD_LR, SGD_FRESH, ADAM_NEG_STEP, ADAM_BC2_SQRT, ADAM_DECAY, sgdDispatch, adamDispatch, clipStorageSize, clipSumSquares, clipTotal, clipScale } from './webgpu.js';
import { GpuStorage, type WebGPUBackend } from '../backends/webgpu/backend.js';

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

/** A WebGPU parameter's optimizer state: buffers on the GPU and its row in the scalars storage. */
interface GpuSlot {
  readonly name: string;
  readonly param: Tensor;
  readonly row: number;
  readonly buffers: Record<string, GpuStorage>;
  /** Updated at least once (SGD: the momentum buffer holds a value; state_dict lists it). */
  started: boolean;
}

export abstract class Optimizer {
  readonly params: readonly NamedParam[];
  lr: number;
  protected readonly state = new Map<string, Record<string, Float32Array>>();
  protected readonly steps = new Map<string, number>();
  abstract readonly kind: string;
  /** State buffer names this optimizer keeps per parameter (on the GPU path: created zero-filled). */
  protected abstract readonly bufferNames: readonly string[];
  // GPU path: slots by parameter name, and the per-step scalars storage (ROW words per slot).
  private readonly gpu = new Map<string, GpuSlot>();
  private scalars: GpuStorage | null = null;
  private prepared = false;

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

  /** Applies one update to every parameter that has a gradient: prepareStep() then applyStep(). */
  step(): void {
    this.prepareStep();
    this.applyStep();
  }

  /**
   * Host part of a step, run before the training step: bumps the WebGPU parameters' step counts
   * and writes their per-step scalars (from this.lr and the counts, in double) into the scalars
   * storage. Unlike PyTorch (and the CPU path, which counts in applyStep), every WebGPU parameter
   * that requires grad is counted, also one that gets no gradient in this step (applyStep skips
   * it): the count is fixed before the gradients exist, so that a captured step can replay.
   */
  prepareStep(): void {
    const slots = this.gpuSlots();
    if (slots.length === 0) return;
    const words = new Float32Array(slots.length * ROW);
    for (const s of slots) {
      const k = (this.steps.get(s.name) ?? 0) + 1;
      this.steps.set(s.name, k);
      this.rowScalars(words.subarray(s.row * ROW, (s.row + 1) * ROW), k, s.started);
    }
    (this.scalars!.backend as WebGPUBackend).write(this.scalars!, words);
    this.prepared = true;
  }

  /**
   * Device part of a step: WebGPU parameters with a gradient get one in-place kernel each, reading
   * the scalars prepareStep wrote (no reads, uploads or allocations); CPU parameters run the host
   * update (counting their step here, as before).
   */
  applyStep(): void {
    if (this.gpu.size > 0 && !this.prepared) throw new Error('optimizer: applyStep() without prepareStep() (step() does both)');
    this.prepared = false;
    for (const { name, param } of this.params) {
      if (!param.grad) continue;
      const slot = this.gpu.get(name);
      if (slot) {
        const g = param.grad.storage;
        if (!(g instanceof GpuStorage) || g.backend !== (param.storage as GpuStorage).backend) {
          throw new Error(`optimizer: parameter '${name}' is on webgpu but its gradient is on ${param.grad.backend.name}`);
        }
        this.dispatch(slot, g, this.scalars!);
        slot.started = true;
        continue;
      }
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
  /** GPU path: the per-step scalars of a parameter at its step `k` (double, rounded to f32 once). */
  protected abstract rowScalars(row: Float32Array, k: number, started: boolean): void;
  /** GPU path: the update kernel of one parameter. */
  protected abstract dispatch(slot: GpuSlot, grad: GpuStorage, scalars: GpuStorage): void;

  /**
   * The WebGPU parameters' slots, created on first use: state buffers zero-filled (or uploaded
   * from a loaded state_dict) and the scalars storage, on the parameters' backend.
   */
  private gpuSlots(): GpuSlot[] {
    if (this.scalars) return [...this.gpu.values()];
    const onGpu = this.params.filter(({ param }) => param.requiresGrad && param.storage instanceof GpuStorage);
    if (onGpu.length === 0) return [];
    const backend = (onGpu[0]!.param.storage as GpuStorage).backend;
    for (const { name, param } of onGpu) {
      if ((param.storage as GpuStorage).backend !== backend) throw new Error(`optimizer: parameter '${name}' is on another WebGPU device than '${onGpu[0]!.name}'`);
      const host = this.state.get(name);
      const buffers: Record<string, GpuStorage> = {};
      for (const b of this.bufferNames) {
        const h = host?.[b];
        buffers[b] = (h ? backend.fromArray(h, 'float32') : backend.allocate(param.numel, 'float32')) as GpuStorage;
      }
      this.state.delete(name);
      this.gpu.set(name, { name, param, row: this.gpu.size, buffers, started: host !== undefined && this.bufferNames.every((b) => host[b]) });
    }
    this.scalars = backend.allocate(this.gpu.size * ROW, 'float32') as GpuStorage;
    return [...this.gpu.values()];
  }

  stateDict(): OptimizerState {
    const buffers = new Map<string, NdArray>();
    const shapes = new Map(this.params.map((p) => [p.name, p.param.shape]));
    for (const { name } of this.params) {
      const st = this.state.get(name);
      if (st) {
        for (const [b, v] of Object.entries(st)) buffers.set(`${name}.${b}`, makeArray('float32', shapes.get(name) ?? [v.length], v.slice()));
      }
      const slot = this.gpu.get(name);
      if (slot?.started) {
        for (const [b, s] of Object.entries(slot.buffers)) buffers.set(`${name}.${b}`, makeArray('float32', slot.param.shape, s.backend.read(s) as Float32Array));
      }
    }
    return { kind: this.kind, lr: this.lr, steps: Object.fromEntries(this.steps), buffers };
  }

  loadStateDict(s: OptimizerState): void {
    if (s.kind !== this.kind) throw new Error(`optimizer state is for '${s.kind}', this run uses '${this.kind}'`);
    const byName = new Map(this.params.map((p) => [p.name, p.param]));
    const loaded = new Map<string, Record<string, Float32Array>>();
    for (const [key, arr] of s.buffers) {
      const dot = key.lastIndexOf('.');
      const name = key.slice(0, dot);
      const p = byName.get(name);
      if (!p) throw new Error(`optimizer state has '${key}' but the model has no parameter '${name}'`);
      if (arr.data.length !== p.numel) throw new Error(`optimizer state '${key}' has ${arr.data.length} values, parameter '${name}' has ${p.numel}`);
      let st = loaded.get(name);
      if (!st) { st = {}; loaded.set(name, st); }
      st[key.slice(dot + 1)] = Float32Array.from(arr.data);
    }
    this.state.clear();
    this.steps.clear();
    for (const [name, st] of loaded) {
      const slot = this.gpu.get(name);
      if (!slot) { this.state.set(name, st); continue; }
      // Upload in place: the kernels keep their bindings.
      for (const b of this.bufferNames) {
        const buf = slot.buffers[b]!;
        const v = st[b];
        if (v) buf.backend.write(buf, v);
        else buf.backend.copyInto(buf, buf.backend.allocate(buf.numel, 'float32'));
      }
      slot.started = this.bufferNames.every((b) => st[b]);
    }
    for (const slot of this.gpu.values()) {
      if (loaded.has(slot.name)) continue;
      for (const b of this.bufferNames) { const buf = slot.buffers[b]!; buf.backend.copyInto(buf, buf.backend.allocate(buf.numel, 'float32')); }
      slot.started = false;
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
    this.bufferNames = this.momentum !== 0 ? ['momentum_buffer'] : [];
  }
  protected readonly bufferNames: readonly string[];
  protected rowScalars(row: Float32Array, _k: number, started: boolean): void {
    row[SGD_LR] = this.lr;
    // PyTorch's first momentum step copies d into the buffer (no dampening): the kernel must know.
    row[SGD_FRESH] = started ? 0 : 1;
  }
  protected dispatch(slot: GpuSlot, grad: GpuStorage, scalars: GpuStorage): void {
    const p = slot.param.storage as GpuStorage;
    sgdDispatch(p.backend, slot.name, p, grad, slot.buffers.momentum_buffer ?? null, scalars, slot.row, this);
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
  readonly decoupled: boolean = false;
  constructor(params: Iterable<NamedParam | [string, Tensor]>, o: AdamOptions, decoupled = false) {
    super(params, o.lr);
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (decoupled ? 0.01 : 0);
    this.decoupled = decoupled;
  }
  protected readonly bufferNames: readonly string[] = ['exp_avg', 'exp_avg_sq'];
  protected rowScalars(row: Float32Array, k: number): void {
    // The CPU path's scalars, in double (Python floats in PyTorch), rounded to f32 once here.
    const lr = this.lr;
    row[ADAM_NEG_STEP] = -(lr / (1 - this.beta1 ** k));
    row[ADAM_BC2_SQRT] = Math.sqrt(1 - this.beta2 ** k);
    row[ADAM_DECAY] = f(1 - lr * this.weightDecay);
  }
  protected dispatch(slot: GpuSlot, grad: GpuStorage, scalars: GpuStorage): void {
    const p = slot.param.storage as GpuStorage;
    adamDispatch(p.backend, slot.name, p, grad, slot.buffers.exp_avg!, slot.buffers.exp_avg_sq!, scalars, slot.row, this);
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
 * over all gradients exceeds max_norm. Returns the total norm before clipping as a 0-d tensor on
 * the gradients' backend (like PyTorch): on WebGPU nothing is read back, so a step that clips
 * stays capturable (call .item() to read it).
 */
export function clipGradNorm(params: Iterable<Tensor | NamedParam>, maxNorm: number): Tensor {
  const ts = [...params].map((p) => (p instanceof Tensor ? p : p.param)).filter((p) => p.grad);
  const gpu = ts.length > 0 && ts.every((p) => p.grad!.storage instanceof GpuStorage);
  if (gpu) return clipGradNormGpu(ts.map((p) => p.grad!.storage as GpuStorage), maxNorm);
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
  return ts.length > 0 ? Tensor.scalar(total, 'float32', ts[0]!.grad!.backend) : Tensor.scalar(total);
}

// The clip storage per list of gradient sizes, kept so that the clip kernels have the same
// bindings every step (and unused partial-sum slots stay zero).
const clipStores = new WeakMap<WebGPUBackend, Map<string, GpuStorage>>();

function clipGradNormGpu(grads: GpuStorage[], maxNorm: number): Tensor {
  const b = grads[0]!.backend;
  if (grads.some((g) => g.backend !== b)) throw new Error('clipGradNorm: the gradients are on different WebGPU devices');
  let byCount = clipStores.get(b);
  if (!byCount) { byCount = new Map(); clipStores.set(b, byCount); }
  const sizes = grads.map((g) => g.numel).join(',');
  let s = byCount.get(sizes);
  if (!s) { s = b.allocate(clipStorageSize(grads.length), 'float32') as GpuStorage; byCount.set(sizes, s); }
  grads.forEach((g, j) => clipSumSquares(b, `grad ${j} (${g.numel})`, g, s, j));
  clipTotal(b, s, grads.length, maxNorm);
  grads.forEach((g, j) => clipScale(b, `grad ${j} (${g.numel})`, g, s));
  const total = new Tensor(b.allocateUninit(1, 'float32'), []);
  b.copyInto(total.storage, s);
  return total;
}
