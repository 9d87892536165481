// Generates CPU loops from the expression tables (runtime/op_tables.ts). Each kernel is compiled
// once per (expression, arity) with new Function, so the hot loop holds the expression inline —
// no per-element closure call.
import { stridesOf } from './util.js';

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for 1e-5 goldens; use a series / continued fraction.
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: converges fast for |x| < 2.5.
    let sum = x, term = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1.1283791670955126 * sum;
  }
  // erfc continued fraction (Lentz) for the tail.
  let f = ax, c = ax, d = 0;
  const tiny = 1e-300;
  for (let n = 1; n < 100; n++) {
    const an = n / 2;
    d = ax + an * d; d = d === 0 ? tiny : d; d = 1 / d;
    c = ax + an / c; c = c === 0 ? tiny : c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / f / 1.7724538509055159;
  return x > 0 ? 1 - erfc : erfc - 1;
}

export const helpers = {
  exp: Math.exp, log: Math.log, sqrt: Math.sqrt, tanh: Math.tanh, abs: Math.abs,
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0), erf,
  sigmoid: (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  softplus: (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x))),
  pow: Math.pow, max: Math.max, min: Math.min, floor: Math.floor, ceil: Math.ceil,
  // PyTorch rounds half to even.
  round: (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; },
  trunc: Math.trunc, sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, log1p: Math.log1p, expm1: Math.expm1, atan2: Math.atan2,
};
const helperNames = Object.keys(helpers);

/**
 * A broadcast plan: the output shape, split into outer rows and a contiguous inner run after
 * merging dims that are laid out alike in every operand.
 */
export interface BroadcastPlan {
  readonly outShape: number[];
  readonly n: number;
  /** null when every operand has the output's shape (straight loop). */
  readonly offsets: Int32Array[] | null;
  readonly inner: number;
  readonly innerStrides: number[];
}

export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i]!;
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new Error(`cannot broadcast ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')}: dim ${o} is ${out[o]} vs ${d}`);
    }
  }
  return out;
}

