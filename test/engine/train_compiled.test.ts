// The example (examples/fashion: FashionCNN, Adam, cosine schedule) trained for 50 steps on
// Fashion-MNIST three ways: CPU, WebGPU eager and WebGPU compiled. The loss curves agree, and the
// compiled run ends with the same weights as the eager one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRunConfig } from '../../engine/src/train/config.js';
import { train } from '../../engine/src/train/trainer.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';
import { readMetrics } from '../../engine/src/train/run_dir.js';
import { readSafetensors } from '../../engine/src/io/index.js';
import { missing } from '../helpers/require_env.js';

const EXAMPLE = resolve(__dirname, '../../examples/fashion/train.json');
const DATA = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';

test('the example trains the same on CPU, WebGPU eager and WebGPU compiled (50 steps)', async (t) => {
  if (!existsSync(DATA) && missing(t, 'Fashion-MNIST (Debian dataset-fashion-mnist)', `${DATA} not found`)) return;
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-compiled-'));
  try {
    const raw = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { data: Record<string, unknown> };
    const run = async (device: string, mode: string) => {
      const out = join(dir, `${device}-${mode}`);
      const { val: _val, ...data } = raw.data;
      const { checkpoint_every: _ck, ...rest } = raw;
      const cfg = parseRunConfig({ ...rest, data, device, mode, max_steps: 50, log_every: 5, output_dir: out }, EXAMPLE);
      const lines: string[] = [];
      const res = await train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: (s: string) => { lines.push(s); return true; } } });
      const loss = readMetrics(join(out, 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map((p) => p.value);
      const weights = readSafetensors(join(out, 'model.safetensors')).tensors;
      return { res, loss, weights, log: lines.join('') };
    };
    const cpu = await run('cpu', 'eager');
    const eager = await run('webgpu', 'eager');
    const compiled = await run('webgpu', 'compiled');
    t.diagnostic(`loss cpu ${cpu.loss.map((v) => v.toFixed(4)).join(' ')}`);
    t.diagnostic(`loss compiled ${compiled.loss.map((v) => v.toFixed(4)).join(' ')}`);
    t.diagnostic(compiled.log.split('\n').filter((l) => l.includes('compiled')).join('\n'));
    assert.match(compiled.log, /compiled mode: captured the step/);
    assert.doesNotMatch(compiled.log, /cannot be replayed/);
    assert.equal(cpu.loss.length, 10);
    assert.ok(cpu.loss[9]! < 0.75 * cpu.loss[0]!, `the loss falls (${cpu.loss[0]} -> ${cpu.loss[9]})`);
    for (const [name, r] of [['webgpu eager', eager], ['webgpu compiled', compiled]] as const) {
      assert.equal(r.loss.length, cpu.loss.length, name);
      r.loss.forEach((v, i) => assert.ok(Math.abs(v - cpu.loss[i]!) <= 2e-3 * Math.abs(cpu.loss[i]!), `${name}: loss window ${i + 1}: ${v} vs cpu ${cpu.loss[i]}`));
    }
    // Compiled replays the eager kernels (fused where possible): the weights match eager closely.
    for (const [k, a] of eager.weights) {
      const b = compiled.weights.get(k)!;
      let worst = 0;
      for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(Number(a.data[i]) - Number(b.data[i])) / (Math.abs(Number(a.data[i])) + 1e-3));
      assert.ok(worst <= 1e-4, `${k}: compiled vs eager weights differ by ${worst} (relative)`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('compiled mode: a diverging run stops with one message naming the window and the op', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-compiled-nan-'));
  try {
    writeFileSync(join(dir, 'model.py'), 'import torch.nn as nn\n\n\nclass Reg(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(3, 8)\n        self.fc2 = nn.Linear(8, 1)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x).relu())\n');
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 64; i++) rows.push(`${i % 7},${(i * 3) % 5},${i % 2},${i * 10}`);
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const cfg = parseRunConfig({
      model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv', target: 'y' }, batch_size: 8, val_split: 0 },
      loss: { name: 'mse' }, optimizer: { name: 'sgd', lr: 10 }, epochs: 3, log_every: 6, output_dir: 'out', device: 'webgpu', mode: 'compiled',
    }, join(dir, 'train.json'));
    await assert.rejects(train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: () => true } }),
      (e: Error) => { t.diagnostic(e.message); return /the loss became non-finite within the last \d+ steps? .*loss is (NaN|Infinity)/.test(e.message) && !/\n/.test(e.message.trim()); });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('compiled mode: a profiled run times the replayed kernels', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-compiled-prof-'));
  try {
    writeFileSync(join(dir, 'model.py'), 'import torch.nn as nn\n\n\nclass Reg(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc1 = nn.Linear(3, 8)\n        self.fc2 = nn.Linear(8, 1)\n\n    def forward(self, x):\n        return self.fc2(self.fc1(x).relu())\n');
    const rows = ['a,b,c,y'];
    for (let i = 0; i < 64; i++) rows.push(`${(i % 7) / 7},${((i * 3) % 5) / 5},${i % 2},${(i % 9) / 9}`);
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const cfg = parseRunConfig({
      model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv', target: 'y' }, batch_size: 8, val_split: 0 },
      loss: { name: 'mse' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 2, log_every: 4, output_dir: 'out', device: 'webgpu', mode: 'compiled',
      profile: { start: 5, steps: 3 },
    }, join(dir, 'train.json'));
    await train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: () => true } });
    const ev = (JSON.parse(readFileSync(join(dir, 'out', 'trace.json'), 'utf8')) as { traceEvents: { name: string; cat: string; dur?: number; args?: Record<string, unknown> }[] }).traceEvents;
    const kernels = ev.filter((e) => e.cat === 'kernel');
    const replayed = kernels.filter((e) => String(e.args?.label).endsWith('(compiled)'));
    t.diagnostic(`${kernels.length} kernel events, ${replayed.length} replayed`);
    assert.ok(replayed.length >= 3 * 6, `replayed kernels in the trace: ${replayed.length}`);
    assert.ok(replayed.filter((e) => (e.dur ?? 0) > 0).length >= 0.9 * replayed.length, 'replayed kernels have durations');
    assert.equal(ev.filter((e) => e.cat === 'step' && e.name === 'compiled step').length, 3);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('compiled mode: BatchNorm, Dropout, LayerNorm, AdamW and grad clipping replay exactly like eager', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-compiled-bn-'));
  try {
    writeFileSync(join(dir, 'model.py'), [
      'import torch.nn as nn', '', '',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc1 = nn.Linear(6, 32)',
      '        self.bn = nn.BatchNorm1d(32)',
      '        self.drop = nn.Dropout(0.25)',
      '        self.ln = nn.LayerNorm(32)',
      '        self.fc2 = nn.Linear(32, 3)',
      '',
      '    def forward(self, x):',
      '        return self.fc2(self.ln(self.drop(self.bn(self.fc1(x)).relu())))', ''].join('\n'));
    const rows = ['a,b,c,d,e,f,label'];
    for (let i = 0; i < 160; i++) rows.push(`${[1, 2, 3, 4, 5, 6].map((k) => (Math.sin(i * k) + (i % 3 === k % 3 ? 1 : 0)).toFixed(3)).join(',')},${i % 3}`);
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const run = async (mode: string) => {
      const lines: string[] = [];
      const cfg = parseRunConfig({
        model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv' }, batch_size: 16, val_split: 0 },
        loss: { name: 'cross_entropy' }, optimizer: { name: 'adamw', lr: 0.01 }, grad_clip: 0.5, epochs: 2, log_every: 5,
        output_dir: mode, device: 'webgpu', mode,
      }, join(dir, 'train.json'));
      await train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: (s: string) => { lines.push(s); return true; } } });
      return {
        log: lines.join(''),
        loss: readMetrics(join(dir, mode, 'metrics.jsonl')).filter((p) => p.name === 'train/loss').map((p) => p.value),
        weights: readSafetensors(join(dir, mode, 'model.safetensors')).tensors,
      };
    };
    const eager = await run('eager');
    const compiled = await run('compiled');
    assert.match(compiled.log, /compiled mode: captured the step/);
    assert.doesNotMatch(compiled.log, /cannot be replayed/);
    assert.equal(compiled.loss.length, 4);
    compiled.loss.forEach((v, i) => assert.ok(Math.abs(v - eager.loss[i]!) <= 1e-5 * Math.abs(eager.loss[i]!), `loss window ${i + 1}: compiled ${v} vs eager ${eager.loss[i]}`));
    assert.deepEqual([...compiled.weights.keys()], [...eager.weights.keys()]);
    for (const [k, a] of eager.weights) {
      const b = compiled.weights.get(k)!;
      for (let i = 0; i < a.data.length; i++) {
        const x = Number(a.data[i]), y = Number(b.data[i]);
        assert.ok(Math.abs(x - y) <= 1e-5 * Math.abs(x) + 1e-6, `${k}[${i}]: compiled ${y} vs eager ${x}`);
      }
    }
    assert.equal(Number(compiled.weights.get('bn.num_batches_tracked')!.data[0]), 20, 'num_batches_tracked counts replayed steps');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('compiled mode: a token-id model (Embedding first) gets int32 batches and is captured', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-compiled-tok-'));
  try {
    writeFileSync(join(dir, 'model.py'), [
      'import torch.nn as nn', '', '',
      'class Bag(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.emb = nn.Embedding(20, 8)',
      '        self.fc = nn.Linear(8, 3)',
      '',
      '    def forward(self, ids):',
      '        return self.fc(self.emb(ids).mean(1))', ''].join('\n'));
    const rows = ['a,b,c,d,label'];
    for (let i = 0; i < 96; i++) rows.push(`${[0, 1, 2, 3].map((k) => (i * (k + 3) + (i % 3) * 5) % 20).join(',')},${i % 3}`);
    writeFileSync(join(dir, 'd.csv'), rows.join('\n'));
    const lines: string[] = [];
    const cfg = parseRunConfig({
      model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv' }, batch_size: 8, val_split: 0 },
      loss: { name: 'cross_entropy' }, optimizer: { name: 'adam', lr: 0.05 }, epochs: 1, log_every: 4, output_dir: 'out', device: 'webgpu', mode: 'compiled',
    }, join(dir, 'train.json'));
    await train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: (s: string) => { lines.push(s); return true; } } });
    const log = lines.join('');
    assert.match(log, /compiled mode: captured the step/);
    assert.doesNotMatch(log, /cannot be replayed/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
