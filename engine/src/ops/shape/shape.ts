// Shape ops: view/reshape (one -1 inferred symbolically), flatten/unflatten, permute/transpose,
// squeeze/unsqueeze, expand/repeat, cat/stack/split/chunk/unbind, indexing (__getitem__),
// size/dim/numel, interpolate and pad.

import { add, cancelCommon, dimEquals, dimToString, exactDiv, floordiv, isConcrete, mul, opaque, prod, shapeToString, sub, type Dim } from '../../shape/dim.js';
import { defineOp, fn, kw, method, p, varargs } from '../common/define.js';
import { broadcastShapes, ceildiv, listToString } from '../common/shapes.js';
import {
  bool, describe, getConcreteInt, getDim, getNumber, getShape, getStr, getTensor, int, intOf, isNone, itemsOf,
  normDim, NONE, promote, shapeArg, str, tensor, tuple, UNKNOWN, UnknownArg,
} from '../common/values.js';
import { ShapeError, type BoundArgs, type TensorType, type Value } from '../types.js';

/** The shape `view`/`reshape` produce; one -1 is inferred (opaque when not exactly divisible symbolically). */
export function reshapeShape(who: string, input: readonly Dim[], req: readonly Dim[]): Dim[] {
  const numel = prod(input);
  const inferred = req.flatMap((d, i) => (d === -1 ? [i] : []));
  if (inferred.length > 1) throw new ShapeError(`${who}: only one dimension can be inferred (-1), but got shape ${listToString(req)}`, 'shape');
  const bad = req.find((d) => typeof d === 'number' && d < -1);
  if (bad !== undefined) throw new ShapeError(`${who}: invalid size ${bad} in shape ${listToString(req)}`, 'shape');
  const invalid = (): ShapeError => new ShapeError(`${who}: shape ${listToString(req)} is invalid for input of ${dimToString(numel)} elements (input ${shapeToString(input)})`, 'shape');
  if (inferred.length === 0) {
    const total = prod(req);
    const [n, k] = cancelCommon(numel, total) ?? [numel, total];
    // Sizes are positive, so cancelling shared symbols keeps (in)equality: 7*B vs 8*B differ.
    if (dimEquals(n, k) === false) throw invalid();
    return [...req];
  }
  const known = prod(req.filter((d) => d !== -1));
  let d = exactDiv(numel, known);
  if (d === undefined) {
    // Cancel shared symbols first: [B, 7] -> (B, -1, 2) leaves 7 / 2, definitely invalid.
    const [n, k] = cancelCommon(numel, known) ?? [numel, known];
    if (isConcrete(n) && isConcrete(k)) throw invalid();
    // Symbolic: PyTorch fails at run time unless it divides, so floor division is the size.
    d = floordiv(numel, known);
    if (!isConcrete(d) && d.toString().includes(')//(')) d = opaque(`${wrap(numel)}/${wrap(known)}`);
  }
  return req.map((x) => (x === -1 ? d : x));
}

function wrap(d: Dim): string {
  const s = dimToString(d);
  return /^[\w]+$/.test(s) ? s : `(${s})`;
}

export function flattenShape(who: string, s: readonly Dim[], start: number, end: number): Dim[] {
  if (s.length === 0) return [1];
  const a = normDim(start, s.length, who, s, 'start_dim');
  const b = normDim(end, s.length, who, s, 'end_dim');
  if (a > b) throw new ShapeError(`${who}: start_dim ${start} cannot come after end_dim ${end} (input ${shapeToString(s)})`, 'start_dim');
  return [...s.slice(0, a), prod(s.slice(a, b + 1)), ...s.slice(b + 1)];
}

export function unflattenShape(who: string, s: readonly Dim[], dim: number, sizes: readonly Dim[]): Dim[] {
  const d = normDim(dim, s.length, who, s);
  if (sizes.every((x) => x !== -1) && dimEquals(prod(sizes), s[d]!) === false) {
    throw new ShapeError(`${who}: sizes ${listToString(sizes)} multiply to ${dimToString(prod(sizes))}, but dim ${d} of ${shapeToString(s)} is ${dimToString(s[d]!)}`, 'sizes');
  }
  const inner = reshapeShape(who, [s[d]!], sizes);
  return [...s.slice(0, d), ...inner, ...s.slice(d + 1)];
}

/** Length of `a[start:stop:step]` along a dim of `size` (Python slice semantics; symbolic bounds assumed in range). */
export function sliceLength(size: Dim, start: Dim | null, stop: Dim | null, step: Dim | null, who: string): Dim {
  const st = step ?? 1;
  if (typeof st === 'number' && st <= 0) throw new ShapeError(`${who}: slice step must be positive, but got ${st}`, 'index');
  if (typeof st !== 'number') return opaque(`len(slice)`);
  const clamp = (v: Dim | null, dflt: Dim): Dim => {
    if (v === null) return dflt;
    if (typeof v === 'number') {
      if (v < 0) {
        if (typeof size === 'number') return Math.max(0, size + v);
        return add(size, v);
      }
      if (typeof size === 'number') return Math.min(v, size);
      return v;
    }
    return v;
  };
  const a = clamp(start, 0);
  const b = clamp(stop, size);
  const span = sub(b, a);
  if (typeof span === 'number') return span <= 0 ? 0 : Math.ceil(span / st);
  return st === 1 ? span : ceildiv(span, st);
}

