// The trace importer: both Chrome Trace forms over committed real traces (our engine on CPU and
// WebGPU, Debian's torch 1.13), a hand-written {"traceEvents"} fixture, gzip, truncation, clear
// errors with byte offsets, B/E pairs, flows, counters, and big synthetic traces (1,000,000 events;
// over 600 MB, past what one V8 string can hold) generated in a temp folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  argsAt, eventAt, findEvents, importTrace, moduleOf, nameOf, opTable, readEventAt, sourceLineOf, stepBreakdown, traceEvents,
  TraceJsonError, type RawEvent, type TraceModel,
} from '../../engine/src/profile/import/index.js';
import { writeSyntheticTrace } from './synthetic_trace.js';

const DIR = join(__dirname, '../fixtures/traces');
const fixture = (name: string): string => join(DIR, name);
const raw = (name: string): RawEvent[] => {
  const j = JSON.parse(readFileSync(fixture(name), 'utf8')) as RawEvent[] | { traceEvents: RawEvent[] };
  return Array.isArray(j) ? j : j.traceEvents;
};
/** Bytes as chunks of `size` (what a read stream hands over, cut anywhere). */
const chunked = (buf: Uint8Array, size: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
};
const fromText = (text: string, opts: { fileName?: string; truncated?: 'warn' | 'error' } = {}): Promise<TraceModel> =>
  importTrace([Buffer.from(text)], { fileName: 'x.json', ...opts });
const names = (m: TraceModel): string[] => Array.from({ length: m.events.count }, (_, i) => nameOf(m, i));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ts-trace-'));

test('our CPU trace: the object form with metadata, ops with module paths and model.py lines', async () => {
  const m = await importTrace(fixture('ours_cpu.trace.json'));
  assert.equal(m.form, 'object');
  assert.equal(m.events.count, 150); // 3 steps x (1 step + 4 phases + 10 module/backward spans + 35 ops)
  assert.equal(m.events.count, raw('ours_cpu.trace.json').filter((e) => e.ph !== 'M' && e.ph !== 'C').length);
  // The 'memory' counter: one series, its points in time order.
  assert.deepEqual(m.counters.map((c) => [c.pid, c.name, c.key]), [[1, 'memory', 'allocated']]);
  assert.equal(m.counters[0]!.ts.length, raw('ours_cpu.trace.json').filter((e) => e.ph === 'C').length);
  assert.ok(m.counters[0]!.ts.every((t, i, a) => i === 0 || t >= a[i - 1]!));
  assert.deepEqual(m.warnings, []);
  assert.equal(m.metadata.displayTimeUnit, 'ms');
  assert.deepEqual((m.metadata.otherData as Record<string, unknown>).steps, 3);
  assert.deepEqual(m.lanes.map((l) => [l.pid, l.tid, l.thread, l.device]), [[1, 1, 'host', false]]);
  assert.deepEqual(m.processes.map((p) => p.name), ['tensor-studio train']);
  const conv = findEvents(m, 'conv2d').filter((i) => m.strings[m.events.cat[i]!] === 'cpu_op');
  assert.equal(conv.length, 6);
  assert.deepEqual(conv.map((i) => `${moduleOf(m, i)} ${sourceLineOf(m, i)}`), ['conv1 model.py:21', 'conv2 model.py:22', 'conv1 model.py:21', 'conv2 model.py:22', 'conv1 model.py:21', 'conv2 model.py:22']);
  const lin = findEvents(m, 'linear').map((i) => `${moduleOf(m, i)} ${sourceLineOf(m, i)}`);
  assert.deepEqual([...new Set(lin)], ['fc1 model.py:24', 'fc2 model.py:25']);
  const e = eventAt(m, conv[0]!);
  assert.deepEqual(e.args, { input_shapes: [[32, 1, 28, 28], [16, 1, 3, 3], [16]], module: 'conv1', source: 'model.py:21', flops: 6230016 });
  assert.equal(m.events.flops?.[conv[0]!], 6230016);
  // Sorted by start, parents (longer) first on ties.
  for (let i = 1; i < m.events.count; i++) assert.ok(m.events.ts[i]! >= m.events.ts[i - 1]!);
  assert.equal(nameOf(m, 0), 'step 6');
  assert.equal(nameOf(m, 1), 'data');
});

