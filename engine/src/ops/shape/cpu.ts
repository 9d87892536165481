// CPU kernels of the shape family. Most ops here are "affine views": out[idx] = in[base +
// sum idx_k * stride_k] (permute, transpose, expand, repeat, slicing, narrow, select, pad's
// interior). They share one strided-copy kernel and one gradient (`_strided_grad`, a strided
// scatter-add). view/reshape/flatten/squeeze/unsqueeze share the storage: no copy.
import { registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { bool, data, empty, intList, normDim, num, numelOf, stridesOf, tensorArg } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeSlice, RuntimeValue } from '../../runtime/value.js';

/** An affine view of a contiguous input. */
export interface Affine { base: number; sizes: number[]; strides: number[] }

export function stridedCopy(x: Tensor, v: Affine, outShape: readonly number[] = v.sizes): Tensor {
  const X = data(x);
  const out = empty(outShape, x.dtype);
  const O = data(out);
  const n = numelOf(v.sizes);
  if (n === 0) return out;
  const nd = v.sizes.length;
  if (nd === 0) { O[0] = X[v.base]!; return out; }
  const inner = v.sizes[nd - 1]!, sIn = v.strides[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  let off = v.base;
  let w = 0;
  const rows = n / inner;
  for (let r = 0; r < rows; r++) {
    let o = off;
    if (sIn === 1) { for (let i = 0; i < inner; i++) O[w++] = X[o++]!; }
    else for (let i = 0; i < inner; i++) { O[w++] = X[o]!; o += sIn; }
    for (let k = nd - 2; k >= 0; k--) {
      idx[k]!++;
      off += v.strides[k]!;
      if (idx[k]! < v.sizes[k]!) break;
      off -= v.strides[k]! * v.sizes[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/** Gradient of stridedCopy: zeros(inShape) with g scatter-added through the view. */
export function stridedScatterAdd(g: Tensor, v: Affine, inShape: readonly number[]): Tensor {
  const G = data(g);
  const out = empty(inShape, 'float32');
  const O = data(out);
  const n = numelOf(v.sizes);
  if (n === 0) return out;
  const nd = v.sizes.length;
  if (nd === 0) { O[v.base] += G[0]!; return out; }
  const inner = v.sizes[nd - 1]!, sIn = v.strides[nd - 1]!;
  const idx = new Array<number>(nd - 1).fill(0);
  let off = v.base;
  let w = 0;
  for (let r = 0; r < n / inner; r++) {
    let o = off;
    for (let i = 0; i < inner; i++) { O[o] += G[w++]!; o += sIn; }
    for (let k = nd - 2; k >= 0; k--) {
      idx[k]!++;
      off += v.strides[k]!;
      if (idx[k]! < v.sizes[k]!) break;
      off -= v.strides[k]! * v.sizes[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

// ---- shape arithmetic ----------------------------------------------------------------------
export function resolveShape(req: readonly number[], numel: number, who: string, inShape: readonly number[]): number[] {
  const out = [...req];
  const neg = out.findIndex((d) => d === -1);
  if (neg >= 0) {
    const known = out.reduce((a, d, i) => (i === neg ? a : a * d), 1);
    if (known === 0 || numel % known !== 0) throw new Error(`${who}: shape [${req.join(', ')}] is invalid for input of size ${numel} (Tensor[${inShape.join(', ')}])`);
    out[neg] = numel / known;
  }
  if (numelOf(out) !== numel) throw new Error(`${who}: shape [${req.join(', ')}] is invalid for input of size ${numel} (Tensor[${inShape.join(', ')}])`);
  return out;
}

export function permuteAffine(shape: readonly number[], perm: readonly number[]): Affine {
  const st = stridesOf(shape);
  return { base: 0, sizes: perm.map((p) => shape[p]!), strides: perm.map((p) => st[p]!) };
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.every((p, i) => p === i)) return x.withShape(x.shape);
  return stridedCopy(x, permuteAffine(x.shape, perm));
}

/** Affine view for expand/broadcast_to (size -1 keeps; new leading dims allowed). */
export function expandAffine(shape: readonly number[], size: readonly number[]): Affine {
  const st = stridesOf(shape);
  const lead = size.length - shape.length;
  if (lead < 0) throw new Error(`expand: the number of sizes (${size.length}) must be at least the number of dims (${shape.length})`);
  const sizes: number[] = [], strides: number[] = [];
  size.forEach((s, i) => {
    const j = i - lead;
    const d = j >= 0 ? shape[j]! : 1;
    const target = s === -1 ? d : s;
    if (j >= 0 && d !== 1 && d !== target) throw new Error(`expand: the expanded size ${target} must match the existing size ${d} at dim ${i} (Tensor[${shape.join(', ')}] to [${size.join(', ')}])`);
    sizes.push(target);
    strides.push(j >= 0 && d !== 1 ? st[j]! : 0);
  });
  return { base: 0, sizes, strides };
}

/** repeat(r...) as an affine view over [r0, d0, r1, d1, ...] then a reshape. */
export function repeatAffine(shape: readonly number[], reps: readonly number[]): { view: Affine; outShape: number[] } {
  if (reps.length < shape.length) throw new Error(`repeat: number of repeat dims (${reps.length}) can not be smaller than the number of tensor dims (${shape.length})`);
  const full = [...new Array<number>(reps.length - shape.length).fill(1), ...shape];
  const st = stridesOf(full);
  const sizes: number[] = [], strides: number[] = [];
  full.forEach((d, i) => { sizes.push(reps[i]!, d); strides.push(0, st[i]!); });
  return { view: { base: 0, sizes, strides }, outShape: full.map((d, i) => d * reps[i]!) };
}

/** flip as an affine view: negative strides over the flipped dims. */
export function flipAffine(shape: readonly number[], dims: readonly number[]): Affine {
  const st = stridesOf(shape);
  let base = 0;
  const strides = st.map((s, i) => {
    if (!dims.includes(i)) return s;
    base += (shape[i]! - 1) * s;
    return -s;
  });
  return { base, sizes: [...shape], strides };
}

export function narrowAffine(shape: readonly number[], dim: number, start: number, length: number, step = 1): Affine {
  const st = stridesOf(shape);
  const sizes = [...shape];
  sizes[dim] = length;
  const strides = [...st];
  strides[dim] = st[dim]! * step;
  return { base: start * st[dim]!, sizes, strides };
}

// ---- indexing ------------------------------------------------------------------------------
function isSlice(v: RuntimeValue): v is RuntimeSlice { return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && (v as { kind?: string }).kind === 'slice'; }
function isEllipsis(v: RuntimeValue): boolean { return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && (v as { kind?: string }).kind === 'ellipsis'; }

/** Python slice semantics: (start, count, step) for a dim of size n. */
export function sliceRange(s: RuntimeSlice, n: number): { start: number; count: number; step: number } {
  const step = s.step ?? 1;
  if (step <= 0) throw new Error(`slice step must be positive (got ${step})`);
  const clamp = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const x = v < 0 ? v + n : v;
    return Math.min(Math.max(x, 0), n);
  };
  const start = clamp(s.start, 0);
  const stop = clamp(s.stop, n);
  return { start, count: Math.max(0, Math.ceil((stop - start) / step)), step };
}

export type IndexPlan =
  | { kind: 'affine'; view: Affine; outShape: number[] }
  | { kind: 'tensor'; pre: { view: Affine; outShape: number[] }; dim: number; index: Tensor }
  | { kind: 'mask'; mask: Tensor };

/** Plan x[index]: ints, slices, None, Ellipsis, and one integer-tensor or a whole-shape bool mask. */
export function planIndex(shape: readonly number[], index: RuntimeValue): IndexPlan {
  const items: RuntimeValue[] = Array.isArray(index) ? [...(index as RuntimeValue[])] : [index];
  if (items.length === 1 && items[0] instanceof Tensor && items[0].dtype === 'bool' && items[0].shape.join() === shape.join()) {
    return { kind: 'mask', mask: items[0] };
  }
  const consumes = (v: RuntimeValue): number => (v === null || isEllipsis(v) ? 0 : v instanceof Tensor && v.dtype === 'bool' ? v.ndim : 1);
  const used = items.reduce<number>((a, v) => a + consumes(v), 0);
  if (used > shape.length) throw new Error(`too many indices for tensor of dimension ${shape.length}`);
  const ell = items.findIndex(isEllipsis);
  if (items.filter(isEllipsis).length > 1) throw new Error('an index can only have a single ellipsis (...)');
  const expanded: RuntimeValue[] = [];
  items.forEach((v, i) => {
    if (i === ell) for (let k = 0; k < shape.length - used; k++) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
    else expanded.push(v);
  });
  while (expanded.reduce<number>((a, v) => a + consumes(v), 0) < shape.length) expanded.push({ kind: 'slice', start: null, stop: null, step: null });
  const st = stridesOf(shape);
  let base = 0, d = 0;
  const sizes: number[] = [], strides: number[] = [];
  let tensorIdx: { dim: number; index: Tensor } | null = null;
  for (const v of expanded) {
    if (v === null) { sizes.push(1); strides.push(0); continue; }
    if (typeof v === 'number' || typeof v === 'boolean') {
      const n = shape[d]!;
      const i = Number(v) < 0 ? Number(v) + n : Number(v);
      if (i < 0 || i >= n) throw new Error(`index ${v} is out of bounds for dimension ${d} with size ${n}`);
      base += i * st[d]!;
      d++;
      continue;
    }
    if (isSlice(v)) {
      const r = sliceRange(v, shape[d]!);
      base += r.start * st[d]!;
      sizes.push(r.count); strides.push(st[d]! * r.step);
      d++;
      continue;
    }
    if (v instanceof Tensor || Array.isArray(v)) {
      if (tensorIdx) throw new Error('indexing with more than one tensor index is not supported by the embedded engine');
      const t = v instanceof Tensor ? v : Tensor.fromArray(intList(v), [intList(v).length], 'int32');
      if (t.dtype === 'float32') throw new Error('tensors used as indices must be long, int or bool tensors');
      if (t.dtype === 'bool') throw new Error('boolean mask indexing is supported only with a mask of the whole tensor shape');
      tensorIdx = { dim: sizes.length, index: t };
      sizes.push(shape[d]!); strides.push(st[d]!);
      d++;
      continue;
    }
    throw new Error(`unsupported index element ${String(v)}`);
  }
  const view = { base, sizes, strides };
  if (tensorIdx) return { kind: 'tensor', pre: { view, outShape: sizes }, dim: tensorIdx.dim, index: tensorIdx.index };
  return { kind: 'affine', view, outShape: sizes };
}

/** index_select along dim: out = x.select(dim, index[k]) stacked, index any shape (flattened into dim). */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const n = x.shape[dim]!;
  const idx = Int32Array.from(data(index), (v) => (v < 0 ? v + n : v));
  for (const v of idx) if (v < 0 || v >= n) throw new Error(`index ${v} is out of bounds for dimension ${dim} with size ${n}`);
  const outer = numelOf(x.shape.slice(0, dim)), inner = numelOf(x.shape.slice(dim + 1));
  const outShape = [...x.shape.slice(0, dim), ...index.shape, ...x.shape.slice(dim + 1)];
  const out = empty(outShape, x.dtype);
  const X = data(x), O = data(out);
  const k = idx.length;
  for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) {
    const src = (o * n + idx[j]!) * inner, dst = (o * k + j) * inner;
    for (let i = 0; i < inner; i++) O[dst + i] = X[src + i]!;
  }
  return out;
}

export function indexSelectBackward(g: Tensor, dim: number, index: Tensor, inShape: readonly number[]): Tensor {
  const n = inShape[dim]!;
  const idx = Int32Array.from(data(index), (v) => (v < 0 ? v + n : v));
  const outer = numelOf(inShape.slice(0, dim)), inner = numelOf(inShape.slice(dim + 1));
  const out = empty(inShape, 'float32');
  const G = data(g), O = data(out);
  const k = idx.length;
  for (let o = 0; o < outer; o++) for (let j = 0; j < k; j++) {
    const dst = (o * n + idx[j]!) * inner, src = (o * k + j) * inner;
    for (let i = 0; i < inner; i++) O[dst + i] += G[src + i]!;
  }
  return out;
}

export function getitem(x: Tensor, index: RuntimeValue, saved: Record<string, unknown>): Tensor {
  const plan = planIndex(x.shape, index);
  saved.plan = plan;
  if (plan.kind === 'affine') return stridedCopy(x, plan.view, plan.outShape);
  if (plan.kind === 'mask') {
    const M = data(plan.mask), X = data(x);
    const picked: number[] = [];
    for (let i = 0; i < M.length; i++) if (M[i]) picked.push(i);
    const out = empty([picked.length], x.dtype);
    const O = data(out);
    picked.forEach((p, i) => { O[i] = X[p]!; });
    saved.picked = picked;
    return out;
  }
  const pre = stridedCopy(x, plan.pre.view, plan.pre.outShape);
  return indexSelect(pre, plan.dim, plan.index);
}

// ---- kernels ------------------------------------------------------------------------------
function shapeOf(v: RuntimeValue | undefined): number[] {
  const l = intList(v);
  return l;
}

function viewKernel(who: string): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const req = shapeOf(args.shape);
    return x.withShape(resolveShape(req, x.numel, who, x.shape));
  };
}

export function catTensors(ts: readonly Tensor[], dim: number): Tensor {
  const nonEmpty = ts.filter((t) => !(t.ndim === 1 && t.numel === 0));
  if (nonEmpty.length === 0) return empty([0], ts[0]?.dtype ?? 'float32');
  const first = nonEmpty[0]!;
  const d = normDim(dim, first.ndim);
  for (const t of nonEmpty) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`tensors must match except in dim ${d}: Tensor[${first.shape.join(', ')}] vs Tensor[${t.shape.join(', ')}]`);
    }
  }
  const total = nonEmpty.reduce((a, t) => a + t.shape[d]!, 0);
  const outShape = [...first.shape];
  outShape[d] = total;
  const dtype = nonEmpty.some((t) => t.dtype === 'float32') ? 'float32' : first.dtype;
  const out = empty(outShape, dtype);
  const O = data(out);
  const outer = numelOf(first.shape.slice(0, d)), inner = numelOf(first.shape.slice(d + 1));
  let pos = 0;
  for (const t of nonEmpty) {
    const X = data(t);
    const len = t.shape[d]! * inner;
    for (let o = 0; o < outer; o++) {
      const dst = o * total * inner + pos * inner;
      for (let i = 0; i < len; i++) O[dst + i] = X[o * len + i]!;
    }
    pos += t.shape[d]!;
  }
  return out;
}

