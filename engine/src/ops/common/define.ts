// Helpers that turn a rule written as straight-line code into a registered OpDef/LayerSpec,
// plus the Python spellings (torch.X, torch.nn.functional.X, Tensor methods) that map onto it.

import { opaque, type Dim } from '../../shape/dim.js';
import { registerFunction, registerLayer, registerMethod, registerOp } from '../registry.js';
import { ShapeError, type BoundArgs, type FlopRule, type LayerSpec, type OpDef, type ParamShape, type ParamSpec, type TensorType, type Value } from '../types.js';
import { getInt, getTensor, tensor, UNKNOWN, UnknownArg } from './values.js';

let strict = false;
/** Tests turn this on so a bug inside a rule (not a ShapeError) fails loudly instead of giving unknown. */
export function setStrictRules(on: boolean): void { strict = on; }

/**
 * Run a rule with the library's error discipline: UnknownArg -> the fallback result; ShapeError
 * passes through; anything else is our bug, which must not crash the language server.
 */
export function guarded<T>(rule: () => T, fallback: () => T): T {
  try {
    return rule();
  } catch (e) {
    if (e instanceof ShapeError) throw e;
    if (e instanceof UnknownArg) return fallback();
    if (strict) throw e;
    return fallback();
  }
}

/** What an op returns when an input is unknown: a tensor of unknown shape with the input's dtype, by default. */
export type UnknownResult = 'tensor' | 'value' | ((args: BoundArgs) => Value);

function fallbackFor(kind: UnknownResult | undefined, args: BoundArgs): Value {
  if (typeof kind === 'function') {
    try { return kind(args); } catch { return UNKNOWN; }
  }
  if (kind === 'value') return UNKNOWN;
  const input = args.input;
  return tensor(null, input?.kind === 'tensor' ? input.dtype : 'float32');
}

export interface OpSpec {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly shape: (args: BoundArgs) => Value;
  readonly unknown?: UnknownResult;
  readonly flops?: FlopRule;
}

/** Define and register an op. */
export function defineOp(spec: OpSpec): OpDef {
  const flops = spec.flops;
  const op: OpDef = {
    name: spec.name,
    params: spec.params,
    shape: (args) => guarded(() => spec.shape(args), () => fallbackFor(spec.unknown, args)),
    // A count is a nicety: any failure (unknown sizes, odd args) is "no count", never an error.
    ...(flops ? { flops: (args: BoundArgs, out: Value) => { try { return flops(args, out); } catch { return undefined; } } } : {}),
  };
  registerOp(op);
  return op;
}

/** Register Python function spellings (fully qualified) for an op. */
export function fn(qualnames: string | readonly string[], op: OpDef, params: readonly ParamSpec[] = op.params, rename?: Record<string, string>): void {
  for (const q of typeof qualnames === 'string' ? [qualnames] : qualnames) {
    registerFunction(q, rename ? { op, params, rename } : { op, params });
  }
}

/** Both `torch.X` and `torch.nn.functional.X`. */
export function torchAndF(name: string, op: OpDef, params: readonly ParamSpec[] = op.params): void {
  fn([`torch.${name}`, `torch.nn.functional.${name}`], op, params);
}

/** Register Tensor method spellings; `params` exclude self (default: the op's params after `input`). */
export function method(
  names: string | readonly string[],
  op: OpDef,
  params?: readonly ParamSpec[],
  opts: { rename?: Record<string, string>; self?: string; fixed?: Record<string, Value> } = {},
): void {
  const ps = params ?? op.params.filter((p) => p.name !== (opts.self ?? 'input'));
  for (const n of typeof names === 'string' ? [names] : names) {
    registerMethod(n, { op, params: ps, ...(opts.rename ? { rename: opts.rename } : {}), ...(opts.self ? { self: opts.self } : {}), ...(opts.fixed ? { fixed: opts.fixed } : {}) });
    // Tensor.X(self, ...) called as a function: `torch.Tensor.view(x, 2, 3)`.
    if (!n.startsWith('__')) {
      const selfName = opts.self ?? 'input';
      const rename = { ...(opts.rename ?? {}) };
      registerFunction(`torch.Tensor.${n}`, { op, params: [{ name: selfName }, ...ps], rename, ...(opts.fixed ? { fixed: opts.fixed } : {}) });
    }
  }
}

export interface LayerDef {
  readonly name: string;
  readonly ctor: readonly ParamSpec[];
  readonly check?: (attrs: BoundArgs) => void;
  readonly params?: (attrs: BoundArgs) => readonly ParamShape[];
  readonly forward?: readonly ParamSpec[];
  readonly shape: (attrs: BoundArgs, args: BoundArgs) => Value;
  readonly symbolicInput?: (attrs: BoundArgs) => TensorType | null;
  readonly category: string;
  readonly unknown?: UnknownResult;
}

/** Define and register a torch.nn layer; its rules get the same unknown/bug discipline as ops. */
export function defineLayer(def: LayerDef): LayerSpec {
  const spec: LayerSpec = {
    name: def.name,
    ctor: def.ctor,
    // The constructor check also reads the parameter shapes and the symbolic input, so a bad
    // attribute (`nn.Linear(-1, 5)`, `LayerNorm('x')`) is reported once, when the layer is built.
    check: (attrs: BoundArgs) => guarded(() => {
      def.check?.(attrs);
      def.params?.(attrs);
      def.symbolicInput?.(attrs);
    }, () => undefined),
    params: (attrs) => {
      try {
        return guarded(() => (def.params ? def.params(attrs) : []), () => []);
      } catch (e) {
        if (e instanceof ShapeError) return []; // already reported by check
        throw e;
      }
    },
    forward: def.forward ?? [{ name: 'input' }],
    shape: (attrs, args) => guarded(() => def.shape(attrs, args), () => fallbackFor(def.unknown, args)),
    ...(def.symbolicInput ? { symbolicInput: (attrs: BoundArgs) => guarded(() => def.symbolicInput!(attrs), () => null) } : {}),
    category: def.category,
  };
  registerLayer(spec);
  return spec;
}

/** A layer size attribute; unknown values become an opaque dim named after the attribute so parameter shapes stay printable. */
export function sizeAttr(attrs: BoundArgs, name: string, who: string): Dim {
  let d: Dim;
  try {
    d = getInt(attrs, name, who);
  } catch (e) {
    if (e instanceof UnknownArg) return opaque(name);
    throw e;
  }
  if (typeof d === 'number' && d < 0) throw new ShapeError(`${who}: ${name} must be non-negative, but got ${d}`, name);
  return d;
}

/** The `input` tensor of a forward call. */
export function inputOf(args: BoundArgs, who: string, name = 'input'): TensorType {
  return getTensor(args, name, who);
}

// ---- parameter-list shorthands -----------------------------------------------------------

export const p = (name: string, def?: Value): ParamSpec => (def === undefined ? { name } : { name, default: def });
export const kw = (name: string, def: Value): ParamSpec => ({ name, default: def, keywordOnly: true });
export const varargs = (name: string): ParamSpec => ({ name, variadic: true });
