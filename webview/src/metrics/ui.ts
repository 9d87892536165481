// The metrics panel's DOM: toolbar (x axis, smoothing, log scale, reset zoom, export), the run
// list with a colour per run, the chart grid and the status line.
import type { MetricsAxis, MetricsRun, MetricsSmoothing } from '../protocol.js';
import { el } from '../common/vscode_api.js';

export interface MetricsUiActions {
  toggleRun(id: string, on: boolean): void;
  axis(a: MetricsAxis): void;
  smoothing(s: MetricsSmoothing): void;
  log(on: boolean): void;
  resetZoom(): void;
  exportAs(format: 'csv' | 'png'): void;
}

export interface MetricsUi {
  readonly charts: HTMLElement;
  showRuns(runs: readonly MetricsRun[], selected: ReadonlySet<string>, color: (id: string) => string): void;
  setControls(axis: MetricsAxis, s: MetricsSmoothing, log: boolean): void;
  empty(message: string | null): void;
  status(text: string): void;
}

/** A colour square. Set through the CSSOM: the CSP forbids inline style attributes. */
export function swatch(color: string): HTMLSpanElement {
  const s = el('span', { class: 'swatch' });
  s.style.background = color;
  return s;
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', title, 'aria-label': title }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** Slider positions → EMA weight (0…0.999) or moving-average window (1…1000 points, log scale). */
const emaOf = (v: number): number => Math.min(0.999, v / 1000);
const windowOf = (v: number): number => Math.max(1, Math.round(Math.pow(1000, v / 1000)));

export function mountMetricsUi(root: HTMLElement, a: MetricsUiActions): MetricsUi {
  const axis = el('select', { 'aria-label': 'X axis' },
    el('option', { value: 'step' }, 'Step'), el('option', { value: 'epoch' }, 'Epoch'), el('option', { value: 'time' }, 'Wall time'));
  axis.addEventListener('change', () => a.axis(axis.value as MetricsAxis));
  const kind = el('select', { 'aria-label': 'Smoothing' },
    el('option', { value: 'ema' }, 'EMA'), el('option', { value: 'mean' }, 'Moving average'), el('option', { value: 'none' }, 'No smoothing'));
  const slider = el('input', { type: 'range', min: '0', max: '999', step: '1', 'aria-label': 'Smoothing amount' });
  const amount = el('span', { class: 'count' });
  const emit = (): void => {
    const v = Number(slider.value);
    const s: MetricsSmoothing = kind.value === 'ema' ? { kind: 'ema', weight: emaOf(v) } : kind.value === 'mean' ? { kind: 'mean', window: windowOf(v) } : { kind: 'none' };
    amount.textContent = s.kind === 'ema' ? s.weight.toFixed(3) : s.kind === 'mean' ? `${s.window} pts` : '';
    slider.disabled = s.kind === 'none';
    a.smoothing(s);
  };
  kind.addEventListener('change', emit);
  slider.addEventListener('input', emit);
  const logBox = el('input', { type: 'checkbox', id: 'log-scale' });
  logBox.addEventListener('change', () => a.log(logBox.checked));
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Metrics' },
    el('span', { class: 'title' }, 'Metrics'), el('span', { class: 'spacer' }),
    el('label', {}, 'X ', axis), el('label', {}, 'Smoothing ', kind), slider, amount,
    el('label', { class: 'check' }, logBox, 'Log scale'),
    button('Reset zoom', 'Show the whole range (double-click a chart)', a.resetZoom),
    button('CSV', 'Export the points in view as CSV', () => a.exportAs('csv')),
    button('PNG', 'Export the charts as PNG', () => a.exportAs('png')));

  const runList = el('ul', { class: 'runs', 'aria-label': 'Runs' });
  const side = el('aside', { class: 'side', 'aria-label': 'Runs' }, el('h2', {}, 'Runs'), runList);
  const charts = el('div', { class: 'charts' });
  const emptyBox = el('div', { class: 'empty', hidden: '' });
  const statusLine = el('div', { class: 'status', 'aria-live': 'polite' });
  root.append(toolbar, el('div', { class: 'main' }, side, el('div', { class: 'stage' }, emptyBox, charts)), statusLine);

  return {
    charts,
    showRuns(runs, selected, color) {
      runList.replaceChildren(...runs.map((r) => {
        const box = el('input', { type: 'checkbox', 'aria-label': `Show ${r.label}` });
        box.checked = selected.has(r.id);
        box.addEventListener('change', () => a.toggleRun(r.id, box.checked));
        return el('li', { title: r.id }, el('label', {}, box, swatch(color(r.id)),
          el('span', { class: 'name' }, r.label), el('span', { class: `badge ${r.status}` }, r.status)));
      }));
      if (!runs.length) runList.append(el('li', { class: 'muted' }, 'No runs yet: click Train above a model class.'));
    },
    setControls(ax, s, log) {
      axis.value = ax;
      kind.value = s.kind;
      slider.value = String(s.kind === 'ema' ? Math.round(s.weight * 1000) : s.kind === 'mean' ? Math.round(Math.log(s.window) / Math.log(1000) * 1000) : 0);
      amount.textContent = s.kind === 'ema' ? s.weight.toFixed(3) : s.kind === 'mean' ? `${s.window} pts` : '';
      slider.disabled = s.kind === 'none';
      logBox.checked = log;
    },
    empty(message) {
      emptyBox.hidden = message === null;
      emptyBox.textContent = message ?? '';
    },
    status(text) { statusLine.textContent = text; },
  };
}
