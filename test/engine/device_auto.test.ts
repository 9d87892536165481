// `device: auto`: WebGPU on a hardware adapter; the CPU on a software adapter (lavapipe/llvmpipe,
// SwiftShader, WARP, any fallback adapter) or when there is none, each time saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { missing } from '../helpers/require_env.js';
import { autoDevice, chooseAutoDevice, softwareAdapter } from '../../engine/src/train/device_auto.js';
import type { AdapterReport } from '../../engine/src/backends/webgpu/adapter.js';
import { train } from '../../engine/src/train/trainer.js';
import { parseRunConfig } from '../../engine/src/train/config.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';

const report = (o: Partial<AdapterReport>): AdapterReport => ({ vendor: '', architecture: '', description: '', isFallbackAdapter: false, features: [], ...o });

test('auto picks WebGPU only on a hardware adapter', () => {
  // What Dawn reports for Mesa's Vulkan software driver on this machine.
  const lavapipe = report({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1', isFallbackAdapter: true });
  assert.equal(softwareAdapter(lavapipe), 'llvmpipe');
  assert.deepEqual(chooseAutoDevice(lavapipe), {
    device: 'cpu',
    note: 'device: auto -> cpu (the WebGPU adapter is llvmpipe, a software rasteriser: the CPU backend is faster; set "device": "webgpu" to use it anyway)',
  });
  assert.equal(softwareAdapter(report({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' })), 'SwiftShader');
  assert.equal(softwareAdapter(report({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })), 'WARP');
  assert.equal(softwareAdapter(report({ vendor: 'mesa', description: 'lavapipe' })), 'lavapipe');
  // Unnamed, but flagged by the adapter itself or by its architecture.
  assert.match(chooseAutoDevice(report({ vendor: 'x', isFallbackAdapter: true })).note, /^device: auto -> cpu \(the WebGPU adapter is a fallback adapter: /);
  assert.equal(chooseAutoDevice(report({ vendor: 'x', architecture: 'cpu' })).device, 'cpu');

  const h100 = report({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3', features: ['timestamp-query'] });
  assert.deepEqual(chooseAutoDevice(h100), { device: 'webgpu', note: 'device: auto -> webgpu (NVIDIA H100 80GB HBM3)' });
  assert.equal(chooseAutoDevice(report({ vendor: 'amd', architecture: 'rdna-3' })).note, 'device: auto -> webgpu (amd rdna-3)');
  assert.equal(chooseAutoDevice(report({ vendor: 'apple', architecture: 'metal-3', description: 'Apple M2' })).device, 'webgpu');

  assert.deepEqual(chooseAutoDevice(null, 'no WebGPU adapter (is a Vulkan driver installed?)'),
    { device: 'cpu', note: 'device: auto -> cpu (no WebGPU adapter: no WebGPU adapter (is a Vulkan driver installed?))' });
});

test('auto on this machine: the decision follows the real adapter, and the run says it', async (t) => {
  const { requestAdapter, describeAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  const expected = chooseAutoDevice(adapter ? describeAdapter(adapter) : null, reason);
  assert.deepEqual(await autoDevice(), expected);
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-auto-'));
  try {
    writeFileSync(join(dir, 'model.py'), 'import torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n\n    def forward(self, x):\n        return self.fc(x)\n');
    writeFileSync(join(dir, 'd.csv'), 'a,b,label\n' + Array.from({ length: 16 }, (_, i) => `${i % 2},${1 - (i % 2)},${i % 2}`).join('\n') + '\n');
    const cfg = parseRunConfig({ model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'd.csv' }, val_split: 0, batch_size: 8 },
      optimizer: { name: 'sgd', lr: 0.1 }, output_dir: 'out' }, join(dir, 'train.json'));
    assert.equal(cfg.device, 'auto');
    let log = '';
    const res = await train(cfg, { buildModel: loadModelFile, stdout: { isTTY: false, write: (s: string) => { log += s; return true; } } });
    assert.equal(res.device, expected.device);
    assert.ok(log.includes(expected.note), log);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