test('our WebGPU trace: kernels on a device lane carry their op, module and line', async () => {
  const m = await importTrace(fixture('ours_webgpu.trace.json'));
  const gpu = m.lanes.findIndex((l) => l.thread === 'GPU');
  assert.ok(gpu >= 0 && m.lanes[gpu]!.device && !m.lanes[1 - gpu]!.device);
  const kernels = raw('ours_webgpu.trace.json').filter((e) => e.cat === 'kernel');
  assert.ok(kernels.length > 50);
  let n = 0;
  for (let i = 0; i < m.events.count; i++) {
    if (m.events.lane[i] !== gpu) continue;
    n++;
    assert.equal(m.strings[m.events.cat[i]!], 'kernel');
    assert.match(sourceLineOf(m, i) ?? 'model.py:0', /^model\.py:\d+$/);
  }
  assert.equal(n, kernels.length);
  assert.equal(m.metadata.otherData && (m.metadata.otherData as Record<string, unknown>).device, 'webgpu');
});

test("Debian's torch 1.13 trace: the bare array, ProfilerStep# steps and aten ops", async () => {
  const m = await importTrace(fixture('torch113.trace.json'));
  assert.equal(m.form, 'array');
  assert.equal(m.events.count, 1971);
  assert.equal(m.events.count, raw('torch113.trace.json').length);
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(m.metadata, {});
  // The legacy exporter: pid is the string 'CPU functions', no categories, empty args.
  assert.deepEqual(m.lanes.map((l) => [l.pid, l.tid]), [['CPU functions', 1]]);
  assert.deepEqual(findEvents(m, /^ProfilerStep#/).map((i) => nameOf(m, i)), ['ProfilerStep#1', 'ProfilerStep#2', 'ProfilerStep#3']);
  const count = (n: string): number => findEvents(m, n).length;
  assert.equal(count('aten::conv2d'), 6);
  assert.equal(count('aten::linear'), 6);
  assert.equal(count('aten::max_pool2d'), 6);
  assert.equal(count('Optimizer.step#Adam.step'), 3);
  assert.equal(argsAt(m, 0), undefined);
});

test('the {"traceEvents"} form: metadata, B/E pairs, instants, counters, flows, memory', async () => {
  const m = await importTrace(fixture('traceEvents_form.trace.json'));
  assert.equal(m.form, 'object');
  assert.equal(m.events.count, 39);
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(Object.keys(m.metadata), ['schemaVersion', 'deviceProperties', 'record_shapes', 'with_stack', 'profile_memory', 'traceName', 'displayTimeUnit', 'baseTimeNanoseconds', 'otherData']);
  assert.equal(m.metadata.displayTimeUnit, 'ms');
  assert.equal(m.unit, 'us'); // ts and dur are µs whatever displayTimeUnit says
  assert.deepEqual(m.lanes.map((l) => [l.pid, l.tid, l.thread, l.device, l.sortIndex]), [[100, 100, 'thread 100 (python3)', false, 100], [0, 7, 'stream 7', true, undefined]]);
  assert.deepEqual(m.processes.map((p) => [p.pid, p.name, p.labels]), [[100, 'python3', undefined], [0, 'GPU 0', 'NVIDIA H100 80GB HBM3']]);
  const fwd = eventAt(m, findEvents(m, '## forward ##')[0]!);
  assert.deepEqual([fwd.ph, fwd.ts, fwd.dur], ['B', 1100, 400]);
  const inst = eventAt(m, findEvents(m, 'Iteration Start: PyTorch Profiler')[0]!);
  assert.deepEqual([inst.ph, inst.ts, inst.dur], ['i', 1000, 0]);
  assert.equal(findEvents(m, '[memory]').length, 0); // memory instants become counters
  assert.deepEqual(m.counters.map((c) => [c.name, c.key, [...c.ts], [...c.values]]), [
    ['[memory] CUDA:0', 'Total Allocated', [1125, 1335, 1950], [1048576, 2097152, 1048576]],
    ['[memory] CUDA:0', 'Total Reserved', [1125, 1335, 1950], [2097152, 4194304, 4194304]],
    ['GPU memory', 'allocated', [1000, 1500, 2000], [0, 2097152, 1048576]],
    ['GPU memory', 'reserved', [1000, 1500, 2000], [2097152, 4194304, 4194304]],
  ]);
  assert.deepEqual(m.flows.map((f) => [f.cat, f.id, f.from.lane, f.from.ts, f.to.lane, f.to.ts, f.enclosing]), [
    ['fwdbwd', '1', 0, 1120, 0, 1525, true],
    ['ac2g', '10', 0, 1200, 1, 1230, true],
    ['ac2g', '11', 0, 1330, 1, 1530, true],
    ['ac2g', '12', 0, 1400, 1, 1575, true],
  ]);
  assert.deepEqual(m.events.shapes && JSON.parse(m.strings[m.events.shapes[findEvents(m, 'aten::relu')[0]!]!]!), [[32, 16, 26, 26]]);
});

test('any chunking gives the same events (a byte at a time included)', async () => {
  for (const name of ['torch113.trace.json', 'ours_webgpu.trace.json', 'traceEvents_form.trace.json']) {
    const buf = readFileSync(fixture(name));
    const want = raw(name);
    for (const size of [1, 3, 7, 64, 4096]) {
      const got: RawEvent[] = [];
      const it = traceEvents(chunked(buf, size), { fileName: name });
      for (;;) {
        const r = await it.next();
        if (r.done) { assert.equal(r.value.events, want.length); break; }
        got.push(r.value);
      }
      assert.deepEqual(got, want, `${name} in chunks of ${size}`);
    }
  }
  // One chunk bigger than the reader's parse slice (a whole file read at once).
  const inner = readFileSync(fixture('torch113.trace.json'), 'latin1').slice(1, -1);
  const m = await fromText(`[${Array(6).fill(inner).join(', ')}]`);
  assert.equal(m.events.count, 6 * 1971);
});

test('gzip: by magic bytes, from a path or from chunks; a cut .gz keeps what it holds', async () => {
  const dir = tmp();
  try {
    const plain = readFileSync(fixture('ours_webgpu.trace.json'));
    const gz = gzipSync(plain);
    writeFileSync(join(dir, 'trace.json.gz'), gz);
    const a = await importTrace(join(dir, 'trace.json.gz'));
    const b = await importTrace(chunked(gz, 1000), { fileName: 'trace.json.gz' });
    const ref = await importTrace(fixture('ours_webgpu.trace.json'));
    assert.equal(a.events.count, ref.events.count);
    assert.deepEqual(names(a), names(ref));
    assert.deepEqual(names(b), names(ref));
    assert.equal(a.bytes, plain.length);
    const cut = await importTrace([gz.subarray(0, Math.floor(gz.length * 0.7))], { fileName: 'cut.json.gz' });
    assert.ok(cut.events.count > 0 && cut.events.count < ref.events.count);
    assert.match(cut.warnings[0]!, /^cut\.json\.gz: .*the trace is truncated; kept the [\d,]+ complete events before the cut$/);
    await assert.rejects(importTrace([Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], { fileName: 'bad.gz' }), /^Error: bad\.gz: not valid gzip data/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a truncated bare array keeps the complete events and warns, naming the event and byte', async () => {
  const text = readFileSync(fixture('torch113.trace.json'), 'latin1');
  const cut = text.indexOf('"dur"', Math.floor(text.length * 0.6)); // inside an event
  const start = text.lastIndexOf('{"name"', cut);
  const before = text.slice(0, start).split('{"name"').length - 1;
  const m = await fromText(text.slice(0, cut), { fileName: 'torch113.trace.json' });
  assert.equal(m.events.count, before);
  assert.deepEqual(m.warnings, [`torch113.trace.json: unexpected end of file inside event ${before.toLocaleString('en-US')} (byte ${start.toLocaleString('en-US')}): the trace is truncated; kept the ${before.toLocaleString('en-US')} complete events before the cut`]);
  // Cut just after a comma: every event is there, the array is not closed.
  const afterComma = text.indexOf('}, {', cut) + 3;
  const m2 = await fromText(text.slice(0, afterComma));
  assert.equal(m2.events.count, before + 1);
  assert.match(m2.warnings[0]!, /^x\.json: the events array is not closed \(end of file at byte [\d,]+\): the trace is truncated; kept the [\d,]+ complete events before the cut$/);
  await assert.rejects(fromText(text.slice(0, cut), { truncated: 'error' }), /x\.json: unexpected end of file inside event [\d,]+ \(byte [\d,]+\): the trace is truncated$/);
  // A trailing comma before ']' (some writers leave one) is fine.
  const tc = await fromText('[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1},\n]');
  assert.deepEqual([tc.events.count, tc.warnings], [1, []]);
});

test('a truncated object form keeps the metadata read so far and the complete events', async () => {
  const text = readFileSync(fixture('ours_cpu.trace.json'), 'utf8');
  const m = await fromText(text.slice(0, Math.floor(text.length / 2)));
  assert.ok(m.events.count > 10 && m.events.count < 150);
  assert.equal(m.metadata.displayTimeUnit, 'ms');
  assert.match(m.warnings[0]!, /^x\.json: unexpected end of file inside event [\d,]+ \(byte [\d,]+\): the trace is truncated/);
  const m2 = await fromText(text.slice(0, text.lastIndexOf(']')));
  assert.equal(m2.events.count, 150);
  assert.match(m2.warnings[0]!, /the events array is not closed/);
  const cut = '{"traceEvents":[{"name":"a","ph":"X","ts":1,"dur":2,"pid":1,"tid":1}],"otherData":{"a":';
  const m3 = await fromText(cut);
  assert.deepEqual([m3.events.count, m3.metadata], [1, {}]);
  assert.equal(m3.warnings[0], `x.json: unexpected end of file in the top-level object at byte ${cut.length}, after the events: the trace is truncated; kept the 1 complete events before the cut`);
});

test('errors name the file, the byte offset and the event', async () => {
  const cases: [string, RegExp][] = [
    ['', /^x\.json: the file is empty: not a Chrome trace$/],
    [' \n\t ', /^x\.json: not a Chrome trace: only whitespace in 4 bytes$/],
    ['hello', /^x\.json: not a Chrome trace: expected '\[' or '\{' at byte 0$/],
    ['[{"ph":"X"},{"ph":}]', /^x\.json: event 1 at byte 12 is not valid JSON: /],
    // torch's legacy exporter does not escape names: a quote in a record_function name breaks the event.
    ['[{"name": "say "hi"", "ph": "X", "ts": 1, "dur": 1, "tid": 1, "pid": "CPU functions", "args": {}}]', /^x\.json: event 0 at byte 1 is not valid JSON: /],
    ['[{"a":1} {"b":2}]', /^x\.json: expected ',' or '\]' after event 0 at byte 9$/],
    ['[1, 2]', /^x\.json: event 0 at byte 1 is not an object \(found '1'\)$/],
    ['[{"a":1}] x', /^x\.json: unexpected data after the trace at byte 10$/],
    ['{"otherData":{}}', /^x\.json: no "traceEvents" array in the top-level object: not a Chrome trace$/],
    ['{"traceEvents": {}}', /^x\.json: "traceEvents" is not an array \(byte 16\)$/],
    ['{"otherData": {"a": 1', /^x\.json: unexpected end of file at byte 21 before the "traceEvents" array: the trace is truncated$/],
    ['[', /^x\.json: the events array is not closed \(end of file at byte 1\): the trace is truncated$/],
    ['[{"name":"a","ph":"X"', /^x\.json: unexpected end of file inside event 0 \(byte 1\): the trace is truncated$/],
    ['{"traceEvents":[], "a": tru}', /^x\.json: the value of "a" at byte 24 is not valid JSON: /],
  ];
  for (const [text, re] of cases) await assert.rejects(fromText(text), (e: Error) => { assert.match(e.message, re, JSON.stringify(text)); return true; });
  // The offset counts bytes of the whole stream, not of one chunk.
  const one = '{"name":"a","ph":"X","ts":1,"dur":1,"pid":1,"tid":1},';
  const long = `[${one.repeat(20_000)}{"name": oops}]`;
  await assert.rejects(importTrace(chunked(Buffer.from(long), 65536), { fileName: 'big.json' }), (e: Error) => {
    assert.equal(e.name, 'TraceJsonError');
    assert.match(e.message, new RegExp(`^big\\.json: event 20,000 at byte ${(1 + 20_000 * one.length).toLocaleString('en-US')} is not valid JSON: `));
    const err = e as TraceJsonError;
    assert.deepEqual([err.offset, err.event], [1 + 20_000 * one.length, 20_000]);
    return true;
  });
});

test('strings with brackets, escapes and UTF-8 across chunk boundaries; a byte-order mark', async () => {
  const ev = [
    { name: 'a "}" ] [{', ph: 'X', ts: 1, dur: 2, pid: 1, tid: 1, args: { s: '\\"', u: 'conv2d [16x9]·[9x676] – ✓' } },
    { name: 'back\\slash', ph: 'X', ts: 2, dur: 1, pid: 1, tid: 1, args: { deep: [[{ x: '}' }]] } },
  ];
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ traceEvents: ev, note: '], }' }))]);
  for (const size of [1, 2, 5, buf.length]) {
    const m = await importTrace(chunked(buf, size));
    assert.deepEqual(names(m), ['a "}" ] [{', 'back\\slash']);
    assert.deepEqual(argsAt(m, 0), ev[0]!.args);
    assert.deepEqual(argsAt(m, 1), ev[1]!.args);
    assert.equal(m.metadata.note, '], }');
  }
});

