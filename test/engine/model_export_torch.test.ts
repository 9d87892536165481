// Checkpoints the engine writes load into PyTorch with strict=True (names, shapes, dtypes incl.
// int64 num_batches_tracked) and give PyTorch the same outputs: the model is trained-in-spirit
// (one train-mode forward moves BatchNorm statistics) from our default init, saved, loaded in
// torch by test/engine/models/check_export.py (needs /usr/bin/python3 with torch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { loadModel } from '../../engine/src/model/index.js';
import { arrayToTensor, saveCheckpoint } from '../../engine/src/nn/index.js';
import { readNpy, writeNpy } from '../../engine/src/io/index.js';
import { manualSeed, noGrad } from '../../engine/src/runtime/dispatch.js';
import { missing } from '../helpers/require_env.js';
import { GOLDENS, ROOT, manifest } from './models/goldens.js';

const PY = '/usr/bin/python3';

test('engine checkpoints load into PyTorch strictly and reproduce our outputs', (t) => {
  const probe = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0 && missing(t, 'PyTorch under /usr/bin/python3', (probe.stderr || String(probe.error)).trim().split('\n').pop() ?? 'not found')) return;
  const tmp = mkdtempSync(join(tmpdir(), 'ts-export-'));
  try {
    const jobs = [];
    for (const m of manifest.models) {
      manualSeed(7);
      let model;
      try {
        model = loadModel(readFileSync(join(ROOT, m.file), 'utf8'), { className: m.className, fileName: m.file });
      } catch (e) {
        t.diagnostic(`${m.name}: cannot load (${(e as Error).message}); covered by model_parity`);
        continue;
      }
      const x = arrayToTensor(readNpy(join(GOLDENS, m.name, 'input.npy')));
      let y;
      try {
        model.module.train();
        noGrad(() => model.forward(x)); // moves BatchNorm running stats / num_batches_tracked
        model.module.eval();
        y = noGrad(() => model.forwardTensor(x));
      } catch (e) {
        t.diagnostic(`${m.name}: cannot run (${(e as Error).message}); covered by model_parity`);
        continue;
      }
      const weights = join(tmp, `${m.name}.safetensors`);
      saveCheckpoint(model.module, weights);
      const output = join(tmp, `${m.name}.npy`);
      writeNpy(output, { dtype: 'float32', shape: [...y.shape], data: y.toFloat32Array() });
      jobs.push({ name: m.name, file: m.file, className: m.className, weights, input: join(GOLDENS, m.name, 'input.npy'), output });
    }
    assert.ok(jobs.length >= 6, `at least six models exported (got ${jobs.length})`);
    writeFileSync(join(tmp, 'jobs.json'), JSON.stringify(jobs));
    const r = spawnSync(PY, [join(ROOT, 'test/engine/models/check_export.py'), join(tmp, 'jobs.json')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; ok: boolean; error?: string; max_rel?: number });
    assert.equal(results.length, jobs.length);
    for (const res of results) {
      assert.ok(res.ok, `${res.name}: ${res.error}`);
      assert.ok(res.max_rel! < 1e-4, `${res.name}: PyTorch output differs from ours by ${res.max_rel}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
