// The profiler's part of `npm run bench:webview`: a generated 1,000,000-event trace file
// (test/profile/synthetic_trace.ts) opened as the extension opens it — the real trace worker
// (dist/trace-worker.js through client/src/profiler/trace_session.ts) imports it and builds the
// panel's data — then delivered to the panel, timed to its first timeline draw, and the timeline
// zoomed and panned at several zooms. Then a 600 MB trace: the worker's import time and the
// process's peak memory, and whether the panel draws it (with the renderer's memory).
// Targets (issue #13): open to first draw < 3 s for 1M events, a zoom/pan frame < 16 ms, the
// 600 MB trace within 2 GB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { TraceSession } from '../client/src/profiler/trace_session.js';
import type { ProfileData } from '../webview/src/profiler_protocol.js';
import { openPanel, type PanelHandle } from '../test/helpers/webview_page.js';
import { sendProfile } from '../test/helpers/profile_fixture.js';
import { writeSyntheticTrace } from '../test/profile/synthetic_trace.js';
import { median, pct, type BenchRow } from './webview_graph.js';
import { rendererMB } from './webview_metrics.js';

const WORKER = resolve('dist/trace-worker.js');
const MB = 1024 * 1024;

/** The page's JS heap (CDP Performance.getMetrics), MB. */
async function pageHeapMB(p: PanelHandle): Promise<number> {
  const cdp = await p.page.context().newCDPSession(p.page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics') as { metrics: { name: string; value: number }[] };
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / MB;
}

/** Opens a trace in a fresh trace worker; the process's RSS sampled meanwhile (the worker is a thread of it). */
async function openTrace(path: string): Promise<{ data: ProfileData; ms: number; peakMB: number; baseMB: number }> {
  const session = new TraceSession({ script: WORKER });
  const baseMB = process.memoryUsage().rss / MB;
  let peak = baseMB;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss / MB); }, 20);
  try {
    const t0 = performance.now();
    const data = await session.open(path);
    const ms = performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage().rss / MB);
    return { data, ms, peakMB: peak, baseMB };
  } finally {
    clearInterval(timer);
    session.dispose();
  }
}

/** A fresh panel on the Timeline tab; the profile sent; ms of the delivery and from the message to the first draw. */
async function deliver(browser: Browser, data: ProfileData): Promise<{ p: PanelHandle; deliverMs: number; drawMs: number; timelineMs: number }> {
  const p = await openPanel(browser, 'profiler', { theme: 'dark', width: 1400, height: 900 });
  await p.page.click('button[data-view="timeline"]');
  const t0 = performance.now();
  const { postedAt } = await sendProfile(p, data);
  const deliverMs = performance.now() - t0;
  await p.page.waitForFunction(() => (window as any).tensorStudioProfiler.timeline.stats.firstDrawAt > 0, null, { timeout: 300_000, polling: 50 });
  const [drawn, timelineMs]: [number, number] = await p.page.evaluate(() => {
    const t = (window as any).tensorStudioProfiler.timeline;
    return [t.stats.firstDrawAt, t.setDataMs + t.firstFrameMs];
  });
  return { p, deliverMs, drawMs: drawn - postedAt, timelineMs };
}

interface Frames { draw: number[]; flushed: number[]; rects: number }

/**
 * `steps` zoom and pan steps around a window of `win` µs (null: the whole trace), each drawn at
 * once; `draw` is the frame's own time (stats.lastFrameMs), `flushed` the same frame with the
 * canvas rasterised (a 1-pixel read forces it: Chromium otherwise rasterises after the script).
 */
async function frames(p: PanelHandle, win: number | null, steps: number): Promise<Frames> {
  return p.page.evaluate(([w, n]) => {
    const t = (window as any).tensorStudioProfiler.timeline;
    const span = t.camera.span;
    t.fit();
    if (w !== null) t.zoomTo(span * 0.43 - w / 2, w);
    t.drawNow();
    const ctx = (document.querySelector('canvas.timeline-canvas') as HTMLCanvasElement).getContext('2d')!;
    const draw: number[] = [], flushed: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 2) t.panBy(i % 4 === 1 ? 25 : -20, 0); else t.zoomAt(i % 4 === 0 ? 1 / 1.04 : 1.04);
      const a = performance.now();
      t.drawNow();
      draw.push(t.stats.lastFrameMs);
      ctx.getImageData(0, 0, 1, 1);
      flushed.push(performance.now() - a);
    }
    return { draw, flushed, rects: t.stats.rects };
  }, [win, steps] as const);
}

