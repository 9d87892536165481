// The profiler's timeline. In Node: its geometry (webview/src/profiler/timeline_view.ts: the
// camera's bounds, the level-of-detail walk against a brute-force count, ticks and times). In
// headless Chromium, on the page the extension serves, fed real traces (test/fixtures/traces via
// test/helpers/profile_fixture.ts) and a synthetic 1,000,000-event timeline: lanes and labels
// drawn, a click at an event's position selects that event (the panel posts its model index), a
// double-click reveals it, W/A/S/D and the wheel move the view, flows and instants draw, the
// theme switch redraws. Screenshots in Dark+ and Light+ go to $TS_SCREENSHOTS (default /tmp/ts-webview-screens).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, openPanel, type PanelHandle, type ThemeName } from '../helpers/webview_page.js';
import { profileData, sendProfile } from '../helpers/profile_fixture.js';
import type { ProfileData, ProfileTimeline, TimelineLane } from '../../webview/src/profiler_protocol.js';
import {
  LANE_MIN_H, PROCESS_H, ROW_H, TimeCamera, contrast, eventNear, firstEndingAfter, formatDuration, layoutRows, nameHash,
  rowAt, rowOf, textOn, tickFormat, tickStep, ticksIn, walkRow,
} from '../../webview/src/profiler/timeline_view.js';

const SHOTS = process.env.TS_SCREENSHOTS ?? '/tmp/ts-webview-screens';

// ---- geometry, in Node ----

/** One row of `n` non-overlapping events with durations over six decades and some instants. */
function randomRow(n: number, seed = 7): { ts: Float64Array; dur: Float64Array } {
  const ts = new Float64Array(n), dur = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const r = seed / 2 ** 32;
    ts[i] = t;
    dur[i] = i % 17 === 0 ? 0 : 10 ** (r * 6 - 2);
    t += dur[i]! + (i % 5 === 0 ? 10 ** (r * 4 - 1) : 0);
  }
  return { ts, dur };
}

