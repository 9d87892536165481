// The engine-host protocol against a real child process: start, the metric stream (batched, in
// order, equal to metrics.jsonl), stop mid-epoch (checkpoint written, status stopped) and resume
// (the same metrics as an uninterrupted run with the same seed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_SCRIPT, hostBuilt, startRun, workspace } from './helpers.js';
import { missing } from '../helpers/require_env.js';
import { readMetrics, checkpointName, listCheckpoints } from '../../engine/src/train/run_dir.js';
import { readSummary, readRunFolder } from '../../engine/src/train/run_summary.js';
import { EngineHost } from '../../client/src/training/engine_host.js';
import { HOST_PROTOCOL_VERSION, type MetricPoint, type RunProgressEvent } from '../../engine/src/host/protocol.js';

const strip = (ps: readonly MetricPoint[]) => ps.filter((p) => !p.name.includes('samples_per_s')).map(({ step, epoch, name, value }) => ({ step, epoch, name, value }));

test('engine host: status handshake, a run start to finish, events in order and equal to the run folder', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built (npm test builds it)`)) return;
  const ws = workspace(240);
  try {
    const runDir = join(ws.dir, 'runs', 'a');
    const host = new EngineHost({ script: HOST_SCRIPT });
    const status = await host.status();
    assert.equal(status.protocolVersion, HOST_PROTOCOL_VERSION);
    assert.equal(status.pid, host.pid);
    assert.deepEqual(status.runs, []);
    host.kill();
    await host.exited;

    const r = await startRun({ configPath: ws.config(), runDir });
    const done = await r.finished;
    assert.equal(done.summary.status, 'completed');
    assert.equal(done.runDirCreated, true);
    const types = r.events.map((e) => e.type);
    assert.equal(types[types.length - 1], 'finished');
    assert.ok(types.indexOf('started') < types.indexOf('progress'), types.join(' '));
    assert.equal(types.filter((x) => x === 'epoch').length, 2, 'one epoch summary per epoch');
    assert.ok(types.includes('checkpoint'));
    // Every point written to metrics.jsonl arrived, once, in order.
    const streamed = r.events.flatMap((e) => (e.type === 'metrics' ? e.points : []));
    assert.deepEqual(streamed, readMetrics(join(runDir, 'metrics.jsonl')));
    // Batched: far fewer messages than points and steps.
    const progress = r.events.filter((e): e is RunProgressEvent => e.type === 'progress');
    assert.equal(progress.at(-1)!.step, 120);
    assert.ok(progress.length < 40, `${progress.length} progress messages for 120 steps`);
    const logged = r.events.flatMap((e) => (e.type === 'log' ? e.lines : []));
    assert.ok(logged.some((l) => /^done: 120 steps/.test(l)), logged.join('\n'));
    assert.deepEqual(readFileSync(join(runDir, 'host.log'), 'utf8').trimEnd().split('\n'), logged);
    const folder = readRunFolder(runDir)!;
    assert.equal(folder.summary.status, 'completed');
    assert.equal(folder.summary.step, 120);
    assert.equal(folder.summary.pid, undefined, 'a finished run names no process');
    assert.ok(folder.summary.final['val/accuracy']! > 0.9, JSON.stringify(folder.summary.final));
    for (const f of ['config.json', 'host.log', 'metrics.jsonl', 'model.safetensors', 'summary.json', 'checkpoint-60.safetensors']) assert.ok(folder.files.includes(f), `${f} in ${folder.files}`);
    const copy = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    assert.equal(copy.model.file, join(ws.dir, 'model.py'), 'the config copy has absolute paths');
    await r.host.exited;
    assert.equal(r.host.running, false, 'the host exits after its run');
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: stop mid-epoch writes a checkpoint and ends stopped; resume equals the uninterrupted run', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const config = ws.config({ epochs: 1, max_steps: 450, checkpoint_every: 200 });
    const a = join(ws.dir, 'runs', 'a');
    const b = join(ws.dir, 'runs', 'b');
    const full = await startRun({ configPath: config, runDir: a });
    assert.equal((await full.finished).summary.status, 'completed');

    let asked = false;
    const first = await startRun({ configPath: config, runDir: b }, {}, (ev, run) => {
      if (ev.type === 'progress' && !asked) { asked = true; void run.host.stop('test stop'); }
    });
    const stopped = (await first.finished).summary;
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.stopReason, 'test stop');
    assert.ok(stopped.step > 0 && stopped.step < 450, `stopped at ${stopped.step}`);
    assert.notEqual(stopped.step % 600, 0, 'mid-epoch');
    assert.ok(existsSync(join(b, checkpointName(stopped.step))), 'a checkpoint at the step it stopped');
    assert.ok(!existsSync(join(b, 'model.safetensors')), 'a stopped run has no final weights');
    assert.equal(readSummary(b)!.status, 'stopped');

    const second = await startRun({ configPath: config, runDir: b, resume: true });
    const resumed = (await second.finished).summary;
    assert.equal(resumed.status, 'completed');
    assert.deepEqual(resumed.resumedFrom, [stopped.step]);
    const started = second.events.find((e) => e.type === 'started');
    assert.equal(started?.type === 'started' && started.resumedFrom, stopped.step);
    assert.deepEqual(strip(readMetrics(join(b, 'metrics.jsonl'))), strip(readMetrics(join(a, 'metrics.jsonl'))));
    assert.ok(listCheckpoints(b).includes(stopped.step));
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: a second run on the same host is refused and the first one goes on', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const r = await startRun({ configPath: ws.config({ epochs: 3 }), runDir: join(ws.dir, 'runs', 'one') });
    await assert.rejects(r.host.startRun({ configPath: ws.config(), runDir: join(ws.dir, 'runs', 'two') }), /already runs one; each run gets its own host/);
    assert.equal((await r.finished).summary.status, 'completed');
    assert.ok(!existsSync(join(ws.dir, 'runs', 'two')));
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});
