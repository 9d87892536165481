// The metrics panel's data: growable columns, TensorBoard's EMA and the trailing mean, min/max
// bucketing that keeps a single spike visible at any zoom, CSV, nearest, and the worker's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesColumns, Smoother, bucket, extent, nearest, smooth, toCsv } from '../../webview/src/metrics/series.js';
import { MetricsData, transferList } from '../../webview/src/metrics/metrics_data.js';
import type { ViewResponse, NearestResponse, CsvResponse } from '../../webview/src/metrics/worker_protocol.js';

/** TensorBoard's smoothing (vz_line_chart2 resmoothDataset), transcribed as the reference. */
function tensorBoardEma(values: readonly number[], w: number): number[] {
  let last = values.length > 0 ? 0 : NaN;
  let numAccum = 0;
  const isConstant = values.every((v) => v === values[0]);
  return values.map((v) => {
    if (isConstant || !Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    numAccum++;
    return last / (w === 1 ? 1 : 1 - Math.pow(w, numAccum));
  });
}

const f64 = (a: readonly number[]): Float64Array => Float64Array.from(a);
const wave = (n: number): number[] => Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i * 0.37) + (i % 7) * 0.01);

// One million steps of values in [0.5, 1.5] with a single spike.
const N = 1_000_000, SPIKE = 654321;
const big = new SeriesColumns('train/loss');
{
  const step = new Float64Array(N), epoch = new Float64Array(N), value = new Float64Array(N), time = new Float64Array(N);
  for (let i = 0; i < N; i++) { step[i] = i; epoch[i] = Math.floor(i / 60000); value[i] = 1 + 0.5 * Math.sin(i * 0.001); time[i] = i * 0.05; }
  value[SPIKE] = 100;
  big.appendMany(step, epoch, value, time);
}

test('SeriesColumns keeps every point past its initial capacity, one at a time and in bulk', () => {
  const s = new SeriesColumns('val/accuracy');
  for (let i = 0; i < 5000; i++) s.append(i * 10, Math.floor(i / 100), i / 5000, i * 0.5);
  s.appendMany([50000, 50010], [50, 50], [NaN, 2], [2500, 2500.5]);
  assert.equal(s.length, 5002);
  const step = s.x('step'), epoch = s.x('epoch'), time = s.x('time'), value = s.values();
  assert.equal(step.length, 5002);
  for (let i = 0; i < 5000; i++) {
    assert.equal(step[i], i * 10); assert.equal(epoch[i], Math.floor(i / 100)); assert.equal(time[i], i * 0.5); assert.equal(value[i], i / 5000);
  }
  assert.deepEqual([...step.subarray(5000)], [50000, 50010]);
  assert.ok(Number.isNaN(value[5000]));
  assert.deepEqual(s.stats(), { min: 0, max: 2, last: 2, count: 5002 });
  assert.deepEqual(s.xExtent('time'), [0, 2500.5]);
  assert.deepEqual(s.xExtent('epoch'), [0, 50]);
  // Columns of unequal length: the common prefix only.
  s.appendMany([1, 2, 3], [0, 0], [1, 1, 1], [1, 2, 3]);
  assert.equal(s.length, 5004);
});

test('stats skip NaN and Infinity; an empty or all-NaN series has NaN min/max/last', () => {
  const s = new SeriesColumns('x');
  assert.deepEqual(s.stats(), { min: NaN, max: NaN, last: NaN, count: 0 });
  assert.equal(s.xExtent('step'), null);
  s.appendMany([0, 1, 2, 3], [0, 0, 0, 0], [Infinity, -3, NaN, -Infinity], [0, 1, 2, 3]);
  assert.deepEqual(s.stats(), { min: -3, max: -3, last: -3, count: 4 });
  const t = new SeriesColumns('y');
  t.append(0, 0, NaN, 0);
  assert.deepEqual(t.stats(), { min: NaN, max: NaN, last: NaN, count: 1 });
});

