// WebGPU kernels of the shape family. view/reshape/flatten/squeeze/unsqueeze and the size
// queries only relabel the storage, so the CPU kernels (which never touch data) serve both
// backends. Reordering ops (permute, transpose, expand, repeat, the internal strided copy) share
// one affine-copy kernel, from the same Affine plans the CPU kernels use.
import { getKernel, registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runReduce } from '../../backends/webgpu/codegen.js';
import { f32Bits, GpuStorage, UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { fallback } from '../../backends/webgpu/fallback.js';
import { callOp } from '../../runtime/dispatch.js';
import { intList, normDim, num, numelOf } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import {
  chunkSizes, expandAffine, flipAffine, interpolatePlan, movedimPerm, narrowAffine, narrowArgs, permuteAffine, permuteDims, planIndex,
  repeatAffine, repeatInterleaveArgs, scanArgs, selectArgs, splitSizes, stackArgs, triArgs, type Affine,
} from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

/** Merge neighbouring dims of an affine view that step through memory alike; drop size-1 dims. */
function simplify(v: Affine): Affine {
  const sizes: number[] = [], strides: number[] = [];
  v.sizes.forEach((d, i) => {
    if (d === 1) return;
    const k = sizes.length - 1;
    if (k >= 0 && strides[k] === v.strides[i]! * d) { sizes[k] *= d; strides[k] = v.strides[i]!; } else { sizes.push(d); strides.push(v.strides[i]!); }
  });
  return { base: v.base, sizes, strides };
}

const MAX_DIMS = 8;

/**
 * scatter = false: out[i] = x[base + sum c_k s_k] (copy). scatter = true: out = zeros(inShape)
 * with out[base + sum c_k s_k] = x[i] (the gradient of an injective view).
 */
function affineKernel(op: string, x: Tensor, v: Affine, outShape: readonly number[], scatter: boolean): Tensor {
  const b = webgpuBackend();
  const out = scatter ? new Tensor(b.allocate(outShape.reduce((a, c) => a * c, 1), x.dtype), outShape) : gpuEmpty(b, outShape, x.dtype, op);
  affineRun(op, x, out, v, scatter ? 'scatter' : 'copy');
  return out;
}

/**
 * The affine copy into an existing output: 'copy' out[i] = x[off(i)]; 'scatter' out[off(i)] =
 * x[i] (cat writes each input into its window of the output this way); 'add' out[off(i)] += x[i]
 * with float atomics (a view whose elements overlap: repeats without a zero stride).
 */
function affineRun(op: string, x: Tensor, out: Tensor, v: Affine, mode: 'copy' | 'scatter' | 'add'): void {
  const b = webgpuBackend();
  const s = simplify(v);
  if (s.sizes.length > MAX_DIMS) throw new Error(`${op}: ${s.sizes.length} dims after merging (the WebGPU copy handles ${MAX_DIMS})`);
  const n = v.sizes.reduce((a, c) => a * c, 1);
  if (n === 0) return;
  const nd = s.sizes.length;
  const uni = [n, s.base];
  for (let k = 0; k < nd; k++) uni.push(s.sizes[k]!, s.strides[k]! | 0);
  const wg = b.params.elementwiseWorkgroup;
  const ty = x.dtype === 'float32' ? 'f32' : 'i32';
  if (mode === 'add' && ty !== 'f32') throw new Error(`${op}: the scatter-add of an overlapping view needs float32 (got ${x.dtype})`);
  const lines: string[] = ['var r = i;', 'var off = i32(P(1u));'];
  for (let k = nd - 1; k >= 0; k--) lines.push(`{ let d = P(${2 + 2 * k}u); off += i32(r % d) * bitcast<i32>(P(${3 + 2 * k}u)); r = r / d; }`);
  const store = mode === 'copy' ? 'O[i] = X[off];' : mode === 'scatter' ? 'O[off] = X[i];' : 'atomicAddF32(u32(off), X[i]);';
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> O: array<${mode === 'add' ? 'atomic<u32>' : ty}>;
${mode === 'add' ? ATOMIC_ADD_F32 : ''}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${lines.join('\n  ')}
  ${store}
}`;
  b.run({ label: `${op} [${x.shape.join(', ')}] -> [${out.shape.join(', ')}]`, key: `affine|${mode}|${ty}|${nd}|${wg}`, wgsl,
    bindings: [gpuStorage(x), gpuStorage(out)], uniforms: uni.map((u) => u >>> 0), groups: b.grid(n, wg) });
}

/**
 * f32 add into O (declared array<atomic<u32>>) as a compare-and-swap loop on the word's bits:
 * WGSL has no float atomics. Colliding adds land in an order that can vary between runs.
 */
export const ATOMIC_ADD_F32 = `fn atomicAddF32(k: u32, v: f32) {
  var old = atomicLoad(&O[k]);
  loop {
    let res = atomicCompareExchangeWeak(&O[k], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (res.exchanged) { break; }
    old = res.old_value;
  }
}`;

/** An affine view is injective when no stride is 0 and the dims, sorted by stride, nest. */
function injective(v: Affine): boolean {
  const dims = v.sizes.map((d, i) => [d, Math.abs(v.strides[i]!)] as const).filter(([d]) => d > 1).sort((a, b) => a[1] - b[1]);
  let span = 1;
  for (const [d, st] of dims) { if (st < span) return false; span = st * d; }
  return true;
}

export function registerShapeWebgpu(): void {
  // Data-free kernels: the CPU ones only relabel shapes.
  for (const op of ['view', 'reshape', 'view_as', 'reshape_as', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'size', 'dim', 'numel', 'item', 'tolist', 'len']) {
    const k = getKernel(op, 'cpu');
    if (k) registerKernel(op, 'webgpu', k);
  }
  const permute = (op: string, x: Tensor, perm: readonly number[]): Tensor =>
    perm.every((p, i) => p === i) ? x.withShape(x.shape) : affineKernel(op, x, permuteAffine(x.shape, perm), perm.map((p) => x.shape[p]!), false);
  registerKernel('permute', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const perm = permuteDims(args, x);
    return permute('permute', x, perm);
  });
  const transposeK: Kernel = (args) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim < 2 && args.dim0 === undefined) return x.withShape(x.shape);
    const a = normDim(num(args.dim0, 0), x.ndim), c = normDim(num(args.dim1, 1), x.ndim);
    const perm = x.shape.map((_, i) => i);
    perm[a] = c; perm[c] = a;
    return permute('transpose', x, perm);
  };
  registerKernel('transpose', 'webgpu', transposeK);
  registerKernel('t', 'webgpu', transposeK);
  const expand = (op: string, x: Tensor, size: readonly number[]): Tensor => { const v = expandAffine(x.shape, size); return affineKernel(op, x, v, v.sizes, false); };
  registerKernel('expand', 'webgpu', (args) => expand('expand', tensorArg(args.input, 'input'), intList(args.size)));
  registerKernel('broadcast_to', 'webgpu', (args) => expand('broadcast_to', tensorArg(args.input, 'input'), intList(args.size)));
  registerKernel('expand_as', 'webgpu', (args) => expand('expand_as', tensorArg(args.input, 'input'), tensorArg(args.other, 'other').shape));
  registerKernel('repeat', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { view, outShape } = repeatAffine(x.shape, intList(args.repeats));
    return affineKernel('repeat', x, view, view.sizes, false).withShape(outShape);
  });
  registerKernel('_strided_copy', 'webgpu', (args) => {
    const v = args.view as unknown as Affine;
    return affineKernel('strided copy', tensorArg(args.input, 'input'), v, (args.outShape as number[] | undefined) ?? v.sizes, false);
  });
  // The gradient of a view: dims with stride 0 (expand, repeat) are summed first with the
  // deterministic reduction; what is left is a scatter when injective, else a float-atomic
  // scatter-add (overlapping windows with non-zero strides, which no op here produces today).
  registerKernel('_strided_grad', 'webgpu', (args) => {
    const v = args.view as unknown as Affine;
    const shape = args.shape as number[];
    let g = onGpu(tensorArg(args.grad, 'grad'));
    let view = v;
    if (v.strides.some((st, k) => st === 0 && v.sizes[k]! > 1)) {
      const keep = v.sizes.map((d, k) => (v.strides[k] === 0 ? 1 : d));
      g = runReduce('view backward (sum of broadcast dims)', g.withShape(v.sizes), keep, '0', 'acc + x', 'acc', 'float32');
      view = { base: v.base, sizes: keep, strides: v.strides };
    }
    if (injective(view)) return affineKernel('view backward', g, view, shape, true);
    const out = new Tensor(webgpuBackend().allocate(shape.reduce((a, c) => a * c, 1), 'float32'), shape);
    affineRun('view backward (overlapping)', g, out, view, 'add');
    return out;
  });
  registerShapeCopies(permute);
  registerPadInterpolateWebgpu();
}

/** A tensor on the WebGPU backend (gradient code sometimes builds small host tensors: index lists, zeros). */
function onGpu(t: Tensor): Tensor {
  if (t.storage instanceof GpuStorage) return t;
  return new Tensor(webgpuBackend().fromArray(t.backend.read(t.storage), t.dtype), t.shape);
}

function elementwise(op: string, key: string, body: string, decls: string, bindings: Tensor[], uniforms: number[], n: number): void {
  const b = webgpuBackend();
  if (n === 0) return;
  const wg = b.params.elementwiseWorkgroup;
  b.run({
    label: op, key: `${key}|${wg}`, bindings: bindings.map((t) => gpuStorage(t)), uniforms: [n, ...uniforms].map((u) => u >>> 0), groups: b.grid(n, wg),
    wgsl: () => `${UNIFORM_HEADER}
${decls}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${body}
}`,
  });
}
const wty = (t: Tensor): string => (t.dtype === 'float32' ? 'f32' : 'i32');

/** cat along d: each input is written into its window of the output (one scatter per input). */
function catGpu(op: string, tsIn: readonly Tensor[], dim: number): Tensor {
  const ts = tsIn.filter((t) => !(t.ndim === 1 && t.numel === 0)).map(onGpu);
  const b = webgpuBackend();
  if (ts.length === 0) return gpuEmpty(b, [0], tsIn[0]?.dtype ?? 'float32', op);
  const first = ts[0]!;
  const d = normDim(dim, first.ndim);
  for (const t of ts) {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`tensors must match except in dim ${d}: Tensor[${first.shape.join(', ')}] vs Tensor[${t.shape.join(', ')}]`);
    }
  }
  const dtype = ts.some((t) => t.dtype === 'float32') ? 'float32' : first.dtype;
  const outShape = [...first.shape];
  outShape[d] = ts.reduce((a, t) => a + t.shape[d]!, 0);
  const out = gpuEmpty(b, outShape, dtype, op);
  let pos = 0;
  for (const t of ts) {
    const src = t.dtype === dtype ? t : (callOp('to', { input: t, dtype: { kind: 'dtype', dtype: 'float32' } }) as Tensor);
    affineRun(op, src, out, narrowAffine(outShape, d, pos, t.shape[d]!), 'scatter');
    pos += t.shape[d]!;
  }
  return out;
}

function tensorList(v: RuntimeValue | undefined, name: string): Tensor[] {
  if (!Array.isArray(v)) throw new Error(`'${name}' must be a list of tensors`);
  return (v as RuntimeValue[]).map((t, i) => tensorArg(t, `${name}[${i}]`));
}

/** out[o, j, i] = x[o, index[j], i] (negative indices wrap; out of range gives NaN / 0). */
function indexSelectGpu(x: Tensor, dim: number, indexIn: Tensor): Tensor {
  const index = onGpu(indexIn);
  const n = x.shape[dim]!;
  const inner = numelOf(x.shape.slice(dim + 1)), k = index.numel;
  const out = gpuEmpty(webgpuBackend(), [...x.shape.slice(0, dim), ...index.shape, ...x.shape.slice(dim + 1)], x.dtype, 'index_select');
  const ty = wty(x);
  elementwise(`index_select [${x.shape.join(', ')}] dim ${dim}`, `index_select|${ty}`, `let inner = P(2u); let k = P(3u); let n = i32(P(1u));
  let j = (i / inner) % k;
  var r = I[j];
  if (r < 0) { r += n; }
  if (r < 0 || r >= n) { O[i] = ${ty === 'f32' ? 'F(4u)' : '0'}; return; }
  O[i] = X[((i / (inner * k)) * u32(n) + u32(r)) * inner + i % inner];`,
  `@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<${ty}>;`, [x, index, out], [n, Math.max(1, inner), Math.max(1, k), 0x7fc00000], out.numel);
  return out;
}

/** Gradient of index_select: zeros(shape), g rows scatter-added (indices may repeat: atomics). */
function indexSelectGradGpu(gIn: Tensor, dim: number, indexIn: Tensor, shape: readonly number[]): Tensor {
  const g = onGpu(gIn), index = onGpu(indexIn);
  const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
  const n = shape[dim]!, inner = numelOf(shape.slice(dim + 1)), k = index.numel;
  elementwise(`index_select backward [${shape.join(', ')}] dim ${dim}`, 'index_select_grad', `let inner = P(2u); let k = P(3u); let n = i32(P(1u));
  let j = (i / inner) % k;
  var r = I[j];
  if (r < 0) { r += n; }
  if (r < 0 || r >= n) { return; }
  atomicAddF32(((i / (inner * k)) * u32(n) + u32(r)) * inner + i % inner, G[i]);`,
  `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, [g, index, out], [n, Math.max(1, inner), Math.max(1, k)], g.numel);
  return out;
}

