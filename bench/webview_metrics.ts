// The metrics panel's part of `npm run bench:webview`: one run of 1,000,000 points (first draw
// from the message, zoom and pan), and ten runs of 100,000 points overlaid (first draw, zoom),
// with the renderer process's memory (page and worker together). Targets: first draw < 1 s,
// zoom/pan frame < 16 ms, the ten runs fluid (frame < 16 ms), memory < 200 MB.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { openPanel, type PanelHandle } from '../test/helpers/webview_page.js';
import { median, pct, type BenchRow } from './webview_graph.js';

const RUNS = 3;

const run = (i: number) => ({ id: `2026120${i}-bench`, label: `bench run ${i}`, status: 'completed', startedAt: `2026-12-0${i}T10:00:00.000Z` });

/** Builds `runs` series of `points` each in the page and posts them; ms from the post to the first drawn view. */
async function loadAndDraw(p: PanelHandle, runs: number, points: number): Promise<number> {
  await p.send({ type: 'runs', runs: Array.from({ length: runs }, (_, i) => run(i + 1)), select: Array.from({ length: runs }, (_, i) => run(i + 1).id) });
  await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'select'));
  return p.page.evaluate(async ([r, n]) => {
    const t = (window as any).tensorStudioMetrics;
    const series = Array.from({ length: r }, (_, k) => {
      const step = new Float64Array(n), epoch = new Float64Array(n), value = new Float64Array(n), time = new Float64Array(n);
      for (let i = 0; i < n; i++) { step[i] = i; epoch[i] = Math.floor(i / 10_000); value[i] = 2 / (1 + i / 1000) + 0.05 * Math.sin(i / 50 + k) + k * 0.01; time[i] = i / 100; }
      value[Math.floor(n * 0.6543)] = 50;
      return { runId: `2026120${k + 1}-bench`, series: [{ name: 'train/loss', step, epoch, value, time }] };
    });
    const before = t.metrics.views;
    const t0 = performance.now();
    for (const s of series) window.postMessage({ type: 'series', ...s }, '*');
    // Drawn: a view came back for the chart with every run's points in it.
    while (true) {
      await new Promise((res) => setTimeout(res, 5));
      const c = t.charts()[0];
      if (t.metrics.views > before && c?.view && c.view.series.length === r && c.view.series.every((s: any) => s.points === n)) break;
    }
    return performance.now() - t0;
  }, [runs, points] as const);
}

/** Zooms and pans `steps` times; per step the ms from the request to the drawn view (worker bucketing + uPlot). */
async function zoomFrames(p: PanelHandle, points: number, steps: number): Promise<number[]> {
  return p.page.evaluate(async ([n, k]) => {
    const t = (window as any).tensorStudioMetrics;
    const out: number[] = [];
    let x0 = 0, x1 = n;
    for (let i = 0; i < k; i++) {
      const w = x1 - x0;
      if (i % 3 === 2) { x0 += w * 0.05; x1 += w * 0.05; } else { x0 += w * 0.1; x1 -= w * 0.1; }
      if (x1 - x0 < 100) { x0 = 0; x1 = n; }
      const before = t.metrics.views;
      t.zoom(x0, x1);
      while (t.metrics.views === before) await new Promise((res) => setTimeout(res, 0));
      out.push(t.metrics.lastViewMs);
    }
    return out;
  }, [points, steps] as const);
}

/** Resident memory of the panel's renderer process (the page and its worker), MB. */
export async function rendererMB(p: PanelHandle): Promise<number> {
  const cdp = await p.page.context().browser()!.newBrowserCDPSession();
  const info = await cdp.send('SystemInfo.getProcessInfo') as { processInfo: { type: string; id: number }[] };
  await cdp.detach();
  let kb = 0;
  for (const proc of info.processInfo.filter((x) => x.type === 'renderer')) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.id}/status`, 'utf8'));
    kb = Math.max(kb, m ? Number(m[1]) : 0);
  }
  return kb / 1024;
}

export async function metricsBench(browser: Browser): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const [runs, points] of [[1, 1_000_000], [10, 100_000]] as const) {
    const first: number[] = [], frames: number[] = [];
    let mb = 0, empty = 0;
    for (let i = 0; i < RUNS; i++) {
      const p = await openPanel(browser, 'metrics', { width: 1400, height: 900 });
      empty = Math.max(empty, await rendererMB(p));
      first.push(await loadAndDraw(p, runs, points));
      frames.push(...await zoomFrames(p, points, 40));
      mb = Math.max(mb, await rendererMB(p));
      await p.page.close();
    }
    const what = runs === 1 ? '1 run × 1,000,000 points' : `${runs} runs × ${points.toLocaleString('en-US')} points`;
    rows.push({ case: `${what}: first draw`, ms: median(first), target: 1000, note: 'from the series message to the drawn chart' });
    rows.push({ case: `${what}: zoom/pan frame`, ms: median(frames), target: 16, note: `p95 ${pct(frames, 0.95).toFixed(1)} ms; renderer ${mb.toFixed(0)} MB, ${empty.toFixed(0)} MB of it before the data (target < 200)` });
  }
  return rows;
}
