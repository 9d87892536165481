// Generic WGSL kernels built from expression strings: a broadcasting map (every elementwise op,
// its gradients, where/masked_fill) and a reduction over any set of dims (the reduce table, the
// sum back to a broadcast operand's shape). Each (expression, operand kinds, rank) compiles once.
import { Tensor } from '../../tensor.js';
import type { EngineDType } from '../backend.js';
import { f32Bits, GpuStorage, UNIFORM_HEADER, webgpuBackend, type MapMeta, type WebGPUBackend } from './backend.js';
import { toWgsl, WGSL_HELPERS } from './wgsl_expr.js';

export const INF_BITS = 0x7f800000;
const MAX_DIMS = 6;

export function gpuStorage(t: Tensor, what = 'tensor'): GpuStorage {
  if (!(t.storage instanceof GpuStorage)) throw new Error(`WebGPU kernel got ${what} on backend '${t.backend.name}'`);
  return t.storage;
}
export function gpuEmpty(b: WebGPUBackend, shape: readonly number[], dtype: EngineDType, op: string): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return new Tensor(b.allocateUninit(n, dtype, `${op} [${shape.join(', ')}]`), shape);
}
const wgslType = (d: EngineDType): string => (d === 'float32' ? 'f32' : 'i32');

/** One operand of a map: a tensor, or a Python number passed as a uniform. */
export type MapOperand = { readonly name: string; readonly value: Tensor | number };

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** Output dims merged where every operand is laid out alike; strides 0 where broadcast. */
function mergeDims(outShape: readonly number[], shapes: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const nd = outShape.length;
  let dims = [...outShape];
  let strides = shapes.map((s) => {
    const st = stridesOf(s);
    return outShape.map((_d, o) => {
      const i = o - (nd - s.length);
      return i < 0 || s[i] === 1 ? 0 : st[i]!;
    });
  });
  // Drop size-1 dims, then merge neighbours that are contiguous in every operand.
  const keep = dims.map((d) => d !== 1);
  dims = dims.filter((_, i) => keep[i]);
  strides = strides.map((st) => st.filter((_, i) => keep[i]));
  for (let k = dims.length - 2; k >= 0; k--) {
    if (strides.every((st) => st[k] === st[k + 1]! * dims[k + 1]!)) {
      dims = [...dims.slice(0, k), dims[k]! * dims[k + 1]!, ...dims.slice(k + 2)];
      strides = strides.map((st) => [...st.slice(0, k), st[k + 1]!, ...st.slice(k + 2)]);
    }
  }
  return { dims, strides };
}

export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
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

/**
 * out = expr(operands, params) elementwise over the broadcast shape. Uniform words: 0 = n,
 * 1..P = params, then per merged dim: size and one stride per tensor operand; scalars after that.
 */
