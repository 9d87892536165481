// CPU kernels of the conv family: conv1d/2d/3d and conv_transpose1d/2d/3d through im2col + GEMM.
// One geometry table per call maps (output position, kernel tap) -> input offset (or -1 for
// padding), so the same code serves 1, 2 and 3 spatial dims without per-element index math.
// Transposed convolution is the adjoint of convolution: its forward is conv's input-gradient
// (col2im), its input-gradient is conv's forward.
import { registerKernel } from '../../backends/kernel_registry.js';
import { gemmNT, transpose2d } from '../../backends/cpu/gemm.js';
import { empty, f32, num, numelOf, optTensor, stridesOf, tensorArg, tupleN } from '../../backends/cpu/util.js';
import type { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';

export interface ConvGeom {
  n: number;            // spatial dims
  inSp: number[];       // conv input spatial sizes
  outSp: number[];      // conv output spatial sizes
  k: number[];
  stride: number[]; padBefore: number[]; dilation: number[];
  P: number;            // prod(outSp)
  KS: number;           // prod(k)
  inPlane: number;      // prod(inSp)
  table: Int32Array;    // [P * KS] input spatial offset or -1
}

// Geometry tables depend only on sizes and options: cached (a training loop repeats them).
const geomCache = new Map<string, ConvGeom>();

export function makeGeom(inSp: number[], outSp: number[], k: number[], stride: number[], padBefore: number[], dilation: number[]): ConvGeom {
  const key = [inSp, outSp, k, stride, padBefore, dilation].map((a) => a.join(',')).join('|');
  const hit = geomCache.get(key);
  if (hit) return hit;
  const g = buildGeom(inSp, outSp, k, stride, padBefore, dilation);
  if (geomCache.size >= 64) geomCache.delete(geomCache.keys().next().value!);
  geomCache.set(key, g);
  return g;
}

function buildGeom(inSp: number[], outSp: number[], k: number[], stride: number[], padBefore: number[], dilation: number[]): ConvGeom {
  const n = inSp.length;
  const P = numelOf(outSp), KS = numelOf(k), inPlane = numelOf(inSp);
  const table = new Int32Array(P * KS);
  const inSt = stridesOf(inSp);
  const o = new Array<number>(n).fill(0);
  for (let p = 0; p < P; p++) {
    const kk = new Array<number>(n).fill(0);
    for (let t = 0; t < KS; t++) {
      let off = 0, ok = true;
      for (let d = 0; d < n; d++) {
        const i = o[d]! * stride[d]! - padBefore[d]! + kk[d]! * dilation[d]!;
        if (i < 0 || i >= inSp[d]!) { ok = false; break; }
        off += i * inSt[d]!;
      }
      table[p * KS + t] = ok ? off : -1;
      for (let d = n - 1; d >= 0; d--) { if (++kk[d]! < k[d]!) break; kk[d] = 0; }
    }
    for (let d = n - 1; d >= 0; d--) { if (++o[d]! < outSp[d]!) break; o[d] = 0; }
  }
  return { n, inSp, outSp, k, stride, padBefore, dilation, P, KS, inPlane, table };
}

/**
 * cols[p, c*KS + t] (or transposed: cols[(c*KS + t) * ld + p]) from C channels at X[xOff...];
 * `colOff` places this sample's block inside a multi-sample buffer.
 */
export function im2col(X: Float32Array, xOff: number, C: number, g: ConvGeom, cols: Float32Array, transposed: boolean, colOff = 0, ld = g.P): void {
  const { P, KS, inPlane, table } = g;
  const Kc = C * KS;
  if (!transposed) {
    for (let p = 0; p < P; p++) {
      const row = colOff + p * Kc, trow = p * KS;
      for (let c = 0; c < C; c++) {
        const base = xOff + c * inPlane, col = row + c * KS;
        for (let t = 0; t < KS; t++) { const s = table[trow + t]!; cols[col + t] = s >= 0 ? X[base + s]! : 0; }
      }
    }
  } else {
    for (let c = 0; c < C; c++) {
      const base = xOff + c * inPlane;
      for (let t = 0; t < KS; t++) {
        const row = colOff + (c * KS + t) * ld;
        for (let p = 0; p < P; p++) { const s = table[p * KS + t]!; cols[row + p] = s >= 0 ? X[base + s]! : 0; }
      }
    }
  }
}

/** Scatter-add cols[colOff + p*Kc + c*KS + t] back into C channel planes at D[dOff...]. */
export function col2im(cols: Float32Array, C: number, g: ConvGeom, D: Float32Array, dOff: number, colOff = 0): void {
  const { P, KS, inPlane, table } = g;
  const Kc = C * KS;
  for (let p = 0; p < P; p++) {
    const row = colOff + p * Kc, trow = p * KS;
    for (let c = 0; c < C; c++) {
      const base = dOff + c * inPlane, col = row + c * KS;
      for (let t = 0; t < KS; t++) { const s = table[trow + t]!; if (s >= 0) D[base + s] += cols[col + t]!; }
    }
  }
}

export interface ConvParams { n: number; stride: number[]; dilation: number[]; groups: number; padBefore: number[]; padAfter: number[]; outputPadding: number[] }

export function convParams(args: OpArgs, n: number, kernel: readonly number[], transposed: boolean): ConvParams {
  const stride = tupleN(args.stride, n, 1);
  const dilation = tupleN(args.dilation, n, 1);
  const groups = num(args.groups, 1);
  let padBefore: number[], padAfter: number[];
  if (args.padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    padBefore = total.map((t) => Math.floor(t / 2));
    padAfter = total.map((t, i) => t - padBefore[i]!);
  } else if (args.padding === 'valid') {
    padBefore = new Array<number>(n).fill(0); padAfter = padBefore;
  } else {
    padBefore = tupleN(args.padding, n, 0); padAfter = padBefore;
  }
  const outputPadding = transposed ? tupleN(args.output_padding, n, 0) : new Array<number>(n).fill(0);
  return { n, stride, dilation, groups, padBefore, padAfter, outputPadding };
}

/** Geometry of a (non-transposed) conv with input spatial sizes inSp. */
export function convGeom(inSp: number[], k: number[], p: ConvParams): ConvGeom {
  const outSp = inSp.map((s, i) => Math.floor((s + p.padBefore[i]! + p.padAfter[i]! - p.dilation[i]! * (k[i]! - 1) - 1) / p.stride[i]!) + 1);
  if (outSp.some((s) => s <= 0)) throw new Error(`input spatial size ${inSp.join('x')} is too small for kernel ${k.join('x')} (padding ${p.padBefore.join('x')}, dilation ${p.dilation.join('x')})`);
  return makeGeom(inSp, outSp, k, p.stride, p.padBefore, p.dilation);
}
/** Geometry of the conv whose adjoint is conv_transpose on input spatial sizes inSp. */
export function transposeGeom(inSp: number[], k: number[], p: ConvParams): ConvGeom {
  const outSp = inSp.map((s, i) => (s - 1) * p.stride[i]! - 2 * p.padBefore[i]! + p.dilation[i]! * (k[i]! - 1) + p.outputPadding[i]! + 1);
  if (outSp.some((s) => s <= 0)) throw new Error(`conv_transpose output size ${outSp.join('x')} is not positive`);
  return makeGeom(outSp, inSp, k, p.stride, p.padBefore, p.dilation);
}

/**
 * Samples are processed in blocks so each GEMM is one big product (W · cols of many samples):
 * the SIMD kernel packs W once per block instead of once per sample. A block's column buffer
 * stays under 256K floats (1 MB, cache-resident: a whole-batch block measured ~2x slower here;
 * this cap is on par with per-sample GEMMs, slightly ahead).
 */
let maxBlock = Infinity;
/** @internal Benchmarks compare per-sample (1) and blocked GEMMs. */
export function setConvSampleBlock(n: number): void { maxBlock = n; }
function sampleBlock(N: number, perSample: number): number {
  return Math.max(1, Math.min(N, maxBlock, Math.floor((1 << 18) / Math.max(1, perSample))));
}

/** y[n, co, P] = W[co, Kc] · cols(x)[P, Kc] (+ bias), per block of samples and group. */
export function convForward(x: Tensor, w: Tensor, bias: Tensor | null, g: ConvGeom, groups: number): Tensor {
  const N = x.shape[0]!, Cin = x.shape[1]!, Cout = w.shape[0]!;
  const Cg = Cin / groups, Og = Cout / groups;
  if (w.shape[1] !== Cg) throw new Error(`expected weight Tensor[${w.shape.join(', ')}] to have ${Cg} input channels per group (input has ${Cin} channels, groups=${groups})`);
  const Kc = Cg * g.KS, P = g.P;
  const X = f32(x), W = f32(w);
  const out = empty([N, Cout, ...g.outSp], 'float32');
  const Y = f32(out);
  const nb = sampleBlock(N, P * Kc);
  const cols = new Float32Array(nb * P * Kc);
  const tmp = new Float32Array(Og * nb * P);
  const B = bias ? f32(bias) : null;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const ns = Math.min(nb, N - n0);
    for (let gi = 0; gi < groups; gi++) {
      for (let s = 0; s < ns; s++) im2col(X, ((n0 + s) * Cin + gi * Cg) * g.inPlane, Cg, g, cols, false, s * P * Kc);
      gemmNT(W, gi * Og * Kc, cols, 0, tmp, 0, Og, ns * P, Kc);
      // tmp [Og, ns*P] -> y[n0+s, gi*Og + o, :] (+ bias)
      for (let o = 0; o < Og; o++) {
        const b = B ? B[gi * Og + o]! : 0;
        for (let s = 0; s < ns; s++) {
          const src = o * ns * P + s * P, dst = ((n0 + s) * Cout + gi * Og + o) * P;
          for (let p = 0; p < P; p++) Y[dst + p] = tmp[src + p]! + b;
        }
      }
    }
  }
  return out;
}

