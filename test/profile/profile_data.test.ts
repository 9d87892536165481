// What the profiler panel is sent: buildProfileData over the committed real traces (timeline rows,
// lanes, flows, device use, hints, source refs), the trace worker through its real bundle
// (dist/trace-worker.js, as the extension starts it: open with progress, details, compare, clear
// errors), and which workspace file a trace's source location means.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importTrace, stepBreakdown } from '../../engine/src/profile/import/index.js';
import { buildProfileData } from '../../client/src/profiler/profile_data.js';
import { performanceHints } from '../../client/src/profiler/hints.js';
import { TraceSession } from '../../client/src/profiler/trace_session.js';
import { bestSuffixMatch } from '../../client/src/profiler/source_match.js';
import type { ProfileData, ProfileTimeline } from '../../webview/src/profiler_protocol.js';
import { TRACES, profileData } from '../helpers/profile_fixture.js';

const WORKER = resolve(__dirname, '../../dist/trace-worker.js');

/** Every row sorted by start and free of overlaps; every event in exactly one row. */
function checkRows(t: ProfileTimeline, events: number): void {
  assert.equal(t.ts.length, events);
  assert.deepEqual([...new Set(t.index)].length, events, 'each event once');
  const rows = t.rowStart.length - 1;
  assert.equal(t.lanes.reduce((n, l) => n + l.rows, 0), rows);
  for (let r = 0; r < rows; r++) {
    for (let k = t.rowStart[r]! + 1; k < t.rowStart[r + 1]!; k++) {
      assert.ok(t.ts[k]! >= t.ts[k - 1]! + t.dur[k - 1]! - 1e-6, `row ${r}: event ${k} starts at ${t.ts[k]} before the one before ends (${t.ts[k - 1]! + t.dur[k - 1]!})`);
    }
  }
}

test('profile data of our WebGPU trace: host lane with its nesting, a GPU lane, device use, sources', async () => {
  const d = await profileData('ours_webgpu');
  assert.equal(d.info.source, 'tensor-studio');
  assert.equal(d.info.meta.device, 'webgpu');
  assert.deepEqual(d.timeline.lanes.map((l) => [l.name, l.device]), [['host', false], ['GPU', true]]);
  checkRows(d.timeline, d.info.events);
  // step ⊃ phase ⊃ module ⊃ op ...: the host lane is several rows deep; kernels sit in one row.
  assert.ok(d.timeline.lanes[0]!.rows >= 4, String(d.timeline.lanes[0]!.rows));
  assert.equal(d.timeline.lanes[1]!.rows, 1);
  assert.equal(d.steps.length, 3);
  for (const s of d.steps) assert.ok(Math.abs(s.data + s.forward + s.backward + s.optimizer + s.other - s.dur) < 1e-6);
  assert.equal(d.devices.length, 1);
  assert.ok(d.devices[0]!.percent > 0 && d.devices[0]!.percent <= 100);
  const conv = d.ops.find((o) => o.name === 'conv2d')!;
  assert.equal(conv.source?.file, 'model.py');
  const model = readFileSync(resolve(__dirname, '../../examples/fashion/model.py'), 'utf8').split('\n');
  assert.match(model[conv.source!.line - 1]!, /conv/, `model.py:${conv.source!.line} calls a conv`);
  assert.ok(d.kernels.length > 0 && d.kernels.every((k) => k.calls > 0));
  assert.ok(d.modules.some((m) => m.path === 'conv1' && m.source?.file === 'model.py'));
});

test('profile data of torch 1.13 traces: the bare array in one lane per thread; kineto form with flows and a GPU stream', async () => {
  const t = await profileData('torch113');
  assert.equal(t.info.source, 'pytorch');
  checkRows(t.timeline, t.info.events);
  assert.equal(t.steps.length, 3);
  assert.ok(t.ops.some((o) => o.name === 'aten::conv2d'));
  const k = await profileData('traceEvents_form');
  checkRows(k.timeline, k.info.events);
  // Host process first, the GPU process after it, whatever the sort indices say.
  assert.deepEqual(k.timeline.lanes.map((l) => l.device), [false, true]);
  assert.equal(k.timeline.flows.length / 4, 4);
  assert.equal(k.info.meta.devices, 'NVIDIA H100 80GB HBM3');
  // Three launches (ac2g) end on the GPU stream's row; forward → backward (fwdbwd) stays on the host lane.
  const ends = Array.from({ length: 4 }, (_, f) => k.timeline.flows[4 * f + 2]!);
  assert.deepEqual(ends.map((r) => r >= k.timeline.lanes[1]!.firstRow), [false, true, true, true]);
  assert.ok(k.hints.some((h) => /GPU 0.*busy 36%/.test(h.text)), JSON.stringify(k.hints));
  assert.deepEqual(k.ops.find((o) => o.name === 'aten::convolution')!.source, { file: '/home/user/fashion/model.py', line: 20 });
});