/** `x[index]` for ints, slices, None, Ellipsis, bool/int tensors and lists of ints. */
export function indexShape(who: string, s: readonly Dim[], index: Value): Dim[] {
  const items: readonly Value[] = index.kind === 'tuple' ? index.items : [index];
  if (items.some((v) => v.kind === 'unknown')) throw new UnknownArg('index');
  const consumes = (v: Value): number => {
    if (v.kind === 'none' || v.kind === 'ellipsis') return 0;
    if (v.kind === 'tensor' && (v.dtype === 'bool' || v.dtype === 'uint8')) {
      if (!v.shape) throw new UnknownArg('index');
      return Math.max(v.shape.length, 1);
    }
    return 1;
  };
  const used = items.reduce((n, v) => n + consumes(v), 0);
  const nEll = items.filter((v) => v.kind === 'ellipsis').length;
  if (nEll > 1) throw new ShapeError(`${who}: an index can only have a single ellipsis ('...')`, 'index');
  if (used > s.length) {
    throw new ShapeError(`${who}: too many indices for ${shapeToString(s)}: ${used} indices for ${s.length} dims`, 'index');
  }
  const out: Dim[] = [];
  // Advanced (tensor/list) indices: their broadcast shape goes where the first one was when they are adjacent, else first.
  let adv: Dim[] | null = null;
  let advPos = -1;
  let advAdjacent = true;
  let lastAdvItem = -2;
  let d = 0;
  items.forEach((v, i) => {
    switch (v.kind) {
      case 'none': out.push(1); return;
      case 'ellipsis': {
        const n = s.length - used;
        out.push(...s.slice(d, d + n));
        d += n;
        return;
      }
      case 'int':
      case 'bool': {
        const size = s[d]!;
        const k = v.kind === 'int' ? v.value : null;
        if (typeof k === 'number' && typeof size === 'number' && (k >= size || k < -size)) {
          throw new ShapeError(`${who}: index ${k} is out of bounds for dim ${d} with size ${size} (${shapeToString(s)})`, 'index');
        }
        d += 1;
        return;
      }
      case 'slice':
        out.push(sliceLength(s[d]!, v.start, v.stop, v.step, who));
        d += 1;
        return;
      case 'tensor':
      case 'list':
      case 'tuple': {
        let shape: Dim[];
        let n = 1;
        if (v.kind === 'tensor') {
          if (!v.shape) throw new UnknownArg('index');
          if (v.dtype === 'bool' || v.dtype === 'uint8') {
            n = Math.max(v.shape.length, 1);
            const covered = s.slice(d, d + n);
            v.shape.forEach((m, j) => {
              if (dimEquals(m, covered[j]!) === false) {
                throw new ShapeError(`${who}: the mask ${shapeToString(v.shape)} does not match ${shapeToString(s)} at dim ${d + j}: ${dimToString(m)} vs ${dimToString(covered[j]!)}`, 'index');
              }
            });
            shape = [opaque('nnz')];
          } else if (v.dtype === 'float32' || v.dtype === 'float64' || v.dtype === 'float16' || v.dtype === 'bfloat16') {
            throw new ShapeError(`${who}: tensors used as indices must be long, int, byte or bool, but got ${v.dtype} ${shapeToString(v.shape)}`, 'index');
          } else {
            shape = [...v.shape];
          }
        } else {
          const xs = itemsOf(v, 'index', who);
          shape = [xs.length];
        }
        adv = adv ? broadcastShapes(adv, shape, `${who}: index tensors: `, 'index') : shape;
        if (advPos < 0) advPos = out.length;
        else if (lastAdvItem !== i - 1) advAdjacent = false;
        lastAdvItem = i;
        d += n;
        return;
      }
      default:
        throw new ShapeError(`${who}: unsupported index ${describe(v)}`, 'index');
    }
  });
  out.push(...s.slice(d));
  if (adv) {
    const at = advAdjacent ? advPos : 0;
    out.splice(at, 0, ...(adv as Dim[]));
  }
  return out;
}

function tensorsOf(args: BoundArgs, name: string, who: string): TensorType[] {
  const items = itemsOf(args[name] ?? UNKNOWN, name, who);
  return items.map((v, i) => {
    if (v.kind === 'tensor') return v;
    if (v.kind === 'unknown') throw new UnknownArg(name);
    throw new ShapeError(`${who}: expected a sequence of tensors, but item ${i} is ${describe(v)}`, name);
  });
}

export function catShape(who: string, shapes: readonly (readonly Dim[])[], dim: number): Dim[] {
  if (shapes.length === 0) throw new ShapeError(`${who}: expected a non-empty list of tensors`, 'tensors');
  // Legacy: 1-D empty tensors are skipped by cat.
  const used = shapes.filter((s) => !(s.length === 1 && s[0] === 0));
  if (used.length === 0) return [0];
  const first = used[0]!;
  const d = normDim(dim, first.length, who, first);
  const out = [...first];
  used.slice(1).forEach((s) => {
    if (s.length !== first.length) {
      throw new ShapeError(`${who}: tensors must have the same number of dims, but got ${shapeToString(first)} and ${shapeToString(s)}`, 'tensors');
    }
    s.forEach((x, i) => {
      if (i === d) return;
      if (dimEquals(x, first[i]!) === false) {
        throw new ShapeError(`${who}: tensors must match except in dim ${d}, but dim ${i} is ${dimToString(first[i]!)} vs ${dimToString(x)} (${shapeToString(first)} and ${shapeToString(s)})`, 'tensors');
      }
    });
    out[d] = add(out[d]!, s[d]!);
  });
  return out;
}

