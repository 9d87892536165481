// The profiler panel's real bundle in headless Chromium on the page the extension serves, fed
// committed traces (ours on CPU and WebGPU, torch 1.13's, kineto's traceEvents form) imported as
// the extension does: the overview's breakdown, the op table (sort, filter, select, reveal, group
// by shapes, thousands of rows), the details pane, loading and errors, compare, the saved view.
// Screenshots in Dark+ and Light+ go to $TS_SCREENSHOTS (default /tmp/ts-webview-screens).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, openPanel, type PanelHandle, type ThemeName } from '../helpers/webview_page.js';
import { profileData, sendProfile, TRACES } from '../helpers/profile_fixture.js';
import { diffOps, importTrace, stepBreakdown } from '../../engine/src/profile/import/index.js';
import type { ProfileComparison, ProfileData, ProfileOp } from '../../webview/src/profiler_protocol.js';

const SHOTS = process.env.TS_SCREENSHOTS ?? '/tmp/ts-webview-screens';
type Fixture = 'ours_cpu' | 'ours_webgpu' | 'torch113' | 'traceEvents_form';

let browser: Browser;
const cache = new Map<Fixture, Promise<ProfileData>>();
const data = (f: Fixture): Promise<ProfileData> => { if (!cache.has(f)) cache.set(f, profileData(f)); return cache.get(f)!; };
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser?.close(); });

/** Opens the panel, records page errors, and (with `trace`) sends it that trace. */
async function open(trace: Fixture | ProfileData | null, opts: { theme?: ThemeName; state?: unknown; width?: number } = {}): Promise<PanelHandle & { errors: string[] }> {
  const p = await openPanel(browser, 'profiler', { theme: opts.theme ?? 'dark', width: opts.width ?? 1280, height: 820, state: opts.state });
  const errors: string[] = [];
  p.page.on('pageerror', (e) => errors.push(String(e)));
  if (trace) {
    await sendProfile(p, typeof trace === 'string' ? await data(trace) : trace);
    await p.page.waitForFunction(() => (window as any).tensorStudioProfiler.data !== undefined);
  }
  return Object.assign(p, { errors });
}
const view = (p: PanelHandle, v: string): Promise<void> => p.page.click(`button[data-view="${v}"]`);
/** Names in the op table's view order, and the first rows the DOM holds. */
const opOrder = (p: PanelHandle): Promise<ProfileOp[]> => p.page.evaluate(() => (window as any).tensorStudioProfiler.operators.page.table.visibleRows);
const domNames = (p: PanelHandle, page = 'operators'): Promise<string[]> => p.page.$$eval(`[data-page="${page}"] .rows .row > :first-child`, (cs) => cs.map((c) => c.textContent ?? ''));
const posted = async (p: PanelHandle, type: string): Promise<any[]> => (await p.posted()).filter((m) => m.type === type);

/** A comparison built as the extension's trace worker builds it. */
async function comparison(a: Fixture, b: Fixture): Promise<ProfileComparison> {
  const [ma, mb] = await Promise.all([importTrace(join(TRACES, `${a}.trace.json`)), importTrace(join(TRACES, `${b}.trace.json`))]);
  const sa = stepBreakdown(ma), sb = stepBreakdown(mb);
  const mean = (s: readonly { dur: number }[]): number => s.reduce((x, y) => x + y.dur, 0) / s.length;
  return { a: ma.fileName, b: mb.fileName, perStep: true, aStep: mean(sa), bStep: mean(sb), rows: diffOps(ma, mb, { perStep: true }) };
}

for (const f of ['ours_cpu', 'torch113', 'ours_webgpu'] as const) {
  test(`overview (${f}): each step's breakdown, as rendered, adds up to the step time shown beside it`, async () => {
    const d = await data(f);
    const p = await open(f);
    const rows = await p.page.$$eval('table.steps tr.step, table.steps tr.average', (trs) => trs.map((tr) => ({
      parts: Array.from(tr.querySelectorAll<HTMLElement>('[data-part]'), (c) => Number(c.dataset.us)),
      total: Number(tr.querySelector<HTMLElement>('.total')!.dataset.us), text: tr.querySelector('.total')!.textContent,
    })));
    assert.equal(rows.length, d.steps.length + 1, 'a row per step and the average');
    for (const [k, r] of rows.entries()) {
      assert.equal(r.parts.length, 5);
      const sum = r.parts.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - r.total) <= 1e-6 * r.total, `row ${k}: parts ${sum} µs vs step ${r.total} µs`);
      if (k < d.steps.length) assert.equal(r.total, d.steps[k]!.dur);
    }
    const shares = await p.page.$$eval('table.steps tr.share [data-part]', (cs) => cs.map((c) => parseFloat(c.textContent!)));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.3, `shares ${shares}`);
    assert.equal(await p.page.locator('.top-ops tbody tr').count(), Math.min(8, d.ops.length));
    assert.match(await p.page.locator('.info').innerText(), f === 'torch113' ? /PyTorch profiler trace/ : /Tensor Studio trace/);
    assert.deepEqual(p.errors, []);
    await p.page.close();
  });
}

