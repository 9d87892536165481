// Small constructors and typed accessors over `Value`, shared by every shape rule.
//
// Accessors throw `UnknownArg` when an argument exists but the analysis cannot see its value
// (an unknown tensor shape, a symbolic dim index): `defineOp` catches it and returns the op's
// "don't know" result, so rules read like straight-line code and unknown inputs never error.
// Wrong kinds of values (a str where an int belongs) are user errors: ShapeError with the
// parameter name.

import { dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { ShapeError, type BoundArgs, type DType, type TensorType, type Value } from '../types.js';

export const UNKNOWN: Value = { kind: 'unknown' };
export const NONE: Value = { kind: 'none' };

/** Thrown by accessors when a needed value is not known; never reaches users. */
export class UnknownArg extends Error {
  readonly arg: string;
  constructor(arg: string) {
    // Thrown on hot paths and always caught: skip capturing a stack trace (costly per throw).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`unknown argument '${arg}'`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.arg = arg;
    this.name = 'UnknownArg';
  }
}

export function tensor(shape: readonly Dim[] | null, dtype: DType = 'float32'): TensorType {
  return { kind: 'tensor', shape, dtype };
}
export function int(value: Dim): Value { return { kind: 'int', value }; }
export function float(value: number | null): Value { return { kind: 'float', value }; }
export function bool(value: boolean | null): Value { return { kind: 'bool', value }; }
export function str(value: string | null): Value { return { kind: 'str', value }; }
export function tuple(items: readonly Value[]): Value { return { kind: 'tuple', items }; }
export function dtypeValue(dtype: DType): Value { return { kind: 'dtype', dtype }; }

export function isTensor(v: Value | undefined): v is TensorType { return v?.kind === 'tensor'; }
export function isNone(v: Value | undefined): boolean { return v === undefined || v.kind === 'none'; }

export const FLOAT_DTYPES: ReadonlySet<DType> = new Set(['float32', 'float64', 'float16', 'bfloat16']);
export const INT_DTYPES: ReadonlySet<DType> = new Set(['int64', 'int32', 'int16', 'int8', 'uint8']);
export function isFloatDtype(d: DType): boolean { return FLOAT_DTYPES.has(d) || d === 'complex64'; }
export function isIntDtype(d: DType): boolean { return INT_DTYPES.has(d); }
/**
 * Whether a tensor's dtype can be trusted for a dtype error: the frontend gives tensors it
 * cannot see into (shape null) a placeholder float32, so only known-shape tensors count.
 */
export function dtypeKnown(t: TensorType): boolean { return t.shape !== null; }

/** A short description of a value for messages: `Tensor[8, 3]`, `int`, `str 'same'`. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'tensor': return shapeToString(v.shape);
    case 'int': return `int ${dimToString(v.value)}`;
    case 'float': return v.value === null ? 'float' : `float ${v.value}`;
    case 'bool': return v.value === null ? 'bool' : `bool ${v.value ? 'True' : 'False'}`;
    case 'str': return v.value === null ? 'str' : `str '${v.value}'`;
    case 'none': return 'None';
    case 'tuple': return `tuple of ${v.items.length}`;
    case 'list': return v.items ? `list of ${v.items.length}` : 'list';
    case 'dtype': return `torch.${v.dtype}`;
    case 'slice': return 'slice';
    case 'ellipsis': return '...';
    case 'unknown': return 'unknown value';
  }
}

function arg(args: BoundArgs, name: string): Value {
  return args[name] ?? UNKNOWN;
}

/** A tensor argument (shape may still be null). */
export function getTensor(args: BoundArgs, name: string, who: string): TensorType {
  const v = arg(args, name);
  if (v.kind === 'tensor') return v;
  if (v.kind === 'unknown') throw new UnknownArg(name);
  throw new ShapeError(`${who}: argument '${name}' must be a Tensor, not ${describe(v)}`, name);
}

/** A tensor argument whose shape is known. */
export function getShape(args: BoundArgs, name: string, who: string): readonly Dim[] {
  const t = getTensor(args, name, who);
  if (!t.shape) throw new UnknownArg(name);
  return t.shape;
}

/** An optional tensor: null for None. */
export function getOptTensor(args: BoundArgs, name: string, who: string): TensorType | null {
  return isNone(args[name]) ? null : getTensor(args, name, who);
}

/** An int-valued size (may be symbolic). Python bools are ints, and so are int-valued floats in size positions. */
export function getInt(args: BoundArgs, name: string, who: string): Dim {
  return intOf(arg(args, name), name, who);
}

export function intOf(v: Value, name: string, who: string): Dim {
  if (v.kind === 'int') return v.value;
  if (v.kind === 'bool' && v.value !== null) return v.value ? 1 : 0;
  if (v.kind === 'unknown' || (v.kind === 'bool' && v.value === null)) throw new UnknownArg(name);
  // A 0-dim integer tensor (x.size(0) after tracing) is usable as an int, value unknown.
  if (v.kind === 'tensor' && v.shape?.length === 0 && isIntDtype(v.dtype)) throw new UnknownArg(name);
  throw new ShapeError(`${who}: argument '${name}' must be an int, not ${describe(v)}`, name);
}

/** An int that must be known exactly (a dim index, a count of chunks). */
export function getConcreteInt(args: BoundArgs, name: string, who: string): number {
  const d = getInt(args, name, who);
  if (typeof d !== 'number') throw new UnknownArg(name);
  return d;
}

export function getOptInt(args: BoundArgs, name: string, who: string): Dim | null {
  return isNone(args[name]) ? null : getInt(args, name, who);
}

/** A number (int or float); null when its value is not known or None. */
export function getNumber(args: BoundArgs, name: string, who: string): number | null {
  const v = arg(args, name);
  if (v.kind === 'float') return v.value;
  if (v.kind === 'int') return typeof v.value === 'number' ? v.value : null;
  if (v.kind === 'bool') return v.value === null ? null : v.value ? 1 : 0;
  if (v.kind === 'unknown' || v.kind === 'none') return null;
  throw new ShapeError(`${who}: argument '${name}' must be a number, not ${describe(v)}`, name);
}

export function getBool(args: BoundArgs, name: string, who: string): boolean {
  const v = arg(args, name);
  if (v.kind === 'bool') { if (v.value === null) throw new UnknownArg(name); return v.value; }
  if (v.kind === 'int' && typeof v.value === 'number') return v.value !== 0;
  if (v.kind === 'unknown') throw new UnknownArg(name);
  if (v.kind === 'none') return false;
  throw new ShapeError(`${who}: argument '${name}' must be a bool, not ${describe(v)}`, name);
}

export function getStr(args: BoundArgs, name: string, who: string): string {
  const v = arg(args, name);
  if (v.kind === 'str') { if (v.value === null) throw new UnknownArg(name); return v.value; }
  if (v.kind === 'unknown') throw new UnknownArg(name);
  throw new ShapeError(`${who}: argument '${name}' must be a str, not ${describe(v)}`, name);
}

export function getOptDtype(args: BoundArgs, name: string, who: string): DType | null {
  const v = arg(args, name);
  if (v.kind === 'none') return null;
  if (v.kind === 'dtype') return v.dtype;
  if (v.kind === 'unknown') return null;
  throw new ShapeError(`${who}: argument '${name}' must be a torch dtype, not ${describe(v)}`, name);
}

/** Items of a tuple or list argument; UnknownArg when the length is unknown. */
export function itemsOf(v: Value, name: string, who: string): readonly Value[] {
  if (v.kind === 'tuple') return v.items;
  if (v.kind === 'list') { if (!v.items) throw new UnknownArg(name); return v.items; }
  if (v.kind === 'unknown') throw new UnknownArg(name);
  throw new ShapeError(`${who}: argument '${name}' must be a tuple or list, not ${describe(v)}`, name);
}

/**
 * An int or a tuple of ints, as in `kernel_size=3` or `kernel_size=(3, 5)`; `n` is the
 * spatial rank (an int is repeated n times, a tuple must have n items).
 */
export function getIntTuple(args: BoundArgs, name: string, who: string, n: number): Dim[] {
  const v = arg(args, name);
  if (v.kind === 'tuple' || v.kind === 'list') {
    const items = itemsOf(v, name, who);
    if (items.length === 1 && n > 1) return Array(n).fill(intOf(items[0]!, name, who));
    if (items.length !== n) {
      throw new ShapeError(`${who}: '${name}' must be an int or a tuple of ${n} ints, but got ${items.length} values`, name);
    }
    return items.map((x) => intOf(x, name, who));
  }
  return Array(n).fill(intOf(v, name, who));
}

/**
 * A shape given as varargs or as one tuple: `view(2, 3)`, `view((2, 3))`, `torch.zeros([2, 3])`.
 * `v` is the bound value (a tuple for a variadic parameter).
 */
export function shapeArg(v: Value, name: string, who: string): Dim[] {
  if (v.kind === 'int' || v.kind === 'bool') return [intOf(v, name, who)];
  let items = itemsOf(v, name, who);
  if (items.length === 1 && (items[0]!.kind === 'tuple' || items[0]!.kind === 'list' || items[0]!.kind === 'unknown')) {
    items = itemsOf(items[0]!, name, who);
  }
  return items.map((x) => intOf(x, name, who));
}

/**
 * Normalise a possibly negative dim index against a rank (PyTorch's wrap rule); `rank` may be
 * 0 for scalars, where -1 and 0 are accepted.
 */
export function normDim(d: number, rank: number, who: string, shape: readonly Dim[] | null = null, argName = 'dim'): number {
  const r = Math.max(rank, 1);
  if (d < -r || d >= r) {
    const what = shape ? ` for ${shapeToString(shape)}` : '';
    throw new ShapeError(`${who}: dim ${d} is out of range${what} (expected a dim in [${-r}, ${r - 1}])`, argName);
  }
  return d < 0 ? d + r : d;
}

/** A dim index argument (int), normalised. */
export function getDim(args: BoundArgs, name: string, who: string, shape: readonly Dim[]): number {
  return normDim(getConcreteInt(args, name, who), shape.length, who, shape, name);
}

/** None, an int, or a tuple of ints naming dims: normalised, sorted and de-duplicated. null = all dims. */
export function getDims(args: BoundArgs, name: string, who: string, shape: readonly Dim[]): number[] | null {
  const v = arg(args, name);
  if (v.kind === 'none') return null;
  const raw = v.kind === 'tuple' || v.kind === 'list' ? itemsOf(v, name, who).map((x) => intOf(x, name, who)) : [intOf(v, name, who)];
  const out: number[] = [];
  for (const d of raw) {
    if (typeof d !== 'number') throw new UnknownArg(name);
    const n = normDim(d, shape.length, who, shape, name);
    if (out.includes(n)) throw new ShapeError(`${who}: dim ${n} appears multiple times in the list of dims`, name);
    out.push(n);
  }
  // `sum(dim=())` reduces everything, as in PyTorch.
  return out.length === 0 ? null : out.sort((a, b) => a - b);
}

/** The scalar dtype of a Python number operand. */
export function numberDtype(v: Value): DType | null {
  if (v.kind === 'int') return 'int64';
  if (v.kind === 'float') return 'float32';
  if (v.kind === 'bool') return 'bool';
  return null;
}

const RANK: Record<DType, number> = {
  bool: 0, uint8: 1, int8: 1, int16: 2, int32: 3, int64: 4,
  float16: 5, bfloat16: 5, float32: 6, float64: 7, complex64: 8,
};

/**
 * Result dtype of a binary op (a simplified torch.result_type): tensors of higher category
 * win; Python numbers only lift the category (int tensor * 2.5 -> float32), never the width.
 */
export function promote(a: Value, b: Value): DType {
  const ta = a.kind === 'tensor' ? a.dtype : null;
  const tb = b.kind === 'tensor' ? b.dtype : null;
  const cat = (d: DType): number => (d === 'bool' ? 0 : isIntDtype(d) ? 1 : d === 'complex64' ? 3 : 2);
  if (ta && tb) {
    // A 0-dim tensor behaves like a scalar unless it is of a higher category.
    const sa = a.kind === 'tensor' && a.shape?.length === 0;
    const sb = b.kind === 'tensor' && b.shape?.length === 0;
    if (sa !== sb) {
      const [dim, sc] = sa ? [tb, ta] : [ta, tb];
      if (cat(sc) <= cat(dim)) return dim;
      return cat(sc) === 2 ? (cat(dim) < 2 ? 'float32' : dim) : sc;
    }
    return RANK[ta] >= RANK[tb] ? ta : tb;
  }
  const t = ta ?? tb;
  const n = numberDtype(ta ? b : a);
  if (!t) return n === 'int64' ? 'int64' : n === 'bool' ? 'bool' : 'float32';
  if (!n) return t;
  if (cat(n) > cat(t)) return n === 'float32' ? 'float32' : 'int64';
  return t;
}
