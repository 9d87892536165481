// WebGPU kernels of the pool family: max_pool2d forward (values and argmax indices, the same
// indices the CPU kernel saves) and its gradient. The gradient scatters into the input; windows
// that overlap (stride < kernel) could collide, so those stay on the CPU fallback for now.
import { maxPoolGradAtomic } from './webgpu_avg.js';
import { registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { bool, tupleN } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { poolWindows } from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

/** Index tensors whose windows do not overlap: their gradient is a race-free scatter. */
const disjoint = new WeakSet<Tensor>();

export function registerPoolWebgpu(): void {
  registerKernel('max_pool2d', 'webgpu', (args, ctx) => {
    const x = tensorArg(args.input, 'input');
    if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`expected 3D (unbatched) or 4D (batched) input, but got Tensor[${x.shape.join(', ')}]`);
    const inSp = x.shape.slice(-2);
    const win = poolWindows(args, 2, inSp, true);
    const k = tupleN(args.kernel_size, 2, 1);
    const s = args.stride === null || args.stride === undefined || (Array.isArray(args.stride) && args.stride.length === 0) ? k : tupleN(args.stride, 2, 1);
    const p = tupleN(args.padding, 2, 0), d = tupleN(args.dilation, 2, 1);
    const lead = x.shape.slice(0, -2);
    const planes = lead.reduce((a, c) => a * c, 1);
    const [OH, OW] = win.outSp as [number, number];
    const b = webgpuBackend();
    const y = gpuEmpty(b, [...lead, OH, OW], 'float32', 'max_pool2d');
    const arg = gpuEmpty(b, [...lead, OH, OW], 'int32', 'max_pool2d');
    const total = planes * OH * OW;
    if (total > 0) {
      const wg = b.params.elementwiseWorkgroup;
      const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> A: array<i32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let H = i32(P(1u)); let W = i32(P(2u)); let OH = P(3u); let OW = P(4u);
  let ow = i32(i % OW); let oh = i32((i / OW) % OH); let c = i / (OW * OH);
  var best = 0.0; var bi = -1;
  for (var kh = 0; kh < i32(P(5u)); kh++) {
    let ih = oh * i32(P(7u)) - i32(P(9u)) + kh * i32(P(11u));
    if (ih < 0 || ih >= H) { continue; }
    for (var kw = 0; kw < i32(P(6u)); kw++) {
      let iw = ow * i32(P(8u)) - i32(P(10u)) + kw * i32(P(12u));
      if (iw < 0 || iw >= W) { continue; }
      let v = X[c * u32(H * W) + u32(ih * W + iw)];
      if (bi < 0 || v > best || v != v) { best = v; bi = ih * W + iw; if (v != v) { break; } }
    }
  }
  Y[i] = best; A[i] = bi;
}`;
      const [gx, gy] = b.grid(total, wg);
      b.run({ label: `max_pool2d [${x.shape.join(', ')}]`, key: `maxpool2d|${wg}`, wgsl, bindings: [gpuStorage(x), gpuStorage(y), gpuStorage(arg)],
        uniforms: [total, inSp[0]!, inSp[1]!, OH, OW, k[0]!, k[1]!, s[0]!, s[1]!, p[0]!, p[1]!, d[0]!, d[1]!], groups: [gx, gy] });
    }
    if (s[0]! >= (k[0]! - 1) * d[0]! + 1 && s[1]! >= (k[1]! - 1) * d[1]! + 1) disjoint.add(arg);
    ctx.saved.arg = arg;
    return bool(args.return_indices, false) ? [y, arg] : y;
  });
  registerKernel('_max_pool_grad', 'webgpu', (args) => {
    const g = tensorArg(args.grad, 'grad'), arg = tensorArg(args.indices, 'indices');
    const shape = args.shape as number[];
    const n = args.n as number;
    // Overlapping windows (a 3x3 stride-2 stem pool): several outputs may pick one input, so
    // their gradients are added with atomics.
    if (!disjoint.has(arg)) return maxPoolGradAtomic(g, arg, shape, n);
    const inPlane = shape.slice(shape.length - n).reduce((a, c) => a * c, 1);
    const P = g.shape.slice(g.ndim - n).reduce((a, c) => a * c, 1);
    const b = webgpuBackend();
    const out = new Tensor(b.allocate(shape.reduce((a, c) => a * c, 1), 'float32'), shape);
    if (g.numel === 0) return out;
    const wg = b.params.elementwiseWorkgroup;
    const wgsl = (): string => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> A: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let a = A[i];
  if (a >= 0) { O[(i / P(1u)) * P(2u) + u32(a)] += G[i]; }
}`;
    const [gx, gy] = b.grid(g.numel, wg);
    b.run({ label: `max_pool backward [${g.shape.join(', ')}]`, key: `maxpool_grad|${wg}`, wgsl, bindings: [gpuStorage(g), gpuStorage(arg), gpuStorage(out)],
      uniforms: [g.numel, P, inPlane], groups: [gx, gy] });
    return out;
  });
}