test('B/E pairs per thread, unmatched ends, unclosed begins; instants; sorting; ignored phases', async () => {
  const evs = [
    { ph: 'B', name: 'a', ts: 0, pid: 1, tid: 1, args: { k: 'v' } },
    { ph: 'B', name: 'b', ts: 10, pid: 1, tid: 1 },
    { ph: 'B', name: 'other thread', ts: 12, pid: 1, tid: 2 },
    { ph: 'E', ts: 20, pid: 1, tid: 1 },
    { ph: 'E', ts: 30, pid: 1, tid: 1, args: { x: 1 } },
    { ph: 'E', ts: 40, pid: 1, tid: 1 },
    { ph: 'E', ts: 41, pid: 1, tid: 2 },
    { ph: 'B', name: 'c', ts: 50, pid: 1, tid: 1 },
    { ph: 'X', name: 'late', ts: 60, dur: 40, pid: 1, tid: 3 },
    { ph: 'X', name: 'early', ts: 5, dur: 1, pid: 1, tid: 3 },
    { ph: 'I', name: 'mark', ts: 7, pid: 1, tid: 3, s: 'g' },
    { ph: 'P', name: 'sample', ts: 7, pid: 1, tid: 3 },
    { ph: 'X', name: 'no ts', pid: 1, tid: 3 },
  ];
  const m = await fromText(JSON.stringify(evs));
  const spans = Array.from({ length: m.events.count }, (_, i) => { const e = eventAt(m, i); return [e.name, e.ph, e.ts, e.dur]; });
  assert.deepEqual(spans, [['a', 'B', 0, 30], ['early', 'X', 5, 1], ['mark', 'i', 7, 0], ['b', 'B', 10, 10], ['other thread', 'B', 12, 29], ['c', 'B', 50, 50], ['late', 'X', 60, 40]]);
  assert.deepEqual(argsAt(m, 0), { k: 'v', x: 1 }); // E's args merge into B's
  assert.deepEqual(m.warnings, [
    "x.json: 1 events without a numeric \"ts\" were skipped",
    "x.json: 1 end events ('E') had no open begin on their thread (first: event 5); skipped",
    "x.json: 1 begin events ('B') were never ended; closed at the trace's end",
    "x.json: 1 events of phase 'P' (samples) are not shown",
  ]);
  assert.deepEqual([m.start, m.end], [0, 100]);
});