test('EMA is TensorBoard\'s debiased EMA: [1,2,3,4] with w = 0.5', () => {
  // By hand: last = 0.5, 1.25, 2.125, 3.0625; debias = 0.5, 0.75, 0.875, 0.9375.
  const hand = [0.5 / 0.5, 1.25 / 0.75, 2.125 / 0.875, 3.0625 / 0.9375];
  const got = smooth(f64([1, 2, 3, 4]), { kind: 'ema', weight: 0.5 });
  assert.deepEqual([...got], hand);
  assert.deepEqual([...got], tensorBoardEma([1, 2, 3, 4], 0.5));
  [1, 1.6667, 2.4286, 3.2667].forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 5e-5, `${got[i]} ≈ ${v}`));
});

test('EMA matches TensorBoard exactly on a long series with NaN and Infinity, for several weights', () => {
  const values = wave(50_000);
  values[10] = NaN; values[777] = Infinity; values[40_000] = -Infinity;
  for (const w of [0, 0.3, 0.6, 0.9, 0.99, 0.999]) {
    assert.deepEqual([...smooth(f64(values), { kind: 'ema', weight: w })], tensorBoardEma(values, w), `w = ${w}`);
  }
  // w = 0 gives the values back; a constant series passes through unchanged (TensorBoard's special case).
  assert.deepEqual([...smooth(f64([3, 1, 4]), { kind: 'ema', weight: 0 })], [3, 1, 4]);
  assert.deepEqual([...smooth(f64([0.1, 0.1, 0.1]), { kind: 'ema', weight: 0.9 })], [0.1, 0.1, 0.1]);
  // Non-finite values pass through and leave the accumulator alone: 1, NaN, then (0.25 + 1.5) / 0.75.
  assert.deepEqual([...smooth(f64([1, NaN, 3]), { kind: 'ema', weight: 0.5 })], [1, NaN, 1.75 / 0.75]);
});

test('trailing mean over the last `window` finite points', () => {
  assert.deepEqual([...smooth(f64([1, 2, 3, 4, 5]), { kind: 'mean', window: 3 })], [1, 1.5, 2, 3, 4]);
  assert.deepEqual([...smooth(f64([1, NaN, 3, 5, 7]), { kind: 'mean', window: 2 })], [1, NaN, 2, 4, 6]);
  assert.deepEqual([...smooth(f64([4, 6]), { kind: 'mean', window: 1 })], [4, 6]);
  // A huge spike leaving the window leaves no rounding residue behind (plain running sums give 0 here).
  assert.deepEqual([...smooth(f64([1e17, 1, 1, 1, 1]), { kind: 'mean', window: 2 })], [1e17, 5e16, 1, 1, 1]);
  // Against a direct computation on a long series, through many re-sums of the window.
  const values = wave(20_000);
  const got = smooth(f64(values), { kind: 'mean', window: 100 });
  for (let i = 0; i < values.length; i += 997) {
    const win = values.slice(Math.max(0, i - 99), i + 1);
    assert.ok(Math.abs(got[i]! - win.reduce((a, b) => a + b, 0) / win.length) < 1e-12, `i = ${i}`);
  }
});

test('Smoother.extend over appended chunks equals smoothing the whole series at once', () => {
  const values = [2, 2, 2, 2, ...wave(3000), NaN, ...wave(500)];
  for (const s of [{ kind: 'ema', weight: 0.9 }, { kind: 'mean', window: 64 }] as const) {
    const sm = new Smoother(s);
    // The first chunk is constant: the EMA passes it through, then must redo it once it varies.
    for (const end of [3, 4, 10, 1000, 1001, 3504, 3505]) sm.extend(f64(values.slice(0, end)));
    assert.deepEqual([...sm.extend(f64(values))], [...smooth(f64(values), s)], s.kind);
  }
  const raw = f64([5, 5]);
  assert.equal(new Smoother({ kind: 'none' }).extend(raw), raw, "'none' is the raw values themselves");
});

