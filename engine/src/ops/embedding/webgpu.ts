// WebGPU kernels of embedding (row gather), its gradient (scatter-add of rows into the weight)
// and one_hot (with an explicit num_classes).
//
// The scatter-add uses float atomics emulated with a compare-and-swap loop on u32 words, one
// thread per (index, column): O(indices * D) work with no sort, and contention only where an
// index repeats. The price is that repeated rows are summed in an order that can vary between
// runs (differences in the last bits); a deterministic per-row gather would need the indices
// sorted or an O(vocab * indices) scan, both slower for real vocabularies.
//
// Indices are not read back to validate them (a training step must not read the GPU): an index
// out of range gives a NaN row forward (so the non-finite watch names embedding) and no
// gradient contribution. (NaN comes from a uniform word: a NaN constant is a WGSL error.)
import { getKernel, registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { fallback } from '../../backends/webgpu/fallback.js';
import { num, tensorArg } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';

export function registerEmbeddingWebgpu(): void {
  registerKernel('embedding', 'webgpu', (args) => {
    const idx = tensorArg(args.input, 'input'), w = tensorArg(args.weight, 'weight');
    if (idx.dtype === 'float32') throw new Error('embedding expects an integer index tensor (got float32); use .long()');
    if (args.max_norm !== null && args.max_norm !== undefined) throw new Error('embedding: max_norm is not supported by the embedded engine yet');
    const [V, D] = w.shape as [number, number];
    const b = webgpuBackend();
    const out = gpuEmpty(b, [...idx.shape, D], 'float32', 'embedding');
    const n = out.numel;
    if (n === 0) return out;
    const wg = b.params.elementwiseWorkgroup;
    b.run({
      label: `embedding [${idx.shape.join(', ')}] from [${V}, ${D}]`, key: `embedding|${wg}`,
      wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read> W: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let D = P(2u);
  let r = I[i / D];
  if (r < 0 || u32(r) >= P(1u)) { O[i] = F(3u); return; }
  O[i] = W[u32(r) * D + i % D];
}`,
      bindings: [gpuStorage(idx, 'input'), gpuStorage(w, 'weight'), gpuStorage(out)], uniforms: [n, V, D, 0x7fc00000], groups: b.grid(n, wg),
    });
    return out;
  });

  registerKernel('_embedding_grad', 'webgpu', (args) => {
    const idx = tensorArg(args.input, 'input'), g = tensorArg(args.grad, 'grad');
    const shape = args.shape as number[];
    const [V, D] = shape as [number, number];
    const pad = args.padding_idx === null || args.padding_idx === undefined ? null : num(args.padding_idx, -1);
    const padIdx = pad === null ? -1 : pad < 0 ? pad + V : pad;
    const freq = args.scale_grad_by_freq === true;
    const b = webgpuBackend();
    const out = new Tensor(b.allocate(V * D, 'float32'), shape);
    const n = idx.numel * D;
    if (n === 0) return out;
    const wg = b.params.elementwiseWorkgroup;
    // scale_grad_by_freq: count each row's occurrences first (integer atomics), scale by 1/count.
    const cnt = new Tensor(b.allocate(freq ? V : 1, 'int32'), [freq ? V : 1]);
    if (freq) {
      b.run({
        label: `embedding backward counts [${idx.numel}]`, key: `embedding_count|${wg}`,
        wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read_write> C: array<atomic<i32>>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let r = I[i];
  if (r >= 0 && u32(r) < P(1u)) { atomicAdd(&C[u32(r)], 1); }
}`,
        bindings: [gpuStorage(idx, 'input'), gpuStorage(cnt)], uniforms: [idx.numel, V], groups: b.grid(idx.numel, wg),
      });
    }
    b.run({
      label: `embedding backward [${idx.shape.join(', ')}] -> [${V}, ${D}]`, key: `embedding_grad|${freq}|${wg}`,
      wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read> C: array<i32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let D = P(2u);
  let r = I[i / D];
  if (r < 0 || u32(r) >= P(1u) || r == bitcast<i32>(P(3u))) { return; }
  ${freq ? '' : '_ = C[0];'}
  let v = G[i]${freq ? ' / f32(C[u32(r)])' : ''};
  let slot = u32(r) * D + i % D;
  // f32 add as a CAS loop on the word's bits.
  var old = atomicLoad(&O[slot]);
  loop {
    let res = atomicCompareExchangeWeak(&O[slot], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (res.exchanged) { break; }
    old = res.old_value;
  }
}`,
      bindings: [gpuStorage(idx, 'input'), gpuStorage(g, 'grad'), gpuStorage(out), gpuStorage(cnt)],
      uniforms: [n, V, D, padIdx >>> 0], groups: b.grid(n, wg),
    });
    return out;
  });

  // one_hot with num_classes = -1 needs the largest index (a read back): that case stays on the
  // CPU fallback; an explicit class count runs here.
  const cpuOneHot = getKernel('one_hot', 'cpu');
  registerKernel('one_hot', 'webgpu', (args, ctx) => {
    const t = tensorArg(args.tensor, 'tensor');
    const C = num(args.num_classes, -1);
    if (C < 0) {
      if (!cpuOneHot) throw new Error('one_hot: no kernel for num_classes=-1');
      return fallback('one_hot', cpuOneHot, webgpuBackend())(args, ctx);
    }
    const b = webgpuBackend();
    const out = gpuEmpty(b, [...t.shape, C], 'int32', 'one_hot');
    const n = out.numel;
    if (n === 0) return out;
    const wg = b.params.elementwiseWorkgroup;
    b.run({
      label: `one_hot [${t.shape.join(', ')}] x ${C}`, key: `one_hot|${wg}`,
      wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> I: array<i32>;
@group(0) @binding(2) var<storage, read_write> O: array<i32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let C = P(1u);
  O[i] = select(0, 1, I[i / C] == i32(i % C));
}`,
      bindings: [gpuStorage(t, 'tensor'), gpuStorage(out)], uniforms: [n, C], groups: b.grid(n, wg),
    });
    return out;
  });
}
