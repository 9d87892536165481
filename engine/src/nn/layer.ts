// Layer: one builtin torch.nn layer. Its constructor signature, parameter names and shapes come
// from the op library's LayerSpec (the same binding the frontend does: no second signature table
// here); this file adds what only the engine needs: default initialisation and forward, both
// looked up by layer name in layers_impl.ts.
import { dimToString, evalDim } from '../shape/dim.js';
import { bindLayer, getLayer } from '../ops/index.js';
import type { BoundArgs, LayerSpec, ParamShape, Value } from '../ops/types.js';
import { Tensor } from '../tensor.js';
import type { RuntimeValue } from '../runtime/value.js';
import { Module } from './module.js';
import { Attrs, jsToValue, valueToRuntime, type DimEnv } from './values.js';
import { layerImpl, type LayerImpl } from './layers_impl.js';

/** Holds parameters of a sub-path inside a builtin layer (MultiheadAttention's `out_proj`). */
export class ParamHolder extends Module {
  constructor(private readonly label: string) { super(); }
  override get typeName(): string { return this.label; }
  forward(): RuntimeValue { throw new Error(`${this.label} is part of its parent layer and is not called on its own`); }
}

export class Layer extends Module {
  readonly attrs: Attrs;
  private readonly impl: LayerImpl;

  /** From bound constructor attributes (what the frontend's ModuleNode holds). */
  constructor(readonly spec: LayerSpec, args: BoundArgs, env: DimEnv = {}) {
    super();
    this.attrs = new Attrs(spec.name, args, env);
    const impl = layerImpl(spec.name);
    if (!impl) throw new Error(`nn.${spec.name} is not supported by the embedded engine yet`);
    this.impl = impl;
    if (impl.build) {
      // Composite layers (TransformerEncoderLayer) are made of real child layers, like in PyTorch.
      impl.build(this, createLayer);
      const want = spec.params(args).map((p) => p.name).join(', ');
      const got = [...this.stateDict().keys()].join(', ');
      if (want !== got) throw new Error(`internal: ${spec.name} built [${got}] but its spec lists [${want}]`);
    } else {
      for (const ps of spec.params(args)) this.addTensor(ps, env);
      impl.init?.(this);
    }
  }

  override get typeName(): string { return this.spec.name; }

  private addTensor(ps: ParamShape, env: DimEnv): void {
    const shape = ps.shape.map((d) => {
      const v = evalDim(d, env);
      if (v === undefined) throw new Error(`${this.spec.name}: size '${dimToString(d)}' of '${ps.name}' is not a known number`);
      return v;
    });
    const intType = ps.dtype !== undefined && ps.dtype !== 'float32' && ps.dtype !== 'float64' && ps.dtype !== 'float16' && ps.dtype !== 'bfloat16';
    const t = Tensor.zeros(shape, intType ? 'int32' : 'float32');
    const parts = ps.name.split('.');
    let owner = this as Module;
    for (const part of parts.slice(0, -1)) {
      owner = owner.namedChildren().find(([n]) => n === part)?.[1] ?? owner.registerModule(part, new ParamHolder(part === 'out_proj' ? 'NonDynamicallyQuantizableLinear' : part));
    }
    const leaf = parts[parts.length - 1]!;
    if (ps.buffer) owner.registerBuffer(leaf, t);
    else owner.registerParameter(leaf, t);
  }

  /** Tensor-or-null of this layer by state_dict-relative name ('weight', 'out_proj.bias'). */
  tensor(name: string): Tensor | null {
    const parts = name.split('.');
    let owner = this as Module;
    for (const part of parts.slice(0, -1)) owner = owner.child(part);
    const leaf = parts[parts.length - 1]!;
    const found = owner.namedParameters().find(([n]) => n === leaf) ?? owner.namedBuffers().find(([n]) => n === leaf);
    return found ? found[1] : null;
  }

  /** PyTorch-style call with positional arguments (bound to the spec's forward signature). */
  forward(...args: RuntimeValue[]): RuntimeValue {
    const named: Record<string, RuntimeValue> = {};
    const params = this.spec.forward;
    if (args.length > params.length && !params.some((p) => p.variadic)) {
      throw new Error(`${this.spec.name}.forward() takes ${params.length} arguments but ${args.length} were given`);
    }
    params.forEach((p, i) => { if (i < args.length) named[p.name] = args[i]!; });
    return this.call(named);
  }

  /** Call with arguments by the forward signature's names (what an IR node carries); defaults filled. */
  call(named: Readonly<Record<string, RuntimeValue>>): RuntimeValue {
    const full: Record<string, RuntimeValue> = {};
    for (const p of this.spec.forward) {
      if (p.name in named) full[p.name] = named[p.name]!;
      else if (p.default !== undefined) full[p.name] = valueToRuntime(p.default, {}, `${this.spec.name}.forward(${p.name})`);
      else if (p.variadic) full[p.name] = [];
      else throw new Error(`${this.spec.name}.forward() missing required argument '${p.name}'`);
    }
    for (const k of Object.keys(named)) {
      if (!(k in full)) throw new Error(`${this.spec.name}.forward() got an unexpected argument '${k}'`);
    }
    return this.impl.forward(this, full);
  }

  override extraRepr(): string {
    const shown: string[] = [];
    for (const p of this.spec.ctor) {
      if (p.variadic || p.name === 'device' || p.name === 'dtype') continue;
      const v = this.attrs.args[p.name];
      if (!v) continue;
      if (p.default !== undefined && JSON.stringify(p.default) === JSON.stringify(v)) continue;
      let text: string;
      try { text = pyRepr(valueToRuntime(v, this.attrs.env)); } catch { text = '?'; }
      shown.push(p.default === undefined ? text : `${p.name}=${text}`);
    }
    return shown.join(', ');
  }
}

/** Python's repr of a constructor argument, for PyTorch-like printouts. */
function pyRepr(v: RuntimeValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `(${(v as readonly RuntimeValue[]).map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  return '?';
}

/**
 * Build a builtin layer from JS arguments, PyTorch-style: `createLayer('Conv2d', [1, 16, 3], { padding: 1 })`.
 * Binding and constructor checks are the op library's (same messages the language server shows).
 */
export function createLayer(name: string, positional: readonly unknown[] = [], keyword: Readonly<Record<string, unknown>> = {}): Layer {
  const spec = getLayer(name);
  if (!spec) throw new Error(`unknown layer nn.${name}`);
  const kw: Record<string, Value> = {};
  for (const [k, v] of Object.entries(keyword)) kw[k] = jsToValue(v);
  const bound = bindLayer(spec, positional.map(jsToValue), kw);
  if ('error' in bound) throw new Error(bound.error);
  return new Layer(spec, bound.attrs);
}