test('op table: Self sorts descending, then ascending; the filter narrows rows; a row selects, its source link reveals', async () => {
  const d = await data('ours_cpu');
  const p = await open('ours_cpu');
  await view(p, 'operators');
  const self = p.page.getByRole('columnheader', { name: /^Self/ });
  await self.click();
  let order = await opOrder(p);
  assert.deepEqual(order.map((o) => o.self), [...d.ops].map((o) => o.self).sort((a, b) => b - a));
  assert.equal(await self.getAttribute('aria-sort'), 'descending');
  assert.deepEqual(await domNames(p), order.map((o) => o.name), 'the DOM shows the same order');
  await self.click();
  order = await opOrder(p);
  assert.deepEqual(order.map((o) => o.self), [...d.ops].map((o) => o.self).sort((a, b) => a - b));
  assert.equal(await self.getAttribute('aria-sort'), 'ascending');

  await p.page.getByRole('searchbox', { name: /Filter operators/ }).fill('GRAD');
  const names = await domNames(p);
  assert.ok(names.length > 0 && names.length < d.ops.length, `${names.length} of ${d.ops.length}`);
  assert.ok(names.every((n) => n.toLowerCase().includes('grad')), names.join());
  assert.match(await p.page.locator('.page-operators .count').innerText(), new RegExp(`${names.length} of ${d.ops.length} operators`));

  const rowsNow = await opOrder(p);
  const k = rowsNow.findIndex((o) => o.source !== undefined);
  const first = rowsNow[k]!;
  const row = p.page.locator('.page-operators .rows .row').nth(k);
  await row.click();
  assert.deepEqual((await posted(p, 'select')).at(-1), { type: 'select', index: first.example });
  assert.equal(await row.getAttribute('aria-selected'), 'true');
  await row.locator('a.source').click();
  assert.equal(await row.locator('a.source').innerText(), `${first.source!.file.split('/').pop()}:${first.source!.line}`);
  assert.deepEqual(await posted(p, 'reveal'), [{ type: 'reveal', index: first.example }]);
  await p.page.keyboard.press('Enter');
  assert.equal((await posted(p, 'reveal')).length, 2, 'Enter on the selected row reveals too');
  await p.page.keyboard.press('Home');
  assert.deepEqual((await posted(p, 'select')).at(-1), { type: 'select', index: rowsNow[0]!.example }, 'Home selects the first row');
  await p.page.keyboard.press('ArrowDown');
  assert.deepEqual((await posted(p, 'select')).at(-1), { type: 'select', index: rowsNow[1]!.example }, 'ArrowDown the next');

  // Show in timeline: the Timeline tab, and the timeline asked to select the op's longest call.
  await p.page.evaluate(() => { const t = (window as any).tensorStudioProfiler.timeline; t.select = (i: number) => { t.__selected = i; }; });
  await p.page.getByRole('button', { name: 'Show in timeline' }).click();
  assert.deepEqual(await p.page.evaluate(() => [(window as any).tensorStudioProfiler.view, (window as any).tensorStudioProfiler.timeline.__selected]), ['timeline', first.example]);
  assert.deepEqual(p.errors, []);
  await p.page.close();
});