export function interpolateShape(who: string, s: readonly Dim[], size: Value, scale: Value, mode: string): Dim[] {
  if (s.length < 3 || s.length > 5) {
    throw new ShapeError(`${who}: expects a 3D, 4D or 5D input [N, C, *spatial], but got ${shapeToString(s)}`, 'input');
  }
  const n = s.length - 2;
  const needs: Record<string, number> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };
  if (needs[mode] !== undefined && needs[mode] !== n) {
    throw new ShapeError(`${who}: mode '${mode}' expects a ${needs[mode]! + 2}D input, but got ${shapeToString(s)}`, 'mode');
  }
  const known = ['nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact'];
  if (!known.includes(mode)) throw new ShapeError(`${who}: unknown mode '${mode}' (expected one of ${known.join(', ')})`, 'mode');
  const spatial = s.slice(2);
  let out: Dim[];
  if (size.kind !== 'none') {
    if (scale.kind !== 'none') throw new ShapeError(`${who}: only one of size or scale_factor should be defined`, 'size');
    out = size.kind === 'tuple' || size.kind === 'list' ? itemsOf(size, 'size', who).map((v) => intOf(v, 'size', who)) : Array(n).fill(intOf(size, 'size', who));
    if (out.length !== n) throw new ShapeError(`${who}: size has ${out.length} items but the input has ${n} spatial dims (${shapeToString(s)})`, 'size');
  } else if (scale.kind !== 'none') {
    const scales = scale.kind === 'tuple' || scale.kind === 'list' ? itemsOf(scale, 'scale_factor', who) : Array<Value>(n).fill(scale);
    if (scales.length !== n) throw new ShapeError(`${who}: scale_factor has ${scales.length} items but the input has ${n} spatial dims`, 'scale_factor');
    out = spatial.map((L, i) => {
      const f = scales[i]!;
      const v = f.kind === 'float' || f.kind === 'int' ? (f.kind === 'int' ? (typeof f.value === 'number' ? f.value : null) : f.value) : null;
      if (v === null) return opaque(`${dimToString(L)}*scale`);
      if (Number.isInteger(v)) return mul(L, v);
      if (typeof L === 'number') return Math.floor(L * v);
      // Exact halves/thirds of a symbolic size: floor(L * 1/k).
      const inv = 1 / v;
      if (Number.isInteger(inv)) return floordiv(L, inv);
      return opaque(`floor(${dimToString(L)}*${v})`);
    });
  } else {
    throw new ShapeError(`${who}: either size or scale_factor should be defined`, 'size');
  }
  return [...s.slice(0, 2), ...out];
}

export function padShape(who: string, s: readonly Dim[], pad: readonly Dim[]): Dim[] {
  if (pad.length % 2 !== 0) throw new ShapeError(`${who}: padding length must be divisible by 2, but got ${pad.length}`, 'pad');
  if (pad.length / 2 > s.length) throw new ShapeError(`${who}: padding length ${pad.length} is too large for ${shapeToString(s)} (at most ${2 * s.length})`, 'pad');
  const out = [...s];
  for (let i = 0; i < pad.length / 2; i++) {
    const d = s.length - 1 - i;
    out[d] = add(add(out[d]!, pad[2 * i]!), pad[2 * i + 1]!);
    if (typeof out[d] === 'number' && (out[d] as number) < 0) {
      throw new ShapeError(`${who}: padding ${listToString(pad)} makes dim ${d} of ${shapeToString(s)} negative`, 'pad');
    }
  }
  return out;
}

const same = (t: TensorType, shape: readonly Dim[] | null): TensorType => tensor(shape, t.dtype);

