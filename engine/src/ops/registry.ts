// The op library's lookup surface. The frontend resolves Python names through it; the engine
// looks kernels up by the same op names. Tables are explicit lists (bundling breaks discovery).
//
// CONTRACT (used by engine/src/frontend and engine/src/nn, keep these signatures):
//   getOp(name)                 -> OpDef | undefined           canonical op by name ('conv2d', 'add', 'view')
//   resolveFunction(qualname)   -> FunctionBinding | undefined  'torch.cat', 'torch.nn.functional.relu', 'torch.Tensor.view'
//   resolveMethod(name)         -> FunctionBinding | undefined  tensor method 'view', 'flatten', 'size', '__add__'
//   getLayer(name)              -> LayerSpec | undefined        'Conv2d', 'LSTM', 'Sequential' is NOT here (containers are the frontend's)
//   bindArgs(params, positional, keyword) -> { args } | { error }
//   allOps(), allLayers()       -> for docs/tests/the engine's kernel-coverage check
//   allFunctions(), allMethods() -> [spelling, binding] pairs (docs, completion, tests)
//   applyBinding(binding, positional, keyword, self?) -> { value, args } | { error, arg? }
//       binds a call of a function/method spelling, renames to the op's names, puts the
//       receiver (for methods) into binding.self ?? 'input', runs the op's rule. `args` are
//       the op's bound args (what an IR node records). Method `params` never include self.
//   bindLayer(spec, positional, keyword)       -> { attrs } | { error, arg? }   (runs spec.check)
//   applyLayer(spec, attrs, positional, keyword) -> { value, args } | { error, arg? }
// Shape rules never throw anything but ShapeError; unknown inputs give unknown/partial results.

import { ShapeError, type BoundArgs, type LayerSpec, type OpDef, type ParamSpec, type Value } from './types.js';

/** How a Python callable maps onto an op: its own signature may differ from the op's (method vs function defaults). */
export interface FunctionBinding {
  readonly op: OpDef;
  /** Python signature of this spelling; bound names are passed to op.shape after `rename`. */
  readonly params: readonly ParamSpec[];
  /** Maps this spelling's parameter names onto the op's (e.g. Tensor.size(dim) -> size(input, dim)). */
  readonly rename?: Readonly<Record<string, string>>;
  /** For methods: the op parameter that receives the tensor the method is called on (default 'input'; `__rsub__` uses 'other'). */
  readonly self?: string;
  /** Op arguments this spelling fixes (e.g. Tensor.float() -> to(dtype=float32)); merged before the call. */
  readonly fixed?: Readonly<Record<string, Value>>;
}

const ops = new Map<string, OpDef>();
const functions = new Map<string, FunctionBinding>();
const methods = new Map<string, FunctionBinding>();
const layers = new Map<string, LayerSpec>();

export function registerOp(op: OpDef): void {
  if (ops.has(op.name)) throw new Error(`op '${op.name}' registered twice`);
  ops.set(op.name, op);
}
export function registerFunction(qualname: string, binding: FunctionBinding): void {
  if (functions.has(qualname)) throw new Error(`function '${qualname}' registered twice`);
  functions.set(qualname, binding);
}
export function registerMethod(name: string, binding: FunctionBinding): void {
  if (methods.has(name)) throw new Error(`method '${name}' registered twice`);
  methods.set(name, binding);
}
export function registerLayer(spec: LayerSpec): void {
  if (layers.has(spec.name)) throw new Error(`layer '${spec.name}' registered twice`);
  layers.set(spec.name, spec);
}

export function getOp(name: string): OpDef | undefined { return ops.get(name); }
export function resolveFunction(qualname: string): FunctionBinding | undefined { return functions.get(qualname); }
export function resolveMethod(name: string): FunctionBinding | undefined { return methods.get(name); }
export function getLayer(name: string): LayerSpec | undefined { return layers.get(name); }
export function allOps(): readonly OpDef[] { return [...ops.values()]; }
export function allLayers(): readonly LayerSpec[] { return [...layers.values()]; }
/** Every registered Python spelling, for docs, completion and tests. */
export function allFunctions(): readonly (readonly [string, FunctionBinding])[] { return [...functions.entries()]; }
export function allMethods(): readonly (readonly [string, FunctionBinding])[] { return [...methods.entries()]; }

