// WebGPU var / std / logsumexp and the dtype casts (to, type, type_as), composed from the generic
// maps and reductions (codegen.ts) in the same passes the CPU kernels make: mean, squared
// deviations, sum; max, exp(x - max), sum, log; norm and outer likewise. max/min (all three forms), argmax/argmin and the
// max/min gradient's scatter are small kernels of their own. Nothing is read back, so steps
// using them stay capturable in compiled mode.
import { registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runMap, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { bool, normDim, num } from '../../backends/cpu/util.js';
import type { EngineDType } from '../../backends/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { toTarget, typeTarget } from '../elementwise/cpu.js';
import { correctionOf, reduceShapes, reducedDims } from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

function castTo(x: Tensor, dtype: EngineDType, copy: boolean): Tensor {
  if (dtype === x.dtype) return copy ? runMap('clone', 'x', [{ name: 'x', value: x }], [], [], dtype) : x.withShape(x.shape);
  // Floats to ints truncate toward zero (the int map output does), to bool: nonzero.
  return runMap(`to ${dtype}`, dtype === 'bool' ? 'x != 0 ? 1 : 0' : 'x', [{ name: 'x', value: x }], [], [], dtype);
}

function split3(shape: readonly number[], d: number): [number, number, number] {
  const p = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  return [p(shape.slice(0, d)), shape[d]!, p(shape.slice(d + 1))];
}

/** Values and indices of the max (min) along `dim`; NaN wins, the first of ties, as on the CPU. */
function argReduce(x: Tensor, dim: number, isMax: boolean, shape: readonly number[]): [Tensor, Tensor] {
  const b = webgpuBackend();
  const [outer, R, inner] = x.ndim === 0 ? [1, 1, 1] : split3(x.shape, dim);
  const values = gpuEmpty(b, shape, x.dtype, isMax ? 'max' : 'min');
  const indices = gpuEmpty(b, shape, 'int32', isMax ? 'argmax' : 'argmin');
  if (values.numel === 0) return [values, indices];
  const ty = x.dtype === 'float32' ? 'f32' : 'i32';
  const wg = b.params.elementwiseWorkgroup;
  const better = isMax ? 'v > best' : 'v < best';
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> V: array<${ty}>;
@group(0) @binding(3) var<storage, read_write> I: array<i32>;
fn nan(x: ${ty}) -> bool { ${ty === 'f32' ? 'return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;' : 'return false;'} }
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let k = gid.x + gid.y * nw.x * ${wg}u;
  if (k >= P(0u)) { return; }
  let R = P(1u); let inner = P(2u);
  let base = (k / inner) * R * inner + k % inner;
  var best = X[base];
  var bi = 0u;
  for (var r = 1u; r < R; r++) {
    if (nan(best)) { break; }
    let v = X[base + r * inner];
    if (${better} || nan(v)) { best = v; bi = r; }
  }
  V[k] = best; I[k] = i32(bi);
}`;
  const [gx, gy] = b.grid(outer * inner, wg);
  b.run({ label: `${isMax ? 'max' : 'min'} along dim ${dim} [${x.shape.join(', ')}]`, key: `argreduce|${isMax}|${ty}|${wg}`, wgsl,
    bindings: [gpuStorage(x), gpuStorage(values), gpuStorage(indices)], uniforms: [outer * inner, R, inner], groups: [gx, gy] });
  return [values, indices];
}

export function registerReduceStatsWebgpu(): void {
  for (const isMax of [true, false]) {
    const name = isMax ? 'max' : 'min';
    registerKernel(name, 'webgpu', (args, ctx) => {
      const x = tensorArg(args.input, 'input');
      if (args.dim instanceof Tensor) {
        // torch.max(a, b): elementwise.
        const o = args.dim;
        return runMap(isMax ? 'maximum' : 'minimum', isMax ? '(a > b || a != a) ? a : b' : '(a < b || a != a) ? a : b',
          [{ name: 'a', value: x }, { name: 'b', value: o }], [], [], x.dtype === 'float32' || o.dtype === 'float32' ? 'float32' : 'int32');
      }
      if (args.dim === null || args.dim === undefined) {
        if (x.numel === 0) throw new Error(`${name}(): empty tensor has no ${isMax ? 'maximum' : 'minimum'}`);
        const acc = isMax ? 'x > acc || x != x ? x : acc' : 'x < acc || x != x ? x : acc';
        return runReduce(name, x, x.shape.map(() => 1), isMax ? '-Infinity' : 'Infinity', acc, 'acc', x.dtype === 'float32' ? 'float32' : 'int32').withShape([]);
      }
      const d = normDim(num(args.dim, 0), x.ndim);
      const { kept, out } = reduceShapes(x.shape, [d], bool(args.keepdim, false));
      ctx.saved.dim = d;
      ctx.saved.kept = kept;
      return argReduce(x, d, isMax, out);
    });
    registerKernel(isMax ? 'argmax' : 'argmin', 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      if (args.dim === null || args.dim === undefined) {
        return argReduce(x.withShape([x.numel]), 0, isMax, bool(args.keepdim, false) ? x.shape.map(() => 1) : [])[1];
      }
      const d = normDim(num(args.dim, 0), x.ndim);
      return argReduce(x, d, isMax, reduceShapes(x.shape, [d], bool(args.keepdim, false)).out)[1];
    });
  }
  registerKernel('norm', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const p = args.p === null || args.p === undefined || args.p === 'fro' ? 2 : num(args.p, 2);
    const dims = reducedDims(x, args.dim);
    const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    const inf = p === Infinity;
    const t = runMap('norm |x|^p', inf ? 'abs(x)' : p === 2 ? 'x * x' : 'pow(abs(x), p)', [{ name: 'x', value: x }], ['p'], [p], 'float32');
    const r = inf ? runReduce('norm max', t, kept, '-Infinity', 'x > acc || x != x ? x : acc', 'acc', 'float32')
      : runReduce('norm sum', t, kept, '0', 'acc + x', p === 2 ? 'sqrt(acc)' : `pow(acc, 1 / ${p})`, 'float32');
    return r.withShape(out);
  });
  // all / any / count_nonzero: a nonzero mask folded with min / max / sum (an empty all is true).
  for (const [name, acc, init, dtype] of [['all', 'x < acc ? x : acc', '1', 'bool'], ['any', 'x > acc ? x : acc', '0', 'bool'], ['count_nonzero', 'acc + x', '0', 'int32']] as const) {
    registerKernel(name, 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const dims = reducedDims(x, args.dim);
      const { kept, out } = reduceShapes(x.shape, dims, name === 'count_nonzero' ? false : bool(args.keepdim, false));
      const nz = runMap(`${name} mask`, 'x != 0 ? 1 : 0', [{ name: 'x', value: x }], [], [], 'float32');
      return runReduce(name, nz, kept, init, acc, 'acc', dtype).withShape(out);
    });
  }
  for (const isMean of [false, true]) {
    const name = isMean ? 'nanmean' : 'nansum';
    registerKernel(name, 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const dims = reducedDims(x, args.dim);
      const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
      const clean = runMap(`${name} clean`, 'x != x ? 0 : x', [{ name: 'x', value: x }], [], [], 'float32');
      const s = runReduce(name, clean, kept, '0', 'acc + x', 'acc', x.dtype === 'float32' || isMean ? 'float32' : 'int32');
      if (!isMean) return s.withShape(out);
      const ok = runMap(`${name} count`, 'x != x ? 0 : 1', [{ name: 'x', value: x }], [], [], 'float32');
      const c = runReduce(`${name} count`, ok, kept, '0', 'acc + x', 'acc', 'float32');
      return runMap(name, 's / c', [{ name: 's', value: s }, { name: 'c', value: c }], [], [], 'float32').withShape(out);
    });
  }
  registerKernel('outer', 'webgpu', (args) => {
    const a = tensorArg(args.input, 'input'), v = tensorArg(args.vec2, 'vec2');
    return runMap('outer', 'a * b', [{ name: 'a', value: a.withShape([a.numel, 1]) }, { name: 'b', value: v.withShape([1, v.numel]) }], [], [],
      a.dtype === 'float32' || v.dtype === 'float32' ? 'float32' : 'int32');
  });
  // The max/min gradient: src into a zero tensor at `index` along `dim` (one slot per column).
  registerKernel('_scatter_dim', 'webgpu', (args) => {
    const shape = args.shape as number[];
    const d = args.dim as number;
    const idx = tensorArg(args.index, 'index'), src = tensorArg(args.src, 'src');
    const b = webgpuBackend();
    const out = gpuEmpty(b, shape, 'float32', '_scatter_dim');
    if (out.numel === 0) return out;
    const [, R, inner] = split3(shape, d);
    const wg = b.params.elementwiseWorkgroup;
    const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> IX: array<i32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let j = gid.x + gid.y * nw.x * ${wg}u;
  if (j >= P(0u)) { return; }
  let R = P(1u); let inner = P(2u);
  let i = j % inner; let r = (j / inner) % R; let o = j / (inner * R);
  let k = o * inner + i;
  O[j] = select(0.0, S[k], u32(IX[k]) == r);
}`;
    const [gx, gy] = b.grid(out.numel, wg);
    b.run({ label: `max/min backward [${shape.join(', ')}]`, key: `scatter_dim|${wg}`, wgsl, bindings: [gpuStorage(idx), gpuStorage(src), gpuStorage(out)],
      uniforms: [out.numel, R, inner], groups: [gx, gy] });
    return out;
  });
  for (const isStd of [false, true]) {
    registerKernel(isStd ? 'std' : 'var', 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const dims = reducedDims(x, args.dim);
      const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
      const n = x.numel / Math.max(1, kept.reduce((a, d) => a * d, 1));
      const mean = runReduce('var mean', x, kept, '0', 'acc + x', 'acc / n', 'float32');
      const dev = runMap('var deviations', '(x - m) * (x - m)', [{ name: 'x', value: x }, { name: 'm', value: mean }], [], [], 'float32');
      const m2 = runReduce('var sum', dev, kept, '0', 'acc + x', 'acc', 'float32');
      const d = Math.max(0, n - correctionOf(args));
      return runMap(isStd ? 'std' : 'var', isStd ? 'sqrt(s / d)' : 's / d', [{ name: 's', value: m2 }], ['d'], [d], 'float32').withShape(out);
    });
  }
  registerKernel('logsumexp', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    // The max shifts exp into range; an all -inf (or +inf) slice shifts by 0, as on the CPU.
    const mx = runReduce('logsumexp max', x, kept, '-Infinity', 'x > acc || x != x ? x : acc', 'acc', 'float32');
    const m = runMap('logsumexp shift', 'abs(m) < Infinity ? m : 0', [{ name: 'm', value: mx }], [], [], 'float32');
    const e = runMap('logsumexp exp', 'exp(x - m)', [{ name: 'x', value: x }, { name: 'm', value: m }], [], [], 'float32');
    const s = runReduce('logsumexp sum', e, kept, '0', 'acc + x', 'acc', 'float32');
    return runMap('logsumexp', 'log(s) + m', [{ name: 's', value: s }, { name: 'm', value: m }], [], [], 'float32').withShape(out);
  });
  registerKernel('to', 'webgpu', (args) => castTo(tensorArg(args.input, 'input'), toTarget(args, tensorArg(args.input, 'input').dtype), args.copy === true));
  registerKernel('type', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const t = typeTarget(args, x);
    return typeof t === 'string' ? t : castTo(x, t, false);
  });
  registerKernel('type_as', 'webgpu', (args) => castTo(tensorArg(args.input, 'input'), tensorArg(args.other, 'other').dtype, false));
}
