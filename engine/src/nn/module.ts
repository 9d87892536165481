// Module: PyTorch's nn.Module surface for the embedded engine. Parameters, buffers and children
// are kept in insertion order, per module, so namedParameters()/stateDict() produce PyTorch's
// names in PyTorch's order (own parameters, own buffers, then each child recursively) — that is
// what makes our checkpoints load in PyTorch and theirs load here.
import { Tensor } from '../tensor.js';
import { noGrad } from '../runtime/grad_mode.js';
import type { RuntimeValue } from '../runtime/value.js';

/** A checkpoint that does not fit the model: the message lists every offending key. */
export class StateDictError extends Error {
  constructor(message: string, readonly missingKeys: readonly string[], readonly unexpectedKeys: readonly string[], readonly shapeMismatches: readonly string[]) {
    super(message);
    this.name = 'StateDictError';
  }
}

export interface LoadStateDictOptions {
  /** PyTorch's `strict`: missing or unexpected keys are errors (default true). Shape mismatches always are. */
  readonly strict?: boolean;
}

export interface LoadStateDictResult {
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor | null>();
  private readonly nonPersistent = new Set<string>();
  private readonly children = new Map<string, Module>();

  /** The class name shown in messages and summaries ('Conv2d', 'Net'). */
  get typeName(): string { return this.constructor.name; }

  abstract forward(...args: RuntimeValue[]): RuntimeValue;

