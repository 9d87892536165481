// Gradients of the shape family. Views reshape the gradient back; affine copies scatter-add it
// through the same view; index ops scatter-add along their index.
import { registerGrad, registerNonDifferentiable, type GradResult } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { registerComposite } from '../../runtime/composite.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { intList, normDim, num } from '../../runtime/args.js';
import { chunkSizes, expandAffine, narrowAffine, padPlan, permuteAffine, repeatAffine, splitSizes, type Affine, type IndexPlan } from './cpu.js';

const inputOf = (args: Readonly<Record<string, RuntimeValue>>, name = 'input'): Tensor => args[name] as Tensor;
const reshapeBack = (name: string) => registerGrad(name, (ctx, [g]) => ({ input: g!.withShape(inputOf(ctx.args).shape) }));
const stridedGrad = (g: Tensor, view: Affine, shape: readonly number[]): Tensor =>
  callOp('_strided_grad', { grad: g, view: view as unknown as RuntimeValue, shape: [...shape] }) as Tensor;

/** Gradients of list outputs (split/chunk/unbind): missing pieces are zeros; pieces are concatenated. */
function catGrads(gs: readonly (Tensor | null)[], pieceShapes: readonly (readonly number[])[], dim: number): Tensor {
  const parts = gs.map((g, i) => g ?? Tensor.zeros(pieceShapes[i]!));
  return callOp('cat', { tensors: parts, dim }) as Tensor;
}

