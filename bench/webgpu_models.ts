// The two training steps the WebGPU benchmark and parity test run on any backend: an MLP
// 784-256-10 and the small CNN (conv 3x3 1->16, ReLU, max-pool 2, conv 3x3 16->32, ReLU,
// max-pool 2, flatten, linear -> 10), each: forward, cross-entropy, backward, SGD update.
// Written with callOp so the same code runs on the CPU and WebGPU backends.
import { callOp } from '../engine/src/runtime/dispatch.js';
import { Tensor } from '../engine/src/tensor.js';
import type { Backend } from '../engine/src/backends/backend.js';
import { SGD } from '../engine/src/optim/index.js';

/** Deterministic uniform values in [-s, s) (a small LCG: same on every backend and run). */
export function lcg(n: number, s: number, seed: number): Float32Array {
  let x = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; out[i] = ((x / 2 ** 32) * 2 - 1) * s; }
  return out;
}

export interface Model { readonly params: Tensor[]; forward(x: Tensor): Tensor }

const op = (name: string, args: Record<string, unknown>): Tensor => callOp(name, args as never) as Tensor;

function param(shape: number[], fanIn: number, seed: number, b: Backend): Tensor {
  const n = shape.reduce((a, c) => a * c, 1);
  return Tensor.fromArray(lcg(n, 1 / Math.sqrt(fanIn), seed), shape, 'float32', b).setRequiresGrad();
}

export function mlp(b: Backend): Model {
  const w1 = param([256, 784], 784, 1, b), b1 = param([256], 784, 2, b);
  const w2 = param([10, 256], 256, 3, b), b2 = param([10], 256, 4, b);
  return {
    params: [w1, b1, w2, b2],
    forward(x) {
      const h = op('relu', { input: op('linear', { input: x.withShape([x.shape[0]!, 784]), weight: w1, bias: b1 }) });
      return op('linear', { input: h, weight: w2, bias: b2 });
    },
  };
}

export function cnn(b: Backend): Model {
  const c1 = param([16, 1, 3, 3], 9, 11, b), c1b = param([16], 9, 12, b);
  const c2 = param([32, 16, 3, 3], 144, 13, b), c2b = param([32], 144, 14, b);
  const fw = param([10, 32 * 5 * 5], 800, 15, b), fb = param([10], 800, 16, b);
  return {
    params: [c1, c1b, c2, c2b, fw, fb],
    forward(x) {
      let h = op('relu', { input: op('conv2d', { input: x, weight: c1, bias: c1b }) });
      h = op('max_pool2d', { input: h, kernel_size: 2 });
      h = op('relu', { input: op('conv2d', { input: h, weight: c2, bias: c2b }) });
      h = op('max_pool2d', { input: h, kernel_size: 2 });
      h = op('flatten', { input: h, start_dim: 1 });
      return op('linear', { input: h, weight: fw, bias: fb });
    },
  };
}

// One plain-SGD optimizer per model (its GPU state and scalars storage persist across steps).
const optimizers = new WeakMap<Model, SGD>();

/** One SGD training step; returns the loss tensor (not read back: reading is the caller's choice). */
export function trainStep(m: Model, x: Tensor, y: Tensor, lr: number): Tensor {
  let opt = optimizers.get(m);
  if (!opt) { opt = new SGD(m.params.map((p, i): [string, Tensor] => [`p${i}`, p]), { lr }); optimizers.set(m, opt); }
  opt.lr = lr;
  opt.zeroGrad();
  const loss = op('cross_entropy', { input: m.forward(x), target: y });
  loss.backward();
  opt.step();
  return loss;
}

/** A batch of Fashion-MNIST-shaped inputs [n, 1, 28, 28] and labels, deterministic. */
export function batch(n: number, b: Backend, seed = 7): { x: Tensor; y: Tensor } {
  const x = Tensor.fromArray(lcg(n * 784, 1, seed), [n, 1, 28, 28], 'float32', b);
  const labels = Array.from(lcg(n, 1, seed + 1), (v) => Math.floor((v + 1) * 5) % 10);
  return { x, y: Tensor.fromArray(labels, [n], 'int32', b) };
}
