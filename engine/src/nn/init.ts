// torch.nn.init equivalents, drawing from the engine's seeded generator. They overwrite a
// tensor's data in place (outside autograd), like PyTorch's `*_` initialisers.
import { defaultGenerator, type Generator } from '../runtime/rng.js';
import { Tensor } from '../tensor.js';

function fill(t: Tensor, draw: () => number): Tensor {
  const data = new Float32Array(t.numel);
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return t.copy_(Tensor.fromArray(data, t.shape, t.dtype, t.backend));
}

/** PyTorch's _calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function fanInOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`fan in/out needs a tensor with at least 2 dims, got [${shape.join(', ')}]`);
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export function uniform_(t: Tensor, a = 0, b = 1, gen: Generator = defaultGenerator()): Tensor {
  return fill(t, () => a + (b - a) * gen.uniform());
}
export function normal_(t: Tensor, mean = 0, std = 1, gen: Generator = defaultGenerator()): Tensor {
  return fill(t, () => mean + std * gen.normal());
}
export function constant_(t: Tensor, value: number): Tensor {
  return t.copy_(Tensor.full(t.shape, value, t.dtype, t.backend));
}
export function zeros_(t: Tensor): Tensor { return constant_(t, 0); }
export function ones_(t: Tensor): Tensor { return constant_(t, 1); }

/** kaiming_uniform_ with leaky_relu gain for slope `a`: bound = gain * sqrt(3 / fan_in). */
export function kaimingUniform_(t: Tensor, a = 0, gen: Generator = defaultGenerator()): Tensor {
  const { fanIn } = fanInOut(t.shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniform_(t, -bound, bound, gen);
}

export function xavierUniform_(t: Tensor, gain = 1, gen: Generator = defaultGenerator()): Tensor {
  const { fanIn, fanOut } = fanInOut(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, gen);
}

/** The default of Linear/Conv*: kaiming_uniform_(a=sqrt(5)) on the weight, i.e. U(±1/sqrt(fan_in)). */
export function defaultLinearInit(weight: Tensor, bias: Tensor | null, fanIn = fanInOut(weight.shape).fanIn, gen: Generator = defaultGenerator()): void {
  kaimingUniform_(weight, Math.sqrt(5), gen);
  if (bias) {
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound, gen);
  }
}