export function runMap(op: string, expr: string, operands: readonly MapOperand[], paramNames: readonly string[], params: readonly number[], outDtype: EngineDType, outShape?: readonly number[]): Tensor {
  const b = webgpuBackend();
  const tensors = operands.filter((o) => o.value instanceof Tensor) as { name: string; value: Tensor }[];
  const shape = outShape ?? broadcastShapes(tensors.map((t) => t.value.shape));
  const out = gpuEmpty(b, shape, outDtype, op);
  const n = out.numel;
  if (n === 0) return out;
  const { dims, strides } = mergeDims(shape, tensors.map((t) => t.value.shape));
  if (dims.length > MAX_DIMS) throw new Error(`${op}: broadcasting over ${dims.length} non-mergeable dims (WebGPU kernels handle ${MAX_DIMS})`);
  const contiguous = tensors.every((_, j) => dims.length <= 1 && (dims.length === 0 || strides[j]![0] === 1));
  const uni: number[] = [n];
  for (const p of params) uni.push(f32Bits(p));
  const dimBase = uni.length;
  if (!contiguous) for (let k = 0; k < dims.length; k++) { uni.push(dims[k]!); for (const st of strides) uni.push(st[k]!); }
  const scalarBase = uni.length;
  const scalars = operands.filter((o) => !(o.value instanceof Tensor));
  for (const s of scalars) uni.push(f32Bits(s.value as number));
  while (uni.length < 63) uni.push(0);
  uni[63] = INF_BITS;
  if (uni.length > 64) throw new Error(`${op}: too many kernel parameters`);
  const wg = b.params.elementwiseWorkgroup;
  const nd = contiguous ? 0 : dims.length;
  const kinds = operands.map((o) => (o.value instanceof Tensor ? wgslType(o.value.dtype) : 's')).join('');
  const key = `map|${expr}|${operands.map((o) => o.name).join(',')}|${kinds}|${paramNames.join(',')}|${outDtype}|${nd}|${wg}`;
  const wgsl = (): string => {
    const body = toWgsl(expr, [...operands.map((o) => o.name), ...paramNames]);
    const decls = tensors.map((t, j) => `@group(0) @binding(${j + 1}) var<storage, read> I${j}: array<${wgslType(t.value.dtype)}>;`);
    decls.push(`@group(0) @binding(${tensors.length + 1}) var<storage, read_write> O: array<${wgslType(outDtype)}>;`);
    const lines: string[] = [];
    if (nd > 0) {
      lines.push('var r = i;');
      tensors.forEach((_, j) => lines.push(`var o${j} = 0u;`));
      for (let k = nd - 1; k >= 0; k--) {
        const base = dimBase + k * (1 + tensors.length);
        lines.push(`{ let d = P(${base}u); let c = r % d; r = r / d;${tensors.map((_, j) => ` o${j} += c * P(${base + 1 + j}u);`).join('')} }`);
      }
    }
    tensors.forEach((t, j) => lines.push(`let ${t.name} = f32(I${j}[${nd > 0 ? `o${j}` : 'i'}]);`));
    scalars.forEach((s, j) => lines.push(`let ${s.name} = F(${scalarBase + j}u);`));
    paramNames.forEach((p, j) => lines.push(`let ${p} = F(${1 + j}u);`));
    return mapShell(decls, wg, lines, outDtype === 'float32' ? body : `i32(${body})`);
  };
  const label = `${op} [${shape.join(', ')}]`;
  const all = [...tensors.map((t) => gpuStorage(t.value)), gpuStorage(out)];
  if (all.some((s) => s.bytes > b.bindingLimit)) {
    // Past the binding limit: same-shape operands are processed in chunks through binding
    // ranges (offsets stay 256-byte aligned); broadcasting operands cannot be split this way.
    if (nd > 0 || tensors.some((t) => t.value.numel !== n)) throw new Error(`${label}: operands larger than the binding limit (${b.bindingLimit} bytes) are tiled only without broadcasting`);
    const chunk = Math.floor(b.bindingLimit / 256) * 64;
    for (let start = 0; start < n; start += chunk) {
      const len = Math.min(chunk, n - start);
      const u = [...uni];
      u[0] = len;
      const [cx, cy] = b.grid(len, wg);
      b.run({ label: `${label} (tile at ${start})`, key, wgsl, bindings: all.map((s) => ({ storage: s, offset: start * 4, size: len * 4 })), uniforms: u, groups: [cx, cy] });
    }
    return out;
  }
  const [gx, gy] = b.grid(n, wg);
  const map: MapMeta | undefined = nd > 0 ? undefined : {
    n, expr, out: wgslType(outDtype) as 'f32' | 'i32',
    inputs: tensors.map((t) => ({ name: t.name, ty: wgslType(t.value.dtype) as 'f32' | 'i32' })),
    consts: [...scalars.map((s) => ({ name: s.name, bits: f32Bits(s.value as number) })), ...paramNames.map((p, j) => ({ name: p, bits: f32Bits(params[j]!) }))],
  };
  b.run({ label, key, wgsl, bindings: all, uniforms: uni, groups: [gx, gy], map });
  return out;
}

/** The frame of every elementwise kernel: thread i computes O[i] from `lines` (P(0) = n). */
export function mapShell(decls: readonly string[], wg: number, lines: readonly string[], out: string): string {
  return `${UNIFORM_HEADER}
${WGSL_HELPERS}
${decls.join('\n')}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${lines.join('\n  ')}
  O[i] = ${out};
}`;
}

/**
 * Reduce x over the dims where `keepShape` (same rank as x) is 1 and x is not, with a fold from
 * the reduce table: acc = init; acc = acc(acc, x) over the reduced elements; out = finish(acc, n).
 * One thread per output element, or per chunk of it when few outputs cover long ranges.
 */