export function registerShapeOps(): void {
  registerPixelShuffleOps();
  // ---- view / reshape ----------------------------------------------------------------------
  for (const name of ['view', 'reshape'] as const) {
    const op = defineOp({
      name,
      params: [p('input'), p('shape')],
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        const sv = args.shape ?? UNKNOWN;
        // x.view(torch.float16) reinterprets the dtype.
        if (name === 'view' && sv.kind === 'tuple' && sv.items.length === 1 && sv.items[0]!.kind === 'dtype') return tensor(t.shape, sv.items[0]!.dtype);
        const req = shapeArg(sv, 'shape', name);
        if (!t.shape) return tensor(req.includes(-1) ? null : req, t.dtype);
        return same(t, reshapeShape(name, t.shape, req));
      },
      unknown: (args) => tensor(null, args.input?.kind === 'tensor' ? args.input.dtype : 'float32'),
    });
    if (name === 'reshape') fn('torch.reshape', op);
    method(name, op, [varargs('shape')]);
  }
  for (const [m, target] of [['view_as', 'view'], ['reshape_as', 'reshape']] as const) {
    const op = defineOp({
      name: m,
      params: [p('input'), p('other')],
      shape: (args) => {
        const t = getTensor(args, 'input', m);
        const o = getShape(args, 'other', m);
        return same(t, t.shape ? reshapeShape(target, t.shape, o) : o);
      },
    });
    method(m, op);
  }

  const flatten = defineOp({
    name: 'flatten',
    params: [p('input'), p('start_dim', int(0)), p('end_dim', int(-1))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'flatten');
      const a = getConcreteInt(args, 'start_dim', 'flatten');
      const b = getConcreteInt(args, 'end_dim', 'flatten');
      return same(t, t.shape ? flattenShape('flatten', t.shape, a, b) : null);
    },
  });
  fn('torch.flatten', flatten);
  method('flatten', flatten);

  const unflatten = defineOp({
    name: 'unflatten',
    params: [p('input'), p('dim'), p('sizes')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'unflatten');
      const dim = getConcreteInt(args, 'dim', 'unflatten');
      const sizes = shapeArg(args.sizes ?? UNKNOWN, 'sizes', 'unflatten');
      return same(t, t.shape ? unflattenShape('unflatten', t.shape, dim, sizes) : null);
    },
  });
  fn('torch.unflatten', unflatten);
  method('unflatten', unflatten);

  // ---- permute / transpose -------------------------------------------------------------------
  const permute = defineOp({
    name: 'permute',
    params: [p('input'), p('dims')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'permute');
      const dims = shapeArg(args.dims ?? UNKNOWN, 'dims', 'permute');
      if (!t.shape) return tensor(null, t.dtype);
      const s = t.shape;
      if (dims.length !== s.length) {
        throw new ShapeError(`permute: the number of dims ${dims.length} does not match the input's ${s.length} (input ${shapeToString(s)}, dims ${listToString(dims)})`, 'dims');
      }
      const seen = new Set<number>();
      const out = dims.map((d) => {
        if (typeof d !== 'number') throw new UnknownArg('dims');
        const n = normDim(d, s.length, 'permute', s, 'dims');
        if (seen.has(n)) throw new ShapeError(`permute: dim ${n} appears twice in ${listToString(dims)}`, 'dims');
        seen.add(n);
        return s[n]!;
      });
      return same(t, out);
    },
  });
  fn('torch.permute', permute);
  method('permute', permute, [varargs('dims')]);

  const transpose = defineOp({
    name: 'transpose',
    params: [p('input'), p('dim0'), p('dim1')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'transpose');
      if (!t.shape) return tensor(null, t.dtype);
      const a = getDim(args, 'dim0', 'transpose', t.shape);
      const b = getDim(args, 'dim1', 'transpose', t.shape);
      const out = [...t.shape];
      if (out.length > 0) { out[a] = t.shape[b]!; out[b] = t.shape[a]!; }
      return same(t, out);
    },
  });
  fn(['torch.transpose', 'torch.swapaxes', 'torch.swapdims'], transpose);
  method(['transpose', 'transpose_'], transpose);
  method(['swapaxes', 'swapdims'], transpose, [p('axis0'), p('axis1')], { rename: { axis0: 'dim0', axis1: 'dim1' } });

  const tOp = defineOp({
    name: 't',
    params: [p('input')],
    shape: (args) => {
      const t = getTensor(args, 'input', 't');
      if (!t.shape) return tensor(null, t.dtype);
      if (t.shape.length > 2) throw new ShapeError(`t: expects a tensor with at most 2 dims, but got ${shapeToString(t.shape)} (use transpose or permute)`, 'input');
      return same(t, [...t.shape].reverse());
    },
  });
  fn('torch.t', tOp);
  method('t', tOp);

  const movedim = defineOp({
    name: 'movedim',
    params: [p('input'), p('source'), p('destination')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'movedim');
      if (!t.shape) return tensor(null, t.dtype);
      const s = t.shape;
      const src = shapeArg(args.source ?? UNKNOWN, 'source', 'movedim');
      const dst = shapeArg(args.destination ?? UNKNOWN, 'destination', 'movedim');
      if (src.length !== dst.length) throw new ShapeError(`movedim: source and destination must have the same number of dims`, 'destination');
      const srcN = src.map((d) => normDim(Number(d), s.length, 'movedim', s, 'source'));
      const dstN = dst.map((d) => normDim(Number(d), s.length, 'movedim', s, 'destination'));
      const out: (Dim | undefined)[] = Array(s.length).fill(undefined);
      dstN.forEach((d, i) => { out[d] = s[srcN[i]!]!; });
      const rest = s.filter((_, i) => !srcN.includes(i));
      let r = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = rest[r++]!;
      return same(t, out as Dim[]);
    },
  });
  fn(['torch.movedim', 'torch.moveaxis'], movedim);
  method(['movedim', 'moveaxis'], movedim);

  // ---- squeeze / unsqueeze ----------------------------------------------------------------
  const squeeze = defineOp({
    name: 'squeeze',
    params: [p('input'), p('dim', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'squeeze');
      if (!t.shape) return tensor(null, t.dtype);
      const s = t.shape;
      const dv = args.dim ?? NONE;
      if (dv.kind === 'none') return same(t, s.filter((d) => d !== 1));
      const dims = (dv.kind === 'tuple' || dv.kind === 'list' ? itemsOf(dv, 'dim', 'squeeze') : [dv]).map((v) => {
        const d = intOf(v, 'dim', 'squeeze');
        if (typeof d !== 'number') throw new UnknownArg('dim');
        return normDim(d, s.length, 'squeeze', s);
      });
      if (s.length === 0) return same(t, []);
      // A dim that might be 1 (symbolic) is kept: PyTorch only squeezes actual size-1 dims.
      return same(t, s.filter((d, i) => !(dims.includes(i) && d === 1)));
    },
  });
  fn('torch.squeeze', squeeze);
  method(['squeeze', 'squeeze_'], squeeze);

  const unsqueeze = defineOp({
    name: 'unsqueeze',
    params: [p('input'), p('dim')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'unsqueeze');
      if (!t.shape) return tensor(null, t.dtype);
      const d = normDim(getConcreteInt(args, 'dim', 'unsqueeze'), t.shape.length + 1, 'unsqueeze', t.shape);
      const out = [...t.shape];
      out.splice(d, 0, 1);
      return same(t, out);
    },
  });
  fn('torch.unsqueeze', unsqueeze);
  method(['unsqueeze', 'unsqueeze_'], unsqueeze);

  // ---- expand / repeat ------------------------------------------------------------------------
  const expand = defineOp({
    name: 'expand',
    params: [p('input'), p('size')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'expand');
      const req = shapeArg(args.size ?? UNKNOWN, 'size', 'expand');
      if (!t.shape) return tensor(req.includes(-1) ? null : req, t.dtype);
      return same(t, expandShape('expand', t.shape, req));
    },
  });
  method('expand', expand, [varargs('size')]);
  const expandAs = defineOp({
    name: 'expand_as',
    params: [p('input'), p('other')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'expand_as');
      const o = getShape(args, 'other', 'expand_as');
      return same(t, t.shape ? expandShape('expand_as', t.shape, o) : o);
    },
  });
  method('expand_as', expandAs);
  const broadcastTo = defineOp({
    name: 'broadcast_to',
    params: [p('input'), p('size')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'broadcast_to');
      const req = shapeArg(args.size ?? UNKNOWN, 'size', 'broadcast_to');
      return same(t, t.shape ? expandShape('broadcast_to', t.shape, req) : null);
    },
  });
  fn('torch.broadcast_to', broadcastTo);
  method('broadcast_to', broadcastTo);

  const repeat = defineOp({
    name: 'repeat',
    params: [p('input'), p('repeats')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'repeat');
      const r = shapeArg(args.repeats ?? UNKNOWN, 'repeats', 'repeat');
      if (!t.shape) return tensor(null, t.dtype);
      if (r.length < t.shape.length) {
        throw new ShapeError(`repeat: the number of repeats (${r.length}) cannot be smaller than the number of dims of ${shapeToString(t.shape)}`, 'repeats');
      }
      const padded = [...Array<Dim>(r.length - t.shape.length).fill(1), ...t.shape];
      return same(t, padded.map((d, i) => mul(d, r[i]!)));
    },
  });
  method('repeat', repeat, [varargs('repeats')]);

  const repeatInterleave = defineOp({
    name: 'repeat_interleave',
    params: [p('input'), p('repeats'), p('dim', NONE), kw('output_size', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'repeat_interleave');
      const r = args.repeats;
      if (!t.shape || r?.kind !== 'int') return tensor(null, t.dtype);
      if (isNone(args.dim)) return same(t, [mul(prod(t.shape), r.value)]);
      const d = getDim(args, 'dim', 'repeat_interleave', t.shape);
      const out = [...t.shape];
      out[d] = mul(out[d]!, r.value);
      return same(t, out);
    },
  });
  fn('torch.repeat_interleave', repeatInterleave);
  method('repeat_interleave', repeatInterleave);

  // ---- cat / stack / split / chunk ----------------------------------------------------------
  const cat = defineOp({
    name: 'cat',
    params: [p('tensors'), p('dim', int(0))],
    shape: (args) => {
      const ts = tensorsOf(args, 'tensors', 'torch.cat');
      const dtype = ts.slice(1).reduce<TensorType['dtype']>((acc, x) => promote(tensor(null, acc), tensor(null, x.dtype)), ts[0]?.dtype ?? 'float32');
      if (ts.some((x) => !x.shape)) return tensor(null, dtype);
      return tensor(catShape('torch.cat', ts.map((x) => x.shape!), getConcreteInt(args, 'dim', 'torch.cat')), dtype);
    },
  });
  fn(['torch.cat', 'torch.concat', 'torch.concatenate'], cat);

  const stack = defineOp({
    name: 'stack',
    params: [p('tensors'), p('dim', int(0))],
    shape: (args) => {
      const ts = tensorsOf(args, 'tensors', 'torch.stack');
      if (ts.length === 0) throw new ShapeError(`torch.stack: expected a non-empty list of tensors`, 'tensors');
      const dtype = ts[0]!.dtype;
      const known = ts.filter((x) => x.shape);
      if (known.length === 0) return tensor(null, dtype);
      const first = known[0]!.shape!;
      known.slice(1).forEach((x, i) => {
        const s = x.shape!;
        const bad = s.length !== first.length ? -1 : s.findIndex((d, j) => dimEquals(d, first[j]!) === false);
        if (s.length !== first.length || bad >= 0) {
          throw new ShapeError(`torch.stack: all tensors must have the same shape, but tensor ${i + 1} is ${shapeToString(s)} and tensor 0 is ${shapeToString(first)}`, 'tensors');
        }
      });
      if (known.length !== ts.length) return tensor(null, dtype);
      const d = normDim(getConcreteInt(args, 'dim', 'torch.stack'), first.length + 1, 'torch.stack', first);
      const out = [...first];
      out.splice(d, 0, ts.length);
      return tensor(out, dtype);
    },
  });
  fn(['torch.stack'], stack);
  for (const [name, d] of [['hstack', 1], ['vstack', 0]] as const) {
    const op = defineOp({
      name,
      params: [p('tensors')],
      shape: (args) => {
        const ts = tensorsOf(args, 'tensors', `torch.${name}`);
        if (ts.length === 0) throw new ShapeError(`torch.${name}: expected a non-empty list of tensors`, 'tensors');
        if (ts.some((x) => !x.shape)) return tensor(null, ts[0]?.dtype ?? 'float32');
        const shapes = ts.map((x) => (x.shape!.length === 1 && name === 'vstack' ? [1, x.shape![0]!] : x.shape!));
        const dim = name === 'hstack' && shapes[0]!.length === 1 ? 0 : d;
        return tensor(catShape(`torch.${name}`, shapes, dim), ts[0]!.dtype);
      },
    });
    fn(`torch.${name}`, op);
  }

  const split = defineOp({
    name: 'split',
    params: [p('tensor'), p('split_size_or_sections'), p('dim', int(0))],
    shape: (args) => {
      const t = getTensor(args, 'tensor', 'split');
      if (!t.shape) throw new UnknownArg('tensor');
      const d = getDim(args, 'dim', 'split', t.shape);
      const L = t.shape[d]!;
      const sv = args.split_size_or_sections ?? UNKNOWN;
      const piece = (n: Dim): TensorType => { const s = [...t.shape!]; s[d] = n; return same(t, s); };
      if (sv.kind === 'tuple' || sv.kind === 'list') {
        const sizes = itemsOf(sv, 'split_size_or_sections', 'split').map((v) => intOf(v, 'split_size_or_sections', 'split'));
        if (dimEquals(prod([sizes.reduce<Dim>((a, b) => add(a, b), 0)]), L) === false) {
          throw new ShapeError(`split: sections ${listToString(sizes)} sum to ${dimToString(sizes.reduce<Dim>((a, b) => add(a, b), 0))}, but dim ${d} of ${shapeToString(t.shape)} is ${dimToString(L)}`, 'split_size_or_sections');
        }
        return tuple(sizes.map(piece));
      }
      const size = intOf(sv, 'split_size_or_sections', 'split');
      if (typeof size === 'number' && size <= 0) throw new ShapeError(`split: split_size must be positive, but got ${size}`, 'split_size_or_sections');
      if (typeof L === 'number' && typeof size === 'number') {
        const pieces: TensorType[] = [];
        for (let at = 0; at < L; at += size) pieces.push(piece(Math.min(size, L - at)));
        return tuple(pieces.length ? pieces : [piece(0)]);
      }
      const n = exactDiv(L, size);
      if (typeof n === 'number') return tuple(Array.from({ length: n }, () => piece(size)));
      return UNKNOWN;
    },
    unknown: 'value',
  });
  fn('torch.split', split);
  method('split', split, [p('split_size'), p('dim', int(0))], { rename: { split_size: 'split_size_or_sections' }, self: 'tensor' });

  const chunk = defineOp({
    name: 'chunk',
    params: [p('input'), p('chunks'), p('dim', int(0))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'chunk');
      if (!t.shape) throw new UnknownArg('input');
      const chunks = getConcreteInt(args, 'chunks', 'chunk');
      if (chunks <= 0) throw new ShapeError(`chunk: chunks must be positive, but got ${chunks}`, 'chunks');
      const d = getDim(args, 'dim', 'chunk', t.shape);
      const L = t.shape[d]!;
      const piece = (n: Dim): TensorType => { const s = [...t.shape!]; s[d] = n; return same(t, s); };
      if (typeof L === 'number') {
        const size = Math.ceil(L / chunks);
        const pieces: TensorType[] = [];
        for (let at = 0; at < L; at += size) pieces.push(piece(Math.min(size, L - at)));
        return tuple(pieces.length ? pieces : [piece(0)]);
      }
      // Symbolic: assume `chunks` pieces of ceil(L / chunks), the last one taking the rest
      // (exact whenever PyTorch returns that many chunks, e.g. whenever chunks divides L).
      const size = exactDiv(L, chunks) ?? ceildiv(L, chunks);
      return tuple(Array.from({ length: chunks }, (_, k) => piece(k < chunks - 1 ? size : sub(L, mul(chunks - 1, size)))));
    },
    unknown: 'value',
  });
  fn('torch.chunk', chunk);
  method('chunk', chunk);

  const unbind = defineOp({
    name: 'unbind',
    params: [p('input'), p('dim', int(0))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'unbind');
      if (!t.shape) throw new UnknownArg('input');
      const d = getDim(args, 'dim', 'unbind', t.shape);
      const n = t.shape[d]!;
      if (typeof n !== 'number') return UNKNOWN;
      const s = t.shape.filter((_, i) => i !== d);
      return tuple(Array.from({ length: n }, () => same(t, s)));
    },
    unknown: 'value',
  });
  fn('torch.unbind', unbind);
  method('unbind', unbind);

  // ---- indexing ----------------------------------------------------------------------------
  const getitem = defineOp({
    name: 'getitem',
    params: [p('input'), p('index')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'index');
      if (!t.shape) return tensor(null, t.dtype);
      return same(t, indexShape('index', t.shape, args.index ?? UNKNOWN));
    },
  });
  method('__getitem__', getitem, [p('index')]);

  const narrow = defineOp({
    name: 'narrow',
    params: [p('input'), p('dim'), p('start'), p('length')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'narrow');
      if (!t.shape) return tensor(null, t.dtype);
      const d = getDim(args, 'dim', 'narrow', t.shape);
      const out = [...t.shape];
      out[d] = intOfArg(args, 'length', 'narrow');
      return same(t, out);
    },
  });
  fn('torch.narrow', narrow);
  method('narrow', narrow);

  const select = defineOp({
    name: 'select',
    params: [p('input'), p('dim'), p('index')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'select');
      if (!t.shape) return tensor(null, t.dtype);
      const d = getDim(args, 'dim', 'select', t.shape);
      return same(t, t.shape.filter((_, i) => i !== d));
    },
  });
  fn('torch.select', select);
  method('select', select);

  const indexSelect = defineOp({
    name: 'index_select',
    params: [p('input'), p('dim'), p('index')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'index_select');
      const idx = getShape(args, 'index', 'index_select');
      if (!t.shape) return tensor(null, t.dtype);
      if (idx.length > 1) throw new ShapeError(`index_select: index must be 1D, but got ${shapeToString(idx)}`, 'index');
      const d = getDim(args, 'dim', 'index_select', t.shape);
      const out = [...t.shape];
      if (out.length) out[d] = idx[0] ?? 1;
      return same(t, out);
    },
  });
  fn('torch.index_select', indexSelect);
  method('index_select', indexSelect);

  const gather = defineOp({
    name: 'gather',
    params: [p('input'), p('dim'), p('index'), kw('sparse_grad', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'gather');
      const idx = getShape(args, 'index', 'gather');
      if (t.shape && t.shape.length !== idx.length) {
        throw new ShapeError(`gather: index ${shapeToString(idx)} must have as many dims as the input ${shapeToString(t.shape)}`, 'index');
      }
      return same(t, idx);
    },
  });
  fn('torch.gather', gather);
  method('gather', gather);

  for (const name of ['flip', 'roll', 'tril', 'triu', 'cumsum', 'cumprod']) {
    const params = name === 'flip' ? [p('input'), p('dims')]
      : name === 'roll' ? [p('input'), p('shifts'), p('dims', NONE)]
        : name === 'cumsum' || name === 'cumprod' ? [p('input'), p('dim'), kw('dtype', NONE)]
          : [p('input'), p('diagonal', int(0))];
    const op = defineOp({
      name,
      params,
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        if ((name === 'tril' || name === 'triu') && t.shape && t.shape.length < 2) {
          throw new ShapeError(`${name}: input must have at least 2 dims, but got ${shapeToString(t.shape)}`, 'input');
        }
        const dt = args.dtype?.kind === 'dtype' ? args.dtype.dtype : name.startsWith('cum') && t.dtype !== 'float32' && t.dtype !== 'float64' && t.dtype !== 'float16' ? 'int64' : t.dtype;
        return tensor(t.shape, dt);
      },
    });
    fn(`torch.${name}`, op);
    method(name === 'flip' ? 'flip' : [name, `${name}_`], op, name === 'flip' ? [varargs('dims')] : undefined);
  }

  // ---- size / dim / numel -------------------------------------------------------------------
  const size = defineOp({
    name: 'size',
    params: [p('input'), p('dim', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'size');
      if (!t.shape) throw new UnknownArg('input');
      if (isNone(args.dim)) return tuple(t.shape.map(int));
      return int(t.shape[getDim(args, 'dim', 'size', t.shape)]!);
    },
    unknown: 'value',
  });
  method('size', size);
  const dim = defineOp({
    name: 'dim',
    params: [p('input')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'dim');
      if (!t.shape) throw new UnknownArg('input');
      return int(t.shape.length);
    },
    unknown: 'value',
  });
  method(['dim', 'ndimension'], dim);
  const numel = defineOp({
    name: 'numel',
    params: [p('input')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'numel');
      if (!t.shape) throw new UnknownArg('input');
      return int(prod(t.shape));
    },
    unknown: 'value',
  });
  fn('torch.numel', numel);
  method(['numel', 'nelement'], numel);
  const item = defineOp({
    name: 'item',
    params: [p('input')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'item');
      if (t.shape && dimEquals(prod(t.shape), 1) === false) {
        throw new ShapeError(`item: only a tensor with one element can be converted to a Python scalar, but got ${shapeToString(t.shape)}`, 'input');
      }
      return t.dtype === 'bool' ? bool(null) : t.dtype.startsWith('int') || t.dtype === 'uint8' ? UNKNOWN : { kind: 'float', value: null };
    },
    unknown: 'value',
  });
  method('item', item);
  // len(x) is the size of the first dim.
  const len = defineOp({
    name: 'len',
    params: [p('input')],
    shape: (args) => {
      const t = getTensor(args, 'input', 'len');
      if (!t.shape) throw new UnknownArg('input');
      if (t.shape.length === 0) throw new ShapeError(`len() of a 0-d tensor`, 'input');
      return int(t.shape[0]!);
    },
    unknown: 'value',
  });
  method('__len__', len);
  const tolist = defineOp({ name: 'tolist', params: [p('input')], shape: () => ({ kind: 'list', items: null }), unknown: 'value' });
  method('tolist', tolist);

  // ---- interpolate / pad --------------------------------------------------------------------
  const interpolate = defineOp({
    name: 'interpolate',
    params: [p('input'), p('size', NONE), p('scale_factor', NONE), p('mode', str('nearest')), p('align_corners', NONE),
      p('recompute_scale_factor', NONE), p('antialias', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'interpolate');
      const mode = getStr(args, 'mode', 'interpolate');
      if (!t.shape) return tensor(null, t.dtype);
      return same(t, interpolateShape('interpolate', t.shape, args.size ?? NONE, args.scale_factor ?? NONE, mode));
    },
  });
  fn(['torch.nn.functional.interpolate', 'torch.nn.functional.upsample'], interpolate);

  const pad = defineOp({
    name: 'pad',
    params: [p('input'), p('pad'), p('mode', str('constant')), p('value', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'pad');
      const pads = shapeArg(args.pad ?? UNKNOWN, 'pad', 'pad');
      getStr(args, 'mode', 'pad');
      void getNumber(args, 'value', 'pad');
      if (!t.shape) return tensor(null, t.dtype);
      return same(t, padShape('pad', t.shape, pads));
    },
  });
  fn('torch.nn.functional.pad', pad);
}