  // ---- registration -----------------------------------------------------------------------
  /** Adds (or replaces) a parameter; it becomes a leaf that requires grad. `null` keeps the slot (like `bias=None`). */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName(name, 'parameter');
    if (t) {
      if (t.dtype !== 'float32') throw new Error(`parameter '${name}' must be float32, got ${t.dtype}`);
      if (!t.requiresGrad) t.setRequiresGrad(true);
    }
    this.params.set(name, t);
    return t;
  }
  /** Adds a buffer (state that is saved but not trained: running_mean, num_batches_tracked). */
  registerBuffer(name: string, t: Tensor | null, persistent = true): Tensor | null {
    checkName(name, 'buffer');
    this.buffers.set(name, t);
    if (persistent) this.nonPersistent.delete(name); else this.nonPersistent.add(name);
    return t;
  }
  registerModule<M extends Module>(name: string, m: M): M {
    checkName(name, 'module');
    this.children.set(name, m);
    return m;
  }

  /** A parameter of this module itself (not a child's); null when registered as None. */
  param(name: string): Tensor | null {
    if (!this.params.has(name)) throw new Error(`${this.typeName} has no parameter '${name}'`);
    return this.params.get(name)!;
  }
  buffer(name: string): Tensor | null {
    if (!this.buffers.has(name)) throw new Error(`${this.typeName} has no buffer '${name}'`);
    return this.buffers.get(name)!;
  }
  /** A direct child by name. */
  child(name: string): Module {
    const m = this.children.get(name);
    if (!m) throw new Error(`${this.typeName} has no submodule '${name}'`);
    return m;
  }
  /** A descendant by dotted path ('' = this): 'features.0', 'block.attn'. */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let m = this as Module;
    for (const part of path.split('.')) {
      const next = m.children.get(part);
      if (!next) throw new Error(`no submodule '${path}' (${m.typeName} has no child '${part}'${m.children.size ? `; children: ${[...m.children.keys()].join(', ')}` : ''})`);
      m = next;
    }
    return m;
  }
  /** A parameter or buffer by its state_dict name ('features.0.weight'). */
  getTensor(path: string): Tensor {
    const dot = path.lastIndexOf('.');
    const owner = this.getSubmodule(dot < 0 ? '' : path.slice(0, dot));
    const name = dot < 0 ? path : path.slice(dot + 1);
    const t = owner.params.get(name) ?? owner.buffers.get(name);
    if (!t) throw new Error(`no parameter or buffer '${path}'`);
    return t;
  }

  // ---- traversal ---------------------------------------------------------------------------
  namedChildren(): [string, Module][] { return [...this.children.entries()]; }
  /** This module ('' ) and every descendant, pre-order, each once (PyTorch's named_modules). */
  namedModules(prefix = '', seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.children) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    return out;
  }
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /** Trainable tensors with their dotted names; a tensor shared by two modules is listed once. */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.collect(prefix, (m) => m.params);
  }
  parameters(): Tensor[] { return this.namedParameters().map(([, t]) => t); }
  namedBuffers(prefix = ''): [string, Tensor][] {
    return this.collect(prefix, (m) => m.buffers);
  }
  buffersList(): Tensor[] { return this.namedBuffers().map(([, t]) => t); }

  private collect(prefix: string, pick: (m: Module) => Map<string, Tensor | null>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, t] of pick(m)) {
        if (!t || seen.has(t)) continue;
        seen.add(t);
        out.push([path ? `${path}.${name}` : name, t]);
      }
    }
    return out;
  }

  /** Number of trainable scalars. */
  numParameters(): number { return this.parameters().reduce((n, t) => n + t.numel, 0); }

  // ---- state_dict --------------------------------------------------------------------------
  /** Parameters and persistent buffers by PyTorch name, in PyTorch's order. Tensors are the live ones (not copies). */
  stateDict(prefix = '', out = new Map<string, Tensor>()): Map<string, Tensor> {
    for (const [name, t] of this.params) if (t) out.set(prefix + name, t);
    for (const [name, t] of this.buffers) if (t && !this.nonPersistent.has(name)) out.set(prefix + name, t);
    for (const [name, m] of this.children) m.stateDict(`${prefix}${name}.`, out);
    return out;
  }

  /**
   * Copies a checkpoint into this model's tensors. Shape mismatches are always an error; with
   * strict (default) so are missing and unexpected keys. Nothing is copied unless all checks pass.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !state.has(k));
    const unexpectedKeys = [...state.keys()].filter((k) => !own.has(k));
    const shapeMismatches: string[] = [];
    for (const [k, t] of own) {
      const src = state.get(k);
      if (src && shapeText(src.shape) !== shapeText(t.shape)) {
        shapeMismatches.push(`${k}: checkpoint has ${shapeText(src.shape)}, model has ${shapeText(t.shape)}`);
      }
    }
    const problems: string[] = [];
    if (shapeMismatches.length) problems.push(`size mismatch:\n  ${shapeMismatches.join('\n  ')}`);
    if (strict && missingKeys.length) problems.push(`missing keys (in the model, not in the checkpoint): ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys (in the checkpoint, not in the model): ${unexpectedKeys.join(', ')}`);
    if (problems.length) {
      throw new StateDictError(`error loading state_dict into ${this.typeName}:\n${problems.join('\n')}`, missingKeys, unexpectedKeys, shapeMismatches);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const src = state.get(k);
        if (src) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- modes ---------------------------------------------------------------------------------
  /** Training mode on (or off) for this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval(): this { return this.train(false); }

  /** Freeze (false) or unfreeze every parameter, e.g. for fine-tuning; returns this. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) {
      p.requiresGrad = requiresGrad;
      if (!requiresGrad) p.grad = null;
    }
    return this;
  }

  /** Drops every parameter's gradient (optimizers usually do this). */
  zeroGrad(): void { for (const p of this.parameters()) p.grad = null; }

  /** A PyTorch-like printout: `Net(\n  (conv1): Conv2d(1, 16, kernel_size=3)\n)`. */
  toString(): string {
    const head = `${this.typeName}(${this.extraRepr()}`;
    if (this.children.size === 0) return `${head})`;
    const lines = [...this.children].map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
  /** What goes inside the parentheses of toString(). */
  extraRepr(): string { return ''; }
}

function checkName(name: string, what: string): void {
  if (name === '' || name.includes('.')) throw new Error(`${what} name '${name}' must be non-empty and contain no '.'`);
}
