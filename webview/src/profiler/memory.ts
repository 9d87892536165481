// The Memory view: each memory series (allocated, reserved, ... per device) as a stepped line over
// the trace's time with uPlot (as the metrics panel draws: styles through the CSSOM, so the CSP
// holds), each series' peak marked, and a table of peaks.
import uPlot from 'uplot';
import { el } from '../common/vscode_api.js';
import { opaque, seriesColors } from '../common/theme.js';
import type { ProfileMemory } from '../profiler_protocol.js';
import { formatBytes, formatCount, formatDuration, trimZeros } from './format.js';

const HEIGHT = 300;
/** Tick steps in whole binary units (1, 2, 5, 10, ... KB, MB, GB), so the axis reads '2 MB', not '1.91 MB'. */
const BYTE_STEPS = [1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4].flatMap((u) => [1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500].map((m) => m * u));

export class MemoryView {
  private plot: uPlot | null = null;
  private series: readonly ProfileMemory[] = [];
  private readonly box = el('div', { class: 'plot' });
  private readonly table = el('tbody');
  private readonly empty = el('div', { class: 'empty-state' },
    el('h2', {}, 'No memory samples in this trace'),
    el('p', {}, 'PyTorch records them with ', el('code', {}, 'torch.profiler.profile(profile_memory=True)'),
      ' (GPU and CPU allocations, as “[memory]” events).'),
    el('p', {}, 'Tensor Studio’s own traces carry a ', el('code', {}, 'memory'), ' counter: the backend’s live tensor bytes at each op (and, on WebGPU, the buffer pool’s reserved bytes).'));
  private readonly chart: HTMLElement;

  constructor(private readonly host: HTMLElement) {
    this.chart = el('div', { class: 'memory' },
      el('div', { class: 'chart-card' }, this.box),
      el('table', { class: 'mini memory-table' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Series'), el('th', { class: 'num' }, 'Peak'), el('th', { class: 'num' }, 'At'),
          el('th', { class: 'num' }, 'Last'), el('th', { class: 'num' }, 'Samples'))),
        this.table));
    host.append(this.empty, this.chart);
    new ResizeObserver(() => this.resize()).observe(host);
  }

  setData(series: readonly ProfileMemory[]): void {
    this.series = series;
    this.build();
  }

  /** Rebuilt on a theme change: the colours are read from the theme. */
  build(): void {
    this.plot?.destroy();
    this.plot = null;
    const series = this.series.filter((s) => s.ts.length > 0);
    this.empty.hidden = series.length > 0;
    this.chart.hidden = series.length === 0;
    if (series.length === 0) return;
    const colors = seriesColors();
    const color = (k: number): string => colors[k % colors.length]!;
    this.table.replaceChildren(...series.map((s, k) => {
      const at = s.ts[peakIndex(s)] ?? 0;
      const sw = el('span', { class: 'swatch' });
      sw.style.background = color(k);
      return el('tr', {}, el('td', {}, sw, s.name), el('td', { class: 'num' }, formatBytes(s.peak)), el('td', { class: 'num' }, formatDuration(at)),
        el('td', { class: 'num' }, formatBytes(s.bytes[s.bytes.length - 1]!)), el('td', { class: 'num' }, formatCount(s.ts.length)));
    }));
    const style = getComputedStyle(document.body);
    const fg = opaque(style.getPropertyValue('--vscode-descriptionForeground').trim() || '#8b8b8b');
    const grid = style.getPropertyValue('--vscode-panel-border').trim() || '#80808040';
    const font = `11px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font };
    const stepped = uPlot.paths.stepped!({ align: 1 });
    this.plot = new uPlot({
      width: this.width(), height: HEIGHT,
      series: [{ label: 'Time', value: (_u, v) => (v === null ? '–' : formatDuration(v)) },
        // Reserved (the allocator's pool) dashed: it often equals what is allocated, and would hide it.
        ...series.map((s, k) => ({ label: s.name, stroke: color(k), width: 1.5, dash: /reserved/i.test(s.name) ? [6, 4] : undefined, paths: stepped, spanGaps: true, points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : formatBytes(v)) }))],
      legend: { show: true, live: true },
      // Room above the highest peak for its label.
      scales: { x: { time: false }, y: { range: (_u, _lo, hi) => [0, hi > 0 ? hi * 1.15 : 1] } },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((v) => (v === 0 ? '0' : trimZeros(formatDuration(v)))) },
        { ...axis, size: 70, incrs: BYTE_STEPS, values: (_u, splits) => splits.map((v) => trimZeros(formatBytes(v))) },
      ],
      hooks: { draw: [(u) => this.markPeaks(u, series, color)] },
    }, aligned(series), this.box);
  }

  private width(): number {
    return Math.max(320, this.host.clientWidth - 48);
  }

  private resize(): void {
    if (this.plot && this.host.clientWidth > 0) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }

  /** A dot and a label at each series' peak. */
  private markPeaks(u: uPlot, series: readonly ProfileMemory[], color: (k: number) => string): void {
    const ctx = u.ctx, dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = `${11 * dpr}px sans-serif`;
    ctx.textBaseline = 'bottom';
    series.forEach((s, k) => {
      const i = peakIndex(s);
      const x = u.valToPos(s.ts[i]!, 'x', true), y = u.valToPos(s.bytes[i]!, 'y', true);
      ctx.fillStyle = color(k);
      ctx.beginPath();
      ctx.arc(x, y, 4 * dpr, 0, 2 * Math.PI);
      ctx.fill();
      const label = `peak ${formatBytes(s.peak)}`;
      const w = ctx.measureText(label).width;
      // Inside the plot: left of the dot when it is near the right edge.
      const lx = x + 6 * dpr + w > u.bbox.left + u.bbox.width ? x - 6 * dpr - w : x + 6 * dpr;
      // Above the dot; below it where that would leave the plot. Equal peaks of several series stack.
      const above = y - 3 * dpr - k * 13 * dpr;
      ctx.fillText(label, lx, above - 12 * dpr < u.bbox.top ? y + 16 * dpr + k * 13 * dpr : above);
    });
    ctx.restore();
  }
}

function peakIndex(s: ProfileMemory): number {
  let best = 0;
  for (let i = 1; i < s.bytes.length; i++) if (s.bytes[i]! > s.bytes[best]!) best = i;
  return best;
}

/** uPlot wants one shared x: the union of every series' times, null where a series has no sample. */
function aligned(series: readonly ProfileMemory[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => Array.from(s.ts)))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y = new Array<number | null>(xs.length).fill(null);
    for (let i = 0; i < s.ts.length; i++) y[at.get(s.ts[i]!)!] = s.bytes[i]!;
    return y;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}