test("flows 's' → 't' → 'f' hop by hop; flows missing an end or a start are counted", async () => {
  const evs = [
    { ph: 's', cat: 'c', id: 5, name: 'f', ts: 1, pid: 1, tid: 1 },
    { ph: 't', cat: 'c', id: 5, name: 'f', ts: 2, pid: 1, tid: 2 },
    { ph: 'f', cat: 'c', id: 5, name: 'f', ts: 3, pid: 2, tid: 1 },
    { ph: 'f', cat: 'c', id: 6, name: 'f', ts: 4, pid: 2, tid: 1, bp: 'e' },
    { ph: 's', cat: 'other', id: 5, name: 'f', ts: 5, pid: 1, tid: 1 },
    { ph: 'C', name: 'queue', id: 3, ts: 1, pid: 1, args: { depth: 2, label: 'not a number' } },
  ];
  const m = await fromText(JSON.stringify({ traceEvents: evs }));
  assert.deepEqual(m.flows.map((f) => [f.id, f.from.lane, f.to.lane, f.from.ts, f.to.ts, f.enclosing]), [['5', 0, 1, 1, 2, true], ['5', 1, 2, 2, 3, false]]);
  assert.deepEqual(m.counters.map((c) => [c.name, c.key, [...c.values]]), [['queue 3', 'depth', [2]]]);
  assert.deepEqual(m.warnings, ['x.json: 1 flow steps/ends had no flow start; skipped', 'x.json: 1 flows start but never end; not drawn']);
  assert.equal(m.events.count, 0);
});

