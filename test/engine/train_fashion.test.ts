// The shipped example: examples/fashion/train.json trains examples/fashion/model.py on Debian's
// Fashion-MNIST to >= 85% validation accuracy with a falling loss curve, in a few minutes on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { loadRunConfig } from '../../engine/src/train/config.js';
import { train } from '../../engine/src/train/trainer.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';
import { readMetrics } from '../../engine/src/train/run_dir.js';
import { missing } from '../helpers/require_env.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

test('examples/fashion/train.json reaches >= 85% validation accuracy with a decreasing loss', { timeout: 1_800_000 }, async (t) => {
  const files = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
  const absent = files.filter((f) => !existsSync(join(FASHION, f)));
  if (absent.length) { missing(t, 'Fashion-MNIST', `${absent.join(', ')} not in ${FASHION}`); return; }
  const cfg = loadRunConfig(join(import.meta.dirname, '..', '..', 'examples', 'fashion', 'train.json'));
  const out = mkdtempSync(join(tmpdir(), 'ts-fashion-'));
  try {
    const r = await train(cfg, { buildModel: loadModelFile, out, stdout: { isTTY: false, write: () => true } });
    t.diagnostic(`${r.steps} steps in ${r.seconds.toFixed(1)} s (${(1000 * r.seconds / r.steps).toFixed(1)} ms/step incl. eval), val accuracy ${r.val?.accuracy}`);
    assert.ok(r.val?.accuracy !== undefined && r.val.accuracy >= 0.85, `validation accuracy ${r.val?.accuracy} < 0.85`);
    const loss = readMetrics(join(out, 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map((p) => p.value);
    const q = Math.max(1, Math.floor(loss.length / 4));
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const quarters = [0, 1, 2, 3].map((i) => mean(loss.slice(i * q, (i + 1) * q)));
    t.diagnostic(`train loss by quarter: ${quarters.map((v) => v.toFixed(3)).join(' > ')}`);
    for (let i = 1; i < 4; i++) assert.ok(quarters[i] < quarters[i - 1], `loss quarter ${i + 1} (${quarters[i]}) not below quarter ${i} (${quarters[i - 1]})`);

    // The weights are PyTorch's: the same FashionCNN in torch, loaded strictly, scores the same.
    const py = '/usr/bin/python3';
    if (!existsSync(py) || spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) { missing(t, 'PyTorch (/usr/bin/python3 with torch)', 'import torch failed'); return; }
    const n = cfg.data.normalize;
    const res = spawnSync(py, [join(import.meta.dirname, 'train_fixtures', 'torch_eval_fashion.py'), join(out, 'model.safetensors'),
      String(cfg.data.val!.limit ?? 10000), String(n.scale), String(n.mean), String(n.std)], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const torchAcc = Number(res.stdout.trim());
    t.diagnostic(`PyTorch accuracy with our weights: ${torchAcc}`);
    assert.ok(Math.abs(torchAcc - r.val!.accuracy!) <= 0.002, `PyTorch ${torchAcc} vs engine ${r.val!.accuracy}`);
  } finally { rmSync(out, { recursive: true, force: true }); }
});