describe('timeline geometry', () => {
  test('the camera zooms around a point and stays within its bounds (1 ns/px, the span with a margin)', () => {
    const c = new TimeCamera();
    c.width = 1000;
    c.setSpan(1e6);
    assert.ok(c.t0 < 0 && c.t1 > 1e6, 'fit shows the whole span with margin');
    const at = 250, t = c.time(at);
    c.zoomAt(0.5, at);
    assert.ok(Math.abs(c.time(at) - t) < 1e-6, 'the time under the cursor stays');
    assert.ok(Math.abs(c.t1 - c.t0 - 1.04e6 * 0.5) < 1e-3);
    for (let k = 0; k < 200; k++) c.zoomAt(0.5, at);
    assert.ok(Math.abs(c.upp - 1e-3) < 1e-9, `zoom in stops at 1 ns/px (${c.upp} µs/px)`);
    for (let k = 0; k < 200; k++) c.zoomAt(2, at);
    assert.equal(c.t1 - c.t0, c.maxWindow(), 'zoom out stops at the span and a margin');
    c.fit();
    c.zoomAt(0.01, 500);
    for (let k = 0; k < 1000; k++) c.panBy(1e4);
    assert.ok(c.t0 < 1e6 && c.t1 > 1e6, 'a pan cannot lose the trace off screen');
    c.setWindow(2000, 3000);
    assert.deepEqual([c.t0, c.t1], [2000, 3000]);
  });

  test('the level-of-detail walk accounts for every event in view once, with at most a few steps per pixel column', () => {
    const n = 200_000;
    const { ts, dur } = randomRow(n);
    const end = ts[n - 1]! + dur[n - 1]!;
    const c = new TimeCamera();
    c.width = 1200;
    c.setSpan(end);
    for (const win of [end * 1.04, end / 10, end / 1000, 50, 0.5]) {
      const mid = end * 0.37;
      c.setWindow(mid - win / 2, mid + win / 2);
      let seen = 0, spans = 0, merged = 0, instants = 0, narrowSpans = 0, lastX = -Infinity;
      let expected = 0;
      for (let i = 0; i < n; i++) if (ts[i]! + dur[i]! > c.t0 && ts[i]! <= c.t1) expected++;
      // The straddling event at the left edge ends exactly at t0 or later: count as the walk does.
      const first = firstEndingAfter(ts, dur, 0, n, c.t0);
      let lastIndex = first - 1;
      walkRow(ts, dur, 0, n, c, {
        span: (i, x0, x1) => {
          assert.equal(i, lastIndex + 1, 'in order, none skipped'); lastIndex = i;
          spans++; seen++; if (x1 - x0 < 1) narrowSpans++;
          assert.ok(x0 >= lastX - 1e-6); lastX = x0;
        },
        instant: (i) => { assert.equal(i, lastIndex + 1); lastIndex = i; instants++; seen++; },
        merged: (x0, x1, f, count) => {
          assert.equal(f, lastIndex + 1); lastIndex = f + count - 1;
          assert.ok(count >= 2 && x1 > x0); merged++; seen += count;
        },
      });
      assert.ok(Math.abs(seen - expected) <= 1, `window ${win}: ${seen} events walked, ${expected} in view`);
      assert.ok(spans + merged + instants <= 3 * c.width + 4, `window ${win}: ${spans} spans, ${merged} slivers, ${instants} instants for ${c.width} px`);
      if (win > end / 2) assert.ok(merged > 0 && seen > 100_000, 'zoomed out: most events are merged');
      assert.ok(narrowSpans <= c.width + 2);
    }
  });

  test('rows stack under process bands; a point finds its row and its event', () => {
    const lanes: TimelineLane[] = [
      { name: 'thread 1', process: 'python3 (pid 1)', device: false, firstRow: 0, rows: 3 },
      { name: 'thread 2', process: 'python3 (pid 1)', device: false, firstRow: 3, rows: 1 },
      { name: 'stream 7', process: 'GPU 0', device: true, firstRow: 4, rows: 1 },
    ];
    const l = layoutRows(lanes, 5);
    assert.equal(l.processes.length, 2);
    assert.equal(l.rowY[0], PROCESS_H + 4);
    assert.equal(l.rowY[1], PROCESS_H + 4 + ROW_H);
    assert.equal(l.lanes[1]!.height, LANE_MIN_H);
    assert.equal(l.height, PROCESS_H + (3 * ROW_H + 8) + LANE_MIN_H + PROCESS_H + LANE_MIN_H);
    for (let r = 0; r < 5; r++) assert.equal(rowAt(l, lanes, l.rowY[r]! + 5), r);
    assert.equal(rowAt(l, lanes, 3), -1, 'a process band is no row');
    assert.equal(rowOf(Uint32Array.from([0, 4, 4, 9]), 4), 2, 'an empty row is skipped');
    const ts = Float64Array.from([0, 10, 30]), dur = Float64Array.from([5, 0, 10]);
    assert.equal(eventNear(ts, dur, 0, 3, 2, 0), 0);
    assert.equal(eventNear(ts, dur, 0, 3, 11, 2), 1, 'an instant within the slack');
    assert.equal(eventNear(ts, dur, 0, 3, 20, 2), -1);
  });

  test('ticks are 1-2-5 steps labelled in the unit of the times shown; durations read in theirs', () => {
    assert.equal(tickStep(1000, 1000, 90), 100);
    assert.equal(tickStep(1e6, 1000, 90), 1e5);
    assert.deepEqual(ticksIn(-5, 21, 10), [0, 10, 20]);
    assert.equal(tickFormat(0, 6e5, 1e5).label(2e5), '200 ms');
    assert.equal(tickFormat(500_000, 500_300, 50).label(500_050), '500.05 ms');
    assert.equal(tickFormat(0, 1500, 200).label(400), '0.4 ms');
    const deep = tickFormat(3e7, 3e7 + 0.5, 0.05);
    assert.ok(deep.base > 0 && deep.baseLabel.endsWith('s +'), deep.baseLabel);
    assert.equal(deep.label(deep.base + 0.05), '+50 ns');
    assert.equal(formatDuration(0.25), '250 ns');
    assert.equal(formatDuration(12.345), '12.3 µs');
    assert.equal(formatDuration(1530), '1.53 ms');
    assert.equal(formatDuration(2.5e6), '2.50 s');
  });

  test('colours: a name keeps its colour whatever its number; text is the more readable of two', () => {
    assert.equal(nameHash('ProfilerStep#1'), nameHash('ProfilerStep#22'));
    assert.notEqual(nameHash('aten::mm'), nameHash('aten::add'));
    assert.equal(textOn('#ffff00', '#111111', '#eeeeee'), '#111111');
    assert.equal(textOn('#101060', '#111111', '#eeeeee'), '#eeeeee');
    assert.ok(contrast('#000000', '#ffffff') > 20);
  });
});