test('args over the budget: the extracted fields stay, the whole event is re-read from the file', async () => {
  const m = await importTrace(fixture('ours_cpu.trace.json'), { argsBudget: 0 });
  assert.equal(m.args.length, 0);
  assert.equal(m.argsDropped, 150); // every span has args; none shared, none kept
  assert.match(m.warnings[0]!, /args of 150 events are not kept in memory/);
  const i = findEvents(m, 'conv2d')[0]!;
  assert.deepEqual(argsAt(m, i), { module: 'conv1', source: 'model.py:21', input_shapes: [[32, 1, 28, 28], [16, 1, 3, 3], [16]], flops: 6230016 });
  const full = await readEventAt(fixture('ours_cpu.trace.json'), m.events.offset[i]!);
  assert.equal(full.name, 'conv2d');
  assert.deepEqual(full.args, { input_shapes: [[32, 1, 28, 28], [16, 1, 3, 3], [16]], module: 'conv1', source: 'model.py:21', flops: 6230016 });
  const last = await readEventAt(fixture('ours_cpu.trace.json'), m.events.offset[m.events.count - 1]!);
  assert.equal(last.ph, 'X');
  // Shared args: the CPU trace repeats each op's args every step.
  const shared = await importTrace(fixture('ours_cpu.trace.json'));
  assert.ok(shared.args.length < 60, `${shared.args.length} distinct args`);
});

