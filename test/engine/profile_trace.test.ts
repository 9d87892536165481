// The profiler end to end: a profiled training run writes <out>/trace.json in Chrome Trace Event
// format with op events (module path + source line of the model file), step phases that fit in
// their step, and on WebGPU one kernel event per dispatch with a GPU time, by timestamp queries
// and by timed submissions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { missing } from '../helpers/require_env.js';
import { parseRunConfig } from '../../engine/src/train/config.js';
import { train } from '../../engine/src/train/trainer.js';
import { loadModelFile } from '../../engine/src/train/model_factory.js';
import { trainCommand } from '../../engine/src/cli/train.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { parseSite, type TraceEvent } from '../../engine/src/profile/trace.js';
import { checkNesting, checkTrace } from './profile_check.js';

const MODEL = `import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)

    def forward(self, x):
        return F.relu(self.fc(x)) + x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.layers = nn.ModuleList([Block(), Block()])
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        for layer in self.layers:
            x = layer(x)
        return self.fc2(x)
`;

function setup(): { dir: string; cfg: (over?: Record<string, unknown>) => ReturnType<typeof parseRunConfig> } {
  const dir = mkdtempSync(join(tmpdir(), 'ts-prof-'));
  writeFileSync(join(dir, 'model.py'), MODEL);
  const r = mulberry32(5);
  const rows = ['a,b,c,d,label'];
  for (let i = 0; i < 96; i++) rows.push(`${[0, 1, 2, 3].map((j) => ((j === i % 3 ? 2 : 0) + r() - 0.5).toFixed(4)).join(',')},${i % 3}`);
  writeFileSync(join(dir, 'train.csv'), rows.join('\n') + '\n');
  const base = {
    model: { file: 'model.py', class: 'Net' },
    data: { train: { format: 'csv', path: 'train.csv' }, val_split: 0, batch_size: 16 },
    loss: { name: 'cross_entropy' }, optimizer: { name: 'adam', lr: 0.01 },
    epochs: 1, seed: 1, log_every: 1, output_dir: 'out', device: 'cpu',
  };
  return { dir, cfg: (over = {}) => parseRunConfig({ ...base, ...over }, join(dir, 'train.json')) };
}

const quiet = { isTTY: false, write: () => true };

test('parseSite reads the call sites the model executor and autograd write', () => {
  assert.deepEqual(parseSite('model.py:23'), { source: 'model.py:23', module: '' });
  assert.deepEqual(parseSite('model.py:23 self.layers.0.attn'), { source: 'model.py:23', module: 'layers.0.attn' });
  assert.deepEqual(parseSite('linear (backward) at model.py:9 self.fc1'), { source: 'model.py:9', module: 'fc1', backwardOf: 'linear' });
  assert.deepEqual(parseSite('mse_loss (backward)'), { backwardOf: 'mse_loss' });
  assert.deepEqual(parseSite(undefined), {});
});

test('the nesting check rejects partial overlap and non-monotone ts', () => {
  const ev = (name: string, ts: number, dur: number, tid = 1): TraceEvent => ({ name, cat: 'cpu_op', ph: 'X', ts, dur, pid: 1, tid });
  checkNesting([ev('a', 0, 10), ev('b', 1, 3), ev('c', 4, 6), ev('d', 10, 1), ev('g', 5, 10, 2)]);
  assert.throws(() => checkNesting([ev('a', 0, 10), ev('b', 5, 10)]), /partially overlaps/);
  assert.throws(() => checkNesting([ev('a', 5, 1), ev('b', 0, 1)]), /not monotone/);
});

