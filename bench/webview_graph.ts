// The graph panel's part of `npm run bench:webview`: a generated 5,000-node model (102 distinct
// blocks of 49 nodes; test/fixtures/graph/gen_large.mjs): first paint of the default view (what
// is expanded at first sight) and of everything expanded, the frame time of panning and zooming
// (the whole graph in view, and closer), and the redraw after a one-line edit (server analysis +
// graph, then the panel). Targets: first paint < 1.5 s, frame < 16 ms, re-layout < 300 ms.
import type { Browser } from 'playwright-core';
import { DocumentAnalyzer } from '../engine/src/frontend/index.js';
import { graphFor } from '../server/src/graph.js';
import type { GraphResult } from '../server/src/protocol.js';
import { buildTree } from '../webview/src/graph/model.js';
import { PANEL_PROTOCOL_VERSION } from '../webview/src/protocol.js';
import { openPanel, type PanelHandle } from '../test/helpers/webview_page.js';
// @ts-expect-error: a plain .mjs helper shared with the tests
import { largeModelSource } from '../test/fixtures/graph/gen_large.mjs';

const URI = 'file:///bench/large.py';
const RUNS = 5;
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

const metrics = (p: PanelHandle): Promise<{ layouts: number; firstPaintMs: number; lastPaintMs: number; layoutsComputed: number }> =>
  p.page.evaluate(() => ({ ...(window as any).tensorStudioGraph.metrics }));

async function sendAndDraw(p: PanelHandle, g: GraphResult): Promise<{ firstPaintMs: number; lastPaintMs: number; layoutsComputed: number }> {
  const n = (await metrics(p)).layouts;
  await p.send({ type: 'graph', uri: URI, fileName: 'large.py', graph: g, classes: g.available });
  await p.page.waitForFunction((k) => (window as any).tensorStudioGraph.metrics.layouts > k, n, { timeout: 120_000 });
  return metrics(p);
}

/** First paint in a fresh page (no cached layouts), with this saved expansion. */
async function firstPaint(browser: Browser, g: GraphResult, expanded: readonly string[]): Promise<{ ms: number; shown: string }> {
  const state = { version: PANEL_PROTOCOL_VERSION, uri: URI, className: g.className, expanded, collapsed: [] };
  const p = await openPanel(browser, 'graph', { width: 1400, height: 900, state });
  const m = await sendAndDraw(p, g);
  const shown = (await p.page.locator('.status').textContent()) ?? '';
  await p.page.close();
  return { ms: m.firstPaintMs, shown };
}

/**
 * Frame times of `steps` pans and small zooms around zoom `scale` (null = Fit: the whole graph in
 * view), each drawn at once (the panel draws at most once per animation frame).
 */
async function frameTimes(p: PanelHandle, scale: number | null, steps: number): Promise<{ draw: number[]; boxes: number }> {
  return p.page.evaluate(([sc, n]) => {
    const t = (window as any).tensorStudioGraph;
    t.view.fit();
    if (sc !== null) t.view.zoomAt(sc / t.view.cam.s);
    t.view.drawNow();
    const draw: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i % 2) t.view.panBy(3, 2); else t.view.zoomAt(i % 4 === 0 ? 1.02 : 1 / 1.02);
      t.view.drawNow();
      draw.push(t.frame().ms);
    }
    return { draw, boxes: t.frame().boxes };
  }, [scale, steps] as const);
}

export interface BenchRow { case: string; ms: number; target: number | null; note: string }

export async function graphBench(browser: Browser): Promise<{ nodes: number; rows: BenchRow[] }> {
  const src: string = largeModelSource(5000);
  const doc = new DocumentAnalyzer();
  let t0 = performance.now();
  const g = graphFor(doc.update(src)) as GraphResult;
  const coldServerMs = performance.now() - t0;
  if (g.kind !== 'graph') throw new Error('the generated model has no graph');
  const everything = buildTree(g).expandable;
  console.log(`model: ${g.nodes.length} nodes, ${g.edges.length} edges, ${g.modules.length} modules; analysis + graph (cold) ${coldServerMs.toFixed(0)} ms`);

  const rows: BenchRow[] = [];
  {
    const folded: number[] = [], expanded: number[] = [];
    let foldedShown = '', expandedShown = '';
    for (let i = 0; i < RUNS; i++) {
      const a = await firstPaint(browser, g, []); folded.push(a.ms); foldedShown = a.shown;
      const b = await firstPaint(browser, g, everything); expanded.push(b.ms); expandedShown = b.shown;
    }
    rows.push({ case: 'first paint, default view', ms: median(folded), target: 1500, note: foldedShown });
    // Not the first paint (that is the default view: only what is expanded is laid out): Expand all.
    rows.push({ case: 'first paint, all expanded', ms: median(expanded), target: null, note: expandedShown });

    // One panel, everything expanded: frames, then one-line edits.
    const state = { version: PANEL_PROTOCOL_VERSION, uri: URI, className: g.className, expanded: everything, collapsed: [] };
    const p = await openPanel(browser, 'graph', { width: 1400, height: 900, state });
    await sendAndDraw(p, g);
    for (const [name, scale] of [['whole graph (Fit)', null], ['zoom 15%', 0.15], ['zoom 100%', 1]] as const) {
      const f = await frameTimes(p, scale, 120);
      rows.push({ case: `pan/zoom frame, ${name}`, ms: median(f.draw), target: 16, note: `${f.boxes} boxes in view; p95 ${pct(f.draw, 0.95).toFixed(1)} ms` });
    }

    // A one-line edit: the head's width 10 -> 11, 12, ... (every version differs from the last).
    const line = src.indexOf('nn.Linear(d, 10)') + 'nn.Linear(d, '.length;
    const server: number[] = [], relayout: number[] = [], computed: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const width = String(11 + i);
      const next = src.slice(0, line) + width + src.slice(line + 2);
      t0 = performance.now();
      const edited = graphFor(doc.update(next)) as GraphResult;
      const s = performance.now() - t0;
      const m = await sendAndDraw(p, edited);
      if (i > 0) { server.push(s); relayout.push(m.lastPaintMs); computed.push(m.layoutsComputed); }
    }
    rows.push({ case: 'one-line edit: analysis + graph', ms: median(server), target: null, note: 'server side' });
    rows.push({ case: 'one-line edit: panel redraw', ms: median(relayout), target: 300, note: `message to frame, all expanded; ${median(computed)} of ${everything.length + 1} groups laid out again` });
    await p.page.close();
  }
  return { nodes: g.nodes.length, rows };
}
