// Gradients of the reduction family (callOp-based; backend-independent).
import { registerGrad, registerNonDifferentiable } from '../../autograd/grad_registry.js';
import { registerComposite } from '../../runtime/composite.js';
import { callOp } from '../../runtime/dispatch.js';
import { REDUCE } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import { normDim, num } from '../../runtime/args.js';
import { correctionOf, reduceShapes, reducedDims } from './cpu.js';

function keptView(t: Tensor, kept: readonly number[]): Tensor { return t.withShape(kept); }

export function registerReduceGrads(): void {
  for (const e of REDUCE) {
    if (e.grad === null) { registerNonDifferentiable(e.name); continue; }
    registerGrad(e.name, (ctx, [g]) => {
      const x = ctx.args.input as Tensor;
      const dims = reducedDims(x, ctx.args.dim);
      const { kept } = reduceShapes(x.shape, dims, true);
      return { input: callOp('_reduce_grad', { name: e.name, input: x, output: keptView(ctx.output as Tensor, kept), grad: keptView(g!, kept), dims }) as Tensor };
    });
  }
  const maxMin = (name: 'max' | 'min') => registerGrad(name, (ctx, [gv]) => {
    const x = ctx.args.input as Tensor;
    if (ctx.args.dim instanceof Tensor) {
      // torch.max(a, b) is elementwise maximum.
      const other = ctx.args.dim;
      const common = { name: name === 'max' ? 'maximum' : 'minimum', input: x, other, output: ctx.output, grad: gv!, params: [] };
      return {
        input: x.requiresGrad ? callOp('_binary_grad', { ...common, which: 0 }) as Tensor : null,
        dim: other.requiresGrad ? callOp('_binary_grad', { ...common, which: 1 }) as Tensor : null,
      };
    }
    if (ctx.args.dim === null || ctx.args.dim === undefined) {
      const dims = x.shape.map((_, i) => i);
      const kept = x.shape.map(() => 1);
      return { input: callOp('_reduce_grad', { name: name === 'max' ? 'amax' : 'amin', input: x, output: keptView(ctx.output as Tensor, kept), grad: keptView(gv!, kept), dims }) as Tensor };
    }
    const [, idx] = ctx.output as [Tensor, Tensor];
    const kept = ctx.saved.kept as number[];
    return { input: callOp('_scatter_dim', { shape: x.shape, dim: ctx.saved.dim as number, index: keptView(idx, kept), src: keptView(gv!, kept) }) as Tensor };
  });
  maxMin('max');
  maxMin('min');
  registerNonDifferentiable('argmax', 'argmin', 'all', 'any', 'count_nonzero', 'argsort');
  for (const name of ['nansum', 'nanmean']) {
    registerGrad(name, (ctx, [g]) => {
      const x = ctx.args.input as Tensor;
      const dims = reducedDims(x, ctx.args.dim);
      const { kept } = reduceShapes(x.shape, dims, true);
      const notNan = callOp('eq', { input: x, other: x }) as Tensor;
      let gk = keptView(g!, kept);
      if (name === 'nanmean') gk = callOp('div', { input: gk, other: callOp('sum', { input: notNan, dim: dims, keepdim: true }) }) as Tensor;
      return { input: callOp('where', { condition: notNan, input: callOp('_broadcast_to', { input: gk, shape: x.shape }), other: 0 }) as Tensor };
    });
  }
  // Selections: scatter the gradient back to the picked positions along dim.
  const scatterBack = (x: Tensor, dim: number, idx: Tensor, g: Tensor, keptShape: readonly number[]): Tensor =>
    callOp('_gather_grad', { grad: g.withShape(keptShape), dim, index: idx.withShape(keptShape), shape: [...x.shape] }) as Tensor;
  for (const name of ['sort', 'topk']) {
    registerGrad(name, (ctx, [gv]) => {
      const x = ctx.args.input as Tensor;
      const [, idx] = ctx.output as [Tensor, Tensor];
      const d = x.ndim === 0 ? 0 : normDim(num(ctx.args.dim, -1), x.ndim);
      return { input: scatterBack(x, d, idx, gv!, idx.shape) };
    });
  }
  for (const name of ['kthvalue', 'median', 'mode']) {
    registerGrad(name, (ctx, [gv]) => {
      const x = ctx.args.input as Tensor;
      if (!Array.isArray(ctx.output)) {
        // median() over all elements: the gradient goes to one element equal to the median.
        const idx = callOp('_median_index', { input: x }) as Tensor;
        return { input: scatterBack(x.withShape([x.numel]), 0, idx, gv!, [1]).withShape(x.shape) };
      }
      const [, idx] = ctx.output as [Tensor, Tensor];
      const d = x.ndim === 0 ? 0 : normDim(num(ctx.args.dim, -1), x.ndim);
      const kept = x.shape.map((s, i) => (i === d ? 1 : s));
      return { input: scatterBack(x, d, idx, gv!, kept) };
    });
  }
  const varStd = (isStd: boolean) => (ctx: Parameters<Parameters<typeof registerGrad>[1]>[0], [g]: readonly (Tensor | null)[]) => {
    const x = ctx.args.input as Tensor;
    const dims = reducedDims(x, ctx.args.dim);
    const { kept } = reduceShapes(x.shape, dims, true);
    const n = x.numel / Math.max(1, kept.reduce((a, b) => a * b, 1));
    const denom = Math.max(0, n - correctionOf(ctx.args));
    // d var / dx = 2 (x - mean) / (n - c); d std = d var / (2 std)
    const mean = callOp('mean', { input: x, dim: dims, keepdim: true }) as Tensor;
    const dev = callOp('sub', { input: x, other: mean }) as Tensor;
    let gk = keptView(g!, kept);
    if (isStd) gk = callOp('div', { input: gk, other: keptView(ctx.output as Tensor, kept) }) as Tensor;
    const scale = callOp('mul', { input: dev, other: gk }) as Tensor;
    return { input: callOp('mul', { input: scale, other: (isStd ? 1 : 2) / denom }) as Tensor };
  };
  registerGrad('var', varStd(false));
  registerGrad('std', varStd(true));
  registerGrad('softmax', (ctx, [g]) => ({ input: callOp('_softmax_grad', { output: ctx.output, grad: g!, dim: ctx.args.dim ?? null, log: false }) as Tensor }));
  registerGrad('log_softmax', (ctx, [g]) => ({ input: callOp('_softmax_grad', { output: ctx.output, grad: g!, dim: ctx.args.dim ?? null, log: true }) as Tensor }));
  // ---- composites (gradients come from the ops they call) ----
  registerComposite('softmin', (args) => callOp('softmax', { input: callOp('neg', { input: args.input! }), dim: args.dim ?? null }));
  for (const name of ['var', 'std'] as const) {
    registerComposite(`${name}_mean`, (args) => [
      callOp(name, { input: args.input!, dim: args.dim ?? null, unbiased: args.unbiased ?? true, keepdim: args.keepdim ?? false, correction: args.correction ?? null }),
      callOp('mean', { input: args.input!, dim: args.dim ?? null, keepdim: args.keepdim ?? false }),
    ]);
  }
  registerGrad('logsumexp', (ctx, [g]) => {
    const x = ctx.args.input as Tensor;
    const dims = reducedDims(x, ctx.args.dim);
    const { kept } = reduceShapes(x.shape, dims, true);
    // d/dx = g * exp(x - y)
    const e = callOp('exp', { input: callOp('sub', { input: x, other: keptView(ctx.output as Tensor, kept) }) }) as Tensor;
    return { input: callOp('mul', { input: e, other: keptView(g!, kept) }) as Tensor };
  });
  registerGrad('norm', (ctx, [g]) => {
    const x = ctx.args.input as Tensor;
    const p = ctx.args.p === null || ctx.args.p === undefined || ctx.args.p === 'fro' ? 2 : num(ctx.args.p, 2);
    if (p !== 2) throw new Error(`norm: gradient implemented for p=2 only (got p=${p})`);
    const dims = reducedDims(x, ctx.args.dim);
    const { kept } = reduceShapes(x.shape, dims, true);
    const r = callOp('div', { input: keptView(g!, kept), other: keptView(ctx.output as Tensor, kept) }) as Tensor;
    return { input: callOp('mul', { input: x, other: r }) as Tensor };
  });
}
