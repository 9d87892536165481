// Crash isolation: a host killed with SIGKILL, a host that hangs (SIGSTOP) and a host whose
// extension dies. Each run ends recorded as failed (or stopped) with the reason and the tail of
// its log, the next run works, and no engine-host process is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HOST_SCRIPT, alive, hostBuilt, hostProcesses, startRun, until, workspace } from './helpers.js';
import { missing } from '../helpers/require_env.js';
import { readSummary } from '../../engine/src/train/run_summary.js';

test('engine host: kill -9 mid-run marks the run failed with the reason and its log; the next run succeeds; nothing is left running', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const config = ws.config({ epochs: 3 });
    const dir = join(ws.dir, 'runs', 'killed');
    let killed = false;
    const r = await startRun({ configPath: config, runDir: dir }, {}, (ev, run) => {
      if (ev.type === 'progress' && !killed) { killed = true; process.kill(run.host.pid, 'SIGKILL'); }
    });
    const done = await r.finished;
    assert.equal(done.summary.status, 'failed');
    assert.equal(done.summary.error?.kind, 'crash');
    assert.match(done.summary.error!.message, /the engine host ended unexpectedly \(signal SIGKILL\)/);
    assert.ok(done.summary.error!.logTail!.some((l) => /^training \d+ steps/.test(l)), JSON.stringify(done.summary.error!.logTail));
    const onDisk = readSummary(dir)!;
    assert.equal(onDisk.status, 'failed', 'summary.json says the run failed');
    assert.equal(onDisk.error?.kind, 'crash');
    assert.ok(!existsSync(join(dir, 'model.safetensors')), 'no final weights: nothing looks complete');
    assert.equal(alive(r.host.pid), false);

    const next = await startRun({ configPath: ws.config({ epochs: 1, max_steps: 20 }), runDir: join(ws.dir, 'runs', 'next') });
    assert.equal((await next.finished).summary.status, 'completed');
    await next.host.exited;
    // The process table: no engine host of this test is left, as a child or reparented.
    assert.deepEqual(hostProcesses().filter((p) => p.ppid === process.pid || p.pid === r.host.pid || p.pid === next.host.pid), []);
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: a host that stops answering is killed and its run failed as a hang', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const dir = join(ws.dir, 'runs', 'hung');
    let frozen = false;
    const r = await startRun({ configPath: ws.config({ epochs: 3 }), runDir: dir }, { hangTimeoutMs: 1500, heartbeatMs: 250 }, (ev, run) => {
      // SIGSTOP: the process is there but answers nothing, like a host stuck in a kernel.
      if (ev.type === 'progress' && !frozen) { frozen = true; process.kill(run.host.pid, 'SIGSTOP'); }
    });
    const t0 = Date.now();
    const done = await r.finished;
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(done.summary.status, 'failed');
    assert.equal(done.summary.error?.kind, 'hang');
    assert.match(done.summary.error!.message, /stopped answering for 2 s and was killed/);
    assert.equal(readSummary(dir)!.error?.kind, 'hang');
    await r.host.exited;
    assert.equal(alive(r.host.pid), false);
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: Stop twice ends the host at once; the run is recorded stopped and keeps its checkpoint', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const dir = join(ws.dir, 'runs', 'twice');
    let asked = false;
    const r = await startRun({ configPath: ws.config({ epochs: 3, checkpoint_every: 20 }), runDir: dir }, {}, (ev, run) => {
      if (ev.type === 'checkpoint' && !asked) {
        asked = true;
        process.kill(run.host.pid, 'SIGSTOP'); // so the first Stop cannot be answered
        void run.host.stop();
        void run.host.stop();
      }
    });
    const done = await r.finished;
    assert.equal(done.summary.status, 'stopped');
    assert.match(done.summary.stopReason ?? '', /killed \(second Stop\)/);
    assert.equal(readSummary(dir)!.status, 'stopped');
    assert.ok(existsSync(join(dir, 'checkpoint-20.safetensors')));
    await r.host.exited;
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});

test('engine host: when the extension process dies, the host stops at the next step with a checkpoint and exits', async (t) => {
  if (!hostBuilt() && missing(t, 'dist/engine-host.js', `${HOST_SCRIPT} not built`)) return;
  const ws = workspace(2400);
  try {
    const dir = join(ws.dir, 'runs', 'orphan');
    // A stand-in extension: starts a host and a run, prints the host's pid, then waits.
    const fake = join(ws.dir, 'fake_extension.mts');
    writeFileSync(fake, `import { EngineHost } from ${JSON.stringify(resolve(import.meta.dirname, '../../client/src/training/engine_host.ts'))};
const h = new EngineHost({ script: ${JSON.stringify(HOST_SCRIPT)} });
h.onEvent((ev) => { if (ev.type === 'progress') console.log('STEP ' + h.pid); });
await h.startRun({ configPath: ${JSON.stringify(ws.config({ epochs: 3 }))}, runDir: ${JSON.stringify(dir)} });
setInterval(() => {}, 1000);
`);
    const ext = spawn(process.execPath, ['--import', 'tsx', fake], { stdio: ['ignore', 'pipe', 'inherit'] });
    const hostPid = await new Promise<number>((res, rej) => {
      ext.stdout.on('data', (b: Buffer) => { const m = /STEP (\d+)/.exec(b.toString()); if (m) res(Number(m[1])); });
      ext.on('exit', () => rej(new Error('the stand-in extension exited early')));
    });
    ext.kill('SIGKILL');
    await until('the orphaned host to exit', () => !alive(hostPid), 15_000);
    const s = readSummary(dir)!;
    assert.equal(s.status, 'stopped');
    assert.match(s.stopReason!, /the editor (closed|process ended)/);
    assert.ok(existsSync(join(dir, `checkpoint-${s.step}.safetensors`)), 'it left a checkpoint to resume from');
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});
