// The kernel variants real GPUs get (tuning.ts: shared-memory GEMM tiles, 256-thread workgroups)
// are checked here on whatever adapter CI has, by re-running the op parity suite with those
// parameters forced through TENSOR_STUDIO_WEBGPU_PARAMS; and the direct conv loops likewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ops = join(import.meta.dirname, 'webgpu_ops.test.ts');
// The GEMM suite's conv2d cases run the conv GEMMs with the adapter's kernel choice: rerun them
// with the GPU tiles and the direct kernel.
const gemm = join(import.meta.dirname, 'webgpu_gemm.test.ts');
const train = join(import.meta.dirname, 'webgpu_train.test.ts');

for (const [name, params, suite] of [
  ['GPU tiles (shared-memory GEMM 64x64/4x4, 256 threads)', { mmKernel: 'tiled', mmTileM: 64, mmTileN: 64, mmThreadM: 4, mmThreadN: 4, mmTileK: 16, elementwiseWorkgroup: 256, reduceWorkgroup: 256 }, ops],
  ['direct conv loops', { convIm2col: false }, ops],
  ['GPU tiles 128x128/8x8 BK 8 (the NVIDIA row), conv GEMMs', { mmKernel: 'tiled', mmTileM: 128, mmTileN: 128, mmThreadM: 8, mmThreadN: 8, mmTileK: 8 }, gemm],
  ['the direct GEMM kernel, conv GEMMs', { mmKernel: 'direct' }, gemm],
  ['the NVIDIA row (128x128/8x8 tiles, small products on 64x64), MLP and CNN training', { mmKernel: 'tiled', mmTileM: 128, mmTileN: 128, mmThreadM: 8, mmThreadN: 8, mmTileK: 8 }, train],
] as const) {
  test(`WebGPU parity suite with ${name}`, () => {
    // From the GEMM suite only its conv2d cases: the GEMM cases pass their configs explicitly.
    const only = suite === gemm ? ['--test-name-pattern', 'conv2d'] : [];
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...only, suite], {
      encoding: 'utf8', env: { ...process.env, TENSOR_STUDIO_WEBGPU_PARAMS: JSON.stringify(params) }, timeout: 120_000,
    });
    const tail = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => !l.includes('artificially')).slice(-40).join('\n');
    assert.equal(r.status, 0, `the parity suite failed with ${JSON.stringify(params)}:\n${tail}`);
  });
}