/** Wheel events dispatched at the canvas (the real input path), one per animation frame: each frame's draw time. */
async function wheelFrames(p: PanelHandle, steps: number): Promise<number[]> {
  return p.page.evaluate(async (n) => {
    const t = (window as any).tensorStudioProfiler.timeline;
    t.fit();
    const c = document.querySelector('canvas.timeline-canvas') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const zoomIn = i < n / 2;
      c.dispatchEvent(new WheelEvent('wheel', { deltaY: zoomIn ? -120 : 120, clientX: r.left + r.width * 0.6, clientY: r.top + 200, bubbles: true, cancelable: true }));
      const before = t.stats.draws;
      await new Promise((res) => requestAnimationFrame(() => res(null)));
      if (t.stats.draws > before) out.push(t.stats.lastFrameMs);
    }
    return out;
  }, steps);
}

const f1 = (x: number): string => x.toFixed(1);

export async function profilerBench(browser: Browser): Promise<{ events: number; rows: BenchRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-profiler-bench-'));
  const rows: BenchRow[] = [];
  try {
    // ---- 1,000,000 events ----
    const path = join(dir, 'synthetic-1m.trace.json');
    const w = writeSyntheticTrace(path, { events: 1_000_000 });
    console.log(`trace: ${w.events.toLocaleString('en-US')} events, ${(w.bytes / MB).toFixed(0)} MB`);
    const opened = await openTrace(path);
    const importMs = opened.data.info.importMs;
    const { p, deliverMs, drawMs, timelineMs } = await deliver(browser, opened.data);
    const total = opened.ms + deliverMs + drawMs;
    const tl = opened.data.timeline;
    rows.push({ case: '1M events: import + build (trace worker)', ms: opened.ms, target: null, note: `import ${importMs} ms, build ${(opened.ms - importMs).toFixed(0)} ms; ${tl.ts.length.toLocaleString('en-US')} events in ${tl.rowStart.length - 1} rows` });
    rows.push({ case: '1M events: delivery to the page', ms: deliverMs, target: null, note: `${((tl.ts.length * 26) / MB).toFixed(0)} MB of columns (test stand-in for VS Code's postMessage)` });
    rows.push({ case: '1M events: message to first timeline draw', ms: drawMs, target: null, note: `the panel handles the message (every view); the timeline's share: setData + first frame ${timelineMs.toFixed(1)} ms` });
    rows.push({ case: '1M events: open to first draw (sum)', ms: total, target: 3000, note: 'worker + delivery + page' });
    for (const [name, win] of [['whole trace', null], ['1 step (100 ms)', 1e5], ['1 ms', 1e3], ['10 µs', 10]] as const) {
      const f = await frames(p, win, 100);
      rows.push({ case: `1M events: zoom/pan frame, ${name}`, ms: median(f.draw), target: 16, note: `p95 ${f1(pct(f.draw, 0.95))}, max ${f1(Math.max(...f.draw))} ms; rasterised: median ${f1(median(f.flushed))}, p95 ${f1(pct(f.flushed, 0.95))} ms; ${f.rects} rects` });
    }
    const wheel = await wheelFrames(p, 60);
    rows.push({ case: '1M events: wheel zoom frame (input path)', ms: median(wheel), target: 16, note: `p95 ${f1(pct(wheel, 0.95))}, max ${f1(Math.max(...wheel))} ms over ${wheel.length} frames` });
    const renderer1m = await rendererMB(p);
    await p.page.close();
    rmSync(path);

    // ---- 600 MB ----
    const big = join(dir, 'synthetic-600mb.trace.json');
    const wb = writeSyntheticTrace(big, { minBytes: 600e6 });
    console.log(`trace: ${wb.events.toLocaleString('en-US')} events, ${(wb.bytes / MB).toFixed(0)} MB`);
    const o = await openTrace(big);
    rmSync(big);
    const bt = o.data.timeline;
    rows.push({ case: '600 MB: import + build (trace worker)', ms: o.ms, target: null, note: `import ${o.data.info.importMs} ms; ${bt.ts.length.toLocaleString('en-US')} events` });
    rows.push({ case: '600 MB: peak RSS, extension side (MB)', ms: o.peakMB, target: 2048, note: `the process with its trace worker, ${o.baseMB.toFixed(0)} MB before; max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB` });
    const big2 = await deliver(browser, o.data);
    const bf = await frames(big2.p, null, 40);
    const bz = await frames(big2.p, 1e3, 40);
    rows.push({ case: '600 MB: message to first timeline draw', ms: big2.drawMs, target: null, note: `timeline's share ${big2.timelineMs.toFixed(1)} ms; delivery ${big2.deliverMs.toFixed(0)} ms; renderer ${(await rendererMB(big2.p)).toFixed(0)} MB RSS, page heap ${(await pageHeapMB(big2.p)).toFixed(0)} MB (1M: ${renderer1m.toFixed(0)} MB)` });
    rows.push({ case: '600 MB: zoom/pan frame, whole trace / 1 ms', ms: median(bf.draw), target: 16, note: `1 ms window: median ${f1(median(bz.draw))} ms; p95 ${f1(pct(bf.draw, 0.95))} / ${f1(pct(bz.draw, 0.95))} ms` });
    await big2.p.page.close();
    return { events: w.events, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