// ---- the panel, in Chromium ----

let browser: Browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser?.close(); });

interface Drawn {
  stats: { draws: number; lastFrameMs: number; firstDrawAt: number; rects: number };
  frame: { spans: number; merged: number; instants: number; texts: number; flows: number; rows: number; labels: string[] };
  range: { t0: number; t1: number; scrollY: number; width: number; height: number; gutter: number; contentHeight: number };
  selection: number | null;
}
const drawn = (p: PanelHandle): Promise<Drawn> => p.page.evaluate(() => {
  const t = (window as any).tensorStudioProfiler.timeline;
  return { stats: { ...t.stats }, frame: t.lastFrame, range: t.visibleRange(), selection: t.selection() };
});
/** Waits for the frames after the current one (two animation frames). */
const settle = (p: PanelHandle): Promise<unknown> => p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Opens the panel on the Timeline tab and sends `data`; resolves once the timeline has drawn it. */
async function openTimeline(data: ProfileData, theme: ThemeName = 'dark', size = { width: 1400, height: 800 }): Promise<PanelHandle> {
  const p = await openPanel(browser, 'profiler', { theme, ...size });
  await p.page.click('button[data-view="timeline"]');
  await sendProfile(p, data);
  await p.page.waitForFunction(() => (window as any).tensorStudioProfiler.timeline.stats.firstDrawAt > 0, null, { timeout: 60_000 });
  await settle(p);
  return p;
}

/** Where an event (model index) is on the page: the middle of its visible part. */
const eventOnPage = (p: PanelHandle, index: number): Promise<{ x: number; y: number; row: number; name: string }> => p.page.evaluate((i) => {
  const t = (window as any).tensorStudioProfiler.timeline;
  const e = t.eventOf(i);
  const v = t.visibleRange();
  const r = document.querySelector('canvas.timeline-canvas')!.getBoundingClientRect();
  const a = Math.max(t.xOf(e.ts), v.gutter), b = Math.min(t.xOf(e.ts + e.dur), v.width);
  return { x: r.left + (a + b) / 2, y: r.top + t.yOfRow(e.row), row: e.row, name: e.name };
}, index);

/** The model index of the first event named `name` (longest first when `longest`). */
function indexOf(t: ProfileTimeline, name: string, longest = false): number {
  let best = -1;
  for (let k = 0; k < t.ts.length; k++) {
    if (t.names[t.name[k]!] !== name) continue;
    if (best < 0 || (longest && t.dur[k]! > t.dur[best]!)) best = k;
    if (!longest) break;
  }
  assert.ok(best >= 0, `no event named ${name}`);
  return t.index[best]!;
}
const lastPosted = async (p: PanelHandle, type: string): Promise<any> => (await p.posted()).filter((m) => m.type === type).at(-1);
const shoot = (p: PanelHandle, name: string): Promise<Buffer> => p.page.screenshot({ path: join(SHOTS, `profiler-timeline${name}.png`) });

