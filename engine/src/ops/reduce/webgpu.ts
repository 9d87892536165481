// WebGPU kernels of the reduction family: the table reductions (sum, mean, prod, amax, amin)
// and their gradient generated from runtime/op_tables.ts like the CPU ones; softmax, log_softmax
// and their gradient as one pass per row (max, sum of exp, write).
import { registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, INF_BITS, runMap, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { bool, normDim, num } from '../../backends/cpu/util.js';
import { REDUCE, type ReduceEntry } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { reduceShapes, reducedDims } from './cpu.js';

const byName = new Map(REDUCE.map((e) => [e.name, e]));

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

function tableKernel(e: ReduceEntry): Kernel {
  return (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const dtype = e.keepsInt && x.dtype !== 'float32' ? 'int32' : 'float32';
    return runReduce(e.name, x, kept, e.init, e.acc, e.finish, dtype).withShape(out);
  };
}

function split3(shape: readonly number[], d: number): [number, number, number] {
  const p = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  return [p(shape.slice(0, d)), shape[d]!, p(shape.slice(d + 1))];
}

/** One thread per (outer, inner) row along `dim`: softmax / log_softmax, or their gradient. */
function rowKernel(op: string, mode: 'softmax' | 'log_softmax' | 'softmax_grad' | 'log_softmax_grad', a: Tensor, g: Tensor | null, dim: number): Tensor {
  const b = webgpuBackend();
  const [outer, R, inner] = a.ndim === 0 ? [1, 1, 1] : split3(a.shape, dim);
  const out = gpuEmpty(b, a.shape, 'float32', op);
  if (out.numel === 0) return out;
  const wg = b.params.reduceWorkgroup;
  const uni = new Array<number>(64).fill(0);
  uni[0] = outer * inner; uni[1] = R; uni[2] = inner; uni[63] = INF_BITS;
  const inTy = a.dtype === 'float32' ? 'f32' : 'i32';
  const body: Record<typeof mode, string> = {
    softmax: `var m = -INF(); for (var r = 0u; r < R; r++) { m = max(m, f32(A[base + r * inner])); }
  if (m == -INF()) { m = 0.0; }
  var s = 0.0; for (var r = 0u; r < R; r++) { s += exp(f32(A[base + r * inner]) - m); }
  let inv = 1.0 / s; for (var r = 0u; r < R; r++) { O[base + r * inner] = exp(f32(A[base + r * inner]) - m) * inv; }`,
    log_softmax: `var m = -INF(); for (var r = 0u; r < R; r++) { m = max(m, f32(A[base + r * inner])); }
  if (m == -INF()) { m = 0.0; }
  var s = 0.0; for (var r = 0u; r < R; r++) { s += exp(f32(A[base + r * inner]) - m); }
  let ls = log(s) + m; for (var r = 0u; r < R; r++) { O[base + r * inner] = f32(A[base + r * inner]) - ls; }`,
    softmax_grad: `var s = 0.0; for (var r = 0u; r < R; r++) { let k = base + r * inner; s += G[k] * f32(A[k]); }
  for (var r = 0u; r < R; r++) { let k = base + r * inner; O[k] = f32(A[k]) * (G[k] - s); }`,
    log_softmax_grad: `var s = 0.0; for (var r = 0u; r < R; r++) { s += G[base + r * inner]; }
  for (var r = 0u; r < R; r++) { let k = base + r * inner; O[k] = G[k] - exp(f32(A[k])) * s; }`,
  };
  const withG = g !== null;
  const wgsl = (): string => `${UNIFORM_HEADER}
fn INF() -> f32 { return bitcast<f32>(P(63u)); }
@group(0) @binding(1) var<storage, read> A: array<${inTy}>;
${withG ? '@group(0) @binding(2) var<storage, read> G: array<f32>;' : ''}
@group(0) @binding(${withG ? 3 : 2}) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = gid.x + gid.y * nw.x * ${wg}u;
  if (t >= P(0u)) { return; }
  let R = P(1u); let inner = P(2u);
  let base = (t / inner) * R * inner + t % inner;
  ${body[mode]}
}`;
  const [gx, gy] = b.grid(outer * inner, wg);
  b.run({ label: `${op} [${a.shape.join(', ')}] dim ${dim}`, key: `row|${mode}|${inTy}|${wg}`, wgsl,
    bindings: withG ? [gpuStorage(a), gpuStorage(g), gpuStorage(out)] : [gpuStorage(a), gpuStorage(out)], uniforms: uni, groups: [gx, gy] });
  return out;
}

export function registerReduceWebgpu(): void {
  for (const e of REDUCE) registerKernel(e.name, 'webgpu', tableKernel(e));
  for (const log of [false, true]) {
    const op = log ? 'log_softmax' : 'softmax';
    registerKernel(op, 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const d = x.ndim === 0 ? 0 : normDim(num(args.dim, x.ndim - 1), x.ndim);
      return rowKernel(op, op, x, null, d);
    });
  }
  registerKernel('_softmax_grad', 'webgpu', (args) => {
    const y = tensorArg(args.output, 'output');
    const d = y.ndim === 0 ? 0 : normDim(num(args.dim, y.ndim - 1), y.ndim);
    return rowKernel('softmax backward', args.log === true ? 'log_softmax_grad' : 'softmax_grad', y, tensorArg(args.grad, 'grad'), d);
  });
  registerKernel('_reduce_grad', 'webgpu', (args) => {
    const e = byName.get(args.name as string)!;
    const x = tensorArg(args.input, 'input');
    const dims = args.dims as number[];
    const kept = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
    const n = x.numel / Math.max(1, kept.reduce((a, b) => a * b, 1));
    let g = tensorArg(args.grad, 'grad').withShape(kept);
    const y = tensorArg(args.output, 'output').withShape(kept);
    if (e.name === 'amax' || e.name === 'amin') {
      // Ties share the gradient evenly: divide by the tie count.
      const ties = runMap('amax backward', 'x == y ? 1 : 0', [{ name: 'x', value: x }, { name: 'y', value: y }], [], [], 'float32', x.shape);
      const cnt = runReduce('amax backward', ties, kept, '0', 'acc + x', 'acc', 'float32');
      g = runMap('amax backward', 'g / max(c, 1)', [{ name: 'g', value: g }, { name: 'c', value: cnt }], [], [], 'float32', kept);
    }
    return runMap(`${e.name} backward`, e.grad!, [{ name: 'x', value: x }, { name: 'y', value: y }, { name: 'g', value: g }], ['n'], [n], 'float32', x.shape);
  });
}