export function registerShapeGrads(): void {
  for (const n of ['view', 'reshape', 'view_as', 'reshape_as', 'flatten', 'unflatten', 'squeeze', 'unsqueeze']) reshapeBack(n);
  registerGrad('permute', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const perm = intList(ctx.args.dims).map((d) => normDim(d, x.ndim));
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => { inv[p] = i; });
    return { input: callOp('permute', { input: g!, dims: inv }) as Tensor };
  });
  const swapGrad = (ctx: { args: Readonly<Record<string, RuntimeValue>> }, g: Tensor): GradResult => {
    const x = inputOf(ctx.args);
    if (x.ndim < 2) return g.withShape(x.shape);
    const a = normDim(num(ctx.args.dim0, 0), x.ndim), b = normDim(num(ctx.args.dim1, 1), x.ndim);
    return callOp('transpose', { input: g, dim0: a, dim1: b }) as Tensor;
  };
  registerGrad('transpose', (ctx, [g]) => ({ input: swapGrad(ctx, g!) }));
  registerGrad('t', (ctx, [g]) => ({ input: swapGrad(ctx, g!) }));
  registerGrad('movedim', (ctx, [g]) => ({ input: callOp('movedim', { input: g!, source: ctx.args.destination!, destination: ctx.args.source! }) as Tensor }));
  for (const n of ['expand', 'broadcast_to']) {
    registerGrad(n, (ctx, [g]) => { const x = inputOf(ctx.args); return { input: stridedGrad(g!, expandAffine(x.shape, intList(ctx.args.size)), x.shape) }; });
  }
  registerGrad('expand_as', (ctx, [g]) => { const x = inputOf(ctx.args); return { input: stridedGrad(g!, expandAffine(x.shape, (ctx.args.other as Tensor).shape), x.shape) }; });
  registerGrad('repeat', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const { view } = repeatAffine(x.shape, intList(ctx.args.repeats));
    return { input: stridedGrad(g!.withShape(view.sizes), view, x.shape.length === 0 ? [] : x.shape) };
  });
  registerGrad('repeat_interleave', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const flat = ctx.args.dim === null || ctx.args.dim === undefined;
    const shape = flat ? [x.numel] : x.shape;
    const d = flat ? 0 : normDim(num(ctx.args.dim, 0), x.ndim);
    const n = shape[d]!;
    const reps = typeof ctx.args.repeats === 'number' ? new Array<number>(n).fill(ctx.args.repeats) : intList(ctx.args.repeats);
    const idx: number[] = [];
    reps.forEach((r, i) => { for (let k = 0; k < r; k++) idx.push(i); });
    const gi = callOp('_index_select_grad', { grad: g!, dim: d, index: Tensor.fromArray(idx, [idx.length], 'int32', g!.backend), shape: [...shape] }) as Tensor;
    return { input: gi.withShape(x.shape) };
  });
  registerGrad('cat', (ctx, [g]) => {
    const ts = ctx.args.tensors as Tensor[];
    const nonEmpty = ts.filter((t) => !(t.ndim === 1 && t.numel === 0));
    const d = normDim(num(ctx.args.dim, 0), nonEmpty[0]!.ndim);
    let pos = 0;
    const out = ts.map((t) => {
      if (t.ndim === 1 && t.numel === 0) return null;
      const v = narrowAffine(g!.shape, d, pos, t.shape[d]!);
      pos += t.shape[d]!;
      return t.requiresGrad ? callOp('_strided_copy', { input: g!, view: v as unknown as RuntimeValue }) as Tensor : null;
    });
    return { tensors: out };
  });
  registerGrad('stack', (ctx, [g]) => {
    const ts = ctx.args.tensors as Tensor[];
    const d = normDim(num(ctx.args.dim, 0), ts[0]!.ndim + 1);
    return { tensors: ts.map((t, i) => (t.requiresGrad ? (callOp('_strided_copy', { input: g!, view: narrowAffine(g!.shape, d, i, 1) as unknown as RuntimeValue }) as Tensor).withShape(t.shape) : null)) };
  });
  registerGrad('hstack', (ctx, [g]) => {
    const ts = ctx.args.tensors as Tensor[];
    const d = ts[0]!.ndim === 1 ? 0 : 1;
    let pos = 0;
    return { tensors: ts.map((t) => { const v = narrowAffine(g!.shape, d, pos, t.shape[d]!); pos += t.shape[d]!; return callOp('_strided_copy', { input: g!, view: v as unknown as RuntimeValue }) as Tensor; }) };
  });
  registerGrad('vstack', (ctx, [g]) => {
    const ts = ctx.args.tensors as Tensor[];
    let pos = 0;
    return { tensors: ts.map((t) => { const rows = t.ndim === 1 ? 1 : t.shape[0]!; const v = narrowAffine(g!.shape, 0, pos, rows); pos += rows; return (callOp('_strided_copy', { input: g!, view: v as unknown as RuntimeValue }) as Tensor).withShape(t.shape); }) };
  });
  registerGrad('split', (ctx, gs) => {
    const x = inputOf(ctx.args, 'tensor');
    const d = normDim(num(ctx.args.dim, 0), x.ndim);
    const sizes = splitSizes(x.shape[d]!, ctx.args.split_size_or_sections);
    return { tensor: catGrads(gs, sizes.map((s) => { const sh = [...x.shape]; sh[d] = s; return sh; }), d) };
  });
  registerGrad('chunk', (ctx, gs) => {
    const x = inputOf(ctx.args);
    const d = normDim(num(ctx.args.dim, 0), x.ndim);
    const sizes = chunkSizes(x.shape[d]!, num(ctx.args.chunks, 1));
    return { input: catGrads(gs, sizes.map((s) => { const sh = [...x.shape]; sh[d] = s; return sh; }), d) };
  });
  registerGrad('unbind', (ctx, gs) => {
    const x = inputOf(ctx.args);
    const d = normDim(num(ctx.args.dim, 0), x.ndim);
    const sq = x.shape.filter((_, i) => i !== d);
    const parts = gs.map((g) => g ?? Tensor.zeros(sq));
    return { input: callOp('stack', { tensors: parts, dim: d }) as Tensor };
  });
  registerGrad('getitem', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const plan = ctx.saved.plan as IndexPlan;
    if (plan.kind === 'affine') return { input: stridedGrad(g!.withShape(plan.view.sizes), plan.view, x.shape) };
    if (plan.kind === 'mask') return { input: callOp('_mask_grad', { grad: g!, picked: ctx.saved.picked as number[], shape: [...x.shape] }) as Tensor };
    const pre = callOp('_index_select_grad', { grad: g!, dim: plan.dim, index: plan.index, shape: plan.pre.outShape }) as Tensor;
    return { input: stridedGrad(pre, plan.pre.view, x.shape) };
  });
  registerGrad('narrow', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const d = normDim(num(ctx.args.dim, 0), x.ndim);
    let start = num(ctx.args.start, 0);
    if (start < 0) start += x.shape[d]!;
    return { input: stridedGrad(g!, narrowAffine(x.shape, d, start, num(ctx.args.length, 0)), x.shape) };
  });
  registerGrad('select', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    const d = normDim(num(ctx.args.dim, 0), x.ndim);
    let i = num(ctx.args.index, 0);
    if (i < 0) i += x.shape[d]!;
    const v = narrowAffine(x.shape, d, i, 1);
    return { input: stridedGrad(g!.withShape(v.sizes), v, x.shape) };
  });
  registerGrad('index_select', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    return { input: callOp('_index_select_grad', { grad: g!, dim: normDim(num(ctx.args.dim, 0), x.ndim), index: ctx.args.index!, shape: [...x.shape] }) as Tensor };
  });
  registerGrad('gather', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    return { input: callOp('_gather_grad', { grad: g!, dim: normDim(num(ctx.args.dim, 0), x.ndim), index: ctx.args.index!, shape: [...x.shape] }) as Tensor };
  });
  registerGrad('interpolate', (ctx, [g]) => ({ input: callOp('_interpolate_grad', { grad: g!, plan: ctx.saved.plan as RuntimeValue, shape: [...inputOf(ctx.args).shape] }) as Tensor }));
  registerGrad('pad', (ctx, [g]) => {
    const x = inputOf(ctx.args);
    if (ctx.saved.map) return { input: callOp('_gather_map_grad', { grad: g!, map: ctx.saved.map as RuntimeValue, shape: [...x.shape] }) as Tensor };
    const { view } = padPlan(x.shape, intList(ctx.args.pad));
    return { input: callOp('_strided_copy', { input: g!, view: view as unknown as RuntimeValue }) as Tensor };
  });
  registerNonDifferentiable('size', 'dim', 'numel', 'item', 'tolist', 'len');
  registerGrad('flip', (ctx, [g]) => ({ input: callOp('flip', { input: g!, dims: ctx.args.dims! }) as Tensor }));
  for (const name of ['tril', 'triu']) registerGrad(name, (ctx, [g]) => ({ input: callOp(name, { input: g!, diagonal: ctx.args.diagonal ?? 0 }) as Tensor }));
  registerGrad('cumsum', (ctx, [g]) => {
    // d x_i = sum_{j >= i} g_j: a reversed cumulative sum.
    const x = inputOf(ctx.args);
    const d = x.ndim === 0 ? 0 : normDim(num(ctx.args.dim, 0), x.ndim);
    const flipped = callOp('cumsum', { input: callOp('flip', { input: g!, dims: [d] }), dim: d });
    return { input: callOp('flip', { input: flipped, dims: [d] }) as Tensor };
  });
  registerGrad('cumprod', (ctx, [g]) => {
    // d x_i = sum_{j >= i} g_j y_j / x_i (inputs with zeros give inf/nan, as the formula does).
    const x = inputOf(ctx.args);
    const d = x.ndim === 0 ? 0 : normDim(num(ctx.args.dim, 0), x.ndim);
    const gy = callOp('mul', { input: g!, other: ctx.output });
    const rev = callOp('flip', { input: callOp('cumsum', { input: callOp('flip', { input: gy, dims: [d] }), dim: d }), dims: [d] });
    return { input: callOp('div', { input: rev, other: x }) as Tensor };
  });
  // pixel_shuffle / pixel_unshuffle: reshape + permute + reshape.
  registerComposite('pixel_shuffle', (args) => {
    const x = inputOf(args);
    const r = num(args.upscale_factor, 1);
    const lead = x.shape.slice(0, -3);
    const [C, H, W] = x.shape.slice(-3) as [number, number, number];
    if (C % (r * r) !== 0) throw new Error(`pixel_shuffle expects its input's channel dim (${C}) to be divisible by upscale_factor^2 (${r * r})`);
    const c = C / (r * r), n = lead.length;
    const v = callOp('reshape', { input: x, shape: [...lead, c, r, r, H, W] });
    const p = callOp('permute', { input: v, dims: [...lead.map((_, i) => i), n, n + 3, n + 1, n + 4, n + 2] });
    return callOp('reshape', { input: p, shape: [...lead, c, H * r, W * r] });
  });
  registerComposite('pixel_unshuffle', (args) => {
    const x = inputOf(args);
    const r = num(args.downscale_factor, 1);
    const lead = x.shape.slice(0, -3);
    const [C, H, W] = x.shape.slice(-3) as [number, number, number];
    if (H % r !== 0 || W % r !== 0) throw new Error(`pixel_unshuffle expects height ${H} and width ${W} to be divisible by downscale_factor ${r}`);
    const n = lead.length;
    const v = callOp('reshape', { input: x, shape: [...lead, C, H / r, r, W / r, r] });
    const p = callOp('permute', { input: v, dims: [...lead.map((_, i) => i), n, n + 2, n + 4, n + 1, n + 3] });
    return callOp('reshape', { input: p, shape: [...lead, C * r * r, H / r, W / r] });
  });
  // roll: a composite of narrow + cat per rolled dim.
  registerComposite('roll', (args) => {
    let x = inputOf(args);
    const shifts = intList(args.shifts);
    const flat = args.dims === null || args.dims === undefined;
    const shape = x.shape;
    if (flat) x = callOp('reshape', { input: x, shape: [x.numel] }) as Tensor;
    const dims = flat ? [0] : intList(args.dims).map((d) => normDim(d, x.ndim));
    if (shifts.length !== dims.length) throw new Error(`roll: shifts (${shifts.length}) and dims (${dims.length}) must have the same length`);
    dims.forEach((d, i) => {
      const n = x.shape[d]!;
      const s = ((shifts[i]! % n) + n) % n;
      if (s === 0) return;
      const a = callOp('narrow', { input: x, dim: d, start: n - s, length: s });
      const b = callOp('narrow', { input: x, dim: d, start: 0, length: n - s });
      x = callOp('cat', { tensors: [a, b], dim: d }) as Tensor;
    });
    return flat ? callOp('reshape', { input: x, shape: [...shape] }) : x;
  });
  void permuteAffine;
}
