// The metrics panel's real bundle in headless Chromium on the page the extension serves: the
// fashion example's metrics.jsonl as the CLI wrote it (test/fixtures/metrics/make_fashion_run.sh),
// a 1,000,000-point series with one planted spike, two runs overlaid, a live 10 Hz stream, export.
// Screenshots in Dark+ and Light+ go to $TS_SCREENSHOTS (default /tmp/ts-webview-screens).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, openPanel, type PanelHandle } from '../helpers/webview_page.js';

const SHOTS = process.env.TS_SCREENSHOTS ?? '/tmp/ts-webview-screens';
const FASHION = readFileSync(join(__dirname, '../fixtures/metrics/fashion.metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; epoch: number; name: string; value: number; time: number });
const SPIKE_AT = 654_321, SPIKE = 100, N = 1_000_000;

const RUN_A = { id: '20261207-101500-FashionCNN', label: 'FashionCNN · Dec 7, 10:15', status: 'completed', startedAt: '2026-12-07T10:15:00.000Z' };
const RUN_B = { id: '20261207-113000-Spiky', label: 'Spiky · Dec 7, 11:30', status: 'completed', startedAt: '2026-12-07T11:30:00.000Z' };

/** The fashion run's points as the extension sends them: one column set per metric name (the page makes them Float64Arrays). */
function fashionSeries(): { name: string; step: number[]; epoch: number[]; value: number[]; time: number[] }[] {
  const by = new Map<string, { name: string; step: number[]; epoch: number[]; value: number[]; time: number[] }>();
  for (const p of FASHION) {
    const s = by.get(p.name) ?? { name: p.name, step: [], epoch: [], value: [], time: [] };
    s.step.push(p.step); s.epoch.push(p.epoch); s.value.push(p.value); s.time.push(p.time);
    by.set(p.name, s);
  }
  return [...by.values()];
}

let browser: Browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser?.close(); });

interface ChartInfo {
  key: string; title: string; lines: { runId: string; name: string; color: string }[];
  view: { x0: number; x1: number; columns: number; series: { runId: string; name: string; points: number; hi: number; line: number[] }[] } | null;
}
const charts = (p: PanelHandle): Promise<ChartInfo[]> => p.page.evaluate(() => (window as any).tensorStudioMetrics.charts());
const views = (p: PanelHandle): Promise<number> => p.page.evaluate(() => (window as any).tensorStudioMetrics.metrics.views);
/** Waits until the panel has drawn a view after `n` (a zoom, a smoothing change, new points). */
async function drawnAfter(p: PanelHandle, n: number): Promise<ChartInfo[]> {
  await p.page.waitForFunction((k) => (window as any).tensorStudioMetrics.metrics.views > k, n, { timeout: 30_000 });
  return charts(p);
}

/** Opens the panel with these runs; ticks `select`; answers the panel's select with the series, as the extension does. */
async function open(theme: 'dark' | 'light', select: string[]): Promise<PanelHandle> {
  const p = await openPanel(browser, 'metrics', { theme, width: 1300, height: 900 });
  await p.send({ type: 'runs', runs: [RUN_A, RUN_B], select });
  await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'select'));
  return p;
}
const sendFashion = async (p: PanelHandle): Promise<ChartInfo[]> => {
  const n = await views(p);
  // Typed arrays as VS Code delivers them (Playwright's page.evaluate argument carries only JSON: convert there).
  await p.page.evaluate(([runId, series]) => {
    window.postMessage({ type: 'series', runId, series: series.map((x) => ({
      name: x.name, step: Float64Array.from(x.step), epoch: Float64Array.from(x.epoch), value: Float64Array.from(x.value), time: Float64Array.from(x.time),
    })) }, '*');
  }, [RUN_A.id, fashionSeries()] as const);
  return drawnAfter(p, n);
};
/** The spiky run built in the page (a million points through Playwright would be slow): loss ~1, one spike. */
async function sendSpike(p: PanelHandle): Promise<ChartInfo[]> {
  const n = await views(p);
  await p.page.evaluate(([runId, count, at, spike]) => {
    const step = new Float64Array(count), epoch = new Float64Array(count), value = new Float64Array(count), time = new Float64Array(count);
    for (let i = 0; i < count; i++) { step[i] = i; epoch[i] = Math.floor(i / 100_000); value[i] = 1 + 0.1 * Math.sin(i / 5000); time[i] = i / 1000; }
    value[at] = spike;
    window.postMessage({ type: 'series', runId, series: [{ name: 'train/loss', step, epoch, value, time }] }, '*');
  }, [RUN_B.id, N, SPIKE_AT, SPIKE] as const);
  return drawnAfter(p, n);
}

