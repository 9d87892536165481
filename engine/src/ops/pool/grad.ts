// Gradients of the pooling family.
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import type { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';

export function registerPoolGrads(): void {
  for (const n of [1, 2, 3]) {
    for (const name of [`max_pool${n}d`, `adaptive_max_pool${n}d`]) {
      registerGrad(name, (ctx, [g]) => ({
        input: callOp('_max_pool_grad', { grad: g!, indices: ctx.saved.arg as Tensor, shape: [...(ctx.args.input as Tensor).shape], n }) as Tensor,
      }));
    }
    for (const [name, adaptive] of [[`avg_pool${n}d`, false], [`adaptive_avg_pool${n}d`, true]] as const) {
      registerGrad(name, (ctx, [g]) => ({ input: callOp('_avg_pool_grad', { grad: g!, opArgs: ctx.args as unknown as RuntimeValue, n, adaptive }) as Tensor }));
    }
  }
}
