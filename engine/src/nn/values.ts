// Conversions between the op library's Value (what the frontend binds constructor and call
// arguments to, with possibly symbolic sizes) and the runtime values callOp takes.
import { dimToString, evalDim, type Dim } from '../shape/dim.js';
import type { BoundArgs, Value } from '../ops/types.js';
import { Tensor } from '../tensor.js';
import type { RuntimeValue } from '../runtime/value.js';

/** Symbol bindings (e.g. N -> 64) used to evaluate symbolic sizes. */
export type DimEnv = Readonly<Record<string, number>>;

function dimValue(d: Dim, env: DimEnv, where: string): number {
  const v = evalDim(d, env);
  if (v === undefined) throw new Error(`${where}: size '${dimToString(d)}' is not known at run time (no input dimension binds it)`);
  return v;
}

/** A constant Value as a runtime value; symbolic sizes are evaluated with `env`. */
export function valueToRuntime(v: Value, env: DimEnv = {}, where = 'value'): RuntimeValue {
  switch (v.kind) {
    case 'int': return dimValue(v.value, env, where);
    case 'float':
      if (v.value === null) throw new Error(`${where}: float value is not known before running (the analysis could not evaluate it)`);
      return v.value;
    case 'bool':
      if (v.value === null) throw new Error(`${where}: bool value is not known before running (the analysis could not evaluate it)`);
      return v.value;
    case 'str':
      if (v.value === null) throw new Error(`${where}: string value is not known before running (the analysis could not evaluate it)`);
      return v.value;
    case 'none': return null;
    case 'tuple': return v.items.map((x, i) => valueToRuntime(x, env, `${where}[${i}]`));
    case 'list':
      if (v.items === null) throw new Error(`${where}: list contents are not known statically`);
      return v.items.map((x, i) => valueToRuntime(x, env, `${where}[${i}]`));
    case 'dtype': return { kind: 'dtype', dtype: v.dtype };
    case 'slice': {
      const d = (x: Dim | null): number | null => (x === null ? null : dimValue(x, env, where));
      return { kind: 'slice', start: d(v.start), stop: d(v.stop), step: d(v.step) };
    }
    case 'ellipsis': return { kind: 'ellipsis' };
    case 'tensor': throw new Error(`${where}: a tensor cannot be a constant here`);
    case 'unknown': throw new Error(`${where}: value is not known before running (the analysis could not evaluate it)`);
  }
}

/** A JS value (from API users) as a Value, to bind to a LayerSpec constructor signature. */
export function jsToValue(v: unknown): Value {
  if (v === null || v === undefined) return { kind: 'none' };
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string') return { kind: 'str', value: v };
  if (Array.isArray(v)) return { kind: 'tuple', items: v.map(jsToValue) };
  if (v instanceof Tensor) return { kind: 'tensor', shape: v.shape, dtype: v.dtype === 'int32' ? 'int64' : 'float32' };
  throw new Error(`cannot pass ${String(v)} as a layer argument`);
}

// ---- typed attribute access (messages name the layer and the argument) ----------------------
export class Attrs {
  constructor(readonly layer: string, readonly args: BoundArgs, readonly env: DimEnv = {}) {}

  has(name: string): boolean { return name in this.args; }
  raw(name: string): Value {
    const v = this.args[name];
    if (!v) throw new Error(`${this.layer}: missing argument '${name}'`);
    return v;
  }
  runtime(name: string): RuntimeValue { return valueToRuntime(this.raw(name), this.env, `${this.layer}(${name}=...)`); }
  int(name: string): number {
    const v = this.runtime(name);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${this.layer}: '${name}' must be an int, got ${JSON.stringify(v)}`);
    return v;
  }
  optInt(name: string): number | null {
    if (!this.has(name)) return null;
    const v = this.runtime(name);
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${this.layer}: '${name}' must be an int or None, got ${JSON.stringify(v)}`);
    return v;
  }
  float(name: string, fallback?: number): number {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const v = this.runtime(name);
    if (typeof v !== 'number') throw new Error(`${this.layer}: '${name}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  }
  bool(name: string, fallback?: boolean): boolean {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const v = this.runtime(name);
    if (typeof v !== 'boolean') throw new Error(`${this.layer}: '${name}' must be True or False, got ${JSON.stringify(v)}`);
    return v;
  }
  str(name: string, fallback?: string): string {
    if (!this.has(name) && fallback !== undefined) return fallback;
    const v = this.runtime(name);
    if (typeof v !== 'string') throw new Error(`${this.layer}: '${name}' must be a string, got ${JSON.stringify(v)}`);
    return v;
  }
}
