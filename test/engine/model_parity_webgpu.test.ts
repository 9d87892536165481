// Whole-model eval parity on the WebGPU backend (Dawn; Mesa lavapipe on CPU-only machines):
// the same goldens as model_parity, with every tensor created on the GPU backend. Ops without a
// WGSL kernel take the backend's CPU fallback, so this checks the models end to end there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../engine/src/model/index.js';
import { arrayToTensor, loadCheckpoint } from '../../engine/src/nn/index.js';
import { readNpy } from '../../engine/src/io/index.js';
import { noGrad } from '../../engine/src/runtime/dispatch.js';
import { getDefaultBackend, setDefaultBackend } from '../../engine/src/tensor.js';
import { missing } from '../helpers/require_env.js';
import { GOLDENS, ROOT, knownGaps, manifest, relError } from './models/goldens.js';

const GAPS = knownGaps();

test('models run on the WebGPU backend and match PyTorch', async (t) => {
  let backend;
  try {
    const { initWebGPU } = await import('../../engine/src/backends/webgpu/index.js');
    backend = await initWebGPU();
  } catch (e) {
    missing(t, 'WebGPU adapter', (e as Error).message); // fails in CI, skips (saying why) elsewhere
    return;
  }
  const cpu = getDefaultBackend();
  setDefaultBackend(backend);
  try {
    for (const m of manifest.models) {
      await t.test(m.name, GAPS[m.name] ? { todo: GAPS[m.name] } : {}, () => {
        const model = loadModel(readFileSync(join(ROOT, m.file), 'utf8'), { className: m.className, fileName: m.file });
        loadCheckpoint(model.module, join(GOLDENS, m.name, 'weights.safetensors'));
        assert.equal(model.module.parameters()[0]!.backend.name, 'webgpu');
        model.module.eval();
        const y = noGrad(() => model.forwardTensor(arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')))));
        const err = relError(y.toFloat32Array(), readNpy(join(GOLDENS, m.name, 'output.npy')).data);
        assert.ok(err < 1e-4, `relative error ${err.toExponential(2)} (output on ${y.backend.name})`);
      });
    }
  } finally {
    setDefaultBackend(cpu);
  }
});
