// Metrics panel entry: the ticked runs' points go to a worker, which keeps every one of them and
// answers, per chart, with what to draw at the current zoom (a min–max band and a line per pixel
// column); charts are uPlot, one per metric group, all sharing one x range.
import 'uplot/dist/uPlot.min.css';
import '../common/panel.css';
import './style.css';
import { vscodeApi } from '../common/vscode_api.js';
import { onThemeChange, seriesColors } from '../common/theme.js';
import {
  PANEL_PROTOCOL_VERSION, parseMetricsHostMessage, parseMetricsPanelState,
  type MetricsAxis, type MetricsHostMessage, type MetricsPanelMessage, type MetricsPanelState, type MetricsRun, type MetricsSmoothing,
} from '../protocol.js';
import type { MetricsWorkerRequest, MetricsWorkerResponse, ViewResponse } from './worker_protocol.js';
import { MetricChart, type ChartLine } from './chart.js';
import { fmt, formatSeconds } from './chart_format.js';
import { groupOf, groupTitle, runColorIndex } from './groups.js';
import { mountMetricsUi, type MetricsUi } from './ui.js';

const api = vscodeApi<MetricsPanelState>();
const post = (m: MetricsPanelMessage): void => api.postMessage(m);

class MetricsPanel {
  private runs: MetricsRun[] = [];
  private selected = new Set<string>();
  private axis: MetricsAxis = 'step';
  private smoothing: MetricsSmoothing = { kind: 'ema', weight: 0.6 };
  private log = false;
  /** The shared x range; null = everything (and it grows as points arrive). */
  private range: [number, number] | null = null;
  /** Metric names per run, as they arrived. */
  private names = new Map<string, string[]>();
  private charts = new Map<string, MetricChart>();
  private nextId = 1;
  private latest = new Map<string, number>();
  private pending = new Map<number, (r: MetricsWorkerResponse) => void>();
  private refreshQueued = false;
  private readonly ui: MetricsUi;
  /** Counters for the browser tests and the benchmark. */
  readonly metrics = { pointsReceived: new Map<string, number>(), views: 0, lastViewMs: 0, firstDrawMs: -1, seriesAt: 0 };

  constructor(private readonly worker: Worker) {
    const saved = parseMetricsPanelState(api.getState());
    if (saved) {
      this.selected = new Set(saved.selected);
      this.axis = saved.axis;
      this.smoothing = saved.smoothing;
      this.log = saved.log;
    }
    this.ui = mountMetricsUi(document.getElementById('app')!, {
      toggleRun: (id, on) => { if (on) this.selected.add(id); else this.selected.delete(id); this.selectionChanged(); },
      axis: (a) => { this.axis = a; this.range = null; this.rebuild(); },
      smoothing: (s) => { this.smoothing = s; this.send({ type: 'smoothing', smoothing: s }); this.refresh(); this.save(); },
      log: (on) => { this.log = on; this.rebuild(); },
      resetZoom: () => this.zoom(null),
      exportAs: (f) => void this.exportAs(f),
    });
    this.ui.setControls(this.axis, this.smoothing, this.log);
    this.send({ type: 'smoothing', smoothing: this.smoothing });
    worker.onmessage = (e: MessageEvent<MetricsWorkerResponse>) => {
      const r = e.data;
      const done = this.pending.get(r.id);
      this.pending.delete(r.id);
      done?.(r);
    };
    window.addEventListener('message', (e) => this.onMessage(e.data));
    window.addEventListener('resize', () => { for (const c of this.charts.values()) c.resize(this.chartWidth()); this.refresh(); });
    onThemeChange(() => this.rebuild());
    this.ui.empty('Tick a run to see its metrics.');
  }

