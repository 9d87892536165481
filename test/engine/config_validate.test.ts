// Run config: schema-driven validation with messages that name the field and the fix; defaults;
// paths resolved against the config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadRunConfig, parseRunConfig, ConfigError } from '../../engine/src/train/config.js';

const minimal = {
  model: { file: 'model.py' },
  data: { train: { format: 'idx', images: 'imgs.gz', labels: 'labels.gz' } },
  optimizer: { name: 'sgd', lr: 0.1 },
};

function errors(json: unknown): string[] {
  try { parseRunConfig(json, '/cfg/train.json'); } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return [...e.issues];
  }
  assert.fail('expected a ConfigError');
}

test('config: a minimal config gets PyTorch-like defaults and absolute paths', () => {
  const c = parseRunConfig(minimal, '/cfg/train.json');
  assert.equal(c.model.file, '/cfg/model.py');
  assert.equal(c.data.train.images, '/cfg/imgs.gz');
  assert.equal(c.data.batchSize, 64);
  assert.equal(c.data.shuffle, true);
  assert.equal(c.loss.name, 'cross_entropy');
  assert.equal(c.optimizer.weightDecay, 0);
  assert.deepEqual(c.optimizer.betas, [0.9, 0.999]);
  assert.equal(c.device, 'auto');
  assert.equal(c.mode, 'eager');
  assert.equal(c.checkpointEvery, 'epoch');
  assert.equal(c.outputDir, '/cfg/runs/run');
  const w = parseRunConfig({ ...minimal, optimizer: { name: 'adamw', lr: 1e-3 } }, '/cfg/train.json');
  assert.equal(w.optimizer.weightDecay, 0.01, 'AdamW defaults to weight_decay=0.01 as in PyTorch');
});

test('config: wrong types and ranges name the field and what it must be', () => {
  assert.deepEqual(errors({ ...minimal, optimizer: { name: 'sgd', lr: '0.1' } }), ['train.json: optimizer.lr must be a positive number (got "0.1")']);
  assert.deepEqual(errors({ ...minimal, optimizer: { name: 'sgd', lr: 0 } }), ['train.json: optimizer.lr must be a positive number (got 0)']);
  assert.deepEqual(errors({ ...minimal, epochs: 1.5 }), ['train.json: epochs must be an integer >= 1 (got 1.5)']);
  assert.deepEqual(errors({ ...minimal, optimizer: { name: 'adam', lr: 1, betas: [0.9] } }), ['train.json: optimizer.betas must be a list of 2 numbers >= 0 and < 1 (got a list)']);
  assert.deepEqual(errors({ ...minimal, optimizer: { name: 'adma', lr: 1 } }), [`train.json: optimizer.name must be one of "sgd", "adam", "adamw" (got "adma"); did you mean 'adam'?`]);
  assert.deepEqual(errors({ ...minimal, checkpoint_every: 'step' }), ['train.json: checkpoint_every must be an integer >= 1 or "epoch" (got "step")']);
  assert.deepEqual(errors({ ...minimal, device: 'gpu' }), ['train.json: device must be one of "auto", "cpu", "webgpu" (got "gpu")']);
});

test('config: unknown keys get "did you mean", missing ones say what they are', () => {
  assert.deepEqual(errors({ ...minimal, data: { ...minimal.data, batchsize: 32 } }), [`train.json: data.batchsize is not a known setting; did you mean 'batch_size'?`]);
  assert.deepEqual(errors({ model: minimal.model, data: minimal.data, optimiser: {} }).sort(), [
    `train.json: optimiser is not a known setting; did you mean 'optimizer'?`,
    'train.json: optimizer is required: an object',
  ]);
  assert.deepEqual(errors({ ...minimal, data: { train: { format: 'npy', features: 'x.npy' } } }),
    ['train.json: data.train.labels is required: a non-empty string (npy / idx: the labels file)']);
  assert.deepEqual(errors({ ...minimal, schedule: { name: 'step' } }),
    ['train.json: schedule.step_size is required: an integer >= 1 (step: multiply lr by gamma every step_size steps)']);
  assert.deepEqual(errors([1]), ['train.json: must be an object (got a list)']);
});

test('config: file errors are one line naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-cfg-'));
  try {
    writeFileSync(join(dir, 'bad.json'), '{ "model": ');
    assert.throws(() => loadRunConfig(join(dir, 'bad.json')), /^ConfigError: bad\.json: not valid JSON/);
    assert.throws(() => loadRunConfig(join(dir, 'none.json')), /none\.json: cannot read the run config \(ENOENT\)/);
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(minimal));
    assert.equal(loadRunConfig(join(dir, 'ok.json')).model.file, join(dir, 'model.py'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('config: the shipped examples validate', () => {
  for (const f of ['examples/fashion/train.json', 'examples/digits/train.json']) {
    const path = join(import.meta.dirname, '..', '..', f);
    const c = loadRunConfig(path);
    assert.ok(c.model.file.endsWith('model.py'), f);
    JSON.parse(readFileSync(path, 'utf8'));
  }
});