function tensorList(v: RuntimeValue | undefined, name: string): Tensor[] {
  if (!Array.isArray(v)) throw new Error(`'${name}' must be a list of tensors`);
  return (v as RuntimeValue[]).map((t, i) => tensorArg(t, `${name}[${i}]`));
}

/** Split sizes along dim for split(split_size_or_sections) and chunk(chunks). */
// Argument readers shared with the WebGPU kernels (webgpu.ts): one reading, one set of errors.

/** permute's dims, checked to be a permutation. */
export function permuteDims(args: OpArgs, x: Tensor): number[] {
  const perm = intList(args.dims).map((d) => normDim(d, x.ndim));
  if (perm.length !== x.ndim || new Set(perm).size !== perm.length) throw new Error(`permute: dims [${intList(args.dims).join(', ')}] is not a permutation of ${x.ndim} dims`);
  return perm;
}

/** movedim as a permutation: moved dims at their destinations, the rest in order. */
export function movedimPerm(args: OpArgs, x: Tensor): number[] {
  const src = intList(args.source).map((d) => normDim(d, x.ndim));
  const dst = intList(args.destination).map((d) => normDim(d, x.ndim));
  const perm = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => { perm[dst[i]!] = s; });
  const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (let i = 0, r = 0; i < x.ndim; i++) if (perm[i] === -1) perm[i] = rest[r++]!;
  return perm;
}