  private send(m: MetricsWorkerRequest, transfer: Transferable[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private ask<R extends MetricsWorkerResponse>(m: MetricsWorkerRequest & { id: number }): Promise<R> {
    return new Promise((resolve) => { this.pending.set(m.id, resolve as (r: MetricsWorkerResponse) => void); this.send(m); });
  }

  private onMessage(data: unknown): void {
    const m = parseMetricsHostMessage(data);
    if (!m) { console.warn('metrics panel: ignored a malformed message', data); return; }
    this.handle(m);
  }

  private handle(m: MetricsHostMessage): void {
    switch (m.type) {
      case 'runs': {
        this.runs = [...m.runs].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
        for (const id of m.select) this.selected.add(id);
        // Runs that are gone (deleted) are no longer ticked.
        for (const id of [...this.selected]) if (!this.runs.some((r) => r.id === id)) this.selected.delete(id);
        this.ui.showRuns(this.runs, this.selected, (id) => this.colorOf(id));
        post({ type: 'select', runIds: [...this.selected] });
        this.save();
        return;
      }
      case 'series': {
        this.metrics.seriesAt = performance.now();
        this.send({ type: 'clear', runId: m.runId });
        const names: string[] = [];
        let count = 0;
        for (const s of m.series) {
          // The message's arrays are this page's own copies: hand them to the worker without another.
          this.send({ type: 'load', runId: m.runId, name: s.name, step: s.step, epoch: s.epoch, value: s.value, time: s.time },
            [...new Set([s.step.buffer, s.epoch.buffer, s.value.buffer, s.time.buffer])]);
          names.push(s.name);
          count += s.value.length;
        }
        this.names.set(m.runId, names);
        this.metrics.pointsReceived.set(m.runId, count);
        this.rebuild();
        return;
      }
      case 'append': {
        if (!this.selected.has(m.runId)) return;
        this.send({ type: 'append', runId: m.runId, points: m.points });
        this.metrics.pointsReceived.set(m.runId, (this.metrics.pointsReceived.get(m.runId) ?? 0) + m.points.length);
        const names = this.names.get(m.runId) ?? [];
        const fresh = m.points.some((p) => !names.includes(p.name));
        for (const p of m.points) if (!names.includes(p.name)) names.push(p.name);
        this.names.set(m.runId, names);
        if (fresh) this.rebuild(); else this.refresh();
        return;
      }
      case 'exported': this.ui.status(m.message); return;
    }
  }

  private colorOf(id: string): string {
    const colors = seriesColors();
    return colors[runColorIndex(id, this.runs.map((r) => r.id), colors.length)]!;
  }

  private selectionChanged(): void {
    for (const id of [...this.names.keys()]) {
      if (!this.selected.has(id)) { this.names.delete(id); this.send({ type: 'clear', runId: id }); }
    }
    post({ type: 'select', runIds: [...this.selected] });
    this.save();
    this.rebuild();
  }

  private save(): void {
    api.setState({ version: PANEL_PROTOCOL_VERSION, selected: [...this.selected], axis: this.axis, smoothing: this.smoothing, log: this.log });
  }

  private chartWidth(): number {
    const w = this.ui.charts.clientWidth;
    return Math.max(320, w >= 920 ? Math.floor((w - 14) / 2) - 18 : w - 18);
  }

  /** The charts for the metric names of the ticked runs: one per group, runs in a stable order. */
  private rebuild(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    const groups = new Map<string, ChartLine[]>();
    const runs = this.runs.filter((r) => this.selected.has(r.id));
    for (const r of runs) {
      for (const name of this.names.get(r.id) ?? []) {
        const g = groupOf(name);
        const list = groups.get(g) ?? [];
        list.push({ runId: r.id, name, label: r.label, color: this.colorOf(r.id) });
        groups.set(g, list);
      }
    }
    const style = getComputedStyle(document.body);
    const look = {
      axis: this.axis, log: this.log,
      foreground: style.getPropertyValue('--vscode-descriptionForeground').trim() || '#8b8b8b',
      grid: style.getPropertyValue('--vscode-panel-border').trim() || '#80808040',
      font: `11px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`,
    };
    const width = this.chartWidth();
    for (const [g, lines] of [...groups].sort(([a], [b]) => groupRank(a) - groupRank(b) || a.localeCompare(b))) {
      const chart = new MetricChart(g, groupTitle(g), lines, look, width, {
        zoom: (x0, x1) => this.zoom([Math.min(x0, x1), Math.max(x0, x1)]),
        reset: () => this.zoom(null),
        hover: (c, x) => void this.hover(c, x),
      });
      this.charts.set(g, chart);
      this.ui.charts.append(chart.root);
    }
    this.ui.empty(this.selected.size === 0 ? 'Tick a run to see its metrics.' : groups.size === 0 ? 'No metrics logged yet.' : null);
    this.refresh();
    this.save();
  }

  private zoom(range: [number, number] | null): void {
    this.range = range;
    this.refresh();
  }

  /** Asks the worker for every chart's view, at most once per animation frame. */
  private refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    requestAnimationFrame(() => { this.refreshQueued = false; void this.fetchViews(); });
  }

  private async fetchViews(): Promise<void> {
    const t0 = performance.now();
    await Promise.all([...this.charts.values()].map(async (c) => {
      const id = this.nextId++;
      this.latest.set(c.key, id);
      const r = await this.ask<ViewResponse>({
        type: 'view', id, chart: c.key, runs: [...new Set(c.lines.map((l) => l.runId))], names: [...new Set(c.lines.map((l) => l.name))],
        axis: this.axis, x0: this.range?.[0] ?? null, x1: this.range?.[1] ?? null, columns: c.columns,
      });
      if (this.latest.get(c.key) !== id || this.charts.get(c.key) !== c) return; // a newer view is on its way
      c.setView(r);
    }));
    this.metrics.views++;
    this.metrics.lastViewMs = performance.now() - t0;
    if (this.metrics.firstDrawMs < 0 && this.charts.size) this.metrics.firstDrawMs = performance.now() - this.metrics.seriesAt;
  }

  private async hover(c: MetricChart, x: number | null): Promise<void> {
    if (x === null) { c.showReadout(''); return; }
    const id = this.nextId++;
    const r = await this.ask<Extract<MetricsWorkerResponse, { type: 'nearest' }>>({
      type: 'nearest', id, runs: [...new Set(c.lines.map((l) => l.runId))], names: [...new Set(c.lines.map((l) => l.name))], axis: this.axis, x,
    });
    const label = (runId: string): string => this.runs.find((q) => q.id === runId)?.label ?? runId;
    c.showReadout(r.rows.map((p) => `${label(p.runId)} ${p.name}: ${fmt(p.value)}${p.smoothed !== p.value ? ` (smoothed ${fmt(p.smoothed)})` : ''} @ step ${p.step}, epoch ${p.epoch}, ${formatSeconds(p.time)}`).join('\n'));
  }

  private async exportAs(format: 'csv' | 'png'): Promise<void> {
    if (format === 'csv') {
      const runs = this.runs.filter((r) => this.selected.has(r.id)).map((r) => ({ runId: r.id, label: r.label }));
      const names = [...new Set([...this.names.values()].flat())];
      const r = await this.ask<MetricsWorkerResponse>({
        type: 'csv', id: this.nextId++, runs, names, axis: this.axis, x0: this.range?.[0] ?? null, x1: this.range?.[1] ?? null,
      });
      if (r.type !== 'csv') { this.ui.status(`CSV export failed: ${r.type === 'error' ? r.message : r.type}`); return; }
      post({ type: 'export', format: 'csv', suggestedName: 'metrics.csv', data: r.text });
      return;
    }
    const canvases = [...this.charts.values()].map((c) => c.canvas());
    if (!canvases.length) return;
    const w = Math.max(...canvases.map((c) => c.width)), gap = 10;
    const out = document.createElement('canvas');
    out.width = w; out.height = canvases.reduce((h, c) => h + c.height + gap, 0);
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
    let y = 0;
    for (const c of canvases) { ctx.drawImage(c, 0, y); y += c.height + gap; }
    post({ type: 'export', format: 'png', suggestedName: 'metrics.png', data: out.toDataURL('image/png').split(',')[1] ?? '' });
  }

  testApi(): unknown {
    return {
      metrics: this.metrics,
      charts: () => [...this.charts.values()].map((c) => ({
        key: c.key, title: c.title, lines: c.lines.map((l) => ({ runId: l.runId, name: l.name, color: l.color })),
        view: c.lastView && { x0: c.lastView.x0, x1: c.lastView.x1, columns: c.lastView.xs.length,
          series: c.lastView.series.map((s) => ({ runId: s.runId, name: s.name, points: s.points, hi: Math.max(...Array.from(s.hi).filter(Number.isFinite)), line: Array.from(s.line) })) },
      })),
      zoom: (x0: number | null, x1: number | null) => this.zoom(x0 === null || x1 === null ? null : [x0, x1]),
      range: () => this.range,
    };
  }
}

/** Loss first, then accuracy, then the rest by name. */
function groupRank(g: string): number {
  return g === 'loss' ? 0 : /acc/.test(g) ? 1 : 2;
}

async function main(): Promise<void> {
  const workerUrl = document.body.dataset.worker;
  if (!workerUrl) throw new Error('metrics panel: the page names no worker');
  const source = await (await fetch(workerUrl)).text();
  const panel = new MetricsPanel(new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))));
  (window as unknown as { tensorStudioMetrics: unknown }).tensorStudioMetrics = panel.testApi();
  post({ type: 'ready', version: PANEL_PROTOCOL_VERSION });
}
void main();