/** dX of a conv: col2im(Gᵀ · W) per block of samples. dy [N, Cout, P] -> dx [N, Cin, inSp]. */
export function convBackwardInput(dy: Tensor, w: Tensor, g: ConvGeom, groups: number, inShape: readonly number[]): Tensor {
  const N = inShape[0]!, Cin = inShape[1]!, Cout = w.shape[0]!;
  const Cg = Cin / groups, Og = Cout / groups, Kc = Cg * g.KS, P = g.P;
  const G = f32(dy), W = f32(w);
  const dx = empty(inShape, 'float32');
  const D = f32(dx);
  const nb = sampleBlock(N, P * Kc);
  const dcols = new Float32Array(nb * P * Kc);
  const gT = new Float32Array(nb * P * Og);
  // W_g transposed once per group: [Kc, Og].
  const wT = Array.from({ length: groups }, (_, gi) => transpose2d(W, gi * Og * Kc, Og, Kc));
  for (let n0 = 0; n0 < N; n0 += nb) {
    const ns = Math.min(nb, N - n0);
    for (let gi = 0; gi < groups; gi++) {
      // gT[s*P + p, o] = dy[n0+s, gi*Og + o, p]
      for (let s = 0; s < ns; s++) transpose2d(G, ((n0 + s) * Cout + gi * Og) * P, Og, P, gT.subarray(s * P * Og, (s + 1) * P * Og));
      gemmNT(gT, 0, wT[gi]!, 0, dcols, 0, ns * P, Kc, Og);
      for (let s = 0; s < ns; s++) col2im(dcols, Cg, g, D, ((n0 + s) * Cin + gi * Cg) * g.inPlane, s * P * Kc);
    }
  }
  return dx;
}

