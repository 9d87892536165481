// einops (rearrange, reduce, repeat, pack, unpack, einops.einsum): shape rules from the pattern,
// with einops' own error wording where the pattern cannot fit the tensor. The plan is computed by
// recipe.ts over symbolic sizes; the engine runs the same plan as a composite (grad.ts).
//
// Keyword axis lengths (`rearrange(x, 'b (h d) -> b h d', h=8)`) are Python **kwargs: the op
// receives them as `axes_lengths`, a tuple of (name, size) pairs (plain values, so they survive the
// IR and the runtime), bound by the registry's `ParamSpec.varkw`.

import { dimEquals, dimToString, opaque, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p, varargs } from '../common/define.js';
import { broadcastShapes } from '../common/shapes.js';
import { dtypeKnown, getStr, int, isFloatDtype, isIntDtype, itemsOf, promote, tensor, tuple, UNKNOWN, UnknownArg } from '../common/values.js';
import { ShapeError, type BoundArgs, type DType, type ParamSpec, type TensorType, type Value } from '../types.js';
import { ELLIPSIS } from './pattern.js';
import { parseEinsum, planPack, planTransform, planUnpack, REDUCTIONS, type Operation, type Size } from './recipe.js';

/** `**axes_lengths`: keywords no other parameter takes, as (name, value) pairs; empty by default. */
export const AXES_LENGTHS: ParamSpec = { name: 'axes_lengths', default: tuple([]), varkw: true };

const sizeOf = (v: Value): Size => {
  if (v.kind === 'int') return v.value;
  if (v.kind === 'bool' && v.value !== null) return v.value ? 1 : 0;
  return null;
};

/** The keyword axis lengths, from (name, value) pairs (or a named tuple). Unknown -> UnknownArg. */
export function axesLengthsOf(args: BoundArgs, name = 'axes_lengths'): [string, Size][] {
  const v = args[name];
  if (v === undefined || v.kind === 'none') return [];
  if (v.kind === 'unknown') throw new UnknownArg(name);
  if (v.kind === 'tuple' && v.names && v.names.length === v.items.length) return v.items.map((x, i) => [v.names![i]!, sizeOf(x)]);
  const out: [string, Size][] = [];
  for (const pair of itemsOf(v, name, 'einops')) {
    const kv = pair.kind === 'tuple' || pair.kind === 'list' ? itemsOf(pair, name, 'einops') : null;
    const key = kv?.[0];
    if (!kv || kv.length !== 2 || key?.kind !== 'str') throw new ShapeError(`einops: axis lengths must be name=size keywords`, name);
    if (key.value === null) throw new UnknownArg(name);
    out.push([key.value, sizeOf(kv[1]!)]);
  }
  return out;
}

// Sizes the rules cannot know are opaque dims with a descriptive name (as elsewhere in the op
// library): deterministic, so re-analysing unchanged code gives the same result.
const toDims = (sizes: readonly Size[], label: string): Dim[] => sizes.map((s) => s ?? opaque(label));

/** The input of rearrange/reduce/repeat: a tensor, or a list of equal-shape tensors that einops stacks. */
function inputOf(args: BoundArgs, who: string): { shape: readonly Size[] | null; dtype: DType; known: boolean } {
  const v = args.input ?? UNKNOWN;
  if (v.kind === 'tensor') return { shape: v.shape, dtype: v.dtype, known: dtypeKnown(v) };
  if (v.kind === 'list' || v.kind === 'tuple') {
    const items = itemsOf(v, 'input', who);
    if (items.length === 0) throw new ShapeError(`${who}: Rearrange/Reduce/Repeat can't be applied to an empty list`, 'input');
    let first: TensorType | null = null;
    let shape: readonly Dim[] | null = null;
    items.forEach((t, i) => {
      if (t.kind === 'unknown') throw new UnknownArg('input');
      if (t.kind !== 'tensor') throw new ShapeError(`${who}: a list input must hold tensors, but item ${i} is not one`, 'input');
      first ??= t;
      if (!t.shape) return;
      if (!shape) { shape = t.shape; return; }
      const s: readonly Dim[] = shape;
      const same = t.shape.length === s.length && t.shape.every((d, j) => dimEquals(d, s[j]!) !== false);
      if (!same) throw new ShapeError(`${who}: stack expects each tensor to be equal size, but got ${shapeToString(s)} at entry 0 and ${shapeToString(t.shape)} at entry ${i}`, 'input');
    });
    const t0 = first as TensorType | null;
    const anyUnknown = items.some((t) => t.kind === 'tensor' && !t.shape);
    const s0 = shape as readonly Dim[] | null;
    return { shape: s0 && !anyUnknown ? [items.length, ...s0] : null, dtype: t0?.dtype ?? 'float32', known: !!s0 };
  }
  if (v.kind === 'unknown') throw new UnknownArg('input');
  throw new ShapeError(`${who}: argument 'tensor' must be a Tensor or a list of tensors`, 'input');
}

