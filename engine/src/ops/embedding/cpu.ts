// CPU kernels of embedding (row gather; backward scatter-adds rows, skipping padding_idx) and one_hot.
import { registerKernel } from '../../backends/kernel_registry.js';
import { data, empty, f32, num, tensorArg } from '../../backends/cpu/util.js';
import type { Tensor } from '../../tensor.js';

export function registerEmbeddingCpu(): void {
  registerKernel('embedding', 'cpu', (args) => {
    const idx = tensorArg(args.input, 'input'), w = tensorArg(args.weight, 'weight');
    if (idx.dtype === 'float32') throw new Error('embedding expects an integer index tensor (got float32); use .long()');
    if (args.max_norm !== null && args.max_norm !== undefined) throw new Error('embedding: max_norm is not supported by the embedded engine yet');
    const [V, D] = w.shape as [number, number];
    const I = data(idx), W = f32(w);
    const out = empty([...idx.shape, D], 'float32');
    const O = f32(out);
    for (let k = 0; k < I.length; k++) {
      const r = I[k]!;
      if (r < 0 || r >= V) throw new Error(`index ${r} is out of range for an embedding of ${V} rows`);
      O.set(W.subarray(r * D, r * D + D), k * D);
    }
    return out;
  });
  registerKernel('_embedding_grad', 'cpu', (args) => {
    const idx = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const shape = args.shape as number[];
    const D = shape[1]!;
    const pad = args.padding_idx === null || args.padding_idx === undefined ? null : num(args.padding_idx, -1);
    const padIdx = pad !== null && pad < 0 ? pad + shape[0]! : pad;
    const I = data(idx), G = f32(g);
    const out = empty(shape, 'float32');
    const O = f32(out);
    const freq = args.scale_grad_by_freq === true ? new Map<number, number>() : null;
    if (freq) for (const r of I) freq.set(r, (freq.get(r) ?? 0) + 1);
    for (let k = 0; k < I.length; k++) {
      const r = I[k]!;
      if (r === padIdx) continue;
      const s = freq ? 1 / freq.get(r)! : 1;
      for (let j = 0; j < D; j++) O[r * D + j] += G[k * D + j]! * s;
    }
    return out;
  });
  registerKernel('one_hot', 'cpu', (args) => {
    const t = tensorArg(args.tensor, 'tensor');
    const I = data(t);
    let C = num(args.num_classes, -1);
    if (C < 0) C = Math.max(-1, ...Array.from(I)) + 1;
    const out = empty([...t.shape, C], 'int32');
    const O = data(out);
    for (let k = 0; k < I.length; k++) {
      if (I[k]! < 0 || I[k]! >= C) throw new Error(`one_hot: class value ${I[k]} is out of range for ${C} classes`);
      O[k * C + I[k]!] = 1;
    }
    return out;
  });
}
export type { Tensor };