/** Bind Python call arguments to a signature, filling defaults. Errors are user-facing messages. */
export function bindArgs(
  params: readonly ParamSpec[],
  positional: readonly Value[],
  keyword: Readonly<Record<string, Value>>,
): { args: BoundArgs } | { error: string } {
  const out: Record<string, Value> = {};
  const varkw = params.find((p) => p.varkw);
  let i = 0;
  for (const p of params) {
    if (p.varkw) continue;
    if (p.variadic) {
      out[p.name] = { kind: 'tuple', items: positional.slice(i) };
      i = positional.length;
      continue;
    }
    if (!p.keywordOnly && i < positional.length) {
      if (p.name in keyword) return { error: `got multiple values for argument '${p.name}'` };
      out[p.name] = positional[i++]!;
    } else if (p.name in keyword) {
      out[p.name] = keyword[p.name]!;
    } else if (p.default !== undefined) {
      out[p.name] = p.default;
    } else {
      return { error: `missing required argument '${p.name}'` };
    }
  }
  if (i < positional.length) return { error: `takes ${i} positional arguments but ${positional.length} were given` };
  const extra: Value[] = [];
  for (const k of Object.keys(keyword)) {
    if (params.some((p) => p.name === k && !p.varkw)) continue;
    if (!varkw) return { error: `got an unexpected keyword argument '${k}'` };
    extra.push({ kind: 'tuple', items: [{ kind: 'str', value: k }, keyword[k]!] });
  }
  if (varkw) out[varkw.name] = { kind: 'tuple', items: extra };
  return { args: out };
}

export type ApplyResult = { value: Value; args: BoundArgs } | { error: string; arg?: string };

function runRule(rule: () => Value): { value: Value } | { error: string; arg?: string } {
  try {
    return { value: rule() };
  } catch (e) {
    if (e instanceof ShapeError) return e.arg === undefined ? { error: e.message } : { error: e.message, arg: e.arg };
    throw e;
  }
}

/** Bind and run one call of a function or method spelling (see the contract above). */
export function applyBinding(
  binding: FunctionBinding,
  positional: readonly Value[],
  keyword: Readonly<Record<string, Value>>,
  self?: Value,
): ApplyResult {
  const bound = bindArgs(binding.params, positional, keyword);
  if ('error' in bound) return { error: `${binding.op.name}() ${bound.error}` };
  const args: Record<string, Value> = { ...(binding.fixed ?? {}) };
  for (const [k, v] of Object.entries(bound.args)) args[binding.rename?.[k] ?? k] = v;
  if (self !== undefined) args[binding.self ?? 'input'] = self;
  const r = runRule(() => binding.op.shape(args));
  return 'error' in r ? r : { value: r.value, args };
}

/** Bind a layer's constructor call and run its constructor check. */
export function bindLayer(
  spec: LayerSpec,
  positional: readonly Value[],
  keyword: Readonly<Record<string, Value>>,
): { attrs: BoundArgs } | { error: string; arg?: string } {
  const bound = bindArgs(spec.ctor, positional, keyword);
  if ('error' in bound) return { error: `${spec.name}() ${bound.error}` };
  if (spec.check) {
    const r = runRule(() => { spec.check!(bound.args); return { kind: 'none' }; });
    if ('error' in r) return r;
  }
  return { attrs: bound.args };
}

/** Bind and run a layer's forward call. */
export function applyLayer(
  spec: LayerSpec,
  attrs: BoundArgs,
  positional: readonly Value[],
  keyword: Readonly<Record<string, Value>>,
): ApplyResult {
  const bound = bindArgs(spec.forward, positional, keyword);
  if ('error' in bound) return { error: `${spec.name}.forward() ${bound.error}` };
  const r = runRule(() => spec.shape(attrs, bound.args));
  return 'error' in r ? r : { value: r.value, args: bound.args };
}