for (const theme of ['dark', 'light'] as const) {
  test(`fashion run (${theme}): one chart per metric, train and val of a metric together, min/max/last per run`, async () => {
    const p = await open(theme, [RUN_A.id]);
    const cs = await sendFashion(p);
    assert.deepEqual(cs.map((c) => c.key), ['loss', 'accuracy', 'lr', 'samples_per_s', 'top5']);
    assert.deepEqual(cs[0]!.lines.map((l) => l.name), ['train/loss', 'val/loss']);
    const loss = cs[0]!.view!.series.find((s) => s.name === 'train/loss')!;
    assert.equal(loss.points, FASHION.filter((q) => q.name === 'train/loss').length);
    const last = FASHION.filter((q) => q.name === 'train/loss').at(-1)!.value;
    const row = await p.page.locator('.chart').first().locator('tbody tr').first().innerText();
    assert.match(row, new RegExp(String(Number(last.toPrecision(4))).replace('.', '\\.')));
    await p.page.screenshot({ path: join(SHOTS, `metrics-fashion-${theme}.png`) });
    await p.page.close();
  });
}

test('a 1,000,000-point series: the spike is drawn at every zoom that holds it, and not in one that does not', async () => {
  const p = await open('dark', [RUN_B.id]);
  const t0 = Date.now();
  let cs = await sendSpike(p);
  const firstDraw: number = await p.page.evaluate(() => (window as any).tensorStudioMetrics.metrics.firstDrawMs);
  assert.ok(firstDraw > 0, `drawn (${firstDraw} ms after the series arrived; ${Date.now() - t0} ms with the page building it)`);
  const spikeHi = (c: ChartInfo[]): number => c[0]!.view!.series[0]!.hi;
  assert.equal(spikeHi(cs), SPIKE, 'whole range');
  for (const [x0, x1, has] of [[600_000, 700_000, true], [654_000, 656_000, true], [654_300, 654_350, true], [0, 500_000, false], [654_322, 660_000, false]] as const) {
    const n = await views(p);
    await p.page.evaluate(([a, b]) => (window as any).tensorStudioMetrics.zoom(a, b), [x0, x1]);
    cs = await drawnAfter(p, n);
    assert.equal(spikeHi(cs) === SPIKE, has, `zoom ${x0}–${x1}: max ${spikeHi(cs)}`);
    assert.equal(cs[0]!.view!.series[0]!.points, x1 - x0 + 1, `every point of ${x0}–${x1} is bucketed`);
  }
  await p.page.screenshot({ path: join(SHOTS, 'metrics-spike-zoomed-dark.png') });
  // Double-click resets the zoom.
  const n = await views(p);
  const plot = (await p.page.locator('.chart .u-over').first().boundingBox())!;
  await p.page.mouse.dblclick(plot.x + plot.width / 2, plot.y + plot.height / 2);
  cs = await drawnAfter(p, n);
  assert.equal(cs[0]!.view!.series[0]!.points, N);
  await p.page.close();
});

test('smoothing changes the line, not the data: the band and the CSV stay the raw points', async () => {
  const p = await open('light', [RUN_A.id]);
  let cs = await sendFashion(p);
  const before = cs[0]!.view!.series.find((s) => s.name === 'train/loss')!;
  let n = await views(p);
  await p.page.getByRole('combobox', { name: 'Smoothing' }).selectOption('none');
  cs = await drawnAfter(p, n);
  const raw = cs[0]!.view!.series.find((s) => s.name === 'train/loss')!;
  assert.notDeepEqual(raw.line, before.line, 'EMA 0.6 (the default) differs from the raw line');
  assert.equal(raw.hi, before.hi, 'the band is the raw data either way');
  n = await views(p);
  await p.page.getByRole('combobox', { name: 'Smoothing' }).selectOption('mean');
  cs = await drawnAfter(p, n);
  assert.notDeepEqual(cs[0]!.view!.series.find((s) => s.name === 'train/loss')!.line, raw.line);
  // CSV: every point of every metric, raw values in full precision.
  await p.page.getByRole('button', { name: 'Export the points in view as CSV' }).click();
  await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'export'));
  const csv = (await p.posted()).find((m) => m.type === 'export');
  const lines = csv.data.trim().split('\n');
  assert.equal(lines[0], 'run,metric,step,epoch,time,value');
  assert.equal(lines.length - 1, FASHION.length);
  const first = FASHION[0]!;
  // The label has a comma: quoted (RFC 4180).
  assert.ok(lines.includes(`"${RUN_A.label}",${first.name},${first.step},${first.epoch},${first.time},${first.value}`), lines[1]);
  await p.page.close();
});