/**
 * gather / its gradient: element k of index (shape S, rank nd) reads x at the same coordinates
 * except along dim, where it takes index[k]. Uniforms: 1 = nd, 2 = dim, 3 = size of x along dim,
 * then per axis the index's size and x's stride.
 */
function gatherUniforms(xShape: readonly number[], index: Tensor, dim: number): number[] {
  if (index.ndim > MAX_DIMS) throw new Error(`gather: ${index.ndim} dims (the WebGPU kernel handles ${MAX_DIMS})`);
  const st: number[] = [];
  let acc = 1;
  for (let a = xShape.length - 1; a >= 0; a--) { st[a] = acc; acc *= xShape[a]!; }
  const u = [index.ndim, dim, xShape[dim]!, 0x7fc00000];
  for (let a = 0; a < index.ndim; a++) u.push(index.shape[a]!, st[a]!);
  return u;
}
const GATHER_OFFSET = `var rem = i; var off = 0u; var bad = false;
  for (var a = i32(P(1u)) - 1; a >= 0; a--) {
    let d = P(5u + 2u * u32(a)); let c = rem % d; rem = rem / d;
    var v = c;
    if (u32(a) == P(2u)) {
      var r = I[i];
      if (r < 0) { r += i32(P(3u)); }
      if (r < 0 || r >= i32(P(3u))) { bad = true; }
      v = u32(r);
    }
    off += v * P(6u + 2u * u32(a));
  }`;

