// CPU kernels of the reduction family: sum/mean/prod/amax/amin generated from the table in
// runtime/op_tables.ts; max/min/argmax/argmin (with indices), var/std, norm, logsumexp,
// softmax/log_softmax written by hand (numerically careful: max-shifted, double accumulators).
import { registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { compileMap, compileReduce, planBroadcast } from '../../backends/cpu/codegen.js';
import { bool, data, dimList, empty, normDim, num, numelOf, tensorArg } from '../../backends/cpu/util.js';
import { REDUCE, type ReduceEntry } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';

export const reduceByName = new Map(REDUCE.map((e) => [e.name, e]));

/** Reduced dims (sorted, normalised) of a call; all dims when `dim` is None/empty. */
export function reducedDims(x: Tensor, dim: RuntimeValue | undefined): number[] {
  return dimList(dim, x.ndim) ?? x.shape.map((_, i) => i);
}
/** The output shape with reduced dims kept as 1 (for broadcasting back) and the final one. */
export function reduceShapes(shape: readonly number[], dims: readonly number[], keepdim: boolean): { kept: number[]; out: number[] } {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const out = keepdim ? kept : shape.filter((_, i) => !dims.includes(i));
  return { kept, out };
}

/** [outer, R, inner] around one dim (or a contiguous run of dims). */
function split3(shape: readonly number[], d0: number, d1: number): [number, number, number] {
  return [numelOf(shape.slice(0, d0)), numelOf(shape.slice(d0, d1 + 1)), numelOf(shape.slice(d1 + 1))];
}

/** Run a table reduction over `dims`; returns data in the kept (keepdim) layout. */
export function reduceTable(e: ReduceEntry, x: Tensor, dims: readonly number[], outDtype: 'float32' | 'int32'): Float32Array | Int32Array {
  const k = compileReduce(e.init, e.acc, e.finish);
  const contiguous = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  if (x.ndim === 0) {
    const out = outDtype === 'float32' ? new Float32Array(1) : new Int32Array(1);
    k(data(x), out, 1, 1, 1);
    return out;
  }
  if (contiguous) {
    const [outer, r, inner] = split3(x.shape, dims[0]!, dims[dims.length - 1]!);
    const out = outDtype === 'float32' ? new Float32Array(outer * inner) : new Int32Array(outer * inner);
    k(data(x), out, outer, r, inner);
    return out;
  }
  // Non-contiguous dims: reduce one dim at a time, last first. Exact for sum/amax/amin/prod;
  // mean is mean of means over equal-sized groups, also exact.
  let cur: Float32Array | Int32Array = data(x);
  const shape = [...x.shape];
  for (let i = dims.length - 1; i >= 0; i--) {
    const d = dims[i]!;
    const [outer, r, inner] = split3(shape, d, d);
    const out = outDtype === 'float32' ? new Float32Array(outer * inner) : new Int32Array(outer * inner);
    k(cur, out, outer, r, inner);
    cur = out;
    shape[d] = 1;
  }
  return cur;
}

function tableKernel(e: ReduceEntry): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const dtype = e.keepsInt && x.dtype !== 'float32' ? 'int32' : 'float32';
    const res = empty(out, dtype);
    data(res).set(reduceTable(e, x, dims, dtype));
    return res;
  };
}

function callMaxMin(isMax: boolean, a: Tensor, b: Tensor): Tensor {
  const plan = planBroadcast([a.shape, b.shape]);
  const out = empty(plan.outShape, a.dtype === 'float32' || b.dtype === 'float32' ? 'float32' : 'int32');
  compileMap(isMax ? '(a > b || a != a) ? a : b' : '(a < b || a != a) ? a : b', ['a', 'b'], [])(data(out), [data(a), data(b)], plan, []);
  return out;
}

/** Values and indices of max/min along one dim. */
function argReduce(x: Tensor, dim: number, isMax: boolean): { values: Float32Array | Int32Array; indices: Int32Array } {
  const [outer, R, inner] = x.ndim === 0 ? [1, 1, 1] : split3(x.shape, dim, dim);
  const X = data(x);
  const values = x.dtype !== 'float32' ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
  const indices = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = X[o * R * inner + i]!;
      let bi = 0;
      for (let r = 1; r < R; r++) {
        const v = X[(o * R + r) * inner + i]!;
        if (best !== best) break; // NaN wins (PyTorch propagates it)
        if (isMax ? v > best || v !== v : v < best || v !== v) { best = v; bi = r; }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bi;
    }
  }
  return { values, indices };
}

