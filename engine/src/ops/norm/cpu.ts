// CPU kernels of the normalisation family: batch_norm (training: batch statistics + running
// statistics update with momentum and the unbiased variance; eval: running statistics),
// layer_norm, group_norm. All reduce to one shape: normalise x over `inner` elements of each of
// `rows` groups, then apply a per-channel affine. Statistics use double accumulators.
import { registerKernel } from '../../backends/kernel_registry.js';
import { bool, empty, f32, intList, num, numelOf, optTensor, tensorArg } from '../../backends/cpu/util.js';
import type { Tensor } from '../../tensor.js';

/** Per-channel batch statistics over (N, spatial): mean and biased variance. */
function channelStats(X: Float32Array, N: number, C: number, S: number): { mean: Float64Array; varB: Float64Array } {
  const mean = new Float64Array(C), varB = new Float64Array(C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) { const o = (n * C + c) * S; for (let i = 0; i < S; i++) s += X[o + i]!; }
    const m = s / M;
    let v = 0;
    for (let n = 0; n < N; n++) { const o = (n * C + c) * S; for (let i = 0; i < S; i++) { const d = X[o + i]! - m; v += d * d; } }
    mean[c] = m; varB[c] = v / M;
  }
  return { mean, varB };
}

export function registerNormCpu(): void {
  registerKernel('batch_norm', 'cpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const N = x.shape[0]!, C = x.ndim > 1 ? x.shape[1]! : 1, S = numelOf(x.shape.slice(2));
    const rm = optTensor(args.running_mean), rv = optTensor(args.running_var);
    const w = optTensor(args.weight), b = optTensor(args.bias);
    const training = bool(args.training, false);
    const eps = num(args.eps, 1e-5);
    const X = f32(x);
    let mean: Float64Array, invstd: Float64Array;
    if (training) {
      const M = N * S;
      if (M <= 1) throw new Error(`expected more than 1 value per channel when training, got input Tensor[${x.shape.join(', ')}]`);
      const st = channelStats(X, N, C, S);
      mean = st.mean;
      invstd = st.varB.map((v) => 1 / Math.sqrt(v + eps));
      if (rm || rv) {
        if (args.momentum === null) throw new Error('batch_norm: momentum=None (cumulative moving average) is not supported by the embedded engine yet');
        const m = num(args.momentum, 0.1);
        // Running stats are buffers: updated in place, outside autograd.
        if (rm) { const R = f32(rm); for (let c = 0; c < C; c++) R[c] = (1 - m) * R[c]! + m * mean[c]!; }
        if (rv) { const R = f32(rv); for (let c = 0; c < C; c++) R[c] = (1 - m) * R[c]! + m * st.varB[c]! * (M / (M - 1)); }
      }
    } else {
      if (!rm || !rv) throw new Error('batch_norm in eval mode needs running_mean and running_var');
      mean = Float64Array.from(f32(rm));
      invstd = Float64Array.from(f32(rv), (v) => 1 / Math.sqrt(v + eps));
    }
    ctx.saved.mean = mean; ctx.saved.invstd = invstd;
    const y = empty(x.shape, 'float32');
    const Y = f32(y);
    const W = w ? f32(w) : null, B = b ? f32(b) : null;
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const o = (n * C + c) * S;
      const a = (W ? W[c]! : 1) * invstd[c]!, sh = (B ? B[c]! : 0) - mean[c]! * a;
      for (let i = 0; i < S; i++) Y[o + i] = X[o + i]! * a + sh;
    }
    return y;
  });
  registerKernel('_batch_norm_grad', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const w = optTensor(args.weight);
    const mean = args.mean as unknown as Float64Array, invstd = args.invstd as unknown as Float64Array;
    const training = args.training === true;
    const N = x.shape[0]!, C = x.ndim > 1 ? x.shape[1]! : 1, S = numelOf(x.shape.slice(2));
    const X = f32(x), G = f32(g), W = w ? f32(w) : null;
    const dx = empty(x.shape, 'float32'), dw = empty([C], 'float32'), db = empty([C], 'float32');
    const DX = f32(dx), DW = f32(dw), DB = f32(db);
    const M = N * S;
    for (let c = 0; c < C; c++) {
      let sg = 0, sgx = 0;
      for (let n = 0; n < N; n++) { const o = (n * C + c) * S; for (let i = 0; i < S; i++) { const gv = G[o + i]!; sg += gv; sgx += gv * (X[o + i]! - mean[c]!) * invstd[c]!; } }
      DW[c] = sgx; DB[c] = sg;
      const k = (W ? W[c]! : 1) * invstd[c]!;
      for (let n = 0; n < N; n++) {
        const o = (n * C + c) * S;
        for (let i = 0; i < S; i++) {
          const xh = (X[o + i]! - mean[c]!) * invstd[c]!;
          DX[o + i] = training ? (k / M) * (M * G[o + i]! - sg - xh * sgx) : k * G[o + i]!;
        }
      }
    }
    return [dx, dw, db];
  });

  // layer_norm and group_norm: `rows` groups of `inner` elements; affine per element (layer) or channel (group).
  const rowNorm = (X: Float32Array, rows: number, inner: number, eps: number) => {
    const mean = new Float64Array(rows), invstd = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * inner;
      let s = 0;
      for (let i = 0; i < inner; i++) s += X[o + i]!;
      const m = s / inner;
      let v = 0;
      for (let i = 0; i < inner; i++) { const d = X[o + i]! - m; v += d * d; }
      mean[r] = m; invstd[r] = 1 / Math.sqrt(v / inner + eps);
    }
    return { mean, invstd };
  };
  registerKernel('layer_norm', 'cpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const ns = intList(args.normalized_shape);
    const inner = numelOf(ns), rows = x.numel / Math.max(1, inner);
    if (x.shape.slice(x.ndim - ns.length).join() !== ns.join()) throw new Error(`normalized_shape [${ns.join(', ')}] does not match the input's trailing dims (Tensor[${x.shape.join(', ')}])`);
    const X = f32(x);
    const { mean, invstd } = rowNorm(X, rows, inner, num(args.eps, 1e-5));
    ctx.saved.mean = mean; ctx.saved.invstd = invstd;
    const w = optTensor(args.weight), b = optTensor(args.bias);
    const W = w ? f32(w) : null, B = b ? f32(b) : null;
    const y = empty(x.shape, 'float32');
    const Y = f32(y);
    for (let r = 0; r < rows; r++) {
      const o = r * inner;
      for (let i = 0; i < inner; i++) Y[o + i] = (X[o + i]! - mean[r]!) * invstd[r]! * (W ? W[i]! : 1) + (B ? B[i]! : 0);
    }
    return y;
  });
  registerKernel('group_norm', 'cpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    const G = num(args.num_groups, 1);
    const N = x.shape[0]!, C = x.shape[1]!, S = numelOf(x.shape.slice(2));
    if (C % G !== 0) throw new Error(`expected the number of channels (${C}) to be divisible by num_groups (${G})`);
    const X = f32(x);
    const { mean, invstd } = rowNorm(X, N * G, (C / G) * S, num(args.eps, 1e-5));
    ctx.saved.mean = mean; ctx.saved.invstd = invstd;
    const w = optTensor(args.weight), b = optTensor(args.bias);
    const W = w ? f32(w) : null, B = b ? f32(b) : null;
    const y = empty(x.shape, 'float32');
    const Y = f32(y);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const r = n * G + Math.floor(c / (C / G));
      const o = (n * C + c) * S;
      for (let i = 0; i < S; i++) Y[o + i] = (X[o + i]! - mean[r]!) * invstd[r]! * (W ? W[c]! : 1) + (B ? B[c]! : 0);
    }
    return y;
  });
  // Shared backward: rows of `inner`, affine index = (element index within row) / affDiv % affMod.
  registerKernel('_row_norm_grad', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const w = optTensor(args.weight);
    const mean = args.mean as unknown as Float64Array, invstd = args.invstd as unknown as Float64Array;
    const rows = mean.length, inner = x.numel / rows;
    const affDiv = args.affDiv as number, affMod = args.affMod as number, rowOff = args.rowOff as number;
    const X = f32(x), Gd = f32(g), W = w ? f32(w) : null;
    const dx = empty(x.shape, 'float32');
    const DX = f32(dx);
    const dw = new Float64Array(affMod), db = new Float64Array(affMod);
    for (let r = 0; r < rows; r++) {
      const o = r * inner, base = (r % (rowOff || 1)) * 0;
      let s1 = 0, s2 = 0;
      for (let i = 0; i < inner; i++) {
        const a = (Math.floor(i / affDiv) + (rowOff ? (r % rowOff) * (inner / affDiv) : 0) + base) % affMod;
        const xh = (X[o + i]! - mean[r]!) * invstd[r]!;
        const gv = Gd[o + i]!;
        dw[a] += gv * xh; db[a] += gv;
        const gx = gv * (W ? W[a]! : 1);
        s1 += gx; s2 += gx * xh;
      }
      for (let i = 0; i < inner; i++) {
        const a = (Math.floor(i / affDiv) + (rowOff ? (r % rowOff) * (inner / affDiv) : 0)) % affMod;
        const xh = (X[o + i]! - mean[r]!) * invstd[r]!;
        const gx = Gd[o + i]! * (W ? W[a]! : 1);
        DX[o + i] = (invstd[r]! / inner) * (inner * gx - s1 - xh * s2);
      }
    }
    const wShape = args.wShape as number[];
    const dwT = empty(wShape, 'float32'), dbT = empty(wShape, 'float32');
    f32(dwT).set(dw); f32(dbT).set(db);
    return [dx, dwT, dbT];
  });
}

export type { Tensor };