/** The reduction argument: a name einops knows, or a callable / unknown value (null: the pattern still fixes the shape). */
function operationOf(v: Value | undefined, who: string): Operation {
  if (v === undefined || v.kind === 'unknown') return null;
  if (v.kind === 'str') {
    if (v.value === null) return null;
    if ((REDUCTIONS as readonly string[]).includes(v.value) || v.value === 'rearrange' || v.value === 'repeat') return v.value as Operation;
    throw new ShapeError(`${who}: Unknown reduction ${v.value}. Expect one of ('min', 'max', 'sum', 'mean', 'prod', 'any', 'all').`, 'reduction');
  }
  if (v.kind === 'none') throw new ShapeError(`${who}: Unknown reduction None. Expect one of ('min', 'max', 'sum', 'mean', 'prod', 'any', 'all').`, 'reduction');
  return null;
}

/** The shared rule of rearrange/reduce/repeat (and the layers). */
export function transformShape(who: string, args: BoundArgs, op: Operation, pattern: string, axes: readonly (readonly [string, Size])[]): TensorType {
  let x: ReturnType<typeof inputOf>;
  try {
    x = inputOf(args, who);
  } catch (e) {
    // A pattern einops refuses is an error whatever the input is.
    if (e instanceof UnknownArg) planTransform(who, pattern, op, null, axes);
    throw e;
  }
  let dtype = x.dtype;
  if (op === 'any' || op === 'all') dtype = 'bool';
  else if ((op === 'sum' || op === 'prod') && (isIntDtype(dtype) || dtype === 'bool')) dtype = 'int64';
  else if (op === 'mean' && x.known && !isFloatDtype(dtype)) {
    throw new ShapeError(`${who}: reduce_mean is not available for non-floating tensors (input is ${dtype}; call .float() first)`, 'input');
  }
  const plan = planTransform(who, pattern, op, x.shape, axes);
  return tensor(plan ? [...plan.output] : null, dtype);
}