function boolReduce(args: OpArgs, pred: (x: number) => boolean, isAll: boolean): Tensor {
  const x = tensorArg(args.input, 'input');
  const dims = reducedDims(x, args.dim);
  const X = data(x);
  const m = new Float32Array(X.length);
  for (let i = 0; i < X.length; i++) m[i] = pred(X[i]!) ? 1 : 0;
  const r = reduceTable(reduceByName.get(isAll ? 'amin' : 'amax')!, new Tensor(x.backend.fromArray(m, 'float32'), x.shape), dims, 'float32');
  const out = empty(reduceShapes(x.shape, dims, bool(args.keepdim, false)).out, 'bool');
  const O = data(out);
  for (let i = 0; i < O.length; i++) O[i] = x.numel === 0 ? (isAll ? 1 : 0) : r[i]!;
  return out;
}

function maxMinKernel(isMax: boolean): Kernel {
  return (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    if (args.dim instanceof Tensor) {
      // torch.max(a, b): elementwise.
      return callMaxMin(isMax, x, args.dim);
    }
    if (args.dim === null || args.dim === undefined) {
      if (x.numel === 0) throw new Error(`${isMax ? 'max' : 'min'}(): empty tensor has no ${isMax ? 'maximum' : 'minimum'}`);
      const res = empty([], x.dtype);
      data(res).set(reduceTable(reduceByName.get(isMax ? 'amax' : 'amin')!, x, x.shape.map((_, i) => i), x.dtype === 'float32' ? 'float32' : 'int32'));
      return res;
    }
    const d = normDim(num(args.dim, 0), x.ndim);
    const keep = bool(args.keepdim, false);
    const { kept, out } = reduceShapes(x.shape, [d], keep);
    const { values, indices } = argReduce(x, d, isMax);
    ctx.saved.dim = d;
    ctx.saved.kept = kept;
    const v = empty(out, x.dtype); data(v).set(values);
    const ix = empty(out, 'int32'); data(ix).set(indices);
    return [v, ix];
  };
}

function argKernel(isMax: boolean): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    if (args.dim === null || args.dim === undefined) {
      const flat = x.withShape([x.numel]);
      const { indices } = argReduce(flat, 0, isMax);
      const res = empty(bool(args.keepdim, false) ? x.shape.map(() => 1) : [], 'int32');
      data(res)[0] = indices[0]!;
      return res;
    }
    const d = normDim(num(args.dim, 0), x.ndim);
    const { out } = reduceShapes(x.shape, [d], bool(args.keepdim, false));
    const res = empty(out, 'int32');
    data(res).set(argReduce(x, d, isMax).indices);
    return res;
  };
}

/** Variance correction from either spelling: correction=k or unbiased=bool. */
export function correctionOf(args: OpArgs): number {
  if (typeof args.correction === 'number') return args.correction;
  if (typeof args.unbiased === 'boolean') return args.unbiased ? 1 : 0;
  return 1;
}

/** mean (kept layout) and sum of squared deviations along dims. */
export function moments(x: Tensor, dims: readonly number[]): { mean: Float32Array; m2: Float64Array; n: number } {
  const mean = reduceTable(reduceByName.get('mean')!, x, dims, 'float32') as Float32Array;
  const kept = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const n = x.numel / Math.max(1, numelOf(kept));
  const plan = planBroadcast([x.shape, kept]);
  const dev = new Float32Array(x.numel);
  compileMap('(x - m) * (x - m)', ['x', 'm'], [])(dev, [data(x), mean], plan, []);
  const devT = new Tensor(x.backend.fromArray(dev, 'float32'), x.shape);
  const m2 = Float64Array.from(reduceTable(reduceByName.get('sum')!, devT, dims, 'float32'));
  return { mean, m2, n };
}

function varKernel(isStd: boolean): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const { m2, n } = moments(x, dims);
    const c = correctionOf(args);
    const res = empty(out, 'float32');
    const R = data(res);
    for (let i = 0; i < m2.length; i++) { const v = m2[i]! / Math.max(0, n - c); R[i] = isStd ? Math.sqrt(v) : v; }
    return res;
  };
}

