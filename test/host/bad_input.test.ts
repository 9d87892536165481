// Bad input through the engine host: a broken config, a missing data file, a shape error in the
// model, an exception mid-run, a diverging loss and a model over the memory limit. Each gives one
// clear message of its kind, located where it can be; nothing is left running; and no run
// folder looks complete (refusals leave none at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_SCRIPT, alive, hostBuilt, startRun, workspace } from './helpers.js';
import { missing } from '../helpers/require_env.js';
import { readSummary, type RunErrorKind } from '../../engine/src/train/run_summary.js';
import type { RunFinishedEvent } from '../../engine/src/host/protocol.js';

const BROKEN_MODEL = `import torch
import torch.nn as nn


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 32)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = self.fc1(x)
        return self.fc2(x)


class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 3)

    def forward(self, x):
        return self.fc(torch.randn(2, 9))


if __name__ == "__main__":
    Broken()(torch.randn(8, 4))
`;

const HUGE_MODEL = `import torch.nn as nn


class Huge(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16384)
        self.fc2 = nn.Linear(16384, 16384)
        self.fc3 = nn.Linear(16384, 3)

    def forward(self, x):
        return self.fc3(self.fc2(self.fc1(x)))
`;

async function refused(configPath: string, runDir: string, kind: RunErrorKind, memoryLimitMB?: number): Promise<RunFinishedEvent> {
  const r = await startRun({ configPath, runDir, ...(memoryLimitMB ? { memoryLimitMB } : {}) }, memoryLimitMB ? { memoryLimitMB } : {});
  const done = await r.finished;
  assert.equal(done.summary.status, 'failed');
  assert.equal(done.summary.error?.kind, kind, done.summary.error?.message);
  await r.host.exited;
  assert.equal(alive(r.host.pid), false, 'the host is gone');
  return done;
}

test('engine host: config errors come back located (JSON path or line) and leave no run folder', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(240);
  try {
    const runDir = join(ws.dir, 'runs', 'bad-config');
    const schema = await refused(ws.config({ optimizer: { name: 'adam', lr: -1 }, epocs: 2 }), runDir, 'config');
    const problems = schema.summary.error!.problems!;
    assert.deepEqual(problems.map((p) => p.jsonPath), [['optimizer', 'lr'], ['epocs']]);
    assert.match(problems[0]!.message, /^mlp\.tsrun\.json: optimizer\.lr must be a positive number \(got -1\)$/);
    assert.match(problems[1]!.message, /epocs is not a known setting; did you mean 'epochs'\?/);
    assert.equal(schema.runDirCreated, false);
    assert.ok(!existsSync(runDir), 'no run folder');

    const broken = join(ws.dir, 'broken.tsrun.json');
    writeFileSync(broken, '{\n  "model": { "file": "model.py" },\n  "data": ,\n}\n');
    const syntax = await refused(broken, runDir, 'config');
    const p = syntax.summary.error!.problems![0]!;
    assert.match(p.message, /broken\.tsrun\.json: not valid JSON/);
    assert.equal(p.line, 2, 'the line of the syntax error (0-based)');
    assert.ok(!existsSync(runDir));

    const missingModel = await refused(ws.config({ model: { file: 'nope.py' } }), runDir, 'config');
    assert.deepEqual(missingModel.summary.error!.problems![0]!.jsonPath, ['model', 'file']);
    assert.match(missingModel.summary.error!.message, /model\.file: cannot read .*nope\.py \(ENOENT\)/);
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: a missing data file is named, with the config field that names it', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(240);
  try {
    const runDir = join(ws.dir, 'runs', 'no-data');
    const done = await refused(ws.config({ data: { train: { format: 'csv', path: 'gone.csv' }, batch_size: 4 } }), runDir, 'data');
    assert.equal(done.summary.error!.message, `data.train.path: ${join(ws.dir, 'gone.csv')} does not exist`);
    assert.deepEqual(done.summary.error!.problems![0]!.jsonPath, ['data', 'train', 'path']);
    assert.ok(!existsSync(runDir));
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: a shape error refuses the run with its line (errors in classes the model does not use are not its)', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(240);
  try {
    writeFileSync(join(ws.dir, 'broken.py'), BROKEN_MODEL);
    const runDir = join(ws.dir, 'runs', 'shape');
    const done = await refused(ws.config({ model: { file: 'broken.py', class: 'Broken' } }), runDir, 'shape');
    const problems = done.summary.error!.problems!;
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0]!.line, 12, 'return self.fc2(x) (0-based line 12)');
    assert.equal(problems[0]!.file, join(ws.dir, 'broken.py'));
    assert.match(problems[0]!.message, /16.*32|32.*16/);
    assert.match(done.summary.error!.message, /^Broken has 1 shape error; fix it before training\n {2}broken\.py:13:\d+: /);
    assert.ok(!existsSync(runDir));
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: an exception mid-run and a diverging loss fail the run; its folder says failed, with no final weights', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  // Row 1000 has label 7 for a 3-class model: found at the step whose batch holds it.
  const ws = workspace(2400, { badLabelAt: 1000 });
  try {
    const runDir = join(ws.dir, 'runs', 'bad-label');
    const done = await refused(ws.config({ data: { train: { format: 'csv', path: 'train.csv', target: 'label' }, val: { format: 'csv', path: 'val.csv', target: 'label' }, batch_size: 4, shuffle: false } }), runDir, 'data');
    assert.match(done.summary.error!.message, /^label 7 is out of range for a model with 3 outputs \(classes 0\.\.2\) \(step 251\)$/);
    assert.equal(done.runDirCreated, true);
    const s = readSummary(runDir)!;
    assert.equal(s.status, 'failed');
    assert.equal(s.step, 250);
    assert.ok(!existsSync(join(runDir, 'model.safetensors')));

    const nanDir = join(ws.dir, 'runs', 'nan');
    const nan = await refused(ws.config({ optimizer: { name: 'sgd', lr: 1e30 } }), nanDir, 'non-finite');
    assert.match(nan.summary.error!.message, /^step \d+: loss is (NaN|Infinity|-Infinity); /);
    assert.equal(readSummary(nanDir)!.status, 'failed');
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: a model over the memory limit is refused with an out-of-memory message, before its folder exists', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(240);
  try {
    writeFileSync(join(ws.dir, 'huge.py'), HUGE_MODEL);
    const runDir = join(ws.dir, 'runs', 'huge');
    // fc2 alone is 16384 x 16384 floats = 1 GiB; the limit is 256 MiB.
    const done = await refused(ws.config({ model: { file: 'huge.py', class: 'Huge' } }), runDir, 'out-of-memory', 256);
    assert.match(done.summary.error!.message, /^huge\.py:8 \(self\.fc2\): out of memory: a 1024\.0 MB tensor would bring tensor memory to [\d.]+ MB, over the limit of 256\.0 MB/);
    assert.ok(!existsSync(runDir));
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});
