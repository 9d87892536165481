// Gradients of the loss family.
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { registerComposite } from '../../runtime/composite.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { POINT_LOSSES } from './cpu.js';

const wants = (v: RuntimeValue | undefined): boolean => v instanceof Tensor && v.requiresGrad;

export function registerLossGrads(): void {
  for (const [name, fromLogits] of [['cross_entropy', true], ['nll_loss', false]] as const) {
    registerGrad(name, (ctx, [g]) => {
      if (wants(ctx.args.target)) throw new Error(`${name}: gradient with respect to the target is not supported`);
      return { input: callOp('_class_loss_grad', { grad: g!, opArgs: ctx.args as unknown as RuntimeValue, fromLogits }) as Tensor };
    });
  }
  for (const e of POINT_LOSSES) {
    registerGrad(e.name, (ctx, [g]) => ({
      input: wants(ctx.args.input) ? callOp('_point_loss_grad', { name: e.name, grad: g!, opArgs: ctx.args as unknown as RuntimeValue, which: 'input' }) as Tensor : null,
      target: wants(ctx.args.target) && e.dt ? callOp('_point_loss_grad', { name: e.name, grad: g!, opArgs: ctx.args as unknown as RuntimeValue, which: 'target' }) as Tensor : null,
    }));
  }
  // cosine_similarity = x1·x2 / sqrt(clamp_min(|x1|^2 |x2|^2, eps^2)) along dim (PyTorch 1.13's formula).
  registerComposite('cosine_similarity', (args) => {
    const dim = args.dim ?? 1;
    const eps = typeof args.eps === 'number' ? args.eps : 1e-8;
    const dot = callOp('sum', { input: callOp('mul', { input: args.x1!, other: args.x2! }), dim });
    const n1 = callOp('sum', { input: callOp('mul', { input: args.x1!, other: args.x1! }), dim });
    const n2 = callOp('sum', { input: callOp('mul', { input: args.x2!, other: args.x2! }), dim });
    const den = callOp('sqrt', { input: callOp('clamp', { input: callOp('mul', { input: n1, other: n2 }), min: eps * eps, max: null }) });
    return callOp('div', { input: dot, other: den });
  });
}