for (const theme of ['dark', 'light'] as const) {
  test(`ours_webgpu (${theme}): host and GPU lanes drawn with their labels, spans named, fitted to the trace`, async () => {
    const d = await profileData('ours_webgpu');
    const p = await openTimeline(d, theme);
    const s = await drawn(p);
    assert.ok(s.frame.labels.includes('host') && s.frame.labels.includes('GPU'), s.frame.labels.join(', '));
    assert.ok(s.frame.labels.some((l) => l.startsWith('tensor-studio train')), 'the process band');
    assert.ok(s.stats.rects > 0 && s.frame.spans > 0 && s.frame.texts > 0, JSON.stringify(s.frame));
    assert.equal(s.frame.rows, d.timeline.rowStart.length - 1, 'every row is in view');
    assert.ok(s.range.t0 <= 0 && s.range.t1 >= d.timeline.span, 'fitted');
    assert.ok(Number.isFinite(s.stats.lastFrameMs) && s.stats.lastFrameMs >= 0);
    await shoot(p, `-${theme}`);
    // Zoomed into the start of the second step's forward pass: its modules and ops named (the host
    // queues the whole pass in ~2 ms; the GPU then runs it).
    let fwd = -1;
    for (let k = 0, seen = 0; k < d.timeline.ts.length && fwd < 0; k++) if (d.timeline.names[d.timeline.name[k]!] === 'forward' && ++seen === 2) fwd = k;
    await p.page.evaluate((a) => (window as any).tensorStudioProfiler.timeline.zoomTo(a, 2000), d.timeline.ts[fwd]! - 100);
    await settle(p);
    const z = await drawn(p);
    assert.ok(z.frame.texts > s.frame.texts, `more names when zoomed in (${z.frame.texts} vs ${s.frame.texts})`);
    await shoot(p, `-zoomed-${theme}`);
    await p.page.close();
  });
}

test('a click selects the event under it (the panel asks for its details), a double-click or Enter reveals it', async () => {
  const d = await profileData('ours_webgpu');
  const p = await openTimeline(d);
  const forward = indexOf(d.timeline, 'forward');
  let at = await eventOnPage(p, forward);
  assert.equal(at.name, 'forward');
  await p.page.mouse.click(at.x, at.y);
  assert.deepEqual(await lastPosted(p, 'select'), { type: 'select', index: forward });
  assert.equal((await drawn(p)).selection, forward);
  // The tooltip names it.
  await p.page.mouse.move(at.x + 1, at.y);
  await p.page.waitForSelector('.timeline-tooltip:not([hidden])');
  assert.match(await p.page.locator('.timeline-tooltip').innerText(), /^forward\n\d+(\.\d+)? ms · at /);
  await p.page.mouse.dblclick(at.x, at.y);
  assert.deepEqual(await lastPosted(p, 'reveal'), { type: 'reveal', index: forward });
  // A GPU kernel: the device lane's row.
  const kernelPos = d.timeline.rowStart[d.timeline.lanes.find((l) => l.device)!.firstRow]! + 3;
  const kernel = d.timeline.index[kernelPos]!;
  await p.page.evaluate((i) => (window as any).tensorStudioProfiler.timeline.zoomTo((window as any).tensorStudioProfiler.timeline.eventOf(i).ts - 500, 3000), kernel);
  await settle(p);
  at = await eventOnPage(p, kernel);
  await p.page.mouse.click(at.x, at.y);
  assert.deepEqual(await lastPosted(p, 'select'), { type: 'select', index: kernel });
  const reveals = (await p.posted()).filter((m) => m.type === 'reveal').length;
  await p.page.keyboard.press('Enter');
  assert.deepEqual(await lastPosted(p, 'reveal'), { type: 'reveal', index: kernel });
  assert.equal((await p.posted()).filter((m) => m.type === 'reveal').length, reveals + 1);
  await shoot(p, '-selected-dark');
  // Empty space clears the selection (nothing is posted for it).
  const v = (await drawn(p)).range;
  const box = (await p.page.locator('canvas.timeline-canvas').boundingBox())!;
  const selects = (await p.posted()).filter((m) => m.type === 'select').length;
  await p.page.mouse.click(box.x + v.gutter + 20, box.y + v.height - 10);
  assert.equal((await drawn(p)).selection, null);
  assert.equal((await p.posted()).filter((m) => m.type === 'select').length, selects);
  await p.page.close();
});

