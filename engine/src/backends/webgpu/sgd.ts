// Plain SGD (p -= lr * grad) for any backend: one in-place kernel per parameter on WebGPU (no
// download), a host loop elsewhere. The full optimizers (momentum, Adam) live in engine/src/optim.
import { Tensor } from '../../tensor.js';
import { f32Bits, GpuStorage, UNIFORM_HEADER } from './backend.js';

export function sgdUpdate(params: readonly Tensor[], lr: number): void {
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    if (p.storage instanceof GpuStorage && g.storage instanceof GpuStorage) {
      const b = p.storage.backend;
      const wg = b.params.elementwiseWorkgroup;
      const [gx, gy] = b.grid(p.numel, wg);
      b.run({
        label: `sgd update [${p.shape.join(', ')}]`, key: `sgd|${wg}`,
        wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> W: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  W[i] = W[i] - F(1u) * G[i];
}`,
        bindings: [g.storage, p.storage], uniforms: [p.numel, f32Bits(lr)], groups: [gx, gy],
      });
      continue;
    }
    const w = p.toFloat32Array(), d = g.toFloat32Array();
    for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i]! - Math.fround(lr * d[i]!));
    p.copy_(Tensor.fromArray(w, p.shape, 'float32', p.backend));
  }
}