/** softmax / log_softmax along one dim, max-shifted, double accumulation. */
export function softmaxInto(X: Float32Array | Int32Array, O: Float32Array, outer: number, R: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * R * inner + i;
      let m = -Infinity;
      for (let r = 0; r < R; r++) { const v = X[base + r * inner]!; if (v > m) m = v; }
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let r = 0; r < R; r++) s += Math.exp(X[base + r * inner]! - m);
      if (log) {
        const ls = Math.log(s) + m;
        for (let r = 0; r < R; r++) O[base + r * inner] = X[base + r * inner]! - ls;
      } else {
        const inv = 1 / s;
        for (let r = 0; r < R; r++) O[base + r * inner] = Math.exp(X[base + r * inner]! - m) * inv;
      }
    }
  }
}

/** softmax's dim; None picks PyTorch's legacy implicit dim (0 for 0-, 1- and 3-d inputs, else 1). */
export function softmaxDimOf(args: OpArgs, ndim: number): number {
  if (ndim === 0) return 0;
  if (args.dim === null || args.dim === undefined) return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
  return normDim(num(args.dim, -1), ndim);
}

function softmaxKernel(log: boolean): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const d = softmaxDimOf(args, x.ndim);
    const [outer, R, inner] = x.ndim === 0 ? [1, 1, 1] : split3(x.shape, d, d);
    const out = empty(x.shape, 'float32');
    softmaxInto(data(x), data(out) as Float32Array, outer, R, inner, log);
    return out;
  };
}

function logsumexpKernel(): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const m = reduceTable(reduceByName.get('amax')!, x, dims, 'float32') as Float32Array;
    for (let i = 0; i < m.length; i++) if (!Number.isFinite(m[i]!)) m[i] = 0;
    const e = new Float32Array(x.numel);
    compileMap('exp(x - m)', ['x', 'm'], [])(e, [data(x), m], planBroadcast([x.shape, kept]), []);
    const s = reduceTable(reduceByName.get('sum')!, new Tensor(x.backend.fromArray(e, 'float32'), x.shape), dims, 'float32');
    const res = empty(out, 'float32');
    const R = data(res);
    for (let i = 0; i < R.length; i++) R[i] = Math.log(s[i]!) + m[i]!;
    return res;
  };
}

function normKernel(): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const p = args.p === null || args.p === undefined || args.p === 'fro' ? 2 : num(args.p, 2);
    const dims = reducedDims(x, args.dim);
    const { out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const t = new Float32Array(x.numel);
    const X = data(x);
    if (p === Infinity) for (let i = 0; i < t.length; i++) t[i] = Math.abs(X[i]!);
    else for (let i = 0; i < t.length; i++) t[i] = Math.pow(Math.abs(X[i]!), p);
    const tt = new Tensor(x.backend.fromArray(t, 'float32'), x.shape);
    const s = reduceTable(reduceByName.get(p === Infinity ? 'amax' : 'sum')!, tt, dims, 'float32');
    const res = empty(out, 'float32');
    const R = data(res);
    for (let i = 0; i < R.length; i++) R[i] = p === Infinity ? s[i]! : Math.pow(s[i]!, 1 / p);
    return res;
  };
}

/** Lines along one dim: calls fn(values, lineIndex) per line and writes results via the returned arrays. */
function forLines(x: Tensor, dim: number, fn: (vals: number[], line: number) => void): { outer: number; R: number; inner: number } {
  const [outer, R, inner] = x.ndim === 0 ? [1, 1, 1] : split3(x.shape, dim, dim);
  const X = data(x);
  const vals = new Array<number>(R);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    for (let r = 0; r < R; r++) vals[r] = X[(o * R + r) * inner + i]!;
    fn(vals, o * inner + i);
  }
  return { outer, R, inner };
}

/** Sorted order of one line (stable; NaN sorts last ascending, like PyTorch). */
function order(vals: readonly number[], descending: boolean): number[] {
  const idx = vals.map((_, i) => i);
  const key = (v: number): number => (v !== v ? (descending ? -Infinity : Infinity) : v);
  idx.sort((a, b) => (descending ? key(vals[b]!) - key(vals[a]!) : key(vals[a]!) - key(vals[b]!)) || a - b);
  return idx;
}

/** values/indices [outer, K, inner] for K picks per line. */
function pickLines(x: Tensor, dim: number, K: number, pick: (vals: number[]) => number[], keepShape: number[]): [Tensor, Tensor] {
  const v = empty(keepShape, x.dtype === 'float32' ? 'float32' : 'int32');
  const ix = empty(keepShape, 'int32');
  const V = data(v), I = data(ix);
  const inner = x.ndim === 0 ? 1 : numelOf(x.shape.slice(dim + 1));
  forLines(x, dim, (vals, line) => {
    const o = Math.floor(line / inner), i = line % inner;
    const ps = pick(vals);
    for (let k = 0; k < K; k++) { V[(o * K + k) * inner + i] = vals[ps[k]!]!; I[(o * K + k) * inner + i] = ps[k]!; }
  });
  return [v, ix];
}