test('select(index) from another view brings a small event into view and highlights it', async () => {
  const d = await profileData('ours_webgpu');
  const p = await openTimeline(d);
  const t = d.timeline;
  // The shortest kernel: a sliver at the fitted zoom.
  const row = t.lanes.find((l) => l.device)!.firstRow;
  let pos = t.rowStart[row]!;
  for (let k = t.rowStart[row]!; k < t.rowStart[row + 1]!; k++) if (t.dur[k]! > 0 && t.dur[k]! < t.dur[pos]!) pos = k;
  const index = t.index[pos]!;
  await p.page.evaluate((i) => (window as any).tensorStudioProfiler.timeline.select(i), index);
  await settle(p);
  const s = await drawn(p);
  assert.equal(s.selection, index);
  const px = (t.dur[pos]! / (s.range.t1 - s.range.t0)) * (s.range.width - s.range.gutter);
  assert.ok(px > 50, `zoomed to it: ${px.toFixed(1)} px wide`);
  assert.ok(s.range.t0 <= t.ts[pos]! && s.range.t1 >= t.ts[pos]! + t.dur[pos]!, 'in view');
  // F fits the selection, 0 the whole trace.
  await p.page.locator('canvas.timeline-canvas').focus();
  await p.page.keyboard.press('0');
  await settle(p);
  assert.ok((await drawn(p)).range.t1 >= t.span);
  await p.page.close();
});

test('W/S zoom around the cursor, A/D pan (held: smoothly), the wheel zooms where it points, a drag pans', async () => {
  const d = await profileData('ours_webgpu');
  const p = await openTimeline(d);
  const box = (await p.page.locator('canvas.timeline-canvas').boundingBox())!;
  const v0 = (await drawn(p)).range;
  const mx = box.x + v0.gutter + (v0.width - v0.gutter) * 0.3, my = box.y + 200;
  const timeAt = (v: Drawn['range'], x: number): number => v.t0 + ((x - box.x - v.gutter) / (v.width - v.gutter)) * (v.t1 - v.t0);
  await p.page.mouse.click(mx, box.y + v0.height - 5); // focus, on empty space
  const key = async (k: string): Promise<Drawn['range']> => { await p.page.keyboard.press(k); await settle(p); return (await drawn(p)).range; };
  const w = await key('w');
  assert.ok(w.t1 - w.t0 < (v0.t1 - v0.t0) * 0.9, 'W narrows the window');
  assert.ok(Math.abs(timeAt(w, mx) - timeAt(v0, mx)) < (v0.t1 - v0.t0) * 1e-6, 'around the cursor');
  const ww = await key('w');
  const s = await key('s');
  assert.ok(s.t1 - s.t0 > (ww.t1 - ww.t0) * 1.1, 'S widens it');
  const a = await key('a');
  assert.ok(a.t0 < s.t0 && Math.abs((a.t1 - a.t0) - (s.t1 - s.t0)) < 1e-6, 'A pans left, same zoom');
  const dd = await key('d');
  assert.ok(dd.t0 > a.t0, 'D pans right');
  // Held: keeps moving every frame until released.
  const before = (await drawn(p));
  await p.page.keyboard.down('d');
  await p.page.waitForTimeout(500);
  await p.page.keyboard.up('d');
  const held = (await drawn(p));
  assert.ok(held.range.t0 - before.range.t0 > (dd.t0 - a.t0) * 1.5, 'holding D moved further than a tap');
  assert.ok(held.stats.draws - before.stats.draws >= 2, `a frame per animation frame (${held.stats.draws - before.stats.draws})`);
  // The wheel: up zooms in keeping the time under the pointer.
  const v1 = held.range;
  await p.page.mouse.move(mx, my);
  await p.page.mouse.wheel(0, -300);
  await settle(p);
  const v2 = (await drawn(p)).range;
  assert.ok(v2.t1 - v2.t0 < (v1.t1 - v1.t0) * 0.8, 'wheel up zooms in');
  assert.ok(Math.abs(timeAt(v2, mx) - timeAt(v1, mx)) < (v1.t1 - v1.t0) * 1e-3, 'around the pointer');
  // Shift+wheel pans; a horizontal wheel too.
  await p.page.keyboard.down('Shift');
  await p.page.mouse.wheel(0, 100);
  await p.page.keyboard.up('Shift');
  await settle(p);
  const v3 = (await drawn(p)).range;
  assert.ok(v3.t0 > v2.t0 && Math.abs((v3.t1 - v3.t0) - (v2.t1 - v2.t0)) < 1e-6, 'shift+wheel pans');
  await p.page.mouse.wheel(-100, 0);
  await settle(p);
  const v4 = (await drawn(p)).range;
  assert.ok(v4.t0 < v3.t0, 'a horizontal wheel pans');
  // Drag: the content follows the pointer.
  await p.page.mouse.move(mx, my);
  await p.page.mouse.down();
  await p.page.mouse.move(mx + 50, my, { steps: 5 });
  await p.page.mouse.move(mx + 100, my, { steps: 5 });
  await p.page.mouse.up();
  await settle(p);
  const v5 = (await drawn(p)).range;
  assert.ok(Math.abs((v4.t0 - v5.t0) / ((v4.t1 - v4.t0) / (v4.width - v4.gutter)) - 100) < 1, 'dragged 100 px right');
  // Double-click on the ruler fits.
  await p.page.mouse.dblclick(mx, box.y + 10);
  await settle(p);
  const f = (await drawn(p)).range;
  assert.ok(f.t0 <= 0 && f.t1 >= d.timeline.span);
  await p.page.close();
});

