// WebGPU kernels of average pooling (avg_pool1d/2d/3d, adaptive_avg_pool1d/2d/3d) and its
// gradient, from the same window tables the CPU kernels build (cpu.ts: a CSR list of input
// offsets per output position, and the divisor). A table is uploaded once per Windows object
// (the CPU side caches those per sizes and options), so a training step uploads nothing.
// The gradient scatters each output's share into its window with float atomics (windows may
// overlap).
import { getKernel, registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { bool, numelOf, tensorArg } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs } from '../../runtime/value.js';
import { ATOMIC_ADD_F32 } from '../shape/webgpu.js';
import { adaptiveWindows, poolWindows, type Windows } from './cpu.js';

const onGpu = new WeakMap<Windows, { ptr: Tensor; idx: Tensor; div: Tensor }>();
function tables(w: Windows): { ptr: Tensor; idx: Tensor; div: Tensor } {
  let t = onGpu.get(w);
  if (!t) {
    const b = webgpuBackend();
    // An empty index list still needs a binding: one unused word.
    t = { ptr: Tensor.fromArray(w.ptr, [w.ptr.length], 'int32', b), idx: Tensor.fromArray(w.idx.length ? w.idx : [0], [Math.max(1, w.idx.length)], 'int32', b), div: Tensor.fromArray(w.divisor, [w.divisor.length], 'float32', b) };
    onGpu.set(w, t);
  }
  return t;
}

function plan(args: OpArgs, n: number, adaptive: boolean): { x: Tensor; w: Windows; lead: number[]; planes: number } {
  const x = tensorArg(args.input, 'input');
  if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new Error(`expected ${n + 1}D or ${n + 2}D input, but got Tensor[${x.shape.join(', ')}]`);
  const lead = x.shape.slice(0, x.ndim - n), inSp = x.shape.slice(x.ndim - n);
  const w = adaptive ? adaptiveWindows(args, inSp) : poolWindows(args, n, inSp, false);
  return { x, w, lead, planes: numelOf(lead) };
}

const TABLE_DECLS = `@group(0) @binding(2) var<storage, read> PTR: array<i32>;
@group(0) @binding(3) var<storage, read> IDX: array<i32>;
@group(0) @binding(4) var<storage, read> DIV: array<f32>;`;

function launch(label: string, key: string, decls: string, body: string, bindings: Tensor[], n: number, uniforms: number[]): void {
  const b = webgpuBackend();
  if (n === 0) return;
  const wg = b.params.elementwiseWorkgroup;
  b.run({
    label, key: `${key}|${wg}`, bindings: bindings.map((t) => gpuStorage(t)), uniforms: [n, ...uniforms], groups: b.grid(n, wg),
    wgsl: () => `${UNIFORM_HEADER}
${decls}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let p = i % P(1u); let xo = (i / P(1u)) * P(2u);
  ${body}
}`,
  });
}