function einsumShape(args: BoundArgs): TensorType {
  const who = 'einops.einsum';
  const items = itemsOf(args.tensors_and_pattern ?? UNKNOWN, 'tensors_and_pattern', who);
  // Fewer than a tensor and a pattern: einops raises, but `einsum(*xs, p)` with xs unseen looks the same here.
  if (items.length <= 1) throw new UnknownArg('tensors_and_pattern');
  const last = items[items.length - 1]!;
  if (last.kind === 'unknown' || (last.kind === 'str' && last.value === null)) throw new UnknownArg('tensors_and_pattern');
  if (last.kind !== 'str') throw new ShapeError('The last argument passed to `einops.einsum` must be a string, representing the einsum pattern.', 'tensors_and_pattern');
  const pattern = last.value!;
  const ts = items.slice(0, -1).map((v) => {
    if (v.kind === 'unknown') throw new UnknownArg('tensors_and_pattern');
    if (v.kind !== 'tensor') throw new ShapeError(`${who}: the arguments before the pattern must be tensors`, 'tensors_and_pattern');
    return v;
  });
  let spec;
  try { spec = parseEinsum(pattern); } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${who}: ${e.message}`, 'tensors_and_pattern');
    throw e;
  }
  const dtype = ts.reduce<DType>((acc, t) => promote(tensor(null, acc), t), ts[0]!.dtype);
  if (spec.operands.length !== ts.length) {
    throw new ShapeError(`${who}: the pattern "${pattern}" names ${spec.operands.length} operand(s) but ${ts.length} tensor(s) were given`, 'tensors_and_pattern');
  }
  const sizes = new Map<string, Dim>();
  let ell: Dim[] | null = null;
  let anyUnknown = false;
  spec.operands.forEach((names, i) => {
    const t = ts[i]!;
    if (!t.shape) { anyUnknown = true; return; }
    const hasEll = names.includes(ELLIPSIS);
    const named = names.filter((n) => n !== ELLIPSIS);
    const rank = t.shape.length;
    if (hasEll ? rank < named.length : rank !== named.length) {
      throw new ShapeError(`${who}: operand ${i} has ${rank} dims (${shapeToString(t.shape)}) but the pattern "${pattern}" names ${named.length}${hasEll ? ' or more' : ''}`, 'tensors_and_pattern');
    }
    const at = hasEll ? names.indexOf(ELLIPSIS) : named.length;
    const nEll = rank - named.length;
    if (hasEll) {
      const dims = t.shape.slice(at, at + nEll);
      ell = ell ? broadcastShapes(ell, dims, `${who}: ...: `, 'tensors_and_pattern') : dims;
    }
    const dims = [...t.shape.slice(0, at), ...t.shape.slice(at + nEll)];
    named.forEach((n, j) => {
      const d = dims[j]!;
      const prev = sizes.get(n);
      if (prev === undefined || prev === 1) { sizes.set(n, d); return; }
      if (d !== 1 && dimEquals(prev, d) === false) {
        throw new ShapeError(`${who}: axis '${n}' is ${dimToString(prev)} in one operand but ${dimToString(d)} in operand ${i} (${shapeToString(t.shape)}), pattern "${pattern}"`, 'tensors_and_pattern');
      }
    });
  });
  if (anyUnknown && spec.output.includes(ELLIPSIS)) return tensor(null, dtype);
  const out: Dim[] = [];
  for (const n of spec.output) {
    if (n === ELLIPSIS) { out.push(...((ell as Dim[] | null) ?? [])); continue; }
    const d = sizes.get(n);
    out.push(d === undefined || (anyUnknown && d === 1) ? opaque(n) : d);
  }
  return tensor(out, dtype);
}

/** Shapes of a pack/unpack list argument (null items: unknown). */
function shapeListOf(v: Value, name: string, who: string): (readonly Size[] | null)[] {
  return itemsOf(v, name, who).map((x) => {
    if (x.kind === 'unknown') return null;
    if (x.kind === 'tensor') return x.shape;
    if (x.kind === 'tuple' || x.kind === 'list') {
      if (x.kind === 'list' && x.items === null) return null;
      return itemsOf(x, name, who).map(sizeOf);
    }
    throw new ShapeError(`${who}: '${name}' must hold ${name === 'tensors' ? 'tensors' : 'shapes (tuples of ints)'}`, name);
  });
}

const UNKNOWN_LIST: Value = { kind: 'list', items: null };

export function registerEinopsOps(): void {
  const spell = fn;
  const tensorParams = (...rest: ParamSpec[]): ParamSpec[] => [p('tensor'), p('pattern'), ...rest];

  for (const name of ['rearrange', 'repeat'] as const) {
    const op = defineOp({
      name: `einops_${name}`,
      params: [p('input'), p('pattern'), AXES_LENGTHS],
      shape: (args) => transformShape(`einops.${name}`, args, name, getStr(args, 'pattern', `einops.${name}`), axesLengthsOf(args)),
    });
    spell([`einops.${name}`, `einops.einops.${name}`], op, tensorParams(AXES_LENGTHS), { tensor: 'input' });
  }
  const reduce = defineOp({
    name: 'einops_reduce',
    params: [p('input'), p('pattern'), p('reduction'), AXES_LENGTHS],
    shape: (args) => {
      const op = operationOf(args.reduction, 'einops.reduce');
      return transformShape('einops.reduce', args, op, getStr(args, 'pattern', 'einops.reduce'), axesLengthsOf(args));
    },
  });
  spell(['einops.reduce', 'einops.einops.reduce'], reduce, tensorParams(p('reduction'), AXES_LENGTHS), { tensor: 'input' });

  const pack = defineOp({
    name: 'einops_pack',
    params: [p('tensors'), p('pattern')],
    shape: (args) => {
      const who = 'einops.pack';
      const pattern = getStr(args, 'pattern', who);
      const items = itemsOf(args.tensors ?? UNKNOWN, 'tensors', who);
      const shapes = shapeListOf(args.tensors!, 'tensors', who);
      const dtype = items.reduce<DType>((acc, t, i) => (t.kind === 'tensor' ? (i === 0 ? t.dtype : promote(tensor(null, acc), t)) : acc), 'float32');
      const r = planPack(who, pattern, shapes);
      const ps: Value = { kind: 'list', items: r.packed.map((s) => (s ? tuple(toDims(s, '?').map(int)) : UNKNOWN)) };
      return tuple([tensor(r.output ? toDims(r.output, '*') : null, dtype), ps]);
    },
    unknown: () => tuple([tensor(null), UNKNOWN_LIST]),
  });
  spell(['einops.pack', 'einops.packing.pack'], pack, pack.params);

  const unpack = defineOp({
    name: 'einops_unpack',
    params: [p('input'), p('packed_shapes'), p('pattern')],
    shape: (args) => {
      const who = 'einops.unpack';
      const pattern = getStr(args, 'pattern', who);
      const v = args.input ?? UNKNOWN;
      if (v.kind === 'unknown') throw new UnknownArg('input');
      if (v.kind !== 'tensor') throw new ShapeError(`${who}: argument 'tensor' must be a Tensor`, 'input');
      const ps = shapeListOf(args.packed_shapes ?? UNKNOWN, 'packed_shapes', who);
      const outs = planUnpack(who, pattern, v.shape, ps);
      // einops returns a list; a tuple here, as split/chunk's, so the frontend tracks each piece in the IR.
      return tuple(outs.map((s) => tensor(s ? toDims(s, '?') : null, v.dtype)));
    },
    unknown: () => UNKNOWN,
  });
  spell(['einops.unpack', 'einops.packing.unpack'], unpack, [p('tensor'), p('packed_shapes'), p('pattern')], { tensor: 'input' });

  const einsum = defineOp({
    name: 'einops_einsum',
    params: [varargs('tensors_and_pattern')],
    shape: einsumShape,
  });
  spell(['einops.einsum', 'einops.einops.einsum'], einsum, einsum.params);
}
