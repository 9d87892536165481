// Gradients of the normalisation family.
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { registerComposite } from '../../runtime/composite.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { intList, num } from '../../runtime/args.js';

const wants = (v: RuntimeValue | undefined): boolean => v instanceof Tensor && v.requiresGrad;

export function registerNormGrads(): void {
  registerGrad('batch_norm', (ctx, [g]) => {
    const [dx, dw, db] = callOp('_batch_norm_grad', {
      input: ctx.args.input!, grad: g!, weight: ctx.args.weight ?? null,
      mean: ctx.saved.mean as RuntimeValue, invstd: ctx.saved.invstd as RuntimeValue, training: ctx.args.training === true,
    }) as Tensor[];
    return { input: wants(ctx.args.input) ? dx : null, weight: wants(ctx.args.weight) ? dw : null, bias: wants(ctx.args.bias) ? db : null };
  });
  registerGrad('layer_norm', (ctx, [g]) => {
    const ns = intList(ctx.args.normalized_shape);
    const inner = ns.reduce((a, b) => a * b, 1);
    const [dx, dw, db] = callOp('_row_norm_grad', {
      input: ctx.args.input!, grad: g!, weight: ctx.args.weight ?? null, mean: ctx.saved.mean as RuntimeValue, invstd: ctx.saved.invstd as RuntimeValue,
      affDiv: 1, affMod: inner, rowOff: 0, wShape: ns,
    }) as Tensor[];
    return { input: wants(ctx.args.input) ? dx : null, weight: wants(ctx.args.weight) ? dw : null, bias: wants(ctx.args.bias) ? db : null };
  });
  registerGrad('group_norm', (ctx, [g]) => {
    const x = ctx.args.input as Tensor;
    const G = num(ctx.args.num_groups, 1);
    const C = x.shape[1]!, S = x.numel / (x.shape[0]! * C);
    // Row r = (n, group); element i of the row belongs to channel (r % G) * C/G + i / S.
    const [dx, dw, db] = callOp('_row_norm_grad', {
      input: x, grad: g!, weight: ctx.args.weight ?? null, mean: ctx.saved.mean as RuntimeValue, invstd: ctx.saved.invstd as RuntimeValue,
      affDiv: S, affMod: C, rowOff: G, wShape: [C],
    }) as Tensor[];
    return { input: wants(ctx.args.input) ? dx : null, weight: wants(ctx.args.weight) ? dw : null, bias: wants(ctx.args.bias) ? db : null };
  });

  // ---- composites -------------------------------------------------------------------------
  registerComposite('rms_norm', (args) => {
    const x = args.input as Tensor;
    const ns = intList(args.normalized_shape);
    const dims = ns.map((_, i) => x.ndim - ns.length + i);
    const eps = args.eps === null || args.eps === undefined ? 1.1920928955078125e-7 : num(args.eps, 1e-6);
    const ms = callOp('mean', { input: callOp('mul', { input: x, other: x }), dim: dims, keepdim: true });
    let y = callOp('mul', { input: x, other: callOp('rsqrt', { input: callOp('add', { input: ms, other: eps }) }) }) as Tensor;
    if (args.weight instanceof Tensor) y = callOp('mul', { input: y, other: args.weight }) as Tensor;
    return y;
  });
  registerComposite('normalize', (args) => {
    const x = args.input as Tensor;
    const n = callOp('norm', { input: x, p: args.p ?? 2, dim: args.dim ?? 1, keepdim: true });
    return callOp('div', { input: x, other: callOp('clamp', { input: n, min: num(args.eps, 1e-12), max: null }) });
  });
  registerComposite('instance_norm', (args) => {
    // Instance norm = batch norm over [1, N*C, ...] with per-channel parameters repeated N times.
    const x = args.input as Tensor;
    const N = x.shape[0]!, C = x.shape[1]!;
    const rep = (t: RuntimeValue | undefined): Tensor | null => (t instanceof Tensor ? callOp('repeat', { input: t, repeats: [N] }) as Tensor : null);
    const rm = rep(args.running_mean), rv = rep(args.running_var);
    const y = callOp('batch_norm', {
      input: callOp('reshape', { input: x, shape: [1, N * C, ...x.shape.slice(2)] }), running_mean: rm, running_var: rv,
      weight: rep(args.weight), bias: rep(args.bias), training: args.use_input_stats !== false, momentum: args.momentum ?? 0.1, eps: args.eps ?? 1e-5,
    });
    // Running statistics are averaged back over the batch (PyTorch does the same).
    if (rm && args.running_mean instanceof Tensor) (args.running_mean as Tensor).copy_(callOp('mean', { input: rm.withShape([N, C]), dim: 0 }) as Tensor);
    if (rv && args.running_var instanceof Tensor) (args.running_var as Tensor).copy_(callOp('mean', { input: rv.withShape([N, C]), dim: 0 }) as Tensor);
    return callOp('reshape', { input: y, shape: [...x.shape] });
  });
}