test('shift+drag marks a range and shows its length; Escape clears it', async () => {
  const d = await profileData('ours_webgpu');
  const p = await openTimeline(d);
  const box = (await p.page.locator('canvas.timeline-canvas').boundingBox())!;
  const v = (await drawn(p)).range;
  const x0 = box.x + v.gutter + 100, x1 = x0 + 300, y = box.y + 150;
  await p.page.keyboard.down('Shift');
  await p.page.mouse.move(x0, y);
  await p.page.mouse.down();
  await p.page.mouse.move(x1, y, { steps: 6 });
  await p.page.mouse.up();
  await p.page.keyboard.up('Shift');
  await settle(p);
  const range: [number, number] = await p.page.evaluate(() => (window as any).tensorStudioProfiler.timeline.range);
  const upp = (v.t1 - v.t0) / (v.width - v.gutter);
  assert.ok(range && Math.abs(range[1] - range[0] - 300 * upp) < 2 * upp, JSON.stringify(range));
  await shoot(p, '-range-dark');
  await p.page.keyboard.press('Escape');
  assert.equal(await p.page.evaluate(() => (window as any).tensorStudioProfiler.timeline.range), null);
  await p.page.close();
});

test('torch 1.13 (instants) and the traceEvents form (flows, GPU stream) draw', async () => {
  const torch = await openTimeline(await profileData('torch113'));
  let s = await drawn(torch);
  assert.ok(s.stats.rects > 100 && s.frame.instants > 0, JSON.stringify(s.frame));
  await shoot(torch, '-torch113-dark');
  await torch.page.close();
  const d = await profileData('traceEvents_form');
  assert.ok(d.timeline.flows.length > 0);
  const p = await openTimeline(d, 'light');
  s = await drawn(p);
  assert.equal(s.frame.flows, d.timeline.flows.length / 4, 'every flow is in view at the fitted zoom');
  assert.ok(s.frame.labels.includes('stream 7') && s.frame.labels.includes('thread 100 (python3)'), s.frame.labels.join(', '));
  await shoot(p, '-flows-light');
  await p.page.close();
});