/** Registers the average pools and the 1-D / 3-D / adaptive max pools where no other WebGPU kernel is registered yet. */
export function registerAvgPoolWebgpu(): void {
  const reg = (op: string, k: Parameters<typeof registerKernel>[2]): void => { if (!getKernel(op, 'webgpu')) registerKernel(op, 'webgpu', k); };
  for (const n of [1, 2, 3]) {
    for (const adaptive of [false, true]) {
      const op = adaptive ? `adaptive_avg_pool${n}d` : `avg_pool${n}d`;
      reg(op, (args) => {
        const { x, w, lead, planes } = plan(args, n, adaptive);
        const t = tables(w);
        const y = gpuEmpty(webgpuBackend(), [...lead, ...w.outSp], 'float32', op);
        launch(`${op} [${x.shape.join(', ')}]`, 'avgpool', `@group(0) @binding(1) var<storage, read> X: array<f32>;
${TABLE_DECLS}
@group(0) @binding(5) var<storage, read_write> O: array<f32>;`, `var s = 0.0;
  for (var q = PTR[p]; q < PTR[p + 1u]; q++) { s += X[xo + u32(IDX[q])]; }
  O[i] = s / DIV[p];`, [x, t.ptr, t.idx, t.div, y], planes * w.P, [Math.max(1, w.P), w.inPlane]);
        return y;
      });
    }
  }
  // Max pools the 2-D kernel (pool/webgpu.ts) does not cover: 1-D, 3-D and adaptive. Indices are
  // flat offsets within each input plane, which _max_pool_grad scatters back (maxPoolGradAtomic).
  for (const n of [1, 2, 3]) {
    for (const adaptive of [false, true]) {
      const op = adaptive ? `adaptive_max_pool${n}d` : `max_pool${n}d`;
      reg(op, (args, ctx) => {
        const x = tensorArg(args.input, 'input');
        if (x.ndim !== n + 1 && x.ndim !== n + 2) throw new Error(`expected ${n + 1}D or ${n + 2}D input, but got Tensor[${x.shape.join(', ')}]`);
        const lead = x.shape.slice(0, x.ndim - n), inSp = x.shape.slice(x.ndim - n);
        const w = adaptive ? adaptiveWindows(args, inSp) : poolWindows(args, n, inSp, true);
        const t = tables(w);
        const b = webgpuBackend();
        const y = gpuEmpty(b, [...lead, ...w.outSp], 'float32', op);
        const arg = gpuEmpty(b, [...lead, ...w.outSp], 'int32', op);
        launch(`${op} [${x.shape.join(', ')}]`, 'maxpool_any', `@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> PTR: array<i32>;
@group(0) @binding(3) var<storage, read> IDX: array<i32>;
@group(0) @binding(4) var<storage, read_write> O: array<f32>;
@group(0) @binding(5) var<storage, read_write> A: array<i32>;
fn nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`, `var best = 0.0; // taken from the first element (bi < 0)
  var bi = -1;
  for (var q = PTR[p]; q < PTR[p + 1u]; q++) {
    let v = X[xo + u32(IDX[q])];
    if (v > best || nan(v) || bi < 0) { best = v; bi = IDX[q]; if (nan(v)) { break; } }
  }
  O[i] = best; A[i] = bi;`, [x, t.ptr, t.idx, y, arg], numelOf(lead) * w.P, [Math.max(1, w.P), w.inPlane]);
        ctx.saved.arg = arg;
        return bool(args.return_indices, false) ? [y, arg] : y;
      });
    }
  }
  reg('_avg_pool_grad', (args) => {
    const g = tensorArg(args.grad, 'grad');
    const n = args.n as number;
    const { x, w, planes } = plan(args.opArgs as unknown as OpArgs, n, args.adaptive === true);
    const t = tables(w);
    const out = new Tensor(webgpuBackend().allocate(x.numel, 'float32'), x.shape);
    launch(`avg_pool backward [${x.shape.join(', ')}]`, 'avgpool_grad', `@group(0) @binding(1) var<storage, read> G: array<f32>;
${TABLE_DECLS}
@group(0) @binding(5) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, `let v = G[i] / DIV[p];
  for (var q = PTR[p]; q < PTR[p + 1u]; q++) { atomicAddF32(xo + u32(IDX[q]), v); }`, [g, t.ptr, t.idx, t.div, out], planes * w.P, [Math.max(1, w.P), w.inPlane]);
    return out;
  });
}

/**
 * The max-pool gradient for any windows, overlapping ones included (stride < kernel, e.g. a
 * ResNet stem's 3x3 / stride 2): each output's gradient is added at its argmax with float atomics.
 * pool/webgpu.ts can call this where its disjoint-window scatter does not apply (today that case
 * takes the CPU fallback). Arguments as _max_pool_grad's: grad, indices (flat offsets within each
 * input plane, -1 for none), the input shape and the number of spatial dims.
 */
export function maxPoolGradAtomic(g: Tensor, indices: Tensor, shape: readonly number[], n: number): Tensor {
  const inPlane = numelOf(shape.slice(shape.length - n)), P = numelOf(g.shape.slice(g.ndim - n));
  const out = new Tensor(webgpuBackend().allocate(numelOf(shape), 'float32'), shape);
  launch(`max_pool backward (overlapping) [${shape.join(', ')}]`, 'maxpool_grad_atomic', `@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> A: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<atomic<u32>>;
${ATOMIC_ADD_F32}`, `_ = p;
  let a = A[i];
  if (a >= 0) { atomicAddF32(xo + u32(a), G[i]); }`, [g, indices, out], g.numel, [Math.max(1, P), inPlane]);
  return out;
}