export function registerShapeCopies(permute: (op: string, x: Tensor, perm: readonly number[]) => Tensor): void {
  registerKernel('movedim', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const perm = movedimPerm(args, x);
    return permute('movedim', x, perm);
  });
  registerKernel('cat', 'webgpu', (args) => catGpu('cat', tensorList(args.tensors, 'tensors'), num(args.dim, 0)));
  registerKernel('stack', 'webgpu', (args) => {
    const { ts, d } = stackArgs(args);
    return catGpu('stack', ts.map((t) => { const s = [...t.shape]; s.splice(d, 0, 1); return t.withShape(s); }), d);
  });
  registerKernel('hstack', 'webgpu', (args) => { const ts = tensorList(args.tensors, 'tensors'); return catGpu('hstack', ts, ts[0]!.ndim === 1 ? 0 : 1); });
  registerKernel('vstack', 'webgpu', (args) => catGpu('vstack', tensorList(args.tensors, 'tensors').map((t) => (t.ndim === 1 ? t.withShape([1, t.numel]) : t)), 0));
  const splitGpu = (op: string, x: Tensor, sizes: readonly number[], d: number): Tensor[] => {
    let pos = 0;
    return sizes.map((s) => { const v = narrowAffine(x.shape, d, pos, s); pos += s; return affineKernel(op, x, v, v.sizes, false); });
  };
  registerKernel('split', 'webgpu', (args) => {
    const x = tensorArg(args.tensor, 'tensor');
    const d = normDim(num(args.dim, 0), x.ndim);
    return splitGpu('split', x, splitSizes(x.shape[d]!, args.split_size_or_sections), d);
  });
  registerKernel('chunk', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim);
    return splitGpu('chunk', x, chunkSizes(x.shape[d]!, num(args.chunks, 1)), d);
  });
  registerKernel('unbind', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = normDim(num(args.dim, 0), x.ndim);
    const sq = x.shape.filter((_, i) => i !== d);
    return splitGpu('unbind', x, new Array<number>(x.shape[d]!).fill(1), d).map((t) => t.withShape(sq));
  });
  registerKernel('narrow', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { d, start, len } = narrowArgs(args, x);
    const v = narrowAffine(x.shape, d, start, len);
    return affineKernel('narrow', x, v, v.sizes, false);
  });
  registerKernel('select', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { d, i } = selectArgs(args, x);
    const v = narrowAffine(x.shape, d, i, 1);
    return affineKernel('select', x, v, v.sizes, false).withShape(x.shape.filter((_, k) => k !== d));
  });
  registerKernel('flip', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return affineKernel('flip', x, flipAffine(x.shape, intList(args.dims).map((d) => normDim(d, x.ndim))), x.shape, false);
  });
  // getitem: ints / slices / None / Ellipsis are an affine copy; one integer tensor adds an
  // index_select. A boolean mask has a data-dependent shape (a read back): CPU fallback.
  const cpuGetitem = getKernel('getitem', 'cpu');
  registerKernel('getitem', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const plan = planIndex(x.shape, args.index ?? null);
    if (plan.kind === 'mask') {
      if (!cpuGetitem) throw new Error('getitem: no kernel for boolean masks');
      return fallback('getitem', cpuGetitem, webgpuBackend())(args, ctx);
    }
    // A Python list index was made into a host tensor by planIndex: move it (and keep it for backward).
    if (plan.kind === 'tensor') plan.index = onGpu(plan.index);
    ctx.saved.plan = plan;
    if (plan.kind === 'affine') return affineKernel('getitem', x, plan.view, plan.outShape, false);
    const pre = affineKernel('getitem', x, plan.pre.view, plan.pre.outShape, false);
    return indexSelectGpu(pre, plan.dim, plan.index);
  });
  // The gradient of a boolean-mask getitem: the picked positions are host data (the forward read
  // the mask back to size its output), uploaded here; positions are distinct, so a plain scatter.
  registerKernel('_mask_grad', 'webgpu', (args) => {
    const shape = args.shape as number[];
    const picked = args.picked as number[];
    const g = onGpu(tensorArg(args.grad, 'grad'));
    const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
    if (picked.length === 0) return out;
    const idx = Tensor.fromArray(picked, [picked.length], 'int32', webgpuBackend());
    elementwise(`boolean-mask getitem backward [${shape.join(', ')}]`, 'mask_grad', 'O[u32(I[i])] = G[i];', `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;`, [g, idx, out], [], picked.length);
    return out;
  });
  registerKernel('index_select', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return indexSelectGpu(x, normDim(num(args.dim, 0), x.ndim), tensorArg(args.index, 'index'));
  });
  registerKernel('_index_select_grad', 'webgpu', (args) =>
    indexSelectGradGpu(tensorArg(args.grad, 'grad'), args.dim as number, tensorArg(args.index, 'index'), args.shape as number[]));
  registerKernel('repeat_interleave', 'webgpu', (args) => {
    const { x, d, idx } = repeatInterleaveArgs(args);
    // The index list depends only on the arguments (the same every step).
    return indexSelectGpu(x, d, Tensor.fromArray(idx, [idx.length], 'int32', webgpuBackend()));
  });
  registerKernel('gather', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const index = onGpu(tensorArg(args.index, 'index'));
    const d = normDim(num(args.dim, 0), x.ndim);
    if (index.ndim !== x.ndim) throw new Error(`gather: index Tensor[${index.shape.join(', ')}] must have as many dims as the input Tensor[${x.shape.join(', ')}]`);
    const out = gpuEmpty(webgpuBackend(), index.shape, x.dtype, 'gather');
    const ty = wty(x);
    elementwise(`gather [${x.shape.join(', ')}] dim ${d}`, `gather|${ty}`, `${GATHER_OFFSET}
  if (bad) { O[i] = ${ty === 'f32' ? 'F(4u)' : '0'}; return; }
  O[i] = X[off];`, `@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<${ty}>;`, [x, index, out], gatherUniforms(x.shape, index, d), out.numel);
    return out;
  });
  registerKernel('_gather_grad', 'webgpu', (args) => {
    const shape = args.shape as number[];
    const index = onGpu(tensorArg(args.index, 'index')), g = onGpu(tensorArg(args.grad, 'grad'));
    const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
    elementwise(`gather backward [${shape.join(', ')}]`, 'gather_grad', `${GATHER_OFFSET}
  if (bad) { return; }
  atomicAddF32(off, G[i]);`, `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, [g, index, out], gatherUniforms(shape, index, args.dim as number), g.numel);
    return out;
  });
  for (const name of ['tril', 'triu'] as const) {
    registerKernel(name, 'webgpu', (args) => {
      const { x, k, R, C } = triArgs(name, args);
      const out = gpuEmpty(webgpuBackend(), x.shape, x.dtype, name);
      const ty = wty(x);
      elementwise(`${name} [${x.shape.join(', ')}]`, `${name}|${ty}`, `let c = i32(i % P(2u)); let r = i32((i / P(2u)) % P(1u));
  O[i] = select(${ty}(0), X[i], c - r ${name === 'tril' ? '<=' : '>='} bitcast<i32>(P(3u)));`,
      `@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> O: array<${ty}>;`, [x, out], [R, C, k | 0], x.numel);
      return out;
    });
  }
  for (const name of ['cumsum', 'cumprod'] as const) {
    // One thread per line along dim (a sequential scan: lines are many, dims are short here).
    registerKernel(name, 'webgpu', (args) => {
      const { x, d, outer, R, inner } = scanArgs(args);
      const odt = x.dtype === 'float32' ? 'float32' : 'int32';
      const out = gpuEmpty(webgpuBackend(), x.shape, odt, name);
      const ty = odt === 'float32' ? 'f32' : 'i32';
      elementwise(`${name} [${x.shape.join(', ')}] dim ${d}`, `${name}|${ty}|${wty(x)}`, `let R = P(1u); let inner = P(2u);
  var k = (i / inner) * R * inner + i % inner;
  var acc = ${ty}(${name === 'cumsum' ? 0 : 1});
  for (var r = 0u; r < R; r++) { acc = acc ${name === 'cumsum' ? '+' : '*'} ${ty}(X[k]); O[k] = acc; k += inner; }`,
      `@group(0) @binding(1) var<storage, read> X: array<${wty(x)}>;
@group(0) @binding(2) var<storage, read_write> O: array<${ty}>;`, [x, out], [R, Math.max(1, inner)], outer * inner);
      return out;
    });
  }
}

// ---- pad and interpolate ------------------------------------------------------------------
// Both compute their source indices in the shader from a few uniform words (no index map is
// built on the host and uploaded), and save a small descriptor for their gradients, which
// scatter-add back through the same index math with float atomics.

/** What pad saves for _gather_map_grad on this backend (the CPU kernel saves an offset map). */
interface PadDesc { readonly kind: 'gpu-pad'; readonly mode: string; readonly uniforms: number[]; readonly nd: number }

function padDesc(shape: readonly number[], pads: readonly number[], mode: string, value: number): { outShape: number[]; desc: PadDesc } {
  if (pads.length % 2 !== 0 || pads.length / 2 > shape.length) throw new Error(`pad: padding length must be even and at most 2x the number of dims (got ${pads.length} for ${shape.length} dims)`);
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) throw new Error(`pad: mode '${mode}' is not supported (constant, reflect, replicate, circular are)`);
  if (mode === 'constant' && pads.some((p) => p < 0)) throw new Error('pad: negative padding is not supported by the embedded engine yet');
  if (shape.length > MAX_DIMS) throw new Error(`pad: ${shape.length} dims (the WebGPU kernel handles ${MAX_DIMS})`);
  const outShape = [...shape];
  const before = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    const d = shape.length - 1 - i;
    const n = shape[d]!, lo = pads[2 * i]!, hi = pads[2 * i + 1]!;
    if (mode === 'reflect' && (lo >= n || hi >= n)) throw new Error(`pad: reflect padding (${lo}, ${hi}) must be smaller than the input size ${n} of dim ${d}`);
    if (mode === 'circular' && (lo > n || hi > n)) throw new Error(`pad: circular padding (${lo}, ${hi}) can be at most the input size ${n} of dim ${d}`);
    before[d] = lo;
    outShape[d] = n + lo + hi;
    if (outShape[d]! < 0) throw new Error(`pad: resulting size of dim ${d} would be negative`);
  }
  const u = [0, f32Bits(value), shape.length];
  let st = 1;
  const strides: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) { strides[d] = st; st *= shape[d]!; }
  for (let d = 0; d < shape.length; d++) u.push(outShape[d]!, shape[d]!, before[d]! | 0, strides[d]!);
  return { outShape, desc: { kind: 'gpu-pad', mode, uniforms: u, nd: shape.length } };
}

/** WGSL that maps output element i to its source offset `off` (or sets `outside` for constant pads). */
function padIndexWgsl(mode: string): string {
  const fix = mode === 'replicate' ? 's = clamp(s, 0, n - 1);'
    : mode === 'circular' ? 's = ((s % n) + n) % n;'
    : mode === 'reflect' ? 'if (s < 0) { s = -s; } else if (s >= n) { s = 2 * (n - 1) - s; }'
    : 'if (s < 0 || s >= n) { outside = true; }';
  return `var rem = i; var off = 0u; var outside = false;
  for (var d = i32(P(2u)) - 1; d >= 0; d--) {
    let b = 3u + 4u * u32(d);
    let os = P(b); let n = i32(P(b + 1u));
    let c = i32(rem % os); rem = rem / os;
    var s = c - bitcast<i32>(P(b + 2u));
    ${fix}
    off += u32(max(s, 0)) * P(b + 3u);
  }`;
}

interface InterpDesc { readonly kind: 'gpu-interpolate'; readonly key: string; readonly uniforms: number[]; readonly taps: number }

/** Per spatial dim: in size, out size, and the source scale (x = o*scale [+ shift]). */
function interpDesc(args: OpArgs, inShape: readonly number[]): { outShape: number[]; desc: InterpDesc } {
  const mode = String(args.mode ?? 'nearest');
  const linear = mode === 'linear' || mode === 'bilinear' || mode === 'trilinear';
  if (!linear && mode !== 'nearest' && mode !== 'nearest-exact') throw new Error(`interpolate: mode '${mode}' is not supported by the embedded engine (nearest, nearest-exact, linear, bilinear, trilinear are)`);
  const { outSpatial, scales } = interpolatePlan(args, inShape);
  const nsp = outSpatial.length;
  if (nsp < 1 || nsp > 3) throw new Error(`interpolate: ${nsp} spatial dims (1 to 3 are supported)`);
  const align = args.align_corners === true;
  const kind = linear ? (align ? 'linear-align' : 'linear') : mode;
  const inPlane = numelOf(inShape.slice(2)), outPlane = numelOf(outSpatial);
  const u = [0, inPlane, outPlane];
  let st = 1;
  const inSt: number[] = [];
  for (let k = nsp - 1; k >= 0; k--) { inSt[k] = st; st *= inShape[2 + k]!; }
  for (let k = 0; k < nsp; k++) {
    const inN = inShape[2 + k]!, on = outSpatial[k]!;
    const scale = linear && align ? (on > 1 ? (inN - 1) / (on - 1) : 0) : scales[k]!;
    u.push(inN, on, f32Bits(scale), inSt[k]!);
  }
  return { outShape: [inShape[0]!, inShape[1]!, ...outSpatial], desc: { kind: 'gpu-interpolate', key: `${kind}|${nsp}`, uniforms: u, taps: (linear ? 2 : 1) ** nsp } };
}

/** WGSL: for output element i, `base` (input plane offset) and per tap t its offset and weight. */
function interpWgsl(desc: InterpDesc, perTap: string): string {
  const [kind, nspS] = desc.key.split('|') as [string, string];
  const nsp = Number(nspS);
  const linear = kind.startsWith('linear');
  const dims: string[] = [];
  for (let k = nsp - 1; k >= 0; k--) {
    const b = 3 + 4 * k;
    let src: string;
    if (!linear) {
      src = kind === 'nearest' ? `floor(f32(o) * F(${b + 2}u))` : `floor((f32(o) + 0.5) * F(${b + 2}u))`;
      dims.push(`{ let inN = P(${b}u); let on = P(${b + 1}u); let o = p % on; p = p / on;
    let s = min(u32(${src}), inN - 1u);
    i0[${k}] = s * P(${b + 3}u); i1[${k}] = i0[${k}]; l[${k}] = 0.0; }`);
    } else {
      src = kind === 'linear-align' ? `f32(o) * F(${b + 2}u)` : `(f32(o) + 0.5) * F(${b + 2}u) - 0.5`;
      dims.push(`{ let inN = P(${b}u); let on = P(${b + 1}u); let o = p % on; p = p / on;
    let x = max(${src}, 0.0);
    let a = min(u32(floor(x)), inN - 1u);
    let c = min(a + 1u, inN - 1u);
    l[${k}] = x - f32(a); i0[${k}] = a * P(${b + 3}u); i1[${k}] = c * P(${b + 3}u); }`);
    }
  }
  const tps = linear ? 2 : 1;
  return `let plane = i / P(2u);
  var p = i % P(2u);
  var i0: array<u32, 3>; var i1: array<u32, 3>; var l: array<f32, 3>;
  ${dims.join('\n  ')}
  let base = plane * P(1u);
  for (var t = 0u; t < ${desc.taps}u; t++) {
    var rem = t; var off = base; var w = 1.0;
    for (var k = ${nsp - 1}; k >= 0; k--) {
      let j = rem % ${tps}u; rem = rem / ${tps}u;
      if (j == 0u) { off += i0[k]; w *= 1.0 - l[k]; } else { off += i1[k]; w *= l[k]; }
    }
    ${perTap}
  }`;
}

export function registerPadInterpolateWebgpu(): void {
  registerKernel('pad', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const mode = String(args.mode ?? 'constant');
    const { outShape, desc } = padDesc(x.shape, intList(args.pad), mode, num(args.value, 0));
    if (mode !== 'constant') ctx.saved.map = desc;
    const out = gpuEmpty(webgpuBackend(), outShape, x.dtype, 'pad');
    const ty = wty(x);
    const u = [...desc.uniforms];
    u[0] = out.numel;
    elementwise(`pad ${mode} [${x.shape.join(', ')}] -> [${outShape.join(', ')}]`, `pad|${mode}|${ty}`, `${padIndexWgsl(mode)}
  if (outside) { O[i] = ${ty === 'f32' ? 'F(1u)' : 'i32(F(1u))'}; return; }
  O[i] = X[off];`, `@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> O: array<${ty}>;`, [x, out], u.slice(1), out.numel);
    return out;
  });
  registerKernel('_gather_map_grad', 'webgpu', (args) => {
    const desc = args.map as unknown as PadDesc;
    if (desc?.kind !== 'gpu-pad') throw new Error('_gather_map_grad: the saved map does not come from the WebGPU pad kernel');
    const g = onGpu(tensorArg(args.grad, 'grad'));
    const shape = args.shape as number[];
    const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
    const u = [...desc.uniforms];
    u[0] = g.numel;
    elementwise(`pad ${desc.mode} backward [${shape.join(', ')}]`, `pad_grad|${desc.mode}`, `${padIndexWgsl(desc.mode)}
  atomicAddF32(off, G[i]);`, `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, [g, out], u.slice(1), g.numel);
    return out;
  });
  registerKernel('interpolate', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const { outShape, desc } = interpDesc(args, x.shape);
    ctx.saved.plan = desc;
    const out = gpuEmpty(webgpuBackend(), outShape, 'float32', 'interpolate');
    const u = [...desc.uniforms];
    u[0] = out.numel;
    elementwise(`interpolate [${x.shape.join(', ')}] -> [${outShape.join(', ')}]`, `interp|${desc.key}`, `var acc = 0.0;
  ${interpWgsl(desc, 'acc += w * X[off];')}
  O[i] = acc;`, `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;`, [x, out], u.slice(1), out.numel);
    return out;
  });
  registerKernel('_interpolate_grad', 'webgpu', (args) => {
    const desc = args.plan as unknown as InterpDesc;
    if (desc?.kind !== 'gpu-interpolate') throw new Error('_interpolate_grad: the saved plan does not come from the WebGPU interpolate kernel');
    const g = onGpu(tensorArg(args.grad, 'grad'));
    const shape = args.shape as number[];
    const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
    const u = [...desc.uniforms];
    u[0] = g.numel;
    elementwise(`interpolate backward [${shape.join(', ')}]`, `interp_grad|${desc.key}`, `let gv = G[i];
  ${interpWgsl(desc, 'if (w != 0.0) { atomicAddF32(off, w * gv); }')}`, `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, [g, out], u.slice(1), g.numel);
    return out;
  });
}
