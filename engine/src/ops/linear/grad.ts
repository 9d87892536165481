// Gradients of the linear family, written with callOp (backend-independent).
import { registerGrad } from '../../autograd/grad_registry.js';
import { callOp } from '../../runtime/dispatch.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { parseEinsum } from './cpu.js';

const needs = (v: RuntimeValue | undefined): v is Tensor => v instanceof Tensor && v.requiresGrad;

/** d(a @ b): handles 1-d operands and batch broadcasting (summed back). */
function matmulGrads(a: Tensor, b: Tensor, g: Tensor): { a: Tensor | null; b: Tensor | null } {
  const a2 = a.ndim === 1 ? a.withShape([1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? b.withShape([b.shape[0]!, 1]) : b;
  const gShape = [...g.shape];
  if (a.ndim === 1 && b.ndim === 1) gShape.push(1, 1);
  else if (a.ndim === 1) gShape.splice(gShape.length - 1, 0, 1);
  else if (b.ndim === 1) gShape.push(1);
  const g2 = g.withShape(gShape);
  let ga: Tensor | null = null, gb: Tensor | null = null;
  if (needs(a)) {
    const full = callOp('_gemm', { a: g2, b: b2, ta: false, tb: true }) as Tensor;
    ga = callOp('_sum_to_shape', { input: full, shape: a2.shape }) as Tensor;
    ga = ga.withShape(a.shape);
  }
  if (needs(b)) {
    const full = callOp('_gemm', { a: a2, b: g2, ta: true, tb: false }) as Tensor;
    gb = callOp('_sum_to_shape', { input: full, shape: b2.shape }) as Tensor;
    gb = gb.withShape(b.shape);
  }
  return { a: ga, b: gb };
}

export function registerLinearGrads(): void {
  registerGrad('matmul', (ctx, [g]) => {
    const r = matmulGrads(ctx.args.input as Tensor, ctx.args.other as Tensor, g!);
    return { input: r.a, other: r.b };
  });
  for (const op of ['mm', 'bmm']) {
    registerGrad(op, (ctx, [g]) => {
      const r = matmulGrads(ctx.args.input as Tensor, ctx.args.mat2 as Tensor, g!);
      return { input: r.a, mat2: r.b };
    });
  }
  registerGrad('outer', (ctx, [g]) => {
    const a = ctx.args.input as Tensor, b = ctx.args.vec2 as Tensor;
    return {
      input: needs(a) ? callOp('matmul', { input: g!, other: b }) as Tensor : null,
      vec2: needs(b) ? callOp('matmul', { input: a, other: g! }) as Tensor : null,
    };
  });
  registerGrad('linear', (ctx, [g]) => {
    const x = ctx.args.input as Tensor, w = ctx.args.weight as Tensor, b = ctx.args.bias;
    const outF = w.ndim === 1 ? 1 : w.shape[0]!;
    const g2 = g!.withShape([g!.numel / outF, outF]);
    const w2 = w.ndim === 1 ? w.withShape([1, w.shape[0]!]) : w;
    return {
      // dx = g · W  (W is [out, in], so this is g · (Wᵀ)ᵀ)
      input: needs(x) ? (callOp('_gemm', { a: g2, b: w2, ta: false, tb: false }) as Tensor).withShape(x.shape) : null,
      weight: needs(w) ? callOp('_linear_grad_weight', { grad: g2, input: x, weightShape: w.shape }) as Tensor : null,
      bias: needs(b) ? callOp('_sum_to_shape', { input: g2, shape: b.shape }) as Tensor : null,
    };
  });
  registerGrad('bilinear', (ctx, [g]) => {
    // y[n,o] = x1[n,i] W[o,i,j] x2[n,j] + b[o]: each gradient is an einsum of the others.
    const { input1: x1, input2: x2, weight: w, bias } = ctx.args as Record<string, Tensor>;
    const I = w!.shape[1]!, J = w!.shape[2]!, O = w!.shape[0]!;
    const N = x1!.numel / I;
    const a = x1!.withShape([N, I]), c = x2!.withShape([N, J]), gg = g!.withShape([N, O]);
    const e = (inputs: string[], output: string, ops: Tensor[]): Tensor =>
      callOp('_einsum', { operands: ops, inputs, output, sizes: {} as unknown as RuntimeValue }) as Tensor;
    return {
      input1: needs(x1) ? e(['no', 'oij', 'nj'], 'ni', [gg, w!, c]).withShape(x1!.shape) : null,
      input2: needs(x2) ? e(['no', 'oij', 'ni'], 'nj', [gg, w!, a]).withShape(x2!.shape) : null,
      weight: needs(w) ? e(['no', 'ni', 'nj'], 'oij', [gg, a, c]) : null,
      bias: needs(bias) ? callOp('_sum_to_shape', { input: gg, shape: bias!.shape }) as Tensor : null,
    };
  });
  registerGrad('einsum', (ctx, [g]) => {
    const raw = ctx.args.operands as RuntimeValue[];
    const ops = (raw.length === 1 && Array.isArray(raw[0]) ? raw[0] : raw) as Tensor[];
    const spec = parseEinsum(String(ctx.args.equation), ops.map((t) => t.ndim));
    const sizes: Record<string, number> = {};
    spec.inputs.forEach((p, i) => [...p].forEach((c, k) => { sizes[c] = Math.max(sizes[c] ?? 1, ops[i]!.shape[k]!); }));
    const grads = ops.map((t, i) => {
      if (!needs(t)) return null;
      const others = ops.filter((_, j) => j !== i);
      const full = callOp('_einsum', {
        operands: [g!, ...others], inputs: [spec.output, ...spec.inputs.filter((_, j) => j !== i)], output: spec.inputs[i]!,
        sizes: sizes as unknown as RuntimeValue,
      }) as Tensor;
      return callOp('_sum_to_shape', { input: full, shape: t.shape }) as Tensor;
    });
    return { operands: raw.length === 1 && Array.isArray(raw[0]) ? [grads] : grads };
  });
}
