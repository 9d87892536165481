// Gradients of the elementwise family, from the same table's gradient expressions. Written with
// callOp so they run on any backend; broadcasting is undone by summing back to each input's shape.
import { registerGrad, registerNonDifferentiable } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { registerComposite } from '../../runtime/composite.js';
import { BINARY, UNARY } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import { binaryEntryFor, binaryParams, preluWeightView, unaryEntryFor, unaryParams } from './cpu.js';

export function registerElementwiseGrads(): void {
  for (const base of UNARY) {
    if (base.name === 'gelu_tanh') continue;
    if (base.grad === null) { registerNonDifferentiable(base.name); continue; }
    registerGrad(base.name, (ctx, [g]) => {
      const e = unaryEntryFor(base.name, ctx.args);
      return { input: callOp('_unary_grad', { name: e.name, input: ctx.args.input!, output: ctx.output, grad: g!, params: unaryParams(e, ctx.args) }) as Tensor };
    });
  }
  for (const base of BINARY) {
    if (base.name === 'div_trunc' || base.name === 'prelu') continue;
    if (base.gradA === null) { registerNonDifferentiable(base.name); continue; }
    registerGrad(base.name, (ctx, [g]) => {
      const e = binaryEntryFor(base.name, ctx.args);
      if (e.gradA === null) return {};
      const other = ctx.args.other ?? ctx.args.exponent!;
      const common = { name: e.name, input: ctx.args.input!, other, output: ctx.output, grad: g!, params: binaryParams(e, ctx.args) };
      const ga = ctx.args.input instanceof Tensor && ctx.args.input.requiresGrad ? callOp('_binary_grad', { ...common, which: 0 }) as Tensor : null;
      const gb = other instanceof Tensor && other.requiresGrad ? callOp('_binary_grad', { ...common, which: 1 }) as Tensor : null;
      return { input: ga, other: gb, exponent: gb };
    });
  }
  registerGrad('prelu', (ctx, [g]) => {
    const x = ctx.args.input as Tensor, w = ctx.args.weight as Tensor;
    const wv = preluWeightView(x, w);
    const common = { name: 'prelu', input: x, other: wv, output: ctx.output, grad: g!, params: [] };
    return {
      input: x.requiresGrad ? callOp('_binary_grad', { ...common, which: 0 }) as Tensor : null,
      weight: w.requiresGrad ? (callOp('_binary_grad', { ...common, which: 1 }) as Tensor).withShape(w.shape) : null,
    };
  });
  for (const cast of ['to', 'type', 'type_as', 'contiguous', 'clone']) {
    registerGrad(cast, (_ctx, [g]) => ({ input: g }));
  }
  registerNonDifferentiable('detach');
  // glu: first half * sigmoid(second half) along dim (a composite: its gradient is the primitives').
  registerComposite('glu', (args) => {
    const [a, b] = callOp('chunk', { input: args.input!, chunks: 2, dim: args.dim ?? -1 }) as Tensor[];
    return callOp('mul', { input: a!, other: callOp('sigmoid', { input: b! }) });
  });
  registerGrad('where', (ctx, [g]) => {
    const c = ctx.args.condition!;
    const { input, other } = ctx.args;
    return {
      input: input instanceof Tensor && input.requiresGrad ? callOp('_where_grad', { condition: c, grad: g!, which: 0, shape: input.shape }) as Tensor : null,
      other: other instanceof Tensor && other.requiresGrad ? callOp('_where_grad', { condition: c, grad: g!, which: 1, shape: other.shape }) as Tensor : null,
    };
  });
  registerGrad('masked_fill', (ctx, [g]) => {
    const input = ctx.args.input as Tensor;
    const value = ctx.args.value;
    return {
      input: callOp('_where_grad', { condition: ctx.args.mask!, grad: g!, which: 1, shape: input.shape }) as Tensor,
      value: value instanceof Tensor && value.requiresGrad ? callOp('_where_grad', { condition: ctx.args.mask!, grad: g!, which: 0, shape: value.shape }) as Tensor : null,
    };
  });
  registerGrad('_sum_to_shape', (ctx, [g]) => ({ input: callOp('_broadcast_to', { input: g!, shape: (ctx.args.input as Tensor).shape }) as Tensor }));
  registerGrad('_broadcast_to', (ctx, [g]) => ({ input: callOp('_sum_to_shape', { input: g!, shape: (ctx.args.input as Tensor).shape }) as Tensor }));
}
