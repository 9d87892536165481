// The kernel variants real GPUs get (tuning.ts: shared-memory GEMM tiles, 256-thread workgroups)
// are checked here on whatever adapter CI has, by re-running the op parity suite with those
// parameters forced through TENSOR_STUDIO_WEBGPU_PARAMS; and the direct conv loops likewise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const suite = join(import.meta.dirname, 'webgpu_ops.test.ts');

for (const [name, params] of [
  ['GPU tiles (shared-memory GEMM 64x64/4x4, 256 threads)', { mmShared: true, mmTileM: 64, mmTileN: 64, mmThreadM: 4, mmThreadN: 4, mmTileK: 16, elementwiseWorkgroup: 256, reduceWorkgroup: 256 }],
  ['direct conv loops', { convIm2col: false }],
] as const) {
  test(`WebGPU parity suite with ${name}`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', suite], {
      encoding: 'utf8', env: { ...process.env, TENSOR_STUDIO_WEBGPU_PARAMS: JSON.stringify(params) }, timeout: 120_000,
    });
    const tail = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => !l.includes('artificially')).slice(-40).join('\n');
    assert.equal(r.status, 0, `the parity suite failed with ${JSON.stringify(params)}:\n${tail}`);
  });
}