test('hints: data-loading bound, warm-up step and a dominant op fire only where the numbers show them', () => {
  const step = (n: number, dur: number, data: number) => ({ step: n, name: `step ${n}`, index: n, ts: n * 1000, dur, data, forward: (dur - data) / 2, backward: (dur - data) / 2, optimizer: 0, other: 0 });
  const base: Omit<ProfileData, 'hints'> = {
    info: { fileName: 'x', path: 'x', source: 'tensor-studio', events: 0, bytes: 0, span: 0, warnings: [], meta: {}, importMs: 0 },
    steps: [step(1, 3000, 100), step(2, 1000, 100), step(3, 1000, 100)], ops: [], opsByShapes: [], kernels: [], modules: [], memory: [], devices: [],
    timeline: { lanes: [], rowStart: new Uint32Array(1), ts: new Float64Array(), dur: new Float64Array(), name: new Uint32Array(), cat: new Uint16Array(), index: new Uint32Array(), names: [], cats: [], flows: new Float64Array(), span: 0 },
  };
  assert.deepEqual(performanceHints(base).map((h) => h.text.slice(0, 28)), ['Step 1 takes 3.0× the median']);
  const bound = performanceHints({ ...base, steps: [step(1, 1000, 600), step(2, 1000, 500)] });
  assert.match(bound[0]!.text, /^Data loading takes 55% of the step time/);
  assert.equal(bound[0]!.severity, 'warning');
  assert.match(performanceHints({ ...base, steps: [] })[0]!.text, /^No training steps/);
});

test('the trace worker: open with progress, one event in full, a comparison, and clear errors', async (t) => {
  const s = new TraceSession({ script: WORKER });
  t.after(() => s.dispose());
  const path = join(TRACES, 'ours_cpu.trace.json');
  const progress: number[] = [];
  const d = await s.open(path, (bytes) => progress.push(bytes));
  assert.ok(progress.length > 0 && progress.at(-1) === readFileSync(path).length, JSON.stringify(progress));
  // The timeline arrived as typed arrays (moved, not copied as JSON).
  assert.ok(d.timeline.ts instanceof Float64Array && d.timeline.index instanceof Uint32Array);
  const direct = buildProfileData(await importTrace(path), { path, importMs: 0 });
  assert.deepEqual(d.ops, direct.ops);
  const conv = d.ops.find((o) => o.name === 'conv2d')!;
  const ev = await s.details(path, conv.example);
  assert.equal(ev.name, 'conv2d');
  assert.equal(ev.cat, 'cpu_op');
  assert.deepEqual(ev.source, conv.source);
  assert.ok(Array.isArray((ev.args as { input_shapes?: unknown }).input_shapes));
  await assert.rejects(s.details(path, 1e9), /ours_cpu\.trace\.json has no event 1000000000 \(it has 150\)/);
  const c = await s.compare(path, join(TRACES, 'ours_webgpu.trace.json'));
  assert.equal(c.perStep, true);
  const steps = stepBreakdown(await importTrace(path));
  assert.ok(Math.abs(c.aStep - steps.reduce((a, x) => a + x.dur, 0) / steps.length) < 1e-6);
  assert.ok(c.rows.some((r) => r.name === 'conv2d' && r.aCalls > 0 && r.bCalls > 0));
  // A broken trace: the error names the file and where, and the worker still answers.
  const dir = mkdtempSync(join(tmpdir(), 'ts-prof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.pt.trace.json');
  writeFileSync(bad, '[{"name": "a", "ph": "X", "ts": 1, "dur": 2, "pid": 1, "tid": 1},\n {"name": "b", "ph": "X", "ts": oops}]');
  await assert.rejects(s.open(bad), /bad\.pt\.trace\.json: .*byte [\d,]+/);
  await assert.rejects(s.open(join(dir, 'missing.json')), /ENOENT|no such file/);
  assert.equal((await s.details(path, 0)).index, 0);
});

test('source locations: the workspace file with the longest matching path tail', () => {
  const ws = ['/ws/examples/fashion/model.py', '/ws/other/model.py', '/ws/a/b/models/net.py', '/ws/models/net.py'];
  assert.equal(bestSuffixMatch('/home/user/proj/examples/fashion/model.py', ws), '/ws/examples/fashion/model.py');
  assert.equal(bestSuffixMatch('model.py', ws.slice(0, 2)), '/ws/other/model.py', 'a bare name: the shallowest');
  assert.equal(bestSuffixMatch('C:\\proj\\models\\net.py', ws), '/ws/models/net.py', 'Windows separators; a tie goes to the shallowest');
  assert.equal(bestSuffixMatch('train.py', ws), undefined);
});