/** dW of a conv: G' [Og, ns*P] · cols [ns*P, Kc] per block of samples (cols built transposed). */
export function convBackwardWeight(dy: Tensor, x: Tensor, g: ConvGeom, groups: number, wShape: readonly number[]): Tensor {
  const N = x.shape[0]!, Cin = x.shape[1]!, Cout = wShape[0]!;
  const Cg = Cin / groups, Og = Cout / groups, Kc = Cg * g.KS, P = g.P;
  const G = f32(dy), X = f32(x);
  const dw = empty(wShape, 'float32');
  const DW = f32(dw);
  const nb = sampleBlock(N, P * Kc);
  const colsT = new Float32Array(Kc * nb * P);
  const gB = new Float32Array(Og * nb * P);
  for (let n0 = 0; n0 < N; n0 += nb) {
    const ns = Math.min(nb, N - n0);
    const ld = ns * P;
    for (let gi = 0; gi < groups; gi++) {
      for (let s = 0; s < ns; s++) {
        im2col(X, ((n0 + s) * Cin + gi * Cg) * g.inPlane, Cg, g, colsT, true, s * P, ld);
        for (let o = 0; o < Og; o++) gB.set(G.subarray(((n0 + s) * Cout + gi * Og + o) * P, ((n0 + s) * Cout + gi * Og + o + 1) * P), o * ld + s * P);
      }
      gemmNT(gB, 0, colsT, 0, DW, gi * Og * Kc, Og, Kc, ld, true);
    }
  }
  return dw;
}

