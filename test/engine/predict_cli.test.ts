// `tensor-studio predict` end to end through the built CLI (dist/cli.js; `npm test` builds first):
// outputs equal PyTorch's goldens, --topk/--labels print, and bad input gives one clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { readNpy, writeNpy } from '../../engine/src/io/index.js';
import { loadModel } from '../../engine/src/model/index.js';
import { saveCheckpoint } from '../../engine/src/nn/index.js';
import { noGrad } from '../../engine/src/runtime/dispatch.js';
import { sym } from '../../engine/src/shape/dim.js';
import { Tensor } from '../../engine/src/tensor.js';
import type { TensorType } from '../../engine/src/ops/types.js';
import { missing } from '../helpers/require_env.js';
import { knownGaps, manifest, relError } from './models/goldens.js';

const GAPS = knownGaps();

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const G = join(import.meta.dirname, 'models', 'goldens');

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'predict', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'ts-predict-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

for (const m of manifest.models) {
  test(`predict ${m.name} writes PyTorch's output`, GAPS[m.name] ? { todo: GAPS[m.name] } : {}, (t) => {
    if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
    const out = join(tmp, `${m.name}.npy`);
    const r = cli([m.file, '--weights', join(G, m.name, 'weights.safetensors'), '--input', join(G, m.name, 'input.npy'), '--class', m.className, '--output', out]);
    assert.equal(r.code, 0, r.stderr);
    const got = readNpy(out);
    const ref = readNpy(join(G, m.name, 'output.npy'));
    assert.deepEqual(got.shape, ref.shape);
    const err = relError(got.data as Float32Array, ref.data as Float32Array);
    assert.ok(err < 1e-4, `relative error ${err}`);
  });
}

test('predict --topk --labels prints label and probability per row', (t) => {
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
  const labels = join(tmp, 'labels.txt');
  writeFileSync(labels, ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'].join('\n'));
  const r = cli(['examples/fashion/model.py', '--weights', join(G, 'fashion', 'weights.safetensors'), '--input', join(G, 'fashion', 'input.npy'), '--topk', '3', '--labels', labels]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  for (const [i, line] of lines.entries()) {
    assert.match(line, new RegExp(`^${i}: (\\S[^,]* 0\\.\\d{4}, ){2}\\S[^,]* 0\\.\\d{4}$`));
  }
  // The top label is the argmax of PyTorch's logits.
  const ref = readNpy(join(G, 'fashion', 'output.npy'));
  const names = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  for (let r0 = 0; r0 < 2; r0++) {
    const row = Array.from(ref.data.subarray(r0 * 10, r0 * 10 + 10));
    assert.ok(lines[r0]!.startsWith(`${r0}: ${names[row.indexOf(Math.max(...row))]} `), lines[r0]);
  }
});

test('predict: bad input gives one clear message and a non-zero exit', (t) => {
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
  const w = join(G, 'fashion', 'weights.safetensors');
  const x = join(G, 'fashion', 'input.npy');
  let r = cli(['examples/fashion/model.py', '--input', x]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing --weights/);
  r = cli(['examples/fashion/model.py', '--weights', join(G, 'cnn', 'weights.safetensors'), '--input', x]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /conv1\.weight: checkpoint has|missing keys/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  r = cli(['examples/fashion/model.py', '--weights', w, '--input', join(G, 'cnn', 'input.npy')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /input 'x'/);
  r = cli(['nope.py', '--weights', w, '--input', x]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /model file 'nope\.py' does not exist/);
  r = cli(['examples/fashion/model.py', '--weights', w, '--input', x, '--class', 'Missing']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Missing/);
});

test('predict a module-level nn.Sequential whose input shape only the input file tells', (t) => {
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
  const file = join(tmp, 'seq.py');
  writeFileSync(file, 'import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Flatten(),\n    nn.Linear(12, 5),\n    nn.Tanh(),\n    nn.Linear(5, 3),\n)\n');
  const src = readFileSync(file, 'utf8');
  const fallback: TensorType = { kind: 'tensor', shape: [sym('N'), 3, 4], dtype: 'float32' };
  const m = loadModel(src, { className: 'model', fallbackInputs: [fallback] });
  saveCheckpoint(m.module, join(tmp, 'seq.safetensors'));
  const x = Tensor.fromArray(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [2, 3, 4]);
  writeNpy(join(tmp, 'seq_in.npy'), { dtype: 'float32', shape: [2, 3, 4], data: x.toFloat32Array() });
  const want = noGrad(() => m.forwardTensor(x)).toFloat32Array();
  const r = cli([file, '--class', 'model', '--weights', join(tmp, 'seq.safetensors'), '--input', join(tmp, 'seq_in.npy'), '--output', join(tmp, 'seq_out.npy')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(relError(readNpy(join(tmp, 'seq_out.npy')).data, want) < 1e-6);
  const none = cli([file, '--weights', join(tmp, 'seq.safetensors'), '--input', join(tmp, 'seq_in.npy')]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--class model/);
});

test('predict --device webgpu gives the same output, or says why the GPU backend is unavailable', (t) => {
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
  const out = join(tmp, 'webgpu.npy');
  const r = cli(['examples/fashion/model.py', '--weights', join(G, 'fashion', 'weights.safetensors'), '--input', join(G, 'fashion', 'input.npy'), '--device', 'webgpu', '--output', out]);
  if (r.code !== 0) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /webgpu backend not available \(.+\); use --device cpu/);
    t.diagnostic(`no WebGPU here: ${r.stderr.trim()}`);
    return;
  }
  const err = relError(readNpy(out).data, readNpy(join(G, 'fashion', 'output.npy')).data);
  assert.ok(err < 1e-4, `relative error ${err}`);
  const auto = cli(['examples/fashion/model.py', '--weights', join(G, 'fashion', 'weights.safetensors'), '--input', join(G, 'fashion', 'input.npy'), '--device', 'auto', '--output', out]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /note: --device auto runs predict on cpu/);
});
