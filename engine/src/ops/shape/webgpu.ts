// WebGPU kernels of the shape family. view/reshape/flatten/squeeze/unsqueeze and the size
// queries only relabel the storage, so the CPU kernels (which never touch data) serve both
// backends. Reordering ops (permute, transpose, expand, repeat, the internal strided copy) share
// one affine-copy kernel, from the same Affine plans the CPU kernels use.
import { getKernel, registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { intList, normDim, num } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import { cpuBackend } from '../../backends/cpu/backend.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { expandAffine, permuteAffine, repeatAffine, type Affine } from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

/** Merge neighbouring dims of an affine view that step through memory alike; drop size-1 dims. */
function simplify(v: Affine): Affine {
  const sizes: number[] = [], strides: number[] = [];
  v.sizes.forEach((d, i) => {
    if (d === 1) return;
    const k = sizes.length - 1;
    if (k >= 0 && strides[k] === v.strides[i]! * d) { sizes[k] *= d; strides[k] = v.strides[i]!; } else { sizes.push(d); strides.push(v.strides[i]!); }
  });
  return { base: v.base, sizes, strides };
}

const MAX_DIMS = 8;

/**
 * scatter = false: out[i] = x[base + sum c_k s_k] (copy). scatter = true: out = zeros(inShape)
 * with out[base + sum c_k s_k] = x[i] (the gradient of an injective view).
 */
function affineKernel(op: string, x: Tensor, v: Affine, outShape: readonly number[], scatter: boolean): Tensor {
  const b = webgpuBackend();
  const s = simplify(v);
  if (s.sizes.length > MAX_DIMS) throw new Error(`${op}: ${s.sizes.length} dims after merging (the WebGPU copy handles ${MAX_DIMS})`);
  const out = scatter ? new Tensor(b.allocate(outShape.reduce((a, c) => a * c, 1), x.dtype), outShape) : gpuEmpty(b, outShape, x.dtype, op);
  const n = v.sizes.reduce((a, c) => a * c, 1);
  if (n === 0) return out;
  const nd = s.sizes.length;
  const uni = [n, s.base];
  for (let k = 0; k < nd; k++) uni.push(s.sizes[k]!, s.strides[k]! | 0);
  const wg = b.params.elementwiseWorkgroup;
  const ty = x.dtype === 'float32' ? 'f32' : 'i32';
  const lines: string[] = ['var r = i;', 'var off = i32(P(1u));'];
  for (let k = nd - 1; k >= 0; k--) lines.push(`{ let d = P(${2 + 2 * k}u); off += i32(r % d) * bitcast<i32>(P(${3 + 2 * k}u)); r = r / d; }`);
  const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<${ty}>;
@group(0) @binding(2) var<storage, read_write> O: array<${ty}>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${lines.join('\n  ')}
  ${scatter ? 'O[off] = X[i];' : 'O[i] = X[off];'}
}`;
  const [gx, gy] = b.grid(n, wg);
  b.run({ label: `${op} [${x.shape.join(', ')}] -> [${outShape.join(', ')}]`, key: `affine|${scatter}|${ty}|${nd}|${wg}`, wgsl,
    bindings: [gpuStorage(x), gpuStorage(out)], uniforms: uni.map((u) => u >>> 0), groups: [gx, gy] });
  return out;
}

/** An affine view is injective when no stride is 0 and the dims, sorted by stride, nest. */
function injective(v: Affine): boolean {
  const dims = v.sizes.map((d, i) => [d, Math.abs(v.strides[i]!)] as const).filter(([d]) => d > 1).sort((a, b) => a[1] - b[1]);
  let span = 1;
  for (const [d, st] of dims) { if (st < span) return false; span = st * d; }
  return true;
}

export function registerShapeWebgpu(): void {
  // Data-free kernels: the CPU ones only relabel shapes.
  for (const op of ['view', 'reshape', 'view_as', 'reshape_as', 'flatten', 'unflatten', 'squeeze', 'unsqueeze', 'size', 'dim', 'numel', 'item', 'tolist']) {
    const k = getKernel(op, 'cpu');
    if (k) registerKernel(op, 'webgpu', k);
  }
  const permute = (op: string, x: Tensor, perm: readonly number[]): Tensor =>
    perm.every((p, i) => p === i) ? x.withShape(x.shape) : affineKernel(op, x, permuteAffine(x.shape, perm), perm.map((p) => x.shape[p]!), false);
  registerKernel('permute', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const perm = intList(args.dims).map((d) => normDim(d, x.ndim));
    if (perm.length !== x.ndim || new Set(perm).size !== perm.length) throw new Error(`permute: dims [${intList(args.dims).join(', ')}] is not a permutation of ${x.ndim} dims`);
    return permute('permute', x, perm);
  });
  const transposeK: Kernel = (args) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim < 2 && args.dim0 === undefined) return x.withShape(x.shape);
    const a = normDim(num(args.dim0, 0), x.ndim), c = normDim(num(args.dim1, 1), x.ndim);
    const perm = x.shape.map((_, i) => i);
    perm[a] = c; perm[c] = a;
    return permute('transpose', x, perm);
  };
  registerKernel('transpose', 'webgpu', transposeK);
  registerKernel('t', 'webgpu', transposeK);
  const expand = (op: string, x: Tensor, size: readonly number[]): Tensor => { const v = expandAffine(x.shape, size); return affineKernel(op, x, v, v.sizes, false); };
  registerKernel('expand', 'webgpu', (args) => expand('expand', tensorArg(args.input, 'input'), intList(args.size)));
  registerKernel('broadcast_to', 'webgpu', (args) => expand('broadcast_to', tensorArg(args.input, 'input'), intList(args.size)));
  registerKernel('expand_as', 'webgpu', (args) => expand('expand_as', tensorArg(args.input, 'input'), tensorArg(args.other, 'other').shape));
  registerKernel('repeat', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const { view, outShape } = repeatAffine(x.shape, intList(args.repeats));
    return affineKernel('repeat', x, view, view.sizes, false).withShape(outShape);
  });
  registerKernel('_strided_copy', 'webgpu', (args) => {
    const v = args.view as unknown as Affine;
    return affineKernel('strided copy', tensorArg(args.input, 'input'), v, (args.outShape as number[] | undefined) ?? v.sizes, false);
  });
  // The gradient of a view: a scatter when the view is injective; overlapping views (expand,
  // repeat) need a scatter-add, which stays on the CPU until float atomics are available.
  const cpuStridedGrad = getKernel('_strided_grad', 'cpu');
  registerKernel('_strided_grad', 'webgpu', (args, ctx) => {
    const v = args.view as unknown as Affine;
    const g = tensorArg(args.grad, 'grad');
    if (injective(v)) return affineKernel('view backward', g, v, args.shape as number[], true);
    if (!cpuStridedGrad) throw new Error('_strided_grad: no kernel for an overlapping view');
    const cpuG = new Tensor(cpuBackend.fromArray(g.toFloat32Array(), 'float32'), g.shape);
    const r = cpuStridedGrad({ ...args, grad: cpuG }, ctx) as Tensor;
    return new Tensor(webgpuBackend().fromArray(r.toFloat32Array(), 'float32'), r.shape);
  });
}

