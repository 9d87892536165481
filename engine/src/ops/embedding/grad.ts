// Gradient of embedding: scatter-add of output rows into the weight (padding_idx row stays 0).
import { registerGrad, registerNonDifferentiable } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import type { Tensor } from '../../tensor.js';

export function registerEmbeddingGrads(): void {
  registerGrad('embedding', (ctx, [g]) => ({
    weight: callOp('_embedding_grad', {
      input: ctx.args.input!, grad: g!, shape: [...(ctx.args.weight as Tensor).shape],
      padding_idx: ctx.args.padding_idx ?? null, scale_grad_by_freq: ctx.args.scale_grad_by_freq === true,
    }) as Tensor,
  }));
  registerNonDifferentiable('one_hot');
}
