// Proves the WebGPU set-up (Dawn + a Vulkan driver, lavapipe in CI) from day one:
// request an adapter, run one compute shader, read the numbers back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestAdapter, describeAdapter } from '../../engine/src/backends/webgpu/adapter.js';
import { missing } from '../helpers/require_env.js';

test('WebGPU: a compute shader doubles and offsets 1024 floats', async (t) => {
  const { adapter, reason } = await requestAdapter();
  if (!adapter) { missing(t, 'WebGPU adapter', reason ?? 'unknown'); return; }
  const report = describeAdapter(adapter);
  t.diagnostic(`adapter: ${report.vendor} ${report.architecture} ${report.description} fallback=${report.isFallbackAdapter}`);
  const device = await adapter.requestDevice();
  try {
    const n = 1024;
    const input = new Float32Array(n).map((_, i) => i * 0.5);
    const src = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const dst = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(src, 0, input);
    const module = device.createShaderModule({ code: `
      @group(0) @binding(0) var<storage, read> a: array<f32>;
      @group(0) @binding(1) var<storage, read_write> b: array<f32>;
      @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
        if (id.x < arrayLength(&a)) { b[id.x] = a[id.x] * 2.0 + 1.0; }
      }` });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [
      { binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }] });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline); pass.setBindGroup(0, bind); pass.dispatchWorkgroups(n / 64); pass.end();
    enc.copyBufferToBuffer(dst, 0, read, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (let i = 0; i < n; i++) assert.equal(out[i], i * 0.5 * 2 + 1, `element ${i}`);
  } finally {
    device.destroy();
  }
});
