// The trainer end to end on a small MLP: run folder contents, decreasing loss, exact resume from
// a mid-run checkpoint (dropout included: its masks must replay), NaN stop naming the op, and failures that leave no output folder.
import { missing } from '../helpers/require_env.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRunConfig, ConfigError } from '../../engine/src/train/config.js';
import { train, TrainError } from '../../engine/src/train/trainer.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';
import { readMetrics } from '../../engine/src/train/run_dir.js';
import { readSafetensors } from '../../engine/src/io/index.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { blobsCsv } from '../host/helpers.js';

const MODEL = `import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))
`;


const quiet = { isTTY: false, write: () => true };

function setup(): { dir: string; cfg: (over?: Record<string, unknown>) => ReturnType<typeof parseRunConfig> } {
  const dir = mkdtempSync(join(tmpdir(), 'ts-train-'));
  writeFileSync(join(dir, 'model.py'), MODEL);
  writeFileSync(join(dir, 'train.csv'), blobsCsv(240, 1));
  writeFileSync(join(dir, 'val.csv'), blobsCsv(60, 2));
  const base = {
    model: { file: 'model.py', class: 'MLP' },
    data: { train: { format: 'csv', path: 'train.csv' }, val: { format: 'csv', path: 'val.csv' }, batch_size: 16 },
    loss: { name: 'cross_entropy' },
    optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
    schedule: { name: 'cosine' },
    epochs: 2, seed: 3, log_every: 1, checkpoint_every: 10, metrics: ['accuracy', 'top5'],
    output_dir: 'out',
  };
  return { dir, cfg: (over = {}) => parseRunConfig({ ...base, ...over }, join(dir, 'train.json')) };
}

