// CPU kernels of the pooling family (max/avg 1d/2d/3d, adaptive avg/max 1d/2d/3d). Every pool is
// "reduce over a window list": windows are built once per call as a CSR table of input offsets
// (padding left out), so all variants share two loops. Max pooling saves the winning offset for
// its gradient (returned as PyTorch's flat indices when return_indices=True).
import { registerKernel } from '../../backends/kernel_registry.js';
import { bool, empty, f32, data, num, numelOf, stridesOf, tensorArg, tupleN, wrap } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';

export interface Windows { outSp: number[]; ptr: Int32Array; idx: Int32Array; divisor: Float32Array; inPlane: number; P: number }

function poolOut(inN: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = inN + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // The last window must start inside the input or left padding.
  if (ceil && (o - 1) * s >= inN + p) o--;
  return o;
}

/** Windows per dim: list of [start, end) input ranges and the avg divisor contribution. */
type DimWin = { lo: number[]; hi: number[]; step: number; padCount: number[] };

function buildWindows(inSp: number[], dims: DimWin[], countPad: boolean, divisorOverride: number | null): Windows {
  const n = inSp.length;
  const outSp = dims.map((d) => d.lo.length);
  const P = numelOf(outSp);
  const inSt = stridesOf(inSp);
  const ptr = new Int32Array(P + 1);
  const idxs: number[] = [];
  const divisor = new Float32Array(P);
  const o = new Array<number>(n).fill(0);
  for (let p = 0; p < P; p++) {
    // enumerate the window's taps (odometer over dims)
    const ranges = dims.map((d, k) => ({ lo: d.lo[o[k]!]!, hi: d.hi[o[k]!]!, step: d.step }));
    const cur = ranges.map((r) => r.lo);
    let count = 0;
    const valid = ranges.every((r) => r.lo < r.hi);
    while (valid) {
      let off = 0, ok = true;
      for (let k = 0; k < n; k++) { const i = cur[k]!; if (i < 0 || i >= inSp[k]!) { ok = false; break; } off += i * inSt[k]!; }
      if (ok) { idxs.push(off); count++; }
      let k = n - 1;
      for (; k >= 0; k--) { cur[k]! += ranges[k]!.step; if (cur[k]! < ranges[k]!.hi) break; cur[k] = ranges[k]!.lo; }
      if (k < 0) break;
    }
    ptr[p + 1] = idxs.length;
    divisor[p] = divisorOverride ?? (countPad ? dims.reduce((a, d, k) => a * d.padCount[o[k]!]!, 1) : count);
    for (let k = n - 1; k >= 0; k--) { if (++o[k]! < outSp[k]!) break; o[k] = 0; }
  }
  return { outSp, ptr, idx: Int32Array.from(idxs), divisor, inPlane: numelOf(inSp), P };
}

// Window tables depend only on sizes and options: cached (a training loop repeats them).
const winCache = new Map<string, Windows>();
function cached(key: string, make: () => Windows): Windows {
  const hit = winCache.get(key);
  if (hit) return hit;
  const w = make();
  if (winCache.size >= 64) winCache.delete(winCache.keys().next().value!);
  winCache.set(key, w);
  return w;
}

export function poolWindows(args: OpArgs, n: number, inSp: number[], isMax: boolean): Windows {
  const key = JSON.stringify([n, inSp, isMax, args.kernel_size, args.stride, args.padding, isMax ? args.dilation : 1, args.ceil_mode, args.count_include_pad, args.divisor_override]);
  return cached(key, () => buildPoolWindows(args, n, inSp, isMax));
}

function buildPoolWindows(args: OpArgs, n: number, inSp: number[], isMax: boolean): Windows {
  const k = tupleN(args.kernel_size, n, 1);
  const s = args.stride === null || args.stride === undefined || (Array.isArray(args.stride) && args.stride.length === 0) ? k : tupleN(args.stride, n, 1);
  const p = tupleN(args.padding, n, 0);
  const d = isMax ? tupleN(args.dilation, n, 1) : new Array<number>(n).fill(1);
  const ceil = bool(args.ceil_mode, false);
  p.forEach((pp, i) => { if (pp > k[i]! / 2) throw new Error(`pad should be at most half of effective kernel size, but got pad=${pp} and kernel_size=${k[i]}`); });
  const dims: DimWin[] = inSp.map((inN, i) => {
    const on = poolOut(inN, k[i]!, s[i]!, p[i]!, d[i]!, ceil);
    if (on <= 0) throw new Error(`input spatial size ${inSp.join('x')} is too small for kernel ${k.join('x')}`);
    const lo: number[] = [], hi: number[] = [], padCount: number[] = [];
    for (let o = 0; o < on; o++) {
      const start = o * s[i]! - p[i]!;
      lo.push(start); hi.push(start + d[i]! * (k[i]! - 1) + 1);
      padCount.push(Math.min(start + k[i]!, inN + p[i]!) - start);
    }
    return { lo, hi, step: d[i]!, padCount };
  });
  const countPad = args.count_include_pad === undefined ? true : bool(args.count_include_pad, true);
  const div = args.divisor_override === null || args.divisor_override === undefined ? null : num(args.divisor_override, 1);
  return buildWindows(inSp, dims, countPad, div);
}

export function adaptiveWindows(args: OpArgs, inSp: number[]): Windows {
  return cached(JSON.stringify(['adaptive', inSp, args.output_size]), () => buildAdaptiveWindows(args, inSp));
}