export function stackArgs(args: OpArgs): { ts: Tensor[]; d: number } {
  const ts = tensorList(args.tensors, 'tensors');
  if (ts.length === 0) throw new Error('stack expects a non-empty list of tensors');
  return { ts, d: normDim(num(args.dim, 0), ts[0]!.ndim + 1) };
}

export function narrowArgs(args: OpArgs, x: Tensor): { d: number; start: number; len: number } {
  const d = normDim(num(args.dim, 0), x.ndim);
  let start = num(args.start, 0);
  if (start < 0) start += x.shape[d]!;
  const len = num(args.length, 0);
  if (start < 0 || start + len > x.shape[d]!) throw new Error(`narrow: start (${start}) + length (${len}) exceeds dimension size (${x.shape[d]})`);
  return { d, start, len };
}

export function selectArgs(args: OpArgs, x: Tensor): { d: number; i: number } {
  const d = normDim(num(args.dim, 0), x.ndim);
  let i = num(args.index, 0);
  if (i < 0) i += x.shape[d]!;
  if (i < 0 || i >= x.shape[d]!) throw new Error(`select: index ${num(args.index, 0)} out of range for dimension ${d} with size ${x.shape[d]}`);
  return { d, i };
}

/** repeat_interleave as an index_select: the input (flattened without dim), the dim, the source index per output. */
export function repeatInterleaveArgs(args: OpArgs): { x: Tensor; d: number; idx: number[] } {
  let x = tensorArg(args.input, 'input');
  let d: number;
  if (args.dim === null || args.dim === undefined) { x = x.withShape([x.numel]); d = 0; } else d = normDim(num(args.dim, 0), x.ndim);
  const n = x.shape[d]!;
  const reps = typeof args.repeats === 'number' ? new Array<number>(n).fill(args.repeats) : intList(args.repeats);
  const idx: number[] = [];
  reps.forEach((r, i) => { for (let k = 0; k < r; k++) idx.push(i); });
  return { x, d, idx };
}

