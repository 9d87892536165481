// Gradients of the conv family: one internal kernel per backend computes the input, weight or
// bias gradient from the op's own arguments.
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';

export function registerConvGrads(): void {
  for (const n of [1, 2, 3]) {
    for (const transposed of [false, true]) {
      registerGrad(transposed ? `conv_transpose${n}d` : `conv${n}d`, (ctx, [g]) => {
        const part = (which: string, v: RuntimeValue | undefined): Tensor | null =>
          v instanceof Tensor && v.requiresGrad ? callOp('_conv_grad', { grad: g!, opArgs: ctx.args as unknown as RuntimeValue, n, transposed, which }) as Tensor : null;
        return { input: part('input', ctx.args.input), weight: part('weight', ctx.args.weight), bias: part('bias', ctx.args.bias) };
      });
    }
  }
}