test('two runs overlaid: both drawn on the loss chart in their own colours, one legend row each', async () => {
  const p = await open('dark', [RUN_A.id, RUN_B.id]);
  await sendFashion(p);
  const cs = await sendSpike(p);
  const loss = cs.find((c) => c.key === 'loss')!;
  assert.deepEqual(loss.lines.map((l) => [l.runId, l.name]), [[RUN_B.id, 'train/loss'], [RUN_A.id, 'train/loss'], [RUN_A.id, 'val/loss']]);
  assert.notEqual(loss.lines[0]!.color, loss.lines[1]!.color);
  assert.equal(await p.page.locator('.chart').first().locator('tbody tr').count(), 3);
  assert.deepEqual(loss.view!.series.map((s) => s.points > 0), [true, true, true]);
  await p.page.screenshot({ path: join(SHOTS, 'metrics-overlay-dark.png') });
  // Unticking a run takes it off the charts.
  const n = await views(p);
  await p.page.getByRole('checkbox', { name: `Show ${RUN_B.label}` }).uncheck();
  const after1 = await drawnAfter(p, n);
  assert.deepEqual(after1.find((c) => c.key === 'loss')!.lines.map((l) => l.runId), [RUN_A.id, RUN_A.id]);
  await p.page.close();
});

test('live: 10 batches a second for 3 s, every point counted and drawn, no long task over 50 ms', async () => {
  const p = await open('dark', [RUN_A.id]);
  await p.send({ type: 'series', runId: RUN_A.id, series: [] });
  // A series of plain arrays is not what the extension sends: dropped.
  await p.send({ type: 'series', runId: RUN_A.id, series: [{ name: 'train/loss', step: [1], epoch: [0], value: [1], time: [0] }] });
  // The first points make the two charts (uPlot's setup); the stream after them is what is measured.
  let sent = 2;
  const n = await views(p);
  await p.send({ type: 'append', runId: RUN_A.id, points: [{ name: 'train/loss', step: 0, epoch: 0, value: 2, time: 0 }, { name: 'train/lr', step: 0, epoch: 0, value: 2, time: 0 }] });
  await drawnAfter(p, n);
  await p.page.evaluate(() => {
    (window as any).__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) (window as any).__long.push(e.duration); }).observe({ type: 'longtask', buffered: false });
  });
  for (let b = 0; b < 30; b++) {
    const points = Array.from({ length: 40 }, (_, i) => {
      const step = 1 + b * 40 + i;
      return { name: i % 2 ? 'train/lr' : 'train/loss', step, epoch: 0, value: 2 / (1 + step / 100), time: step / 20 };
    });
    sent += points.length;
    await p.send({ type: 'append', runId: RUN_A.id, points });
    await new Promise((r) => setTimeout(r, 100));
  }
  await p.page.waitForTimeout(300);
  const received: number = await p.page.evaluate((id) => (window as any).tensorStudioMetrics.metrics.pointsReceived.get(id), RUN_A.id);
  assert.equal(received, sent);
  const cs = await charts(p);
  const drawn = cs.flatMap((c) => c.view!.series).reduce((s, x) => s + x.points, 0);
  assert.equal(drawn, sent, 'every point is in a view');
  const long: number[] = await p.page.evaluate(() => (window as any).__long);
  assert.ok(long.every((d) => d < 50), `long tasks: ${long.join(', ')}`);
  await p.page.close();
});

test('a malformed message is ignored; the saved state brings back the axis and smoothing', async () => {
  const p = await openPanel(browser, 'metrics', {
    theme: 'dark', state: { version: 1, selected: [RUN_A.id], axis: 'time', smoothing: { kind: 'mean', window: 10 }, log: true },
  });
  await p.send({ type: 'series', runId: 7, series: 'x' });
  await p.send({ type: 'append', runId: RUN_A.id, points: [{ name: 'a' }] });
  assert.equal(await p.page.getByRole('combobox', { name: 'X axis' }).inputValue(), 'time');
  assert.equal(await p.page.getByRole('combobox', { name: 'Smoothing' }).inputValue(), 'mean');
  assert.equal(await p.page.getByRole('checkbox', { name: 'Log scale' }).isChecked(), true);
  await p.send({ type: 'runs', runs: [RUN_A], select: [] });
  await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'select'));
  const sel = (await p.posted()).filter((m) => m.type === 'select').at(-1);
  assert.deepEqual(sel.runIds, [RUN_A.id], 'the saved selection is asked for again');
  await p.page.close();
});