/** tril/triu: the input (at least 2-D), the diagonal, and the matrix size. */
export function triArgs(name: string, args: OpArgs): { x: Tensor; k: number; R: number; C: number } {
  const x = tensorArg(args.input, 'input');
  if (x.ndim < 2) throw new Error(`${name}: input must have at least 2 dims (got Tensor[${x.shape.join(', ')}])`);
  return { x, k: num(args.diagonal, 0), R: x.shape[x.ndim - 2]!, C: x.shape[x.ndim - 1]! };
}

/** cumsum/cumprod: the input, the dim, and the lines along it (outer x inner lines of R). */
export function scanArgs(args: OpArgs): { x: Tensor; d: number; outer: number; R: number; inner: number } {
  const x = tensorArg(args.input, 'input');
  const d = x.ndim === 0 ? 0 : normDim(num(args.dim, 0), x.ndim);
  return { x, d, outer: numelOf(x.shape.slice(0, d)), R: x.ndim === 0 ? 1 : x.shape[d]!, inner: numelOf(x.shape.slice(d + 1)) };
}

export function splitSizes(n: number, sizeOrSections: RuntimeValue | undefined): number[] {
  if (Array.isArray(sizeOrSections)) {
    const s = intList(sizeOrSections);
    if (s.reduce((a, b) => a + b, 0) !== n) throw new Error(`split_with_sizes expects split_size_or_sections to sum exactly to ${n} (the size of the dim), but got [${s.join(', ')}]`);
    return s;
  }
  const size = num(sizeOrSections, 1);
  if (size <= 0) throw new Error(`split size must be positive (got ${size})`);
  const out: number[] = [];
  for (let p = 0; p < n; p += size) out.push(Math.min(size, n - p));
  if (out.length === 0) out.push(0);
  return out;
}
export function chunkSizes(n: number, chunks: number): number[] {
  if (chunks <= 0) throw new Error(`chunk expects chunks to be greater than 0 (got ${chunks})`);
  const size = Math.ceil(n / chunks);
  return splitSizes(n, size === 0 ? 1 : size);
}

export function splitTensor(x: Tensor, sizes: readonly number[], dim: number): Tensor[] {
  let pos = 0;
  return sizes.map((s) => {
    const t = stridedCopy(x, narrowAffine(x.shape, dim, pos, s));
    pos += s;
    return t;
  });
}

