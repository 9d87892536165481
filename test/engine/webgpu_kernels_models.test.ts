// Every golden model (test/engine/models, PyTorch 1.13 goldens) trained one backward pass on the
// WebGPU backend: parameter gradients in eval mode and, where the model has no dropout, the
// train-mode output and running statistics equal PyTorch's (1e-4 of max |ref|), and no op ran
// through the CPU fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../engine/src/model/index.js';
import { arrayToTensor, loadCheckpoint, readStateDict } from '../../engine/src/nn/index.js';
import { readNpy } from '../../engine/src/io/index.js';
import { noGrad } from '../../engine/src/runtime/dispatch.js';
import { getDefaultBackend, setDefaultBackend } from '../../engine/src/tensor.js';
import { fallbackOps } from '../../engine/src/backends/webgpu/index.js';
import { device } from '../helpers/webgpu_parity.js';
import { GOLDENS, ROOT, gradientMismatches, knownGaps, manifest, relError } from './models/goldens.js';

const GAPS = knownGaps();
const TOL = 1e-4;

test('golden models: gradients and train-mode statistics on WebGPU equal PyTorch, no fallback', async (t) => {
  const b = await device(t);
  if (!b) return;
  const cpu = getDefaultBackend();
  setDefaultBackend(b);
  const fellBack: string[] = [];
  try {
    for (const m of manifest.models) {
      await t.test(m.name, GAPS[m.name] ? { todo: GAPS[m.name] } : {}, () => {
        const before = new Set(fallbackOps());
        const source = readFileSync(join(ROOT, m.file), 'utf8');
        const model = loadModel(source, { className: m.className, fileName: m.file });
        loadCheckpoint(model.module, join(GOLDENS, m.name, 'weights.safetensors'));
        assert.equal(model.module.parameters()[0]!.backend, b);
        model.module.eval();
        const x = arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')));
        assert.deepEqual(gradientMismatches(model, x, m, TOL), []);
        if (m.trainMode) {
          model.module.train();
          const yt = noGrad(() => model.forwardTensor(x));
          assert.ok(relError(yt.toFloat32Array(), readNpy(join(GOLDENS, m.name, 'output_train.npy')).data) < TOL, 'train-mode output');
          const after = readStateDict(join(GOLDENS, m.name, 'state_after_train.safetensors'));
          const ours = model.module.stateDict();
          for (const [k, r] of after) assert.ok(relError(ours.get(k)!.toFloat32Array(), r.toFloat32Array()) < TOL, `${k} after a train-mode forward`);
        }
        const now = fallbackOps().filter((o) => !before.has(o));
        fellBack.push(...now.map((o) => `${m.name}: ${o}`));
      });
    }
  } finally {
    setDefaultBackend(cpu);
  }
  t.diagnostic(`CPU fallbacks: ${fellBack.join(', ') || 'none'}`);
  assert.deepEqual(fellBack, [], 'ops that ran through the CPU fallback');
});