export function registerReduceCpu(): void {
  registerKernel('all', 'cpu', (args) => boolReduce(args, (x) => x !== 0, true));
  registerKernel('any', 'cpu', (args) => boolReduce(args, (x) => x !== 0, false));
  registerKernel('count_nonzero', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const nz = new Float32Array(x.numel);
    const X = data(x);
    for (let i = 0; i < X.length; i++) nz[i] = X[i] !== 0 ? 1 : 0;
    const s = reduceTable(reduceByName.get('sum')!, new Tensor(x.backend.fromArray(nz, 'float32'), x.shape), dims, 'float32');
    const out = empty(reduceShapes(x.shape, dims, false).out, 'int32');
    data(out).set(s);
    return out;
  });
  for (const [name, isMean] of [['nansum', false], ['nanmean', true]] as const) {
    registerKernel(name, 'cpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const dims = reducedDims(x, args.dim);
      const X = data(x);
      const clean = new Float32Array(X.length), cnt = new Float32Array(X.length);
      for (let i = 0; i < X.length; i++) { const v = X[i]!; const ok = v === v; clean[i] = ok ? v : 0; cnt[i] = ok ? 1 : 0; }
      const mk = (a: Float32Array): Tensor => new Tensor(x.backend.fromArray(a, 'float32'), x.shape);
      const s = reduceTable(reduceByName.get('sum')!, mk(clean), dims, 'float32');
      const c = isMean ? reduceTable(reduceByName.get('sum')!, mk(cnt), dims, 'float32') : null;
      const out = empty(reduceShapes(x.shape, dims, bool(args.keepdim, false)).out, x.dtype === 'float32' || isMean ? 'float32' : 'int32');
      const O = data(out);
      for (let i = 0; i < O.length; i++) O[i] = c ? s[i]! / c[i]! : s[i]!;
      return out;
    });
  }
  registerKernel('sort', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = x.ndim === 0 ? 0 : normDim(num(args.dim, -1), x.ndim);
    const R = x.ndim === 0 ? 1 : x.shape[d]!;
    return pickLines(x, d, R, (v) => order(v, bool(args.descending, false)), [...x.shape]);
  });
  registerKernel('argsort', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = x.ndim === 0 ? 0 : normDim(num(args.dim, -1), x.ndim);
    const R = x.ndim === 0 ? 1 : x.shape[d]!;
    return pickLines(x, d, R, (v) => order(v, bool(args.descending, false)), [...x.shape])[1];
  });
  registerKernel('topk', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = x.ndim === 0 ? 0 : normDim(num(args.dim, -1), x.ndim);
    const k = num(args.k, 1);
    const R = x.ndim === 0 ? 1 : x.shape[d]!;
    if (k < 0 || k > R) throw new Error(`selected index k=${k} out of range for dim ${d} of size ${R}`);
    const shape = [...x.shape]; if (x.ndim > 0) shape[d] = k;
    return pickLines(x, d, k, (v) => order(v, bool(args.largest, true)).slice(0, k), shape);
  });
  registerKernel('kthvalue', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = x.ndim === 0 ? 0 : normDim(num(args.dim, -1), x.ndim);
    const k = num(args.k, 1);
    const R = x.ndim === 0 ? 1 : x.shape[d]!;
    if (k < 1 || k > R) throw new Error(`kthvalue: k=${k} out of range for dim ${d} of size ${R}`);
    const { kept, out } = reduceShapes(x.shape, x.ndim === 0 ? [] : [d], bool(args.keepdim, false));
    const [v, ix] = pickLines(x, d, 1, (vals) => [order(vals, false)[k - 1]!], kept);
    return [v.withShape(out), ix.withShape(out)];
  });
  registerKernel('_median_index', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const flat = x.withShape([x.numel]);
    return pickLines(flat, 0, 1, (vals) => [order(vals, false)[Math.floor((vals.length - 1) / 2)]!], [1])[1];
  });
  for (const name of ['median', 'mode'] as const) {
    registerKernel(name, 'cpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const pickOne = (vals: number[]): number[] => {
        if (name === 'median') return [order(vals, false)[Math.floor((vals.length - 1) / 2)]!];
        // mode: most frequent value, smallest on ties; PyTorch returns the last index of it.
        const counts = new Map<number, number>();
        for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
        let best = Infinity, bc = -1;
        for (const [v, c] of counts) if (c > bc || (c === bc && v < best)) { best = v; bc = c; }
        return [vals.lastIndexOf(best)];
      };
      if (name === 'median' && (args.dim === null || args.dim === undefined)) {
        const flat = x.withShape([x.numel]);
        const [v] = pickLines(flat, 0, 1, pickOne, [1]);
        return v.withShape([]);
      }
      const d = x.ndim === 0 ? 0 : normDim(num(args.dim, -1), x.ndim);
      const { kept, out } = reduceShapes(x.shape, x.ndim === 0 ? [] : [d], bool(args.keepdim, false));
      const [v, ix] = pickLines(x, d, 1, pickOne, kept);
      return [v.withShape(out), ix.withShape(out)];
    });
  }
  for (const e of REDUCE) registerKernel(e.name, 'cpu', tableKernel(e));
  registerKernel('max', 'cpu', maxMinKernel(true));
  registerKernel('min', 'cpu', maxMinKernel(false));
  registerKernel('argmax', 'cpu', argKernel(true));
  registerKernel('argmin', 'cpu', argKernel(false));
  registerKernel('var', 'cpu', varKernel(false));
  registerKernel('std', 'cpu', varKernel(true));
  registerKernel('softmax', 'cpu', softmaxKernel(false));
  registerKernel('log_softmax', 'cpu', softmaxKernel(true));
  registerKernel('logsumexp', 'cpu', logsumexpKernel());
  registerKernel('norm', 'cpu', normKernel());

  registerKernel('_softmax_grad', 'cpu', (args) => {
    const y = tensorArg(args.output, 'output');
    const g = tensorArg(args.grad, 'grad');
    const d = softmaxDimOf(args, y.ndim);
    const [outer, R, inner] = y.ndim === 0 ? [1, 1, 1] : split3(y.shape, d, d);
    const Y = data(y), G = data(g);
    const out = empty(y.shape, 'float32');
    const O = data(out);
    const log = args.log === true;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * R * inner + i;
        let s = 0;
        if (log) {
          for (let r = 0; r < R; r++) s += G[base + r * inner]!;
          for (let r = 0; r < R; r++) { const k = base + r * inner; O[k] = G[k]! - Math.exp(Y[k]!) * s; }
        } else {
          for (let r = 0; r < R; r++) { const k = base + r * inner; s += G[k]! * Y[k]!; }
          for (let r = 0; r < R; r++) { const k = base + r * inner; O[k] = Y[k]! * (G[k]! - s); }
        }
      }
    }
    return out;
  });
  // zeros(shape) with src scattered along dim at index (both in the kept layout): max/min grads.
  registerKernel('_scatter_dim', 'cpu', (args) => {
    const shape = args.shape as number[];
    const d = args.dim as number;
    const idx = data(tensorArg(args.index, 'index'));
    const src = data(tensorArg(args.src, 'src'));
    const [outer, R, inner] = split3(shape, d, d);
    const out = empty(shape, 'float32');
    const O = data(out);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      const k = o * inner + i;
      O[(o * R + idx[k]!) * inner + i] += src[k]!;
    }
    return out;
  });

  // Gradient of a table reduction: gx = expr(x, y, g, n) with y, g in the kept layout,
  // amax/amin dividing by the number of ties.
  registerKernel('_reduce_grad', 'cpu', (args) => {
    const e = reduceByName.get(args.name as string)!;
    const x = tensorArg(args.input, 'input');
    const dims = args.dims as number[];
    const kept = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
    const n = x.numel / Math.max(1, numelOf(kept));
    let g = Float32Array.from(data(tensorArg(args.grad, 'grad')));
    const y = data(tensorArg(args.output, 'output'));
    const plan = planBroadcast([x.shape, kept, kept]);
    if (e.name === 'amax' || e.name === 'amin') {
      const ties = new Float32Array(x.numel);
      compileMap('x == y ? 1 : 0', ['x', 'y'], [])(ties, [data(x), y], planBroadcast([x.shape, kept]), []);
      const cnt = reduceTable(reduceByName.get('sum')!, new Tensor(x.backend.fromArray(ties, 'float32'), x.shape), dims, 'float32');
      g = g.map((v, i) => v / Math.max(1, cnt[i]!));
    }
    const out = empty(x.shape, 'float32');
    compileMap(e.grad!, ['x', 'y', 'g'], ['n'])(data(out), [data(x), y, g], plan, [n]);
    return out;
  });
}