test('rows taller than the view scroll: wheel over the lane labels, a vertical drag, the arrow keys', async () => {
  const d = await profileData('traceEvents_form');
  const p = await openTimeline(d, 'dark', { width: 1000, height: 330 });
  const box = (await p.page.locator('canvas.timeline-canvas').boundingBox())!;
  const v = (await drawn(p)).range;
  assert.ok(v.contentHeight > v.height - 26, `content ${v.contentHeight} px in a ${v.height} px view`);
  const max = v.contentHeight - (v.height - 26);
  await p.page.mouse.move(box.x + 20, box.y + 100);
  await p.page.mouse.wheel(0, 60);
  await settle(p);
  const a = (await drawn(p)).range;
  assert.equal(a.scrollY, Math.min(60, max), 'the wheel over the labels scrolls');
  assert.equal(a.t0, v.t0, 'and does not zoom');
  await p.page.mouse.wheel(0, 10_000);
  await settle(p);
  assert.equal((await drawn(p)).range.scrollY, max, 'down to the last row, no further');
  // The lane label of the GPU stream is drawn where it now is.
  assert.ok((await drawn(p)).frame.labels.includes('stream 7'));
  await shoot(p, '-scrolled-dark');
  // Dragging up brings the top back; ArrowDown scrolls again.
  await p.page.mouse.move(box.x + v.gutter + 300, box.y + 60);
  await p.page.mouse.down();
  await p.page.mouse.move(box.x + v.gutter + 300, box.y + 60 + max, { steps: 8 });
  await p.page.mouse.up();
  await settle(p);
  assert.equal((await drawn(p)).range.scrollY, 0);
  await p.page.keyboard.press('ArrowDown');
  await settle(p);
  assert.ok((await drawn(p)).range.scrollY > 0);
  await p.page.close();
});

test('a theme switch redraws in the new colours', async () => {
  const p = await openTimeline(await profileData('ours_cpu'));
  const pixel = (): Promise<number[]> => p.page.evaluate(() => {
    const c = document.querySelector('canvas.timeline-canvas') as HTMLCanvasElement;
    return [...c.getContext('2d')!.getImageData(Math.floor(c.width / 2), c.height - 3, 1, 1).data];
  });
  const dark = await pixel();
  const draws = (await drawn(p)).stats.draws;
  await p.setTheme('light');
  await p.page.waitForFunction((n) => (window as any).tensorStudioProfiler.timeline.stats.draws > n, draws);
  const light = await pixel();
  assert.ok(light[0]! > 200 && dark[0]! < 60, `background ${dark} → ${light}`);
  await p.page.close();
});

// ---- a million events ----

/**
 * A synthetic timeline of `n` events: two host threads and two GPU streams, each a run of steps
 * nested five deep (10 children per span, random gaps), so durations go from ~100 ms to ~8 µs.
 */
function syntheticTimeline(n: number): ProfileTimeline {
  let seed = 12345;
  const rnd = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
  const LANES = 4, DEPTH = 5, FAN = 10;
  const names = ['step', 'forward', 'backward', 'optimizer', 'aten::linear', 'aten::matmul', 'aten::gelu', 'aten::softmax', 'aten::add_', 'aten::mul',
    'sgemm_128x64_nn', 'elementwise_kernel', 'reduce_kernel', 'Memcpy HtoD'];
  const perLane = Math.ceil(n / LANES);
  const perStep = (FAN ** DEPTH - 1) / (FAN - 1);
  const rows: { ts: number[]; dur: number[]; name: number[] }[] = [];
  const lanes: TimelineLane[] = [];
  let total = 0;
  for (let l = 0; l < LANES; l++) {
    const lane = Array.from({ length: DEPTH }, () => ({ ts: [] as number[], dur: [] as number[], name: [] as number[] }));
    let count = 0;
    const budget = Math.min(perLane, n - total);
    const add = (depth: number, t: number, len: number): void => {
      if (count >= budget) return;
      const r = lane[depth]!;
      r.ts.push(t); r.dur.push(len);
      r.name.push(depth === 0 ? 0 : depth === 1 ? 1 + Math.floor(rnd() * 3) : (l >= 2 ? 10 : 4) + Math.floor(rnd() * 4));
      count++;
      if (depth + 1 >= DEPTH) return;
      const slot = len / FAN;
      for (let k = 0; k < FAN; k++) {
        const gap = slot * (0.05 + 0.3 * rnd());
        add(depth + 1, t + k * slot + gap / 2, slot - gap);
      }
    };
    for (let s = 0; count < budget; s++) add(0, s * 105_000 + l * 700, 100_000 * (0.8 + 0.2 * rnd()));
    assert.ok(count <= perStep * 1e6);
    total += count;
    lanes.push({ name: l < 2 ? `thread ${l + 1}` : `stream ${l + 5}`, process: l < 2 ? 'python3 (pid 100)' : 'GPU 0 (pid 0)', device: l >= 2, firstRow: rows.length, rows: DEPTH });
    rows.push(...lane);
  }
  const rowStart = new Uint32Array(rows.length + 1);
  const ts = new Float64Array(total), dur = new Float64Array(total), name = new Uint32Array(total), cat = new Uint16Array(total), index = new Uint32Array(total);
  let at = 0, span = 0;
  rows.forEach((r, k) => {
    rowStart[k] = at;
    for (let i = 0; i < r.ts.length; i++, at++) {
      ts[at] = r.ts[i]!; dur[at] = r.dur[i]!; name[at] = r.name[i]!; cat[at] = r.name[i]! >= 10 ? 1 : 0;
      // Model indices in another order than the columns', as in real traces.
      index[at] = total - 1 - at;
      span = Math.max(span, ts[at]! + dur[at]!);
    }
  });
  rowStart[rows.length] = at;
  return { lanes, rowStart, ts, dur, name, cat, index, names, cats: ['cpu_op', 'kernel'], flows: new Float64Array(0), span };
}

