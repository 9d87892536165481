// The interpreter's values: the op library's `Value`s (tensors carry an IR reference while a
// model is traced) plus what only the frontend knows about: modules, functions, classes,
// namespaces (`torch.nn`), bound methods, dicts.

import { dimEquals, dimToString, shapeToString, unknownDim, type Dim } from '../shape/dim.js';
import type { BoundArgs, LayerSpec, ParamShape, TensorType, Value } from '../ops/types.js';
import type { Expr, Param, Span, Stmt } from './ast.js';
import type { IRValueRef } from './types.js';

export interface TensorV extends TensorType {
  /** Where the engine finds this tensor while executing the IR. */
  readonly ref?: IRValueRef;
  /** Index of the forward input this tensor is, while probing for symbolic inputs. */
  readonly probe?: number;
  /** For an unknown shape: what the analysis could not see (coverage report). */
  readonly why?: string;
}

export interface TupleV { readonly kind: 'tuple'; readonly items: readonly FV[] }
/** `sample`: for a list of unknown length, what one element is (`[Block(cfg) for _ in range(cfg.n_layer)]`). */
export interface ListV { readonly kind: 'list'; items: FV[] | null; sample?: FV }
export interface DictV { readonly kind: 'dict'; readonly entries: Map<string, FV> }

export interface ModuleInst {
  readonly kind: 'module';
  /** 'Conv2d', 'Sequential', 'ModuleList', 'ModuleDict' or a user class name. */
  readonly type: string;
  readonly cls: ClassV | null;
  readonly spec: LayerSpec | null;
  /** Builtin layer constructor arguments (every parameter present). */
  attrs: BoundArgs;
  /** Own parameters and buffers (state_dict names relative to this module). */
  readonly params: ParamShape[];
  readonly children: Map<string, ModuleInst>;
  readonly fields: Map<string, FV>;
  path: string;
  readonly ctor: Span | null;
  readonly summary: string;
  /** Constructed inside a container expression: its errors go to its own line. */
  inContainer: boolean;
  /**
   * Outputs made from this instance last time, handed out again while unchanged (instances of
   * unchanged constructions move to the next version): its IR module-tree node, and its
   * children's paths for the path it had. Fields rather than WeakMaps: ephemeron tables slow
   * every young-generation collection.
   */
  treeOut: unknown;
  childPaths: { base: string; paths: Map<string, string> } | null;
  /** The constructor failed its check: calls give unknown without further errors. */
  broken: boolean;
  /** A container built from a list of unknown length: its children are not all known. */
  childrenUnknown?: boolean;
  /** What one of those unknown children is, when every one is built alike. */
  sampleChild?: ModuleInst;
  /** A user class built on a torch.nn container or layer: its name (see torch_bases.ts). */
  torchBase?: string;
  /** Built inside a helper function (`def double_conv(...)`): the outermost call that made it. */
  madeAt?: Span;
  readonly id: number;
}

export interface Scope { readonly vars: Map<string, FV>; readonly parent: Scope | null }

export interface FuncV {
  readonly kind: 'func';
  readonly name: string;
  readonly params: readonly Param[];
  readonly body: readonly Stmt[] | Expr;
  readonly closure: Scope;
  /** Class the function was defined in (for super()). */
  readonly owner: ClassV | null;
  readonly self?: FV;
  readonly def: Stmt | null;
}

export interface ClassV {
  readonly kind: 'class';
  readonly name: string;
  readonly def: Stmt & { k: 'class' };
  readonly bases: readonly FV[];
  readonly members: Map<string, FV>;
  readonly isModule: boolean;
}

export interface NsV { readonly kind: 'ns'; readonly qual: string }
export interface MethodV { readonly kind: 'method'; readonly recv: FV; readonly name: string }
export interface SuperV { readonly kind: 'super'; readonly cls: ClassV; readonly self: FV }
export interface BuiltinV { readonly kind: 'builtin'; readonly name: string }
/** `functools.partial(fn, *pos, **kw)`: a layer factory, called later with the rest. */
export interface PartialV { readonly kind: 'partial'; readonly fn: FV; readonly pos: readonly FV[]; readonly kw: Readonly<Record<string, FV>> }