/** Sum of dy over batch and positions: [Cout]. */
export function biasGrad(dy: Tensor): Tensor {
  const N = dy.shape[0]!, C = dy.shape[1]!, P = numelOf(dy.shape.slice(2));
  const G = f32(dy);
  const out = empty([C], 'float32');
  const O = f32(out);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    let s = 0;
    const o = (n * C + c) * P;
    for (let p = 0; p < P; p++) s += G[o + p]!;
    O[c] += s;
  }
  return out;
}

/** Adds a batch dim to unbatched input ([C, *sp] -> [1, C, *sp]). */
export function batched(x: Tensor, n: number): { x: Tensor; unbatched: boolean } {
  if (x.ndim === n + 1) return { x: x.withShape([1, ...x.shape]), unbatched: true };
  if (x.ndim !== n + 2) throw new Error(`expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input, but got Tensor[${x.shape.join(', ')}]`);
  return { x, unbatched: false };
}

export function registerConvCpu(): void {
  for (const n of [1, 2, 3]) {
    registerKernel(`conv${n}d`, 'cpu', (args) => {
      const { x, unbatched } = batched(tensorArg(args.input, 'input'), n);
      const w = tensorArg(args.weight, 'weight');
      const p = convParams(args, n, w.shape.slice(2), false);
      if (x.shape[1]! % p.groups !== 0 || w.shape[0]! % p.groups !== 0) throw new Error(`channels (${x.shape[1]} in, ${w.shape[0]} out) must be divisible by groups ${p.groups}`);
      const y = convForward(x, w, optTensor(args.bias), convGeom(x.shape.slice(2), w.shape.slice(2), p), p.groups);
      return unbatched ? y.withShape(y.shape.slice(1)) : y;
    });
    registerKernel(`conv_transpose${n}d`, 'cpu', (args) => {
      const { x, unbatched } = batched(tensorArg(args.input, 'input'), n);
      const w = tensorArg(args.weight, 'weight');
      const p = convParams(args, n, w.shape.slice(2), true);
      const g = transposeGeom(x.shape.slice(2), w.shape.slice(2), p);
      // conv_transpose's weight [Cin, Cout/g, k] is exactly the weight of the conv it is the adjoint of.
      const Cin = x.shape[1]!, Og = w.shape[1]!, groups = p.groups;
      if (w.shape[0] !== Cin) throw new Error(`weight Tensor[${w.shape.join(', ')}] expects ${w.shape[0]} input channels, but the input has ${Cin}`);
      const y = convBackwardInput(x, w, g, groups, [x.shape[0]!, Og * groups, ...g.inSp]);
      const bias = optTensor(args.bias);
      if (bias) {
        const Y = f32(y), B = f32(bias);
        const C = Og * groups, P = g.inPlane;
        for (let i = 0; i < x.shape[0]!; i++) for (let c = 0; c < C; c++) for (let q = 0; q < P; q++) Y[(i * C + c) * P + q] += B[c]!;
      }
      return unbatched ? y.withShape(y.shape.slice(1)) : y;
    });
  }
  // ---- internal gradient kernels (args: grad, input/weight, the op's args) -----------------
  registerKernel('_conv_grad', 'cpu', (args) => {
    const n = args.n as number;
    const transposed = args.transposed === true;
    const opArgs = args.opArgs as unknown as OpArgs;
    const { x, unbatched } = batched(tensorArg(opArgs.input, 'input'), n);
    const w = tensorArg(opArgs.weight, 'weight');
    let dy = tensorArg(args.grad, 'grad');
    if (unbatched) dy = dy.withShape([1, ...dy.shape]);
    const p = convParams(opArgs, n, w.shape.slice(2), transposed);
    const which = args.which as 'input' | 'weight' | 'bias';
    if (which === 'bias') return biasGrad(dy);
    if (!transposed) {
      const g = convGeom(x.shape.slice(2), w.shape.slice(2), p);
      if (which === 'input') { const dx = convBackwardInput(dy, w, g, p.groups, x.shape); return unbatched ? dx.withShape(dx.shape.slice(1)) : dx; }
      return convBackwardWeight(dy, x, g, p.groups, w.shape);
    }
    const g = transposeGeom(x.shape.slice(2), w.shape.slice(2), p);
    if (which === 'input') { const dx = convForward(dy, w, null, g, p.groups); return unbatched ? dx.withShape(dx.shape.slice(1)) : dx; }
    // y = convBackwardInput(x; w)  =>  dw = convBackwardWeight with x in the role of the conv's output gradient.
    return convBackwardWeight(x, dy, g, p.groups, w.shape);
  });
}