test('1,000,000 events: the first draw, zoom and pan frames measured at every zoom, a click still exact', async () => {
  const t = syntheticTimeline(1_000_000);
  assert.equal(t.ts.length, 1_000_000);
  const data: ProfileData = {
    info: { fileName: 'synthetic-1m.trace.json', path: '/tmp/synthetic-1m.trace.json', source: 'chrome trace', events: t.ts.length, bytes: 0, span: t.span, warnings: [], meta: {}, importMs: 0 },
    steps: [], ops: [], opsByShapes: [], kernels: [], modules: [], memory: [], devices: [], hints: [], timeline: t,
  };
  const p = await openPanel(browser, 'profiler', { theme: 'dark', width: 1400, height: 800 });
  await p.page.click('button[data-view="timeline"]');
  const { postedAt } = await sendProfile(p, data);
  await p.page.waitForFunction(() => (window as any).tensorStudioProfiler.timeline.stats.firstDrawAt > 0, null, { timeout: 60_000 });
  const first = await drawn(p);
  assert.ok(first.stats.firstDrawAt - postedAt > 0 && first.stats.rects > 0, JSON.stringify(first.stats));
  assert.ok(first.frame.merged > 0, 'fitted: the small events merge');
  await shoot(p, '-1m-dark');
  // Frames at several zooms, as the benchmark drives them: a zoom or pan step, then a draw.
  const frames: { win: number; ms: number[]; rects: number }[] = await p.page.evaluate((span) => {
    const tl = (window as any).tensorStudioProfiler.timeline;
    return [span * 1.04, span / 50, 1e4, 100].map((win) => {
      tl.zoomTo(span * 0.4 - win / 2, win);
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        if (i % 2) tl.panBy(9, 0); else tl.zoomAt(i % 4 ? 1.05 : 1 / 1.05);
        tl.drawNow();
        ms.push(tl.stats.lastFrameMs);
      }
      return { win, ms, rects: tl.stats.rects };
    });
  }, t.span);
  for (const f of frames) {
    assert.ok(f.ms.every((m) => Number.isFinite(m) && m >= 0), `window ${f.win}: ${f.ms}`);
    assert.ok(f.rects > 0, `window ${f.win}: drew ${f.rects}`);
  }
  // Zoomed in: a click on an event far into the trace selects it (the index map is built then).
  const pos = t.rowStart[8]! + Math.floor((t.rowStart[9]! - t.rowStart[8]!) * 0.7);
  const index = t.index[pos]!;
  await p.page.evaluate(([a, b]) => (window as any).tensorStudioProfiler.timeline.zoomTo(a, b), [t.ts[pos]! - t.dur[pos]!, t.dur[pos]! * 3]);
  await settle(p);
  const at = await eventOnPage(p, index);
  await p.page.mouse.click(at.x, at.y);
  assert.deepEqual(await lastPosted(p, 'select'), { type: 'select', index });
  await shoot(p, '-1m-zoomed-dark');
  await p.page.close();
});