function intOfArg(args: BoundArgs, name: string, who: string): Dim {
  return intOf(args[name] ?? UNKNOWN, name, who);
}

export function expandShape(who: string, s: readonly Dim[], req: readonly Dim[]): Dim[] {
  if (req.length < s.length) {
    throw new ShapeError(`${who}: the requested shape ${listToString(req)} has fewer dims than ${shapeToString(s)}`, 'size');
  }
  const off = req.length - s.length;
  return req.map((r, i) => {
    const cur = i >= off ? s[i - off]! : undefined;
    if (r === -1) {
      if (cur === undefined) throw new ShapeError(`${who}: -1 is not allowed in a leading, non-existing dim (requested ${listToString(req)})`, 'size');
      return cur;
    }
    if (cur !== undefined && cur !== 1 && dimEquals(cur, r) === false) {
      throw new ShapeError(`${who}: ${shapeToString(s)} cannot be expanded to ${listToString(req)}: dim ${i} is ${dimToString(cur)} vs ${dimToString(r)} (only size-1 dims can be expanded)`, 'size');
    }
    return r;
  });
}

/** pixel_shuffle: [*, C*r*r, H, W] -> [*, C, H*r, W*r]; pixel_unshuffle the inverse. */
export function pixelShuffleShape(who: string, s: readonly Dim[], r: Dim, inverse: boolean): Dim[] {
  if (s.length < 3) throw new ShapeError(`${who} expects an input with at least 3 dims [*, C, H, W], but got ${shapeToString(s)}`, 'input');
  const [c, h, w] = s.slice(-3) as [Dim, Dim, Dim];
  const lead = s.slice(0, -3);
  if (!inverse) {
    const rr = mul(r, r);
    const oc = exactDiv(c, rr);
    if (oc === undefined && isConcrete(c) && isConcrete(rr)) {
      throw new ShapeError(`${who}: channels ${c} are not divisible by upscale_factor squared (${rr}) (input ${shapeToString(s)})`, 'input');
    }
    return [...lead, oc ?? floordiv(c, rr), mul(h, r), mul(w, r)];
  }
  for (const [name, d] of [['height', h], ['width', w]] as const) {
    if (isConcrete(d) && isConcrete(r) && d % r !== 0) {
      throw new ShapeError(`${who}: ${name} ${d} is not divisible by downscale_factor ${r} (input ${shapeToString(s)})`, 'input');
    }
  }
  return [...lead, mul(c, mul(r, r)), exactDiv(h, r) ?? floordiv(h, r), exactDiv(w, r) ?? floordiv(w, r)];
}

export function registerPixelShuffleOps(): void {
  for (const [name, factor, inverse] of [['pixel_shuffle', 'upscale_factor', false], ['pixel_unshuffle', 'downscale_factor', true]] as const) {
    const op = defineOp({
      name,
      params: [p('input'), p(factor)],
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        const r = intOfArg(args, factor, name);
        return same(t, t.shape ? pixelShuffleShape(name, t.shape, r, inverse) : null);
      },
    });
    fn([`torch.${name}`, `torch.nn.functional.${name}`], op);
  }
}

