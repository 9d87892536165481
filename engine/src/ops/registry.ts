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

import type { BoundArgs, LayerSpec, OpDef, ParamSpec, Value } from './types.js';

/** How a Python callable maps onto an op: its own signature may differ from the op's (method vs function defaults). */
export interface FunctionBinding {
  readonly op: OpDef;
  /** Python signature of this spelling; bound names are passed to op.shape after `rename`. */
  readonly params: readonly ParamSpec[];
  /** Maps this spelling's parameter names onto the op's (e.g. Tensor.size(dim) -> size(input, dim)). */
  readonly rename?: Readonly<Record<string, string>>;
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

/** Bind Python call arguments to a signature, filling defaults. Errors are user-facing messages. */
export function bindArgs(
  params: readonly ParamSpec[],
  positional: readonly Value[],
  keyword: Readonly<Record<string, Value>>,
): { args: BoundArgs } | { error: string } {
  const out: Record<string, Value> = {};
  let i = 0;
  for (const p of params) {
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
  for (const k of Object.keys(keyword)) {
    if (!params.some((p) => p.name === k)) return { error: `got an unexpected keyword argument '${k}'` };
  }
  return { args: out };
}