export function planBroadcast(shapes: readonly (readonly number[])[]): BroadcastPlan {
  const outShape = broadcastShapes(shapes);
  const n = outShape.reduce((a, b) => a * b, 1);
  if (shapes.every((s) => s.length === outShape.length && s.every((d, i) => d === outShape[i]))) {
    return { outShape, n, offsets: null, inner: n, innerStrides: shapes.map(() => 1) };
  }
  const nd = outShape.length;
  // Per-operand strides in output coordinates (0 where broadcast).
  let dims = [...outShape];
  let strides = shapes.map((s) => {
    const st = stridesOf(s);
    return outShape.map((_d, o) => {
      const i = o - (nd - s.length);
      return i < 0 || s[i] === 1 ? 0 : st[i]!;
    });
  });
  // Merge dim k into k+1 where every operand is contiguous across the pair.
  for (let k = dims.length - 2; k >= 0; k--) {
    if (strides.every((st) => st[k] === st[k + 1]! * dims[k + 1]!)) {
      dims = [...dims.slice(0, k), dims[k]! * dims[k + 1]!, ...dims.slice(k + 2)];
      strides = strides.map((st) => [...st.slice(0, k), st[k + 1]!, ...st.slice(k + 2)]);
    }
  }
  if (dims.length === 0) { dims = [1]; strides = strides.map(() => [0]); }
  const inner = dims[dims.length - 1]!;
  const rows = n / Math.max(inner, 1);
  const offsets = strides.map(() => new Int32Array(rows));
  const idx = new Array<number>(dims.length - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let op = 0; op < strides.length; op++) {
      let off = 0;
      const st = strides[op]!;
      for (let k = 0; k < idx.length; k++) off += idx[k]! * st[k]!;
      offsets[op]![r] = off;
    }
    for (let k = idx.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return { outShape, n, offsets, inner, innerStrides: strides.map((st) => st[st.length - 1]!) };
}

export type MapKernel = (out: Float32Array | Int32Array, ins: readonly (Float32Array | Int32Array)[], plan: BroadcastPlan, params: readonly number[]) => void;

const cache = new Map<string, MapKernel>();

/** Compile `out[i] = expr(vars[i]...)` over a broadcast plan. */
export function compileMap(expr: string, vars: readonly string[], paramNames: readonly string[]): MapKernel {
  const key = `${vars.join(',')}|${paramNames.join(',')}|${expr}`;
  const hit = cache.get(key);
  if (hit) return hit;
  // Generated locals are $-prefixed so they never shadow an expression's variables.
  const loadSame = vars.map((v, j) => `const ${v} = $I${j}[$i];`).join(' ');
  const loadB = vars.map((v, j) => `const ${v} = $I${j}[$o${j}]; $o${j} += $s${j};`).join(' ');
  const body = `
    const { ${helperNames.join(', ')} } = H;
    return function ($O, $ins, $plan, $params) {
      ${vars.map((_, j) => `const $I${j} = $ins[${j}];`).join(' ')}
      ${paramNames.map((p, j) => `const ${p} = $params[${j}];`).join(' ')}
      if ($plan.offsets === null) {
        const $n = $plan.n;
        for (let $i = 0; $i < $n; $i++) { ${loadSame} $O[$i] = ${expr}; }
        return;
      }
      const $inner = $plan.inner;
      ${vars.map((_, j) => `const $off${j} = $plan.offsets[${j}], $s${j} = $plan.innerStrides[${j}];`).join(' ')}
      const $rows = $off0.length;
      let $w = 0;
      for (let $r = 0; $r < $rows; $r++) {
        ${vars.map((_, j) => `let $o${j} = $off${j}[$r];`).join(' ')}
        for (let $i = 0; $i < $inner; $i++) { ${loadB} $O[$w++] = ${expr}; }
      }
    };`;
  const fn = new Function('H', body)(helpers) as MapKernel;
  cache.set(key, fn);
  return fn;
}

/**
 * Compile a reduction over the middle axis of [outer, R, inner] from a table entry:
 * out[o, i] = finish(fold(acc, x over r)). Accumulates in doubles.
 */
export type ReduceKernel = (x: Float32Array | Int32Array, out: Float32Array | Int32Array, outer: number, r: number, inner: number) => void;
const rcache = new Map<string, ReduceKernel>();
export function compileReduce(init: string, acc: string, finish: string): ReduceKernel {
  const key = `${init}|${acc}|${finish}`;
  const hit = rcache.get(key);
  if (hit) return hit;
  const body = `
    const { ${helperNames.join(', ')} } = H;
    return function (X, O, outer, R, inner) {
      const n = R;
      if (inner === 1) {
        for (let o = 0; o < outer; o++) {
          let acc = ${init};
          const base = o * R;
          for (let r = 0; r < R; r++) { const x = X[base + r]; acc = ${acc}; }
          O[o] = ${finish};
        }
        return;
      }
      const A = new Float64Array(inner);
      for (let o = 0; o < outer; o++) {
        A.fill(${init});
        for (let r = 0; r < R; r++) {
          const base = (o * R + r) * inner;
          for (let i = 0; i < inner; i++) { const x = X[base + i]; let acc = A[i]; acc = ${acc}; A[i] = acc; }
        }
        for (let i = 0; i < inner; i++) { const acc = A[i]; O[o * inner + i] = ${finish}; }
      }
    };`;
  const fn = new Function('H', body)(helpers) as ReduceKernel;
  rcache.set(key, fn);
  return fn;
}

/** Compile the reduction gradient: gx[o, r, i] = expr(x, y[o, i], g[o, i], n). */
export type ReduceGradKernel = (x: Float32Array | Int32Array, y: Float32Array | Int32Array, g: Float32Array, out: Float32Array, outer: number, r: number, inner: number) => void;
const gcache = new Map<string, ReduceGradKernel>();
export function compileReduceGrad(expr: string): ReduceGradKernel {
  const hit = gcache.get(expr);
  if (hit) return hit;
  const body = `
    const { ${helperNames.join(', ')} } = H;
    return function (X, Y, G, O, outer, R, inner) {
      const n = R;
      for (let o = 0; o < outer; o++) {
        for (let r = 0; r < R; r++) {
          const base = (o * R + r) * inner;
          for (let i = 0; i < inner; i++) {
            const x = X[base + i], y = Y[o * inner + i], g = G[o * inner + i];
            O[base + i] = ${expr};
          }
        }
      }
    };`;
  const fn = new Function('H', body)(helpers) as ReduceGradKernel;
  gcache.set(expr, fn);
  return fn;
}