export type Prim = Exclude<Value, { kind: 'tuple' } | { kind: 'list' } | TensorType>;
export type FV = Prim | TensorV | TupleV | ListV | DictV | ModuleInst | FuncV | ClassV | NsV | MethodV | SuperV | BuiltinV | PartialV;

export const UNKNOWN: FV = { kind: 'unknown' };
export const NONE: FV = { kind: 'none' };

export function int(v: Dim): FV {
  return { kind: 'int', value: v };
}

export function isTensor(v: FV): v is TensorV {
  return v.kind === 'tensor';
}

export function unknownTensor(): TensorV {
  return { kind: 'tensor', shape: null, dtype: 'float32' };
}

/** The op library's view of a frontend value (modules and functions become unknown). */
export function toValue(v: FV): Value {
  switch (v.kind) {
    case 'tensor':
      if (v.ref === undefined && v.probe === undefined) return v;
      return v.why ? { kind: 'tensor', shape: v.shape, dtype: v.dtype, why: v.why } as TensorV : { kind: 'tensor', shape: v.shape, dtype: v.dtype };
    case 'tuple':
      return { kind: 'tuple', items: v.items.map(toValue) };
    case 'list':
      return { kind: 'list', items: v.items ? v.items.map(toValue) : null };
    case 'int': case 'float': case 'bool': case 'str': case 'none': case 'dtype': case 'slice': case 'ellipsis': case 'unknown':
      return v;
    default:
      return { kind: 'unknown' };
  }
}

/** Frontend value of an op result. */
export function fromValue(v: Value): FV {
  return v as FV;
}

export function valueToString(v: Value | FV): string {
  switch (v.kind) {
    case 'tensor': return shapeToString(v.shape);
    case 'int': return dimToString(v.value);
    case 'float': return v.value === null ? 'float' : String(v.value);
    case 'bool': return v.value === null ? 'bool' : v.value ? 'True' : 'False';
    case 'str': return v.value === null ? 'str' : JSON.stringify(v.value);
    case 'none': return 'None';
    case 'tuple': return `(${v.items.map(valueToString).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list': return v.items ? `[${v.items.map(valueToString).join(', ')}]` : 'list';
    case 'dtype': return `torch.${v.dtype}`;
    case 'module': return v.type;
    case 'ns': return v.qual;
    default: return v.kind;
  }
}

/** Join two values seen on different paths: equal parts stay, different parts become unknown. */
export function join(a: FV, b: FV): FV {
  if (a === b) return a;
  if (a.kind === 'tensor' && b.kind === 'tensor') {
    if (!a.shape || !b.shape || a.shape.length !== b.shape.length) {
      const why = (!a.shape ? a.why : undefined) ?? (!b.shape ? b.why : undefined) ?? 'branches give different ranks';
      return { kind: 'tensor', shape: null, dtype: a.dtype, why };
    }
    const shape = a.shape.map((d, i) => (dimEquals(d, b.shape![i]!) === true ? d : unknownDim()));
    return { kind: 'tensor', shape, dtype: a.dtype === b.dtype ? a.dtype : a.dtype };
  }
  if (a.kind === 'int' && b.kind === 'int') return dimEquals(a.value, b.value) === true ? a : int(unknownDim());
  if (a.kind === 'tuple' && b.kind === 'tuple' && a.items.length === b.items.length) {
    return { kind: 'tuple', items: a.items.map((x, i) => join(x, b.items[i]!)) };
  }
  if (a.kind === 'none' && b.kind === 'none') return a;
  if (a.kind === 'bool' && b.kind === 'bool') return a.value === b.value ? a : { kind: 'bool', value: null };
  if (a.kind === 'float' && b.kind === 'float') return a.value === b.value ? a : { kind: 'float', value: null };
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value ? a : { kind: 'str', value: null };
  if (a.kind === 'module' && b.kind === 'module' && a.id === b.id) return a;
  const why = (a.kind === 'unknown' ? a.why : undefined) ?? (b.kind === 'unknown' ? b.why : undefined);
  return why ? { kind: 'unknown', why } : { kind: 'unknown', why: `branches give different values (${a.kind}, ${b.kind})` };
}