/** Output sizes and source scale per spatial dim for interpolate. */
export function interpolatePlan(args: OpArgs, inShape: readonly number[]): { outSpatial: number[]; scales: number[] } {
  const sp = inShape.slice(2);
  let outSpatial: number[];
  let scales: number[];
  if (args.size !== null && args.size !== undefined) {
    const s = intList(args.size);
    outSpatial = s.length === 1 ? sp.map(() => s[0]!) : s;
    scales = sp.map((d, i) => d / outSpatial[i]!);
  } else if (args.scale_factor !== null && args.scale_factor !== undefined) {
    const f = typeof args.scale_factor === 'number' ? sp.map(() => args.scale_factor as number) : (args.scale_factor as number[]).map(Number);
    outSpatial = sp.map((d, i) => Math.floor(d * f[i]!));
    // PyTorch uses 1/scale_factor as the source scale unless recompute_scale_factor is set.
    scales = args.recompute_scale_factor === true ? sp.map((d, i) => d / outSpatial[i]!) : f.map((x) => 1 / x);
  } else throw new Error('interpolate: either size or scale_factor should be defined');
  return { outSpatial, scales };
}

/** Nearest / (bi)linear interpolation as a weighted gather: out[o] = sum_k w[o,k] * in[src[o,k]]. */
export function interpolateTaps(args: OpArgs, inShape: readonly number[]): { outShape: number[]; src: Int32Array; w: Float32Array; taps: number } {
  const mode = String(args.mode ?? 'nearest');
  const { outSpatial, scales } = interpolatePlan(args, inShape);
  const nsp = outSpatial.length;
  const alignCorners = args.align_corners === true;
  const linear = mode === 'linear' || mode === 'bilinear' || mode === 'trilinear';
  if (!linear && mode !== 'nearest' && mode !== 'nearest-exact') throw new Error(`interpolate: mode '${mode}' is not supported by the embedded engine (nearest, nearest-exact, linear, bilinear, trilinear are)`);
  // Per-dim taps: (index, weight) pairs.
  const perDim = outSpatial.map((on, k) => {
    const inN = inShape[2 + k]!;
    const idx: number[][] = [], wt: number[][] = [];
    for (let o = 0; o < on; o++) {
      if (!linear) {
        const s = mode === 'nearest' ? Math.floor(o * scales[k]!) : Math.floor((o + 0.5) * scales[k]!);
        idx.push([Math.min(s, inN - 1)]); wt.push([1]);
      } else {
        let x = alignCorners ? (on > 1 ? o * (inN - 1) / (on - 1) : 0) : (o + 0.5) * scales[k]! - 0.5;
        if (x < 0) x = 0;
        const i0 = Math.min(Math.floor(x), inN - 1);
        const i1 = Math.min(i0 + 1, inN - 1);
        const l = x - i0;
        idx.push([i0, i1]); wt.push([1 - l, l]);
      }
    }
    return { idx, wt };
  });
  const tapsPerDim = linear ? 2 : 1;
  const taps = tapsPerDim ** nsp;
  const outShape = [inShape[0]!, inShape[1]!, ...outSpatial];
  const nPos = numelOf(outSpatial);
  const inSt = stridesOf(inShape.slice(2));
  const src = new Int32Array(nPos * taps);
  const w = new Float32Array(nPos * taps);
  const oi = new Array<number>(nsp).fill(0);
  for (let p = 0; p < nPos; p++) {
    for (let t = 0; t < taps; t++) {
      let off = 0, wt = 1, rem = t;
      for (let k = nsp - 1; k >= 0; k--) {
        const j = rem % tapsPerDim; rem = Math.floor(rem / tapsPerDim);
        off += perDim[k]!.idx[oi[k]!]![j]! * inSt[k]!;
        wt *= perDim[k]!.wt[oi[k]!]![j]!;
      }
      src[p * taps + t] = off; w[p * taps + t] = wt;
    }
    for (let k = nsp - 1; k >= 0; k--) { if (++oi[k]! < outSpatial[k]!) break; oi[k] = 0; }
  }
  return { outShape, src, w, taps };
}

export function padPlan(shape: readonly number[], pads: readonly number[]): { outShape: number[]; view: Affine } {
  if (pads.length % 2 !== 0 || pads.length / 2 > shape.length) throw new Error(`pad: padding length must be even and at most 2x the number of dims (got ${pads.length} for ${shape.length} dims)`);
  const outShape = [...shape];
  const before = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    const d = shape.length - 1 - i;
    before[d] = pads[2 * i]!;
    outShape[d] = shape[d]! + pads[2 * i]! + pads[2 * i + 1]!;
    if (outShape[d]! < 0) throw new Error(`pad: resulting size of dim ${d} would be negative`);
  }
  // The input occupies an affine window of the output (negative pads crop: clip the window).
  const st = stridesOf(outShape);
  return { outShape, view: { base: before.reduce((a, b, i) => a + Math.max(0, b) * st[i]!, 0), sizes: [...shape], strides: st } };
}