test('a single spike keeps its column at max 100 at every zoom, and never shows outside its range', () => {
  const xs = big.x('step'), raw = big.values();
  const windows: [number, number, boolean][] = [
    [0, N - 1, true], // the full range
    [650_000, 659_999, true], // 10,000 steps
    [654_300, 654_349, true], // 50 steps
    [0, SPIKE - 1, false],
    [SPIKE + 1, N - 1, false],
  ];
  for (const [x0, x1, inRange] of windows) {
    const b = bucket(xs, raw, null, x0, x1, 1000);
    assert.equal(b.points, x1 - x0 + 1);
    assert.equal(b.count.reduce((a, c) => a + c, 0), b.points);
    const spiky = [...b.hi.keys()].filter((i) => b.hi[i] === 100);
    if (!inRange) { assert.deepEqual(spiky, [], `[${x0}, ${x1}]`); continue; }
    const col = Math.floor((SPIKE - x0) / ((x1 - x0) / 1000));
    assert.deepEqual(spiky, [col], `[${x0}, ${x1}]`);
    assert.ok(b.first[col]! <= SPIKE && SPIKE <= b.last[col]!);
    // Where the column holds neighbours too, the band spans them and the spike.
    if (b.count[col]! > 1) assert.ok(b.lo[col]! < 2); else assert.equal(b.lo[col], 100);
  }
});

test('smoothing changes the line, never the band', () => {
  const xs = big.x('step'), raw = big.values();
  const ema = smooth(raw, { kind: 'ema', weight: 0.99 });
  assert.equal(raw[SPIKE], 100, 'raw values untouched');
  for (const [x0, x1] of [[0, N - 1], [654_300, 654_349]] as const) {
    const plain = bucket(xs, raw, null, x0, x1, 1000), smoothed = bucket(xs, raw, ema, x0, x1, 1000);
    assert.deepEqual(smoothed.lo, plain.lo);
    assert.deepEqual(smoothed.hi, plain.hi);
    assert.notDeepEqual(smoothed.line, plain.line);
  }
});

test('bucket: line is the last value in each column, empty columns are NaN, edges are the points just outside', () => {
  const xs = f64([0, 1, 2, 3, 10, 11]), raw = f64([5, 1, 7, NaN, 2, 3]), line = f64([50, 10, 70, NaN, 20, 30]);
  const b = bucket(xs, raw, line, 1, 10, 3); // columns [1, 4), [4, 7), [7, 10]
  assert.deepEqual([...b.x], [2.5, 5.5, 8.5]);
  assert.deepEqual([...b.count], [3, 0, 1]);
  assert.deepEqual([...b.lo], [1, NaN, 2]);
  assert.deepEqual([...b.hi], [7, NaN, 2]);
  assert.deepEqual([...b.line], [70, NaN, 20], 'NaN at x = 3 is skipped: the last finite value');
  assert.deepEqual([...b.first], [1, NaN, 10]);
  assert.deepEqual([...b.last], [3, NaN, 10]);
  assert.equal(b.points, 4);
  assert.deepEqual(b.before, { index: 0, x: 0, raw: 5, line: 50 });
  assert.deepEqual(b.after, { index: 5, x: 11, raw: 3, line: 30 });
  // Whole range: no edges. x0 = x1: all its points in column 0.
  const all = bucket(xs, raw, null, 0, 11, 4);
  assert.equal(all.before, null); assert.equal(all.after, null);
  assert.deepEqual([...bucket(f64([2, 2, 2]), f64([1, 9, 4]), null, 2, 2, 3).count], [3, 0, 0]);
  // Empty input, an empty range, no columns.
  assert.equal(bucket(f64([]), f64([]), null, 0, 1, 10).points, 0);
  assert.equal(bucket(xs, raw, null, 4, 9, 10).points, 0);
  assert.equal(bucket(xs, raw, null, 0, 11, 0).x.length, 0);
});