test('group by input shapes shows the shapes column and the by-shapes rows; device and GFLOP/s columns where the trace has them', async () => {
  const d = await data('traceEvents_form');
  const p = await open('traceEvents_form');
  await view(p, 'operators');
  const headers = (): Promise<string[]> => p.page.$$eval('.page-operators [role="columnheader"]', (hs) => hs.map((h) => h.textContent!.replace(/[▲▼]/g, '').trim()));
  assert.ok(!(await headers()).includes('Input shapes'));
  assert.ok((await headers()).includes('Device self') && (await headers()).includes('GFLOP/s'));
  await p.page.getByLabel('Group by input shapes').check();
  assert.ok((await headers()).includes('Input shapes'));
  assert.equal((await opOrder(p)).length, d.opsByShapes.length);
  const shapes = await p.page.$$eval('.page-operators .rows .row > :nth-child(2)', (cs) => cs.map((c) => c.textContent));
  assert.ok(shapes.includes('[32, 1, 28, 28], [16, 1, 3, 3], [16]'), shapes.join(' | '));
  await p.page.close();
  // A CPU trace has no device columns.
  const cpu = await open('ours_cpu');
  await view(cpu, 'operators');
  assert.ok(!(await cpu.page.$$eval('.page-operators [role="columnheader"]', (hs) => hs.map((h) => h.textContent))).some((h) => /Device/.test(h!)));
  await cpu.page.close();
});

test('thousands of ops: only the rows in view are in the DOM, and the last one is reachable', async () => {
  const d = await data('torch113');
  const ops = Array.from({ length: 20_000 }, (_, i) => ({ ...d.ops[i % d.ops.length]!, name: `op_${i}`, self: i, example: i }));
  const p = await open({ ...d, ops });
  await view(p, 'operators');
  assert.ok((await domNames(p)).length < 80, `${(await domNames(p)).length} rows in the DOM`);
  const t0 = Date.now();
  await p.page.getByRole('columnheader', { name: /^Self/ }).click();
  assert.ok(Date.now() - t0 < 2000, `sorting 20,000 rows took ${Date.now() - t0} ms`);
  await p.page.locator('.page-operators .grid').evaluate((g) => { g.scrollTop = g.scrollHeight; g.dispatchEvent(new Event('scroll')); });
  assert.ok((await domNames(p)).includes('op_0'), 'the smallest self time is the last row');
  await p.page.close();
});

test('details pane: an event message shows its name, times, args (nested as JSON), source and stack', async () => {
  const d = await data('traceEvents_form');
  const p = await open('traceEvents_form', { theme: 'light' });
  await view(p, 'operators');
  await p.page.locator('.page-operators .rows .row').first().click();
  const op = (await opOrder(p))[0]!;
  await p.send({ type: 'event', details: {
    index: op.example, name: op.name, cat: 'cpu_op', ts: 120, dur: 160, pid: 100, tid: 100,
    args: { 'Input Dims': [[32, 1, 28, 28], [16, 1, 3, 3]], 'Sequence number': 7, 'Fwd thread id': 0 },
    source: { file: '/home/user/fashion/model.py', line: 20 }, frames: [{ file: '/home/user/fashion/model.py', line: 20 }, { file: 'train.py', line: 41 }],
  } });
  const pane = p.page.locator('.details');
  await pane.locator('h2', { hasText: op.name }).waitFor();
  const text = await pane.innerText();
  for (const s of ['cpu_op', '160 µs', 'Sequence number', 'Input Dims', '[[32, 1, 28, 28], [16, 1, 3, 3]]', 'train.py:41']) assert.ok(text.includes(s), `${s} in ${text}`);
  await p.page.screenshot({ path: join(SHOTS, 'profiler-details-light.png') });
  await pane.getByRole('link', { name: 'model.py:20' }).click();
  assert.deepEqual((await posted(p, 'reveal')).at(-1), { type: 'reveal', index: op.example });
  assert.equal(d.info.fileName, 'traceEvents_form.trace.json');
  await p.page.close();
});

test('before data "Opening…"; loading shows progress; an error shows the banner; a malformed message is ignored', async () => {
  const p = await open(null);
  assert.equal(await p.page.locator('.placeholder').innerText(), 'Opening…');
  await p.send({ type: 'loading', fileName: 'trace.json', bytes: 120 * 1024 * 1024, total: 600 * 1024 * 1024 });
  assert.equal(await p.page.locator('.progress-text').innerText(), 'Reading trace.json — 120 MB of 600 MB');
  assert.equal(await p.page.locator('.progress').getAttribute('aria-valuenow'), '20');
  await p.page.screenshot({ path: join(SHOTS, 'profiler-loading-dark.png') });
  await p.send({ type: 'nonsense' });
  await p.send({ type: 'profile', data: { info: 'no' } });
  await p.send({ type: 'loading', fileName: 7 });
  await p.send(null);
  await p.send({ type: 'error', fileName: 'trace.json', message: 'Unexpected token at byte 1,234,567 (event 812): expected "," or "]"' });
  const banner = p.page.locator('.banner.error');
  assert.match(await banner.innerText(), /Could not read trace\.json\. Unexpected token at byte 1,234,567 \(event 812\)/);
  assert.ok(await p.page.locator('.progress').isHidden());
  assert.match(await p.page.locator('.placeholder').innerText(), /Nothing to show/);
  assert.deepEqual(p.errors, []);
  await p.page.screenshot({ path: join(SHOTS, 'profiler-error-dark.png') });
  await p.page.close();
});