test('train: run folder, decreasing loss, validation accuracy, PyTorch-named weights', async () => {
  const { dir, cfg } = setup();
  try {
    const r = await train(cfg(), { buildModel: loadModelFile, stdout: quiet });
    assert.equal(r.steps, 30);
    const out = join(dir, 'out');
    const files = readdirSync(out).sort();
    for (const f of ['metrics.jsonl', 'model.safetensors', 'run.json', 'checkpoint-10.safetensors', 'checkpoint-10.optim.safetensors', 'checkpoint-20.safetensors']) assert.ok(files.includes(f), `${f} in ${files}`);
    assert.ok(!files.some((f) => f.includes('.tmp-')), 'no temporary files left');
    const m = readMetrics(join(out, 'metrics.jsonl'));
    const loss = m.filter((p) => p.name === 'train/loss').map((p) => p.value);
    assert.equal(loss.length, 30);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(mean(loss.slice(-5)) < 0.5 * mean(loss.slice(0, 5)), `loss fell: ${loss.map((v) => v.toFixed(3)).join(' ')}`);
    const acc = m.filter((p) => p.name === 'val/accuracy');
    assert.equal(acc.length, 2, 'validated once per epoch');
    assert.ok(acc[1].value >= 0.9, `val accuracy ${acc[1].value}`);
    assert.equal(m.filter((p) => p.name === 'val/top5').at(-1)!.value, 1);
    for (const p of m) assert.deepEqual(Object.keys(p), ['step', 'epoch', 'name', 'value', 'time']);
    const w = readSafetensors(join(out, 'model.safetensors'));
    assert.deepEqual([...w.tensors.keys()], ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    assert.deepEqual(w.tensors.get('fc1.weight')!.shape, [16, 4]);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.equal(run.device, 'cpu');
    assert.equal(run.engine.name, 'tensor-studio');
    assert.equal(run.config.optimizer.name, 'sgd');
    assert.equal(r.val!.accuracy, acc[1].value);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('train: --resume from a mid-run checkpoint reproduces the uninterrupted run exactly', async () => {
  const { dir, cfg } = setup();
  try {
    const c = cfg({ optimizer: { name: 'adamw', lr: 0.01 }, schedule: { name: 'warmup_cosine', warmup_steps: 5 }, checkpoint_every: 5 });
    await train(c, { buildModel: loadModelFile, stdout: quiet, out: join(dir, 'a') });
    await train(c, { buildModel: loadModelFile, stdout: quiet, out: join(dir, 'b') });
    // Simulate a crash after step 20 (mid epoch 2): drop everything written later.
    const b = join(dir, 'b');
    for (const f of readdirSync(b)) {
      const m = /^checkpoint-(\d+)/.exec(f);
      if ((m && Number(m[1]) > 20) || f === 'model.safetensors') unlinkSync(join(b, f));
    }
    const r = await train(c, { buildModel: loadModelFile, stdout: quiet, resume: b });
    assert.equal(r.resumedFrom, 20);
    assert.equal(r.steps, 30);
    const strip = (dirName: string) => readMetrics(join(dir, dirName, 'metrics.jsonl')).filter((p) => !p.name.includes('samples_per_s')).map(({ step, epoch, name, value }) => ({ step, epoch, name, value }));
    assert.deepEqual(strip('b'), strip('a'));
    const wa = readSafetensors(join(dir, 'a', 'model.safetensors')).tensors;
    const wb = readSafetensors(join(dir, 'b', 'model.safetensors')).tensors;
    for (const [k, v] of wa) assert.deepEqual([...wb.get(k)!.data], [...v.data], k);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('train: a diverging run stops with the step and the op that produced the non-finite value', async () => {
  const { dir, cfg } = setup();
  try {
    await assert.rejects(
      train(cfg({ optimizer: { name: 'sgd', lr: 1e30 } }), { buildModel: loadModelFile, stdout: quiet }),
      (e: Error) => e instanceof TrainError && /^step \d+: loss is (NaN|Infinity|-Infinity); (first non-finite value: op '\w+'.* produced|parameter '[\w.]+' already holds NaN)/.test(e.message),
    );
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('train: config, data, model and device errors fail before the output folder exists', async () => {
  const { dir, cfg } = setup();
  try {
    const out = join(dir, 'out');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ data: { train: { format: 'csv', path: 'missing.csv' }, batch_size: 16 } }, /missing\.csv: cannot read \(ENOENT\)/],
      [{ model: { file: 'nope.py' } }, /model\.file: cannot read .*nope\.py \(ENOENT\)/],
      [{ model: { file: 'model.py', class: 'Nope' } }, /model\.py.*'Nope'/],
      [{ data: { train: { format: 'csv', path: 'train.csv' }, batch_size: 16, input_shape: [1, 5] } }, /data\.input_shape \[1, 5\] holds 5 values per sample but .*train\.csv.* has 4/],
    ];
    for (const [over, re] of cases) {
      await assert.rejects(train(cfg(over), { buildModel: loadModelFile, stdout: quiet }), re);
      assert.ok(!existsSync(out), `no output folder after ${JSON.stringify(over)}`);
    }
    assert.throws(() => cfg({ optimizer: { name: 'sgd', lr: '0.1' } }), (e: Error) => e instanceof ConfigError && e.message === 'train.json: optimizer.lr must be a positive number (got "0.1")');
    await assert.rejects(train(cfg(), { buildModel: loadModelFile, stdout: quiet, resume: join(dir, 'none') }), /--resume .*none: no such folder/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('train: device webgpu runs the same regression as the CPU backend', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-train-gpu-'));
  try {
    writeFileSync(join(dir, 'model.py'), 'import torch.nn as nn\n\n\nclass Reg(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(3, 8)\n        self.fc2 = nn.Linear(8, 1)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x).relu())\n');
    const r = mulberry32(9);
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 64; i++) {
      const x = [r(), r(), r()];
      rows.push(`${x.map((v) => v.toFixed(4)).join(',')},${(x[0] - 2 * x[1] + 0.5 * x[2]).toFixed(4)}`);
    }
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const run = async (device: string, out: string) => {
      const cfg = parseRunConfig({
        model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv', target: 'y' }, batch_size: 16 },
        loss: { name: 'mse' }, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, epochs: 3, log_every: 1, output_dir: out, device,
      }, join(dir, 'train.json'));
      const res = await train(cfg, { buildModel: loadModelFile, stdout: quiet });
      return { res, loss: readMetrics(join(dir, out, 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map((p) => p.value) };
    };
    const cpu = await run('cpu', 'cpu');
    const gpu = await run('webgpu', 'gpu');
    assert.equal(gpu.res.device, 'webgpu');
    assert.equal(gpu.loss.length, cpu.loss.length);
    gpu.loss.forEach((v, i) => assert.ok(Math.abs(v - cpu.loss[i]!) <= 1e-4 * Math.max(1, Math.abs(cpu.loss[i]!)), `step ${i}: webgpu loss ${v} vs cpu ${cpu.loss[i]}`));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('train: regression with mse on float CSV targets (targets take the output shape [N, 1])', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-train-'));
  try {
    writeFileSync(join(dir, 'model.py'), 'import torch.nn as nn\n\n\nclass Reg(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(3, 1)\n\n    def forward(self, x):\n        return self.fc(x)\n');
    const r = mulberry32(5);
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 128; i++) {
      const x = [r(), r(), r()];
      rows.push(`${x.map((v) => v.toFixed(4)).join(',')},${(x[0] - 2 * x[1] + 0.5 * x[2] + 0.25).toFixed(4)}`);
    }
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const cfg = parseRunConfig({
      model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv', target: 'y' }, batch_size: 16, val_split: 0.25 },
      loss: { name: 'mse' }, optimizer: { name: 'adam', lr: 0.05 }, epochs: 20, log_every: 6, output_dir: 'out',
    }, join(dir, 'train.json'));
    const res = await train(cfg, { buildModel: loadModelFile, stdout: quiet });
    const loss = readMetrics(join(dir, 'out', 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map((p) => p.value);
    assert.ok(loss.at(-1)! < 0.05 * loss[0], `mse fell from ${loss[0]} to ${loss.at(-1)}`);
    assert.ok(res.val!.loss < 0.01, `val mse ${res.val!.loss}`);
    assert.equal(res.val!.accuracy, undefined, 'no accuracy for regression');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