function buildAdaptiveWindows(args: OpArgs, inSp: number[]): Windows {
  const n = inSp.length;
  const req = tupleN(args.output_size, n, 1).map((v, i) => (v === null || Number.isNaN(v) ? inSp[i]! : v));
  const raw = args.output_size;
  const sizes = Array.isArray(raw) ? raw.map((v, i) => (v === null ? inSp[i]! : req[i]!)) : req;
  const dims: DimWin[] = inSp.map((inN, i) => {
    const on = sizes[i]!;
    const lo: number[] = [], hi: number[] = [];
    for (let o = 0; o < on; o++) { lo.push(Math.floor((o * inN) / on)); hi.push(Math.ceil(((o + 1) * inN) / on)); }
    return { lo, hi, step: 1, padCount: lo.map((l, j) => hi[j]! - l) };
  });
  return buildWindows(inSp, dims, false, null);
}

function batchedPool(x: Tensor, n: number): { planes: number; lead: number[]; inSp: number[] } {
  if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new Error(`expected ${n + 1}D or ${n + 2}D input, but got Tensor[${x.shape.join(', ')}]`);
  const lead = x.shape.slice(0, x.ndim - n);
  return { planes: numelOf(lead), lead, inSp: x.shape.slice(x.ndim - n) };
}

export function maxPoolRun(x: Tensor, w: Windows, lead: number[], planes: number): { y: Tensor; arg: Tensor } {
  const X = f32(x);
  const y = empty([...lead, ...w.outSp], 'float32');
  const arg = empty([...lead, ...w.outSp], 'int32');
  const Y = f32(y), A = data(arg);
  for (let c = 0; c < planes; c++) {
    const xo = c * w.inPlane, yo = c * w.P;
    for (let p = 0; p < w.P; p++) {
      let best = -Infinity, bi = -1;
      for (let q = w.ptr[p]!; q < w.ptr[p + 1]!; q++) {
        const v = X[xo + w.idx[q]!]!;
        if (v > best || v !== v || bi < 0) { best = v; bi = w.idx[q]!; if (v !== v) break; }
      }
      Y[yo + p] = best; A[yo + p] = bi;
    }
  }
  return { y, arg };
}

export function registerPoolCpu(): void {
  for (const n of [1, 2, 3]) {
    registerKernel(`max_pool${n}d`, 'cpu', (args, ctx) => {
      const x = tensorArg(args.input, 'input');
      const { planes, lead, inSp } = batchedPool(x, n);
      const w = poolWindows(args, n, inSp, true);
      const { y, arg } = maxPoolRun(x, w, lead, planes);
      ctx.saved.arg = arg;
      return bool(args.return_indices, false) ? [y, arg] : y;
    });
    registerKernel(`adaptive_max_pool${n}d`, 'cpu', (args, ctx) => {
      const x = tensorArg(args.input, 'input');
      const { planes, lead, inSp } = batchedPool(x, n);
      const { y, arg } = maxPoolRun(x, adaptiveWindows(args, inSp), lead, planes);
      ctx.saved.arg = arg;
      return bool(args.return_indices, false) ? [y, arg] : y;
    });
    const avg = (adaptive: boolean) => (args: OpArgs) => {
      const x = tensorArg(args.input, 'input');
      const { planes, lead, inSp } = batchedPool(x, n);
      const w = adaptive ? adaptiveWindows(args, inSp) : poolWindows(args, n, inSp, false);
      const X = f32(x);
      const y = empty([...lead, ...w.outSp], 'float32');
      const Y = f32(y);
      for (let c = 0; c < planes; c++) {
        const xo = c * w.inPlane, yo = c * w.P;
        for (let p = 0; p < w.P; p++) {
          let s = 0;
          for (let q = w.ptr[p]!; q < w.ptr[p + 1]!; q++) s += X[xo + w.idx[q]!]!;
          Y[yo + p] = s / w.divisor[p]!;
        }
      }
      return y;
    };
    registerKernel(`avg_pool${n}d`, 'cpu', avg(false));
    registerKernel(`adaptive_avg_pool${n}d`, 'cpu', avg(true));
  }
  // ---- gradients ---------------------------------------------------------------------------
  registerKernel('_max_pool_grad', 'cpu', (args) => {
    const g = tensorArg(args.grad, 'grad'), arg = tensorArg(args.indices, 'indices');
    const shape = args.shape as number[];
    const n = args.n as number;
    const inPlane = numelOf(shape.slice(shape.length - n)), P = numelOf(g.shape.slice(g.ndim - n));
    const planes = g.numel / Math.max(1, P);
    const out = empty(shape, 'float32');
    const O = f32(out), G = f32(g), A = data(arg);
    for (let c = 0; c < planes; c++) for (let p = 0; p < P; p++) {
      const k = c * P + p;
      if (A[k]! >= 0) O[c * inPlane + A[k]!] += G[k]!;
    }
    return out;
  });
  registerKernel('_avg_pool_grad', 'cpu', (args) => {
    const g = tensorArg(args.grad, 'grad');
    const opArgs = args.opArgs as unknown as OpArgs;
    const n = args.n as number;
    const x = tensorArg(opArgs.input, 'input');
    const { planes, inSp } = batchedPool(x, n);
    const w = args.adaptive === true ? adaptiveWindows(opArgs, inSp) : poolWindows(opArgs, n, inSp, false);
    const out = empty(x.shape, 'float32');
    const O = f32(out), G = f32(g);
    for (let c = 0; c < planes; c++) {
      const xo = c * w.inPlane, yo = c * w.P;
      for (let p = 0; p < w.P; p++) {
        const v = G[yo + p]! / w.divisor[p]!;
        for (let q = w.ptr[p]!; q < w.ptr[p + 1]!; q++) O[xo + w.idx[q]!] += v;
      }
    }
    return out;
  });
  void wrap; void Tensor;
}