test('extent and nearest', () => {
  assert.equal(extent(f64([])), null);
  assert.deepEqual(extent(f64([3, NaN, -1, 8])), [-1, 8]);
  const xs = f64([0, 10, 20, 20, 30]);
  assert.equal(nearest(f64([]), 5), -1);
  assert.equal(nearest(xs, NaN), -1);
  assert.equal(nearest(xs, -100), 0);
  assert.equal(nearest(xs, 100), 4);
  assert.equal(nearest(xs, 14), 1);
  assert.equal(nearest(xs, 16), 2);
  assert.equal(nearest(xs, 15), 1, 'a tie goes left');
  assert.equal(nearest(xs, 20), 2);
  assert.equal(nearest(big.x('step'), SPIKE + 0.3), SPIKE);
});

test('toCsv: header, every point in range with full precision, RFC 4180 quoting', () => {
  const a = new SeriesColumns('train/loss');
  a.appendMany([0, 1, 2, 3], [0, 0, 1, 1], [0.1 + 0.2, 1 / 3, NaN, 2], [0, 0.5, 1.25, 2]);
  const b = new SeriesColumns('val/"acc",top1');
  b.append(2, 1, 0.5, 1.5);
  const text = toCsv([['run, "A"', a], ['B', b]], 'step', 1, 2);
  assert.equal(text, [
    'run,metric,step,epoch,time,value',
    '"run, ""A""",train/loss,1,0,0.5,0.3333333333333333',
    '"run, ""A""",train/loss,2,1,1.25,NaN',
    'B,"val/""acc"",top1",2,1,1.5,0.5',
    '',
  ].join('\n'));
  assert.equal(Number(toCsv([['r', a]], 'time', 0, 0).split('\n')[1]!.split(',')[5]), 0.1 + 0.2, 'round-trips');
  // A range of the 1M series: one row per point, ends included.
  const all = toCsv([['r', big]], 'step', SPIKE - 5000, SPIKE + 5000);
  assert.equal(all.split('\n').length, 10_001 + 2);
  assert.ok(all.startsWith(`run,metric,step,epoch,time,value\nr,train/loss,${SPIKE - 5000},`));
  assert.ok(all.endsWith(`\nr,train/loss,${SPIKE + 5000},10,${(SPIKE + 5000) * 0.05},${big.values()[SPIKE + 5000]}\n`));
  assert.ok(all.includes(`\nr,train/loss,${SPIKE},10,${SPIKE * 0.05},100\n`));
});

