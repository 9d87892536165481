// CPU kernels of the dropout family. Masks come from the engine's seeded generator; the kernel
// saves the (scaled) mask as a tensor so the gradient is one multiply on any backend. Whether
// dropout is active is the caller's `training` argument (the module decides).
import { registerKernel } from '../../backends/kernel_registry.js';
import { bool, empty, f32, num, numelOf, tensorArg } from '../../backends/cpu/util.js';
import { defaultGenerator } from '../../runtime/rng.js';
import type { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';

export const DROPOUT_OPS = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout'] as const;

/**
 * What a dropout call does, for both backends: null when it is the identity (eval, p = 0);
 * else p, whether it is alpha dropout, and how many elements share one draw (channel-wise
 * variants draw one value per (N, C) plane).
 */
export function dropoutPlan(name: string, args: OpArgs, x: Tensor): { p: number; alpha: boolean; group: number } | null {
  const p = num(args.p, 0.5);
  if (p < 0 || p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!bool(args.training, true) || p === 0) return null;
  const perPlane = name !== 'dropout' && name !== 'alpha_dropout';
  return { p, alpha: name.includes('alpha'), group: perPlane ? numelOf(x.shape.slice(x.ndim >= 3 ? 2 : 1)) : 1 };
}

export function registerDropoutCpu(): void {
  for (const name of DROPOUT_OPS) {
    registerKernel(name, 'cpu', (args, ctx) => {
      const x = tensorArg(args.input, 'input');
      const plan = dropoutPlan(name, args, x);
      if (!plan) return x.withShape(x.shape);
      const { p, alpha, group } = plan;
      const gen = defaultGenerator();
      const X = f32(x);
      const y = empty(x.shape, 'float32'), mask = empty(x.shape, 'float32');
      const Y = f32(y), M = f32(mask);
      if (!alpha) {
        const scale = p === 1 ? 0 : 1 / (1 - p);
        for (let i = 0; i < X.length; i += group) {
          const keep = gen.uniform() >= p ? scale : 0;
          for (let j = i; j < i + group; j++) { M[j] = keep; Y[j] = X[j]! * keep; }
        }
      } else {
        // alpha dropout keeps mean and variance of SELU activations: y = a * (x*keep + alpha'*(1-keep)) + b
        const ap = -1.7580993408473766;
        const a = 1 / Math.sqrt((ap * ap * p + 1) * (1 - p));
        const b = -a * ap * p;
        for (let i = 0; i < X.length; i += group) {
          const keep = gen.uniform() >= p ? 1 : 0;
          for (let j = i; j < i + group; j++) { M[j] = keep * a; Y[j] = keep ? a * X[j]! + b : a * ap + b; }
        }
      }
      ctx.saved.mask = mask;
      return y;
    });
  }
}
export type { Tensor };