const MB = 1e6;

test('1,000,000 events: imported with the step, op and kernel summaries', async (t) => {
  const dir = tmp();
  try {
    const file = join(dir, 'million.json');
    const w = writeSyntheticTrace(file, { events: 1_000_000 });
    const t0 = performance.now();
    const m = await importTrace(file);
    const s = (performance.now() - t0) / 1000;
    t.diagnostic(`1,000,000 events (${(w.bytes / MB).toFixed(0)} MB): imported in ${s.toFixed(2)} s (${(w.bytes / MB / s).toFixed(0)} MB/s), rss ${(process.memoryUsage().rss / MB).toFixed(0)} MB`);
    assert.equal(m.events.count, 1_000_000);
    assert.deepEqual(m.warnings, []);
    const steps = stepBreakdown(m);
    assert.equal(steps.length, w.blocks + 1); // the last block is cut short
    for (const st of steps.slice(0, -1)) assert.deepEqual([st.data, st.forward, st.backward, st.optimizer, st.other], [1000, 49_000, 40_000, 9000, 0]);
    // Expected calls straight from the generated text: whole blocks, then the first `rest` events of one more.
    const rest = 1_000_000 - w.blocks * w.block.events.length;
    const count = (prefix: string, evs: readonly string[]): number => evs.filter((e) => e.startsWith(prefix)).length;
    const expect = (prefix: string): number => w.blocks * count(prefix, w.block.events) + count(prefix, w.block.events.slice(0, rest));
    const ops = opTable(m);
    assert.deepEqual(ops.map((r) => r.name).sort(), ['gelu', 'linear', 'matmul', 'softmax']);
    for (const r of ops) {
      assert.equal(r.calls, expect(`{"name":"${r.name}","cat":"cpu_op"`));
      assert.equal(r.total, r.calls * w.block.opDur);
      assert.equal(r.self, r.total);
      // Each kernel names its op, module and line: it goes to the op call just before it.
      assert.equal(r.deviceSelf, expect(`{"name":"kernel_${r.name}"`) * 8.5);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a trace over 600 MB (more than one V8 string holds) opens, streamed, within 2 GB', async (t) => {
  const dir = tmp();
  try {
    const file = join(dir, 'big.json');
    const g0 = performance.now();
    const w = writeSyntheticTrace(file, { minBytes: 600 * MB });
    const gen = (performance.now() - g0) / 1000;
    assert.ok(w.bytes > 600 * MB);
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0, heap = 0;
    const sample = setInterval(() => { const u = process.memoryUsage(); peak = Math.max(peak, u.rss); heap = Math.max(heap, u.heapUsed); }, 20);
    const t0 = performance.now();
    const m = await importTrace(file);
    const s = (performance.now() - t0) / 1000;
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss);
    t.diagnostic(`${(w.bytes / MB).toFixed(0)} MB, ${m.events.count.toLocaleString('en-US')} events (written in ${gen.toFixed(1)} s): imported in ${s.toFixed(1)} s = ${(w.bytes / MB / s).toFixed(0)} MB/s; peak rss ${(peak / MB).toFixed(0)} MB (${(rss0 / MB).toFixed(0)} MB before), peak heap ${(heap / MB).toFixed(0)} MB`);
    assert.equal(m.events.count, w.events);
    assert.equal(m.bytes, w.bytes);
    assert.deepEqual(m.warnings, []);
    assert.ok(peak < 2e9, `peak rss ${peak}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
