// Tensor: a shape, a dtype and a backend storage, plus the autograd fields. Data is always
// contiguous (row-major, offset 0): view/reshape share the storage; everything else that
// reorders data (permute, transpose, slicing) produces a new contiguous tensor. That keeps every
// kernel a plain loop, and a GPU backend needs no stride logic.
//
// Tensor knows nothing of ops or dispatch (no import cycle): backward() is provided by
// autograd/engine.ts, which installs itself when the runtime loads.
import type { Backend, EngineDType, Storage } from './backends/backend.js';
import { cpuBackend } from './backends/cpu/backend.js';

export type { EngineDType } from './backends/backend.js';

/** One recorded op application on the tape (see autograd/engine.ts). */
export interface GradNode {
  readonly op: string;
  /** Tensors this node's backward produces gradients for, in order. */
  readonly inputs: readonly Tensor[];
  /** Given the gradients of this node's outputs (null = no gradient flowed), the inputs' gradients. */
  backward(gradOutputs: readonly (Tensor | null)[]): readonly (Tensor | null)[];
  /** Weak view of the outputs: their count and index lookup for a tensor. */
  readonly numOutputs: number;
  readonly site?: string;
}

let defaultBackend: Backend = cpuBackend;
/** The backend new tensors are created on (CPU unless changed). */
export function getDefaultBackend(): Backend { return defaultBackend; }
export function setDefaultBackend(b: Backend): void { defaultBackend = b; }

type BackwardImpl = (root: Tensor, grad: Tensor | null) => void;
let backwardImpl: BackwardImpl | null = null;
/** @internal Installed by autograd/engine.ts. */
export function setBackwardImpl(fn: BackwardImpl): void { backwardImpl = fn; }

function checkShape(shape: readonly number[], where: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${where}: invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: EngineDType;
  readonly storage: Storage;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The tape node that produced this tensor (null for leaves and tensors made without grad). */
  gradFn: GradNode | null = null;
  /** Which output of gradFn this tensor is. */
  outputIndex = 0;

  constructor(storage: Storage, shape: readonly number[]) {
    const n = checkShape(shape, 'Tensor');
    if (n !== storage.numel) throw new Error(`Tensor: shape [${shape.join(', ')}] needs ${n} elements but the storage has ${storage.numel}`);
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = storage.dtype;
  }

  get numel(): number { return this.storage.numel; }
  get ndim(): number { return this.shape.length; }
  get backend(): Backend { return this.storage.backend; }
  get isLeaf(): boolean { return this.gradFn === null; }

  static fromArray(data: ArrayLike<number>, shape: readonly number[], dtype: EngineDType = 'float32', backend: Backend = defaultBackend): Tensor {
    const n = checkShape(shape, 'Tensor.fromArray');
    if (n !== data.length) throw new Error(`Tensor.fromArray: ${data.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
    return new Tensor(backend.fromArray(data, dtype), shape);
  }
  static zeros(shape: readonly number[], dtype: EngineDType = 'float32', backend: Backend = defaultBackend): Tensor {
    return new Tensor(backend.allocate(checkShape(shape, 'Tensor.zeros'), dtype), shape);
  }
  static ones(shape: readonly number[], dtype: EngineDType = 'float32', backend: Backend = defaultBackend): Tensor {
    return Tensor.full(shape, 1, dtype, backend);
  }
  static full(shape: readonly number[], value: number, dtype: EngineDType = 'float32', backend: Backend = defaultBackend): Tensor {
    return new Tensor(backend.allocate(checkShape(shape, 'Tensor.full'), dtype, value), shape);
  }
  static scalar(value: number, dtype: EngineDType = 'float32', backend: Backend = defaultBackend): Tensor {
    return Tensor.full([], value, dtype, backend);
  }

  /** A host copy of the data as float32. */
  toFloat32Array(): Float32Array {
    const d = this.backend.read(this.storage);
    return d instanceof Float32Array ? d : Float32Array.from(d);
  }
  /** A host copy of the data as int32 (floats truncated). */
  toInt32Array(): Int32Array {
    const d = this.backend.read(this.storage);
    if (d instanceof Int32Array) return d;
    const out = new Int32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = Math.trunc(d[i]!);
    return out;
  }
  /** Nested JS arrays (for tests and printing). */
  toNested(): unknown {
    const d = this.backend.read(this.storage);
    const rec = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return d[off];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim]! }, (_, i) => rec(dim + 1, off + i * stride));
    };
    return rec(0, 0);
  }
  item(): number {
    if (this.numel !== 1) throw new Error(`item(): tensor has ${this.numel} elements (shape [${this.shape.join(', ')}]), expected 1`);
    return this.backend.read(this.storage)[0]!;
  }

  /** Accumulate gradients of this tensor (a scalar unless `grad` is given) into the leaves' .grad. */
  backward(grad?: Tensor): void {
    if (!backwardImpl) throw new Error('backward(): autograd is not loaded (import engine/src/runtime/dispatch)');
    if (!this.requiresGrad) throw new Error('backward(): tensor does not require grad and has no grad_fn');
    if (!grad && this.numel !== 1) throw new Error(`backward(): grad can be implicitly created only for scalar outputs (shape [${this.shape.join(', ')}])`);
    if (grad && grad.shape.join(',') !== this.shape.join(',')) throw new Error(`backward(): grad shape [${grad.shape.join(', ')}] does not match tensor shape [${this.shape.join(', ')}]`);
    backwardImpl(this, grad ?? null);
  }

  /** Same data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape);
  }
  /** A same-storage tensor with another shape (no copy, no autograd: use the view op for that). */
  withShape(shape: readonly number[]): Tensor {
    return new Tensor(this.storage, shape);
  }
  setRequiresGrad(b = true): this {
    if (b && this.dtype !== 'float32') throw new Error(`setRequiresGrad: only float tensors can require gradients (dtype ${this.dtype})`);
    if (!b && this.gradFn) throw new Error('setRequiresGrad(false) on a non-leaf tensor: use detach()');
    this.requiresGrad = b;
    return this;
  }
  /** In-place copy of src's data (same number of elements), outside autograd. */
  copy_(src: Tensor): this {
    if (src.numel !== this.numel) throw new Error(`copy_: source has ${src.numel} elements (shape [${src.shape.join(', ')}]) but the target has ${this.numel} (shape [${this.shape.join(', ')}])`);
    this.backend.copyInto(this.storage, src.storage);
    return this;
  }
  zeroGrad(): void { this.grad = null; }
  /** A deep copy (new storage), cut from the graph. */
  clone(): Tensor {
    const t = new Tensor(this.backend.allocate(this.numel, this.dtype), this.shape);
    return t.copy_(this);
  }
  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}${this.requiresGrad ? ', requires_grad' : ''})`;
  }
}
