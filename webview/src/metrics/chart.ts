// One chart of the metrics panel: a uPlot plot of one metric group ('loss': train/loss and
// val/loss) for every ticked run. What it draws comes bucketed from the worker: per pixel column
// the min–max band of the raw points (faint, so a spike always shows) and the (smoothed) line.
import uPlot from 'uplot';
import type { MetricsAxis } from '../protocol.js';
import type { ViewResponse } from './worker_protocol.js';
import { el } from '../common/vscode_api.js';
import { swatch } from './ui.js';
import { fmt, formatSeconds } from './chart_format.js';

export interface ChartLine {
  readonly runId: string;
  readonly name: string;
  readonly label: string;
  readonly color: string;
}

export interface ChartEvents {
  zoom(x0: number, x1: number): void;
  reset(): void;
  hover(chart: MetricChart, x: number | null): void;
}

export interface ChartLook {
  readonly axis: MetricsAxis;
  readonly log: boolean;
  readonly foreground: string;
  readonly grid: string;
  readonly font: string;
}

/** `color` (#rrggbb or rgb(), as seriesColors gives) at opacity `a`. */
const alpha = (color: string, a: number): string => {
  const m = /^#([0-9a-f]{6})/i.exec(color);
  if (m) return `#${m[1]}${Math.round(a * 255).toString(16).padStart(2, '0')}`;
  const rgb = /^rgb\(([^)]*)\)/i.exec(color);
  return rgb ? `rgba(${rgb[1]}, ${a})` : color;
};

/** Dots where a line has only a few points in view (a validation metric logged once per epoch). */
const fewPoints = (u: uPlot, seriesIdx: number, i0: number, i1: number): boolean => {
  const ys = u.data[seriesIdx]!;
  let n = 0;
  for (let i = i0; i <= i1; i++) if (ys[i] !== null && ys[i] !== undefined && ++n > 12) return false;
  return true;
};

export class MetricChart {
  readonly root: HTMLElement;
  private readonly plot: uPlot;
  private readonly statsTable: HTMLTableSectionElement;
  readonly readout: HTMLElement;
  /** Points and columns of the last view drawn (for the tests and the benchmark). */
  lastView: ViewResponse | null = null;

  constructor(readonly key: string, readonly title: string, readonly lines: readonly ChartLine[], look: ChartLook, width: number, events: ChartEvents) {
    this.readout = el('div', { class: 'readout', 'aria-live': 'polite' });
    this.statsTable = el('tbody');
    const plotBox = el('div', { class: 'plot' });
    this.root = el('section', { class: 'chart', 'aria-label': `${title} chart` }, el('h3', {}, title), plotBox, this.readout,
      el('table', { class: 'stats' }, el('thead', {}, el('tr', {}, el('th', {}, 'run'), el('th', {}, 'last'), el('th', {}, 'min'), el('th', {}, 'max'), el('th', {}, 'points'))), this.statsTable));
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    for (const l of lines) {
      const dashed = /^val/.test(l.name);
      const hi = series.length;
      // The band's edges are drawn too (faint): a one-column spike is a line, not just a sliver of fill.
      series.push({ label: `${l.label} ${l.name} max`, stroke: alpha(l.color, 0.45), width: 1, points: { show: false }, spanGaps: true });
      series.push({ label: `${l.label} ${l.name} min`, stroke: alpha(l.color, 0.45), width: 1, points: { show: false }, spanGaps: true });
      series.push({ label: `${l.label} ${l.name}`, stroke: l.color, width: 1.5, dash: dashed ? [6, 4] : undefined, points: { show: fewPoints, size: 6, fill: l.color }, spanGaps: true });
      bands.push({ series: [hi, hi + 1], fill: alpha(l.color, 0.22) });
    }
    const axisStyle = { stroke: look.foreground, grid: { stroke: look.grid, width: 1 }, ticks: { stroke: look.grid, width: 1 }, font: look.font };
    this.plot = new uPlot({
      width, height: 220, series, bands,
      legend: { show: false },
      scales: { x: { time: false }, y: { distr: look.log ? 3 : 1 } },
      axes: [
        { ...axisStyle, values: look.axis === 'time' ? (_u, splits) => splits.map(formatSeconds) : undefined },
        { ...axisStyle, size: 60, values: (_u, splits) => splits.map(fmt) },
      ],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => () => { events.reset(); return null; } },
      },
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const x0 = u.posToVal(u.select.left, 'x'), x1 = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          events.zoom(x0, x1);
        }],
        setCursor: [(u) => {
          const left = u.cursor.left;
          events.hover(this, left === undefined || left < 0 ? null : u.posToVal(left, 'x'));
        }],
      },
    }, [[]], plotBox);
  }

  /** Columns to bucket into: one per pixel of the plotting area. */
  get columns(): number {
    return Math.max(16, Math.round(this.plot.bbox.width / (window.devicePixelRatio || 1)));
  }

  setView(v: ViewResponse): void {
    this.lastView = v;
    const nul = (a: Float64Array): (number | null)[] => Array.from(a, (n) => (Number.isFinite(n) ? n : null));
    const data: (number | null)[][] = [Array.from(v.xs)];
    for (const l of this.lines) {
      const s = v.series.find((x) => x.runId === l.runId && x.name === l.name);
      const empty = new Array<number | null>(v.xs.length).fill(null);
      data.push(s ? nul(s.hi) : empty, s ? nul(s.lo) : empty, s ? nul(s.line) : empty);
    }
    this.plot.batch(() => {
      this.plot.setData(data as uPlot.AlignedData, false);
      // One point (a validation metric after the first epoch): a range around it, so it is not on the edge.
      if (v.x0 !== null && v.x1 !== null) this.plot.setScale('x', v.x1 > v.x0 ? { min: v.x0, max: v.x1 } : { min: v.x0 - 1, max: v.x1 + 1 });
      this.fitY(data);
    });
    this.statsTable.replaceChildren(...this.lines.map((l) => {
      const s = v.series.find((x) => x.runId === l.runId && x.name === l.name);
      const f = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '–' : fmt(n));
      return el('tr', {}, el('td', {}, swatch(l.color), `${l.label} · ${l.name}`),
        el('td', {}, f(s?.stats.last)), el('td', {}, f(s?.stats.min)), el('td', {}, f(s?.stats.max)), el('td', {}, String(s?.stats.count ?? 0)));
    }));
  }

  /** y range over what is in view (the band included: a spike sets the scale). */
  private fitY(data: (number | null)[][]): void {
    let lo = Infinity, hi = -Infinity;
    for (let i = 1; i < data.length; i++) for (const n of data[i]!) if (n !== null) { if (n < lo) lo = n; if (n > hi) hi = n; }
    if (!Number.isFinite(lo)) return;
    const log = this.plot.scales.y!.distr === 3;
    if (log) { lo = Math.max(lo, 1e-12); this.plot.setScale('y', { min: lo / 1.2, max: hi * 1.2 }); return; }
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    this.plot.setScale('y', { min: lo - pad, max: hi + pad });
  }

  showReadout(text: string): void {
    this.readout.textContent = text;
  }

  resize(width: number): void {
    this.plot.setSize({ width, height: 220 });
  }

  canvas(): HTMLCanvasElement {
    return this.plot.ctx.canvas;
  }

  destroy(): void {
    this.plot.destroy();
    this.root.remove();
  }
}