test('MetricsData: load, live appends, views on one grid, smoothing, nearest, csv, unknown and empty series', () => {
  const d = new MetricsData();
  d.handle({ type: 'load', runId: 'r1', name: 'train/loss', step: f64([0, 1, 2, 3]), epoch: f64([0, 0, 0, 0]), value: f64([4, 3, 2, 1]), time: f64([0, 1, 2, 3]) });
  d.handle({ type: 'append', runId: 'r2', points: [
    { name: 'train/loss', step: 2, epoch: 0, value: 9, time: 0 },
    { name: 'train/lr', step: 2, epoch: 0, value: 0.1, time: 0 },
    { name: 'train/loss', step: 5, epoch: 0, value: 8, time: 1 },
  ] });
  const view = (x0: number | null, x1: number | null, runs = ['r1', 'r2', 'nope'], names = ['train/loss', 'missing']): ViewResponse =>
    d.handle({ type: 'view', id: 7, chart: 'loss', runs, names, axis: 'step', x0, x1, columns: 5 }) as ViewResponse;

  let v = view(null, null);
  assert.equal(v.id, 7); assert.equal(v.chart, 'loss');
  assert.equal(v.x0, 0); assert.equal(v.x1, 5, 'the full extent over both runs');
  assert.deepEqual([...v.xs], [0.5, 1.5, 2.5, 3.5, 4.5]);
  assert.deepEqual(v.series.map((s) => `${s.runId} ${s.name}`), ['r1 train/loss', 'r2 train/loss'], 'unknown run and name left out');
  assert.deepEqual([...v.series[0]!.hi], [4, 3, 2, 1, NaN]);
  assert.deepEqual([...v.series[1]!.hi], [NaN, NaN, 9, NaN, 8]);
  assert.deepEqual(v.series[1]!.stats, { min: 8, max: 9, last: 8, count: 2 });

  // A live point extends the cached smoothing; the band stays raw.
  d.handle({ type: 'smoothing', smoothing: { kind: 'ema', weight: 0.5 } });
  view(null, null);
  d.handle({ type: 'append', runId: 'r1', points: [{ name: 'train/loss', step: 4, epoch: 1, value: 0, time: 4 }] });
  v = view(0, 4, ['r1']);
  assert.deepEqual([...v.series[0]!.line], tensorBoardEma([4, 3, 2, 1, 0], 0.5), 'one point per column; x = 4 in the last (closed) one');
  assert.deepEqual([...v.series[0]!.hi], [4, 3, 2, 1, 0]);

  // A zoom: points just outside are the edges.
  v = view(1.5, 2.5, ['r1']);
  assert.equal(v.series[0]!.points, 1);
  assert.equal(v.series[0]!.before?.x, 1); assert.equal(v.series[0]!.after?.x, 3);

  // Fresh arrays, each its own buffer: safe to transfer.
  const buffers = transferList(v);
  assert.equal(buffers.length, 1 + 4 * v.series.length);
  assert.equal(new Set(buffers).size, buffers.length);

  const near = d.handle({ type: 'nearest', id: 8, runs: ['r1', 'r2', 'nope'], names: ['train/loss'], axis: 'step', x: 3.9 }) as NearestResponse;
  const sm = tensorBoardEma([4, 3, 2, 1, 0], 0.5);
  assert.deepEqual(near.rows, [
    { runId: 'r1', name: 'train/loss', x: 4, step: 4, epoch: 1, time: 4, value: 0, smoothed: sm[4] },
    { runId: 'r2', name: 'train/loss', x: 5, step: 5, epoch: 0, time: 1, value: 8, smoothed: tensorBoardEma([9, 8], 0.5)[1] },
  ]);

  const csv = d.handle({ type: 'csv', id: 9, runs: [{ runId: 'r2', label: 'second' }, { runId: 'nope', label: 'x' }], names: ['train/loss', 'train/lr'], axis: 'step', x0: null, x1: null }) as CsvResponse;
  assert.equal(csv.text, 'run,metric,step,epoch,time,value\nsecond,train/loss,2,0,0,9\nsecond,train/loss,5,0,1,8\nsecond,train/lr,2,0,0,0.1\n');

  // 'load' replaces a series; 'clear' forgets a run.
  d.handle({ type: 'load', runId: 'r1', name: 'train/loss', step: f64([10]), epoch: f64([1]), value: f64([7]), time: f64([9]) });
  assert.equal(d.series('r1', 'train/loss')?.length, 1);
  d.handle({ type: 'clear', runId: 'r2' });
  assert.equal(d.series('r2', 'train/loss'), undefined);

  // Nothing to show: no range, no columns, never a throw.
  const none = view(null, null, ['r2', 'nope']);
  assert.equal(none.x0, null); assert.equal(none.x1, null);
  assert.equal(none.xs.length, 0); assert.deepEqual(none.series, []);
  d.handle({ type: 'load', runId: 'r3', name: 'train/loss', step: f64([]), epoch: f64([]), value: f64([]), time: f64([]) });
  const empty = view(null, null, ['r3']);
  assert.equal(empty.x0, null);
  assert.equal(empty.series.length, 1);
  assert.equal(empty.series[0]!.points, 0);
  assert.deepEqual((d.handle({ type: 'nearest', id: 1, runs: ['r3'], names: ['train/loss'], axis: 'time', x: 0 }) as NearestResponse).rows, []);
});
