// Gradient of dropout: the saved scaled mask times the incoming gradient.
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import type { Tensor } from '../../tensor.js';

export function registerDropoutGrads(): void {
  for (const name of ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']) {
    registerGrad(name, (ctx, [g]) => {
      const mask = ctx.saved.mask as Tensor | undefined;
      return { input: mask ? callOp('mul', { input: g!, other: mask }) as Tensor : g };
    });
  }
}