/** Flat offsets an affine view visits, in order. */
export function stridedOffsets(v: Affine): Int32Array {
  const n = numelOf(v.sizes);
  const out = new Int32Array(n);
  const nd = v.sizes.length;
  const idx = new Array<number>(nd).fill(0);
  let off = v.base;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]!++;
      off += v.strides[k]!;
      if (idx[k]! < v.sizes[k]!) break;
      off -= v.strides[k]! * v.sizes[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/** Source offset of every output element of a reflect / replicate / circular pad. */
export function padMap(shape: readonly number[], pads: readonly number[], mode: string): { outShape: number[]; map: Int32Array } {
  if (pads.length % 2 !== 0 || pads.length / 2 > shape.length) throw new Error(`pad: padding length must be even and at most 2x the number of dims (got ${pads.length} for ${shape.length} dims)`);
  if (mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') throw new Error(`pad: mode '${mode}' is not supported (constant, reflect, replicate, circular are)`);
  const outShape = [...shape];
  const src: Int32Array[] = shape.map((n) => Int32Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < pads.length / 2; i++) {
    const d = shape.length - 1 - i;
    const n = shape[d]!, before = pads[2 * i]!, after = pads[2 * i + 1]!;
    if (mode === 'reflect' && (before >= n || after >= n)) throw new Error(`pad: reflect padding (${before}, ${after}) must be smaller than the input size ${n} of dim ${d}`);
    if (mode === 'circular' && (before > n || after > n)) throw new Error(`pad: circular padding (${before}, ${after}) can be at most the input size ${n} of dim ${d}`);
    const on = n + before + after;
    outShape[d] = on;
    src[d] = Int32Array.from({ length: on }, (_, o) => {
      const i2 = o - before;
      if (mode === 'replicate') return Math.min(Math.max(i2, 0), n - 1);
      if (mode === 'circular') return ((i2 % n) + n) % n;
      return i2 < 0 ? -i2 : i2 >= n ? 2 * (n - 1) - i2 : i2;
    });
  }
  const st = stridesOf(shape);
  const total = numelOf(outShape);
  const map = new Int32Array(total);
  const idx = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < total; i++) {
    let off = 0;
    for (let k = 0; k < outShape.length; k++) off += src[k]![idx[k]!]! * st[k]!;
    map[i] = off;
    for (let k = outShape.length - 1; k >= 0; k--) { if (++idx[k]! < outShape[k]!) break; idx[k] = 0; }
  }
  return { outShape, map };
}

export function registerShapeCpu(): void {
  registerKernel('view', 'cpu', viewKernel('view'));
  registerKernel('reshape', 'cpu', viewKernel('reshape'));
  registerKernel('view_as', 'cpu', (a) => { const x = tensorArg(a.input, 'input'); return x.withShape(resolveShape(tensorArg(a.other, 'other').shape, x.numel, 'view_as', x.shape)); });
  registerKernel('reshape_as', 'cpu', (a) => { const x = tensorArg(a.input, 'input'); return x.withShape(resolveShape(tensorArg(a.other, 'other').shape, x.numel, 'reshape_as', x.shape)); });
  registerKernel('flatten', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim === 0) return x.withShape([1]);
    const s = normDim(num(args.start_dim, 0), x.ndim), e = normDim(num(args.end_dim, -1), x.ndim);
    if (s > e) throw new Error(`flatten: start_dim ${s} cannot come after end_dim ${e}`);
    return x.withShape([...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
  });
  registerKernel('unflatten', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim);
    const sizes = resolveShape(intList(args.sizes), x.shape[d]!, 'unflatten', x.shape);
    return x.withShape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  });
  registerKernel('squeeze', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = args.dim === null || args.dim === undefined ? null : intList(args.dim).map((d) => normDim(d, x.ndim));
    return x.withShape(x.shape.filter((s, i) => !(s === 1 && (dims === null || dims.includes(i)))));
  });
  registerKernel('unsqueeze', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim + 1);
    const s = [...x.shape];
    s.splice(d, 0, 1);
    return x.withShape(s);
  });
  registerKernel('permute', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const perm = permuteDims(args, x);
    return permute(x, perm);
  });
  const transposeK: Kernel = (args) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim < 2 && args.dim0 === undefined) return x.withShape(x.shape);
    const a = normDim(num(args.dim0, 0), x.ndim), b = normDim(num(args.dim1, 1), x.ndim);
    const perm = x.shape.map((_, i) => i);
    perm[a] = b; perm[b] = a;
    return permute(x, perm);
  };
  registerKernel('transpose', 'cpu', transposeK);
  registerKernel('t', 'cpu', transposeK);
  registerKernel('movedim', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const perm = movedimPerm(args, x);
    return permute(x, perm);
  });
  registerKernel('expand', 'cpu', (args) => { const x = tensorArg(args.input, 'input'); return stridedCopy(x, expandAffine(x.shape, intList(args.size))); });
  registerKernel('broadcast_to', 'cpu', (args) => { const x = tensorArg(args.input, 'input'); return stridedCopy(x, expandAffine(x.shape, intList(args.size))); });
  registerKernel('expand_as', 'cpu', (args) => { const x = tensorArg(args.input, 'input'); return stridedCopy(x, expandAffine(x.shape, tensorArg(args.other, 'other').shape)); });
  registerKernel('repeat', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { view, outShape } = repeatAffine(x.shape, intList(args.repeats));
    return stridedCopy(x, view).withShape(outShape);
  });
  registerKernel('repeat_interleave', 'cpu', (args) => {
    const { x, d, idx } = repeatInterleaveArgs(args);
    return indexSelect(x, d, Tensor.fromArray(idx, [idx.length], 'int32'));
  });
  registerKernel('cat', 'cpu', (args) => catTensors(tensorList(args.tensors, 'tensors'), num(args.dim, 0)));
  registerKernel('stack', 'cpu', (args) => {
    const { ts, d } = stackArgs(args);
    return catTensors(ts.map((t) => { const s = [...t.shape]; s.splice(d, 0, 1); return t.withShape(s); }), d);
  });
  registerKernel('hstack', 'cpu', (args) => { const ts = tensorList(args.tensors, 'tensors'); return catTensors(ts, ts[0]!.ndim === 1 ? 0 : 1); });
  registerKernel('vstack', 'cpu', (args) => catTensors(tensorList(args.tensors, 'tensors').map((t) => (t.ndim === 1 ? t.withShape([1, t.numel]) : t)), 0));
  registerKernel('split', 'cpu', (args) => {
    const x = tensorArg(args.tensor, 'tensor');
    const d = normDim(num(args.dim, 0), x.ndim);
    return splitTensor(x, splitSizes(x.shape[d]!, args.split_size_or_sections), d);
  });
  registerKernel('chunk', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim);
    return splitTensor(x, chunkSizes(x.shape[d]!, num(args.chunks, 1)), d);
  });
  registerKernel('unbind', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim);
    const sq = x.shape.filter((_, i) => i !== d);
    return splitTensor(x, new Array<number>(x.shape[d]!).fill(1), d).map((t) => t.withShape(sq));
  });
  registerKernel('getitem', 'cpu', (args, ctx) => getitem(tensorArg(args.input, 'input'), args.index ?? null, ctx.saved));
  registerKernel('narrow', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { d, start, len } = narrowArgs(args, x);
    return stridedCopy(x, narrowAffine(x.shape, d, start, len));
  });
  registerKernel('select', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { d, i } = selectArgs(args, x);
    return stridedCopy(x, narrowAffine(x.shape, d, i, 1)).withShape(x.shape.filter((_, k) => k !== d));
  });
  registerKernel('index_select', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return indexSelect(x, normDim(num(args.dim, 0), x.ndim), tensorArg(args.index, 'index'));
  });
  registerKernel('gather', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const index = tensorArg(args.index, 'index');
    const d = normDim(num(args.dim, 0), x.ndim);
    const out = empty(index.shape, x.dtype);
    const X = data(x), I = data(index), O = data(out);
    const ist = stridesOf(index.shape), xst = stridesOf(x.shape);
    for (let k = 0; k < O.length; k++) {
      let rem = k, off = 0;
      for (let a = 0; a < index.ndim; a++) {
        const c = Math.floor(rem / ist[a]!); rem -= c * ist[a]!;
        if (a === d) {
          const v = I[k]! < 0 ? I[k]! + x.shape[d]! : I[k]!;
          if (v < 0 || v >= x.shape[d]!) throw new Error(`gather: index ${I[k]} is out of bounds for dimension ${d} with size ${x.shape[d]}`);
          off += v * xst[a]!;
        } else off += c * xst[a]!;
      }
      O[k] = X[off]!;
    }
    return out;
  });
  registerKernel('size', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return args.dim === null || args.dim === undefined ? [...x.shape] : x.shape[normDim(num(args.dim, 0), x.ndim)]!;
  });
  registerKernel('dim', 'cpu', (args) => tensorArg(args.input, 'input').ndim);
  registerKernel('numel', 'cpu', (args) => tensorArg(args.input, 'input').numel);
  registerKernel('item', 'cpu', (args) => tensorArg(args.input, 'input').item());
  registerKernel('tolist', 'cpu', (args) => tensorArg(args.input, 'input').toNested() as RuntimeValue);
  registerKernel('interpolate', 'cpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const plan = interpolateTaps(args, x.shape);
    ctx.saved.plan = plan;
    const out = empty(plan.outShape, 'float32');
    const X = data(x), O = data(out);
    const inPlane = numelOf(x.shape.slice(2)), nPos = plan.src.length / plan.taps;
    for (let c = 0; c < x.shape[0]! * x.shape[1]!; c++) {
      const xo = c * inPlane, oo = c * nPos;
      for (let p = 0; p < nPos; p++) {
        let s = 0;
        for (let t = 0; t < plan.taps; t++) s += plan.w[p * plan.taps + t]! * X[xo + plan.src[p * plan.taps + t]!]!;
        O[oo + p] = s;
      }
    }
    return out;
  });
  registerKernel('pad', 'cpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const mode = String(args.mode ?? 'constant');
    const pads = intList(args.pad);
    if (mode !== 'constant') {
      // reflect / replicate / circular: a gather through a source-offset map (saved for the gradient).
      const { outShape, map } = padMap(x.shape, pads, mode);
      ctx.saved.map = map;
      const out = empty(outShape, x.dtype);
      const X = data(x), O = data(out);
      for (let i = 0; i < O.length; i++) O[i] = X[map[i]!]!;
      return out;
    }
    if (pads.some((p) => p < 0)) throw new Error('pad: negative padding is not supported by the embedded engine yet');
    const { outShape, view } = padPlan(x.shape, pads);
    const out = empty(outShape, x.dtype);
    const value = num(args.value, 0);
    const O = data(out);
    if (value !== 0) O.fill(value);
    // Copy x into its window of the output (an affine view of the output).
    const X = data(x);
    const idx = stridedOffsets(view);
    for (let i = 0; i < idx.length; i++) O[idx[i]!] = X[i]!;
    return out;
  });
  registerKernel('_gather_map_grad', 'cpu', (args) => {
    const map = args.map as unknown as Int32Array;
    const g = data(tensorArg(args.grad, 'grad'));
    const out = empty(args.shape as number[], 'float32');
    const O = data(out);
    for (let i = 0; i < map.length; i++) O[map[i]!] += g[i]!;
    return out;
  });
  registerKernel('len', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim === 0) throw new Error('len() of a 0-d tensor');
    return x.shape[0]!;
  });
  registerKernel('flip', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return stridedCopy(x, flipAffine(x.shape, intList(args.dims).map((d) => normDim(d, x.ndim))));
  });
  for (const name of ['tril', 'triu'] as const) {
    registerKernel(name, 'cpu', (args) => {
      const { x, k, R, C } = triArgs(name, args);
      const out = empty(x.shape, x.dtype);
      const X = data(x), O = data(out);
      for (let m = 0; m < x.numel / (R * C); m++) for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
        const keep = name === 'tril' ? j - i <= k : j - i >= k;
        const o = (m * R + i) * C + j;
        if (keep) O[o] = X[o]!;
      }
      return out;
    });
  }
  for (const name of ['cumsum', 'cumprod'] as const) {
    registerKernel(name, 'cpu', (args) => {
      const { x, outer, R, inner } = scanArgs(args);
      const out = empty(x.shape, x.dtype === 'float32' ? 'float32' : 'int32');
      const X = data(x), O = data(out);
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        let acc = name === 'cumsum' ? 0 : 1;
        for (let r = 0; r < R; r++) { const k = (o * R + r) * inner + i; acc = name === 'cumsum' ? acc + X[k]! : acc * X[k]!; O[k] = acc; }
      }
      return out;
    });
  }

  // ---- internal: gradients --------------------------------------------------------------
  registerKernel('_strided_grad', 'cpu', (args) => stridedScatterAdd(tensorArg(args.grad, 'grad'), args.view as unknown as Affine, args.shape as number[]));
  registerKernel('_strided_copy', 'cpu', (args) => stridedCopy(tensorArg(args.input, 'input'), args.view as unknown as Affine, args.outShape as number[] | undefined));
  registerKernel('_index_select_grad', 'cpu', (args) => indexSelectBackward(tensorArg(args.grad, 'grad'), args.dim as number, tensorArg(args.index, 'index'), args.shape as number[]));
  registerKernel('_mask_grad', 'cpu', (args) => {
    const out = empty(args.shape as number[], 'float32');
    const O = data(out), G = data(tensorArg(args.grad, 'grad'));
    (args.picked as number[]).forEach((p, i) => { O[p] += G[i]!; });
    return out;
  });
  registerKernel('_gather_grad', 'cpu', (args) => {
    const shape = args.shape as number[];
    const index = tensorArg(args.index, 'index'), g = tensorArg(args.grad, 'grad');
    const d = args.dim as number;
    const out = empty(shape, 'float32');
    const O = data(out), I = data(index), G = data(g);
    const ist = stridesOf(index.shape), xst = stridesOf(shape);
    for (let k = 0; k < G.length; k++) {
      let rem = k, off = 0;
      for (let a = 0; a < index.ndim; a++) {
        const c = Math.floor(rem / ist[a]!); rem -= c * ist[a]!;
        off += (a === d ? (I[k]! < 0 ? I[k]! + shape[d]! : I[k]!) : c) * xst[a]!;
      }
      O[off] += G[k]!;
    }
    return out;
  });
  registerKernel('_interpolate_grad', 'cpu', (args) => {
    const plan = args.plan as unknown as ReturnType<typeof interpolateTaps>;
    const shape = args.shape as number[];
    const g = tensorArg(args.grad, 'grad');
    const out = empty(shape, 'float32');
    const G = data(g), O = data(out);
    const inPlane = numelOf(shape.slice(2)), nPos = plan.src.length / plan.taps;
    for (let c = 0; c < shape[0]! * shape[1]!; c++) {
      const xo = c * inPlane, oo = c * nPos;
      for (let p = 0; p < nPos; p++) {
        const gv = G[oo + p]!;
        for (let t = 0; t < plan.taps; t++) O[xo + plan.src[p * plan.taps + t]!] += plan.w[p * plan.taps + t]! * gv;
      }
    }
    return out;
  });
  void bool;
}