test('compare: the button asks; a comparison shows both files, the step change and per-op rows; a failure shows its message, a cancel nothing', async () => {
  const c = await comparison('ours_cpu', 'ours_webgpu');
  const p = await open('ours_cpu');
  await view(p, 'compare');
  await p.page.getByRole('button', { name: 'Compare with another trace…' }).click();
  assert.equal((await posted(p, 'compare')).length, 1);
  await p.send({ type: 'comparisonFailed', message: '' });
  assert.equal(await p.page.locator('.compare-message').innerText(), '');
  await p.send({ type: 'comparisonFailed', message: 'other.json: not a Chrome trace (byte 0)' });
  assert.match(await p.page.locator('.compare-message').innerText(), /Could not compare: other\.json: not a Chrome trace/);
  await p.send({ type: 'comparison', comparison: c });
  assert.equal(await p.page.locator('.compare-message').innerText(), '');
  const summary = await p.page.locator('.compare-summary').innerText();
  assert.match(summary, /ours_cpu\.trace\.json/);
  assert.match(summary, /ours_webgpu\.trace\.json/);
  assert.match(summary, /slower/, 'WebGPU steps are slower than CPU steps in these traces');
  assert.equal(await p.page.locator('.page-compare .rows .row').count(), Math.min(c.rows.length, 40));
  assert.ok(await p.page.locator('.page-compare .delta.slower').count() > 0);
  await p.page.close();
});

test('the saved state brings back the view; switching views saves it; arrow keys move along the tabs', async () => {
  const d = await data('torch113');
  const p = await open(null, { state: { version: 1, path: d.info.path, view: 'memory' } });
  await sendProfile(p, d);
  await p.page.waitForFunction(() => (window as any).tensorStudioProfiler.data !== undefined);
  assert.equal(await p.page.evaluate(() => (window as any).tensorStudioProfiler.view), 'memory');
  assert.ok(await p.page.locator('[data-page="memory"]').isVisible());
  assert.match(await p.page.locator('[data-page="memory"]').innerText(), /profile_memory=True/);
  await p.page.locator('button[data-view="memory"]').focus();
  await p.page.keyboard.press('ArrowRight');
  assert.equal(await p.page.evaluate(() => (window as any).__state.view), 'compare');
  await p.page.keyboard.press('Home');
  assert.deepEqual(await p.page.evaluate(() => (window as any).__state), { version: 1, path: d.info.path, view: 'overview' });
  await p.page.close();
});

for (const theme of ['dark', 'light'] as const) {
  test(`screenshots (${theme}): overview, operators, memory, compare`, async () => {
    let p = await open('ours_webgpu', { theme });
    await p.page.screenshot({ path: join(SHOTS, `profiler-overview-${theme}.png`) });
    await p.page.close();
    p = await open('torch113', { theme });
    await p.page.screenshot({ path: join(SHOTS, `profiler-overview-torch-${theme}.png`) });
    await view(p, 'operators');
    await p.page.locator('.page-operators .rows .row').nth(1).click();
    await p.page.screenshot({ path: join(SHOTS, `profiler-operators-${theme}.png`) });
    await p.page.close();
    p = await open('ours_webgpu', { theme });
    await view(p, 'memory');
    await p.page.locator('.page-memory canvas').first().waitFor();
    await p.page.screenshot({ path: join(SHOTS, `profiler-memory-${theme}.png`) });
    await p.page.close();
    p = await open('traceEvents_form', { theme });
    await view(p, 'kernels');
    await p.page.screenshot({ path: join(SHOTS, `profiler-kernels-${theme}.png`) });
    await view(p, 'modules');
    await p.page.screenshot({ path: join(SHOTS, `profiler-modules-${theme}.png`) });
    await p.page.close();
    p = await open('ours_cpu', { theme });
    await view(p, 'compare');
    await p.send({ type: 'comparison', comparison: await comparison('ours_cpu', 'ours_webgpu') });
    await p.page.screenshot({ path: join(SHOTS, `profiler-compare-${theme}.png`) });
    assert.deepEqual(p.errors, []);
    await p.page.close();
  });
}