test('profile on the CPU backend: ops with module paths and lines, phases per step', async () => {
  const { dir, cfg } = setup();
  try {
    const res = await train(cfg({ profile: { start: 2, steps: 3 } }), { buildModel: loadModelFile, stdout: quiet });
    assert.equal(res.steps, 6);
    const text = readFileSync(join(dir, 'out', 'trace.json'), 'utf8');
    const { ops, kernels, steps } = checkTrace(text, MODEL, 'model.py', 3);
    assert.equal(kernels.length, 0);
    assert.deepEqual(steps.map((s) => s.name), ['step 3', 'step 4', 'step 5']);
    const modules = new Set(ops.map((o) => o.args?.module).filter((m) => m !== undefined));
    for (const m of ['fc1', 'layers.0.fc', 'layers.1.fc', 'layers.0', 'layers.1', 'fc2', '']) assert.ok(modules.has(m), `module path '${m}' in ${[...modules].join(', ')}`);
    // Forward ops of the first block: its linear at the Block.forward line, the residual add in its scope.
    const line = (s: string) => MODEL.split('\n').findIndex((l) => l.includes(s)) + 1;
    assert.ok(ops.some((o) => o.name === 'linear' && o.args?.module === 'layers.0.fc' && o.args?.source === `model.py:${line('F.relu(self.fc(x)) + x')}`));
    assert.ok(ops.some((o) => o.name === 'add' && o.args?.module === 'layers.1' && o.args?.backward_of === undefined));
    assert.ok(ops.some((o) => o.args?.backward_of === 'linear' && o.args?.module === 'fc2'), 'backward ops name their forward op and module');
    assert.ok(ops.every((o) => o.tid === 1));
    // FLOPs on forward ops with a rule (batch 16: 2 * 16 * in * out for a linear), none in backward.
    const flops = (m: string) => new Set(ops.filter((o) => o.name === 'linear' && o.args?.module === m && o.args?.backward_of === undefined).map((o) => o.args?.flops));
    assert.deepEqual([flops('fc1'), flops('layers.0.fc'), flops('fc2')], [new Set([2 * 16 * 4 * 16]), new Set([2 * 16 * 16 * 16]), new Set([2 * 16 * 16 * 3])]);
    assert.ok(ops.every((o) => o.args?.backward_of === undefined || o.args?.flops === undefined), 'no FLOPs on gradient-rule ops');
    assert.ok(ops.every((o) => !['max_pool2d', 'cross_entropy'].includes(o.name) || o.args?.flops === undefined));
    // Layer calls and gradient rules are spans around their ops.
    const x = (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
    const fc1 = x.filter((e) => e.cat === 'module' && e.name === 'fc1');
    assert.equal(fc1.length, 3, 'one fc1 call per profiled step');
    assert.ok(ops.some((o) => o.name === 'linear' && o.ts >= fc1[0]!.ts && o.ts + o.dur! <= fc1[0]!.ts + fc1[0]!.dur! + 1e-3));
    const back = x.filter((e) => e.cat === 'backward' && e.name === 'linear (backward)');
    assert.equal(back.length, 3 * 4, 'four linear layers, one gradient rule each per step');
    assert.ok(back.some((e) => e.args?.module === 'layers.1.fc' && e.args?.source === `model.py:${line('F.relu(self.fc(x)) + x')}`));
    const trace = JSON.parse(text) as { otherData: Record<string, unknown> };
    assert.deepEqual(trace.otherData.profiled_steps, [3, 5]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('tensor-studio train --profile --profile-steps: a short run profiles what it has', async () => {
  const { dir } = setup();
  try {
    writeFileSync(join(dir, 'train.json'), JSON.stringify({
      model: { file: 'model.py' }, data: { train: { format: 'csv', path: 'train.csv' }, val_split: 0, batch_size: 32 },
      optimizer: { name: 'sgd', lr: 0.1 }, device: 'cpu', output_dir: 'out',
    }));
    const log = console.log;
    console.log = () => {};
    let rc: number;
    try { rc = await trainCommand.run([join(dir, 'train.json'), '--profile-steps', '2', '--out', join(dir, 'o')]); } finally { console.log = log; }
    assert.equal(rc, 0);
    // 3 steps in all: the window [5, 7) slides back to steps 2-3.
    const { steps } = checkTrace(readFileSync(join(dir, 'o', 'trace.json'), 'utf8'), MODEL, 'model.py', 2);
    assert.deepEqual(steps.map((s) => s.name), ['step 2', 'step 3']);
    const err = console.error;
    let msg = '';
    console.error = (m: string) => { msg += m; };
    try { rc = await trainCommand.run([join(dir, 'train.json'), '--profile-steps', '0']); } finally { console.error = err; }
    assert.equal(rc, 2);
    assert.match(msg, /--profile-steps must be a positive integer \(got '0'\)/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

for (const timing of ['timestamp-query', 'submission'] as const) {
  test(`profile on WebGPU (${timing}): one kernel event per dispatch, with GPU time and its host op`, async (t) => {
    const { requestAdapter, describeAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
    const { adapter, reason } = await requestAdapter();
    if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
    if (timing === 'timestamp-query' && !describeAdapter(adapter!).features.includes('timestamp-query')) {
      // Not a missing requirement: such an adapter is timed by submissions (the other case).
      const { initWebGPU } = await import('../../engine/src/backends/webgpu/index.js');
      const { WebGPUKernelTimer } = await import('../../engine/src/profile/webgpu.js');
      assert.equal(new WebGPUKernelTimer(await initWebGPU()).timing, 'submission');
      t.diagnostic('this adapter has no timestamp-query: checked that the profiler falls back to timed submissions');
      return;
    }
    const { setFallbackWarnings } = await import('../../engine/src/backends/webgpu/index.js');
    setFallbackWarnings(false);
    const { dir, cfg } = setup();
    try {
      const res = await train(cfg({ device: 'webgpu', profile: { start: 1, steps: 2 } }), { buildModel: loadModelFile, stdout: quiet, kernelTiming: timing });
      assert.equal(res.device, 'webgpu');
      const text = readFileSync(join(dir, 'out', 'trace.json'), 'utf8');
      const { ops, kernels, steps } = checkTrace(text, MODEL, 'model.py', 2);
      assert.ok(kernels.length > 20, `${kernels.length} kernel events`);
      assert.ok(kernels.every((k) => k.tid === 2 && k.args?.timing === timing && typeof k.args?.label === 'string'));
      assert.ok(kernels.every((k) => k.name !== '' && !/[[(]/.test(k.name) && String(k.args!.label).startsWith(k.name)), 'kernel names without sizes');
      const positive = kernels.filter((k) => k.dur! > 0).length;
      assert.ok(positive >= 0.9 * kernels.length, `kernels with dur > 0: ${positive} of ${kernels.length}`);
      // Kernels name the op that launched them, with its module path, and lie inside a step.
      assert.ok(kernels.some((k) => k.args?.op === 'linear' && k.args?.module === 'fc1' && k.args?.source !== undefined));
      assert.ok(kernels.some((k) => k.args?.backward_of !== undefined), 'backward kernels');
      const opNames = new Set(ops.map((o) => o.name));
      assert.ok(kernels.every((k) => k.args?.op === undefined || opNames.has(String(k.args.op))));
      for (const k of kernels) assert.ok(steps.some((s) => k.ts >= s.ts - 1e-3 && k.ts + k.dur! <= s.ts + s.dur! + 1e-3), `kernel ${String(k.args?.label)} at ${k.ts} outside every step`);
      const thread = (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === 2);
      assert.equal(thread?.args?.name, 'GPU');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

test('kernel timing past one query set (2048 dispatches) and back to untimed dispatches', async (t) => {
  const { requestAdapter, describeAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const { initWebGPU } = await import('../../engine/src/backends/webgpu/index.js');
  const b = await initWebGPU();
  const modes = describeAdapter(adapter!).features.includes('timestamp-query') ? [1, 2] as const : [2] as const;
  for (const mode of modes) {
    const n = mode === 1 ? 2500 : 300;
    b.setProfileMode(mode);
    for (let i = 0; i < n; i++) b.allocate(64, 'float32', i + 1);
    const times = b.readProfile(n);
    b.setProfileMode(0);
    assert.equal(times.length, 2 * n, `mode ${mode}: one [begin, end] pair per dispatch`);
    for (let i = 0; i < n; i++) assert.ok(times[2 * i + 1]! >= times[2 * i]!, `mode ${mode}: dispatch ${i} ends after it begins`);
    // Timing off: dispatches run batched again and the results are right.
    const s = b.allocate(5, 'float32', 7);
    assert.deepEqual([...b.read(s)], [7, 7, 7, 7, 7]);
    assert.equal(b.readProfile(1).length, 0, 'nothing timed while off');
  }
});

test('a run that fails inside a profiled step leaves kernel timing off', async (t) => {
  const { requestAdapter } = await import('../../engine/src/backends/webgpu/adapter.js');
  const { adapter, reason } = await requestAdapter();
  if (!adapter && missing(t, 'WebGPU adapter', reason ?? 'unknown')) return;
  const { initWebGPU, setFallbackWarnings } = await import('../../engine/src/backends/webgpu/index.js');
  setFallbackWarnings(false);
  const b = await initWebGPU();
  const { dir, cfg } = setup();
  try {
    await assert.rejects(train(cfg({ device: 'webgpu', optimizer: { name: 'sgd', lr: 1e38 }, profile: { start: 0, steps: 6 } }), { buildModel: loadModelFile, stdout: quiet }),
      /loss is (NaN|Infinity|-Infinity)/);
    b.allocate(8, 'float32', 3);
    assert.equal(b.readProfile(4).length, 0, 'no dispatch timed after the failed run');
    assert.equal(b.onDispatch, null);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