export function runReduce(op: string, x: Tensor, keepShape: readonly number[], init: string, acc: string, finish: string, outDtype: EngineDType, finishN?: number): Tensor {
  const b = webgpuBackend();
  if (keepShape.length !== x.ndim) throw new Error(`internal: ${op}: reduce shape rank`);
  const outN = keepShape.reduce((a, d) => a * d, 1);
  // Split the kernel into kept and reduced lists (each merged where contiguous).
  const xs = stridesOf(x.shape);
  const kept: [number, number][] = [], red: [number, number][] = [];
  x.shape.forEach((d, i) => {
    if (d === 1) return;
    const list = keepShape[i] === 1 ? red : kept;
    const last = list[list.length - 1];
    if (last && last[1] === xs[i]! * d) { last[0] *= d; last[1] = xs[i]!; } else list.push([d, xs[i]!]);
  });
  const R = red.reduce((a, [d]) => a * d, 1);
  // Few outputs over a long range (a bias gradient: 16 channels x 43,264 elements) would leave
  // all but a handful of threads idle: reduce in chunks first, then fold the partials (every fold
  // of the reduce table folds partial results with its own expression).
  const chunks = R >= 2048 && outN < 16384 ? Math.min(1024, Math.ceil(65536 / Math.max(outN, 1)), Math.ceil(R / 64)) : 1;
  if (chunks > 1 && outN > 0) {
    const partial = reducePass(b, op, x, kept, red, R, outN, chunks, init, acc, 'acc', 'float32', R);
    return reducePass(b, op, partial.withShape([outN, chunks]), [[outN, chunks]], [[chunks, 1]], chunks, outN, 1, init, acc, finish, outDtype, finishN ?? R)
      .withShape(keepShape);
  }
  return reducePass(b, op, x, kept, red, R, outN, 1, init, acc, finish, outDtype, finishN ?? R).withShape(keepShape);
}

/**
 * One reduction kernel: thread i folds chunk (i % chunks) of output (i / chunks)'s range.
 * Uniform words: 0 threads, 1 R, then (size, stride) per kept and per reduced dim; 60 chunks,
 * 61 chunk length, 62 the n the finish expression sees, 63 INF.
 */
function reducePass(b: WebGPUBackend, op: string, x: Tensor, kept: readonly [number, number][], red: readonly [number, number][], R: number, outN: number, chunks: number,
  init: string, acc: string, finish: string, outDtype: EngineDType, finishN: number): Tensor {
  const out = gpuEmpty(b, [outN * chunks], outDtype, op);
  if (out.numel === 0) return out;
  if (kept.length + red.length > MAX_DIMS + 2) throw new Error(`${op}: too many dims for the WebGPU reduction`);
  const len = Math.ceil(R / chunks);
  const uni: number[] = [out.numel, R];
  for (const [d, s] of kept) uni.push(d, s);
  for (const [d, s] of red) uni.push(d, s);
  while (uni.length < 63) uni.push(0);
  uni[60] = chunks; uni[61] = len; uni[62] = f32Bits(finishN);
  uni[63] = INF_BITS;
  const wg = b.params.elementwiseWorkgroup;
  const key = `reduce|${init}|${acc}|${finish}|${x.dtype}|${outDtype}|${kept.length}|${red.length}|${wg}`;
  const wgsl = (): string => {
    const lines: string[] = ['var r = i / P(60u);', 'var base = 0u;'];
    for (let k = kept.length - 1; k >= 0; k--) lines.push(`{ let d = P(${2 + 2 * k}u); base += (r % d) * P(${3 + 2 * k}u); r = r / d; }`);
    const rb = 2 + 2 * kept.length;
    const inner: string[] = ['var q = j;', 'var off = base;'];
    for (let k = red.length - 1; k >= 0; k--) inner.push(`{ let d = P(${rb + 2 * k}u); off += (q % d) * P(${rb + 1 + 2 * k}u); q = q / d; }`);
    const res = toWgsl(finish, ['acc', 'n']);
    return `${UNIFORM_HEADER}
${WGSL_HELPERS}
@group(0) @binding(1) var<storage, read> X: array<${wgslType(x.dtype)}>;
@group(0) @binding(2) var<storage, read_write> O: array<${wgslType(outDtype)}>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${lines.join('\n  ')}
  var acc: f32 = ${toWgsl(init, [])};
  let n = F(62u);
  let j0 = (i % P(60u)) * P(61u);
  let j1 = min(P(1u), j0 + P(61u));
  for (var j = j0; j < j1; j++) {
    ${inner.join(' ')}
    let x = f32(X[off]);
    acc = ${toWgsl(acc, ['acc', 'x'])};
  }
  O[i] = ${outDtype === 'float32' ? res : `i32(${res})`};
}`;
  };
  const [gx, gy] = b.grid(out.numel, wg);
  b.run({ label: `${op} [${x.shape.join(', ')}] -> [${outN}${chunks > 1 ? ` x ${chunks} chunks` : ''}]`, key, wgsl, bindings: [gpuStorage(x), gpuStorage(out)], uniforms: uni, groups: [gx, gy] });
  return out;
}

/** Sum a broadcast tensor back to `shape` (the gradient of broadcasting). */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const padded = [...new Array<number>(x.ndim - shape.length).fill(1), ...shape];
  if (padded.length !== x.ndim || padded.some((d, i) => d !== 1 && d !== x.shape[i])) throw new Error(`cannot sum Tensor[${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  return runReduce('_sum_to_shape', x, padded, '0', 'acc + x', 'acc', 'float32').withShape(shape);
}
