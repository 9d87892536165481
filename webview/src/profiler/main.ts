// Profiler panel entry: tabs over one trace's views. The timeline is a canvas (timeline.ts); the
// rest are DOM views of the summaries the extension sent (overview, tables, memory, compare),
// with a details pane for the event selected in the timeline or a table.
import 'uplot/dist/uPlot.min.css';
import '../common/panel.css';
import './style.css';
import { el, vscodeApi } from '../common/vscode_api.js';
import { onThemeChange } from '../common/theme.js';
import { PANEL_PROTOCOL_VERSION } from '../protocol.js';
import {
  parseProfilerHostMessage, parseProfilerPanelState, type ProfileKernel, type ProfileSummary, type ProfileModule,
  type ProfilerHostMessage, type ProfilerPanelMessage, type ProfilerPanelState, type ProfilerView,
} from '../profiler_protocol.js';
import { Timeline } from './timeline.js';
import { renderOverview } from './overview.js';
import { OperatorsView, type RowActions } from './operators.js';
import { kernelsPage, modulesPage } from './kernels_modules.js';
import { MemoryView } from './memory.js';
import { CompareView } from './compare.js';
import { DetailsPane } from './details.js';
import { LoadState } from './load_state.js';
import type { TablePage } from './table_page.js';

const api = vscodeApi<ProfilerPanelState>();
const post = (m: ProfilerPanelMessage): void => api.postMessage(m);
const VIEWS: readonly [ProfilerView, string][] = [
  ['overview', 'Overview'], ['timeline', 'Timeline'], ['operators', 'Operators'], ['kernels', 'Kernels'],
  ['modules', 'Modules'], ['memory', 'Memory'], ['compare', 'Compare'],
];
/** The views with an event to select: the details pane sits beside them. */
const WITH_DETAILS: ReadonlySet<ProfilerView> = new Set(['timeline', 'operators', 'modules']);

class ProfilerPanel {
  data: ProfileSummary | undefined;
  view: ProfilerView = 'overview';
  readonly timeline: Timeline;
  readonly operators: OperatorsView;
  readonly kernels: TablePage<ProfileKernel>;
  readonly modules: TablePage<ProfileModule>;
  readonly memory: MemoryView;
  readonly compare: CompareView;
  readonly details: DetailsPane;
  private path = '';
  private readonly pages = new Map<ProfilerView, HTMLElement>();
  private readonly tabs = el('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Profiler views' });
  /** The trace's name, at the end of the tab row (the Overview has the rest of what it is). */
  private readonly title = el('span', { class: 'title' }, '');
  private readonly load = new LoadState();
  private readonly body = el('div', { class: 'body' });
  private readonly statusLine = el('div', { class: 'status', role: 'status', 'aria-live': 'polite' });

  constructor(app: HTMLElement) {
    for (const [v, label] of VIEWS) {
      const b = el('button', { 'data-view': v, role: 'tab', id: `tab-${v}`, 'aria-controls': `page-${v}`, type: 'button' }, label);
      b.addEventListener('click', () => this.show(v));
      this.tabs.append(b);
      const page = el('section', { class: `page page-${v}`, 'data-page': v, id: `page-${v}`, role: 'tabpanel', 'aria-labelledby': `tab-${v}` });
      page.hidden = true;
      this.pages.set(v, page);
    }
    this.tabs.addEventListener('keydown', (e) => this.onTabKey(e));
    const rows: RowActions = {
      select: (index) => this.select(index),
      reveal: (index) => post({ type: 'reveal', index }),
      showInTimeline: (index) => { this.show('timeline'); this.timeline.select(index); },
    };
    this.details = new DetailsPane({ reveal: rows.reveal, select: (index) => { this.select(index); this.timeline.select(index); } });
    const pages = el('div', { class: 'pages' }, ...this.pages.values());
    this.body.append(pages, this.details.root);
    app.append(el('nav', { class: 'tab-row' }, this.tabs, this.title), this.load.root, this.load.placeholder, this.body, this.statusLine);
    this.timeline = new Timeline(this.pages.get('timeline')!, {
      onSelect: (index) => { if (index !== null) this.select(index); else this.details.clear(); },
      onReveal: (index) => post({ type: 'reveal', index }),
    });
    this.operators = new OperatorsView(this.pages.get('operators')!, rows);
    this.kernels = kernelsPage(this.pages.get('kernels')!, (name) => this.showOp(name));
    this.modules = modulesPage(this.pages.get('modules')!, rows);
    this.memory = new MemoryView(this.pages.get('memory')!);
    this.compare = new CompareView(this.pages.get('compare')!, () => post({ type: 'compare' }));
    onThemeChange(() => this.memory.build());
    window.addEventListener('message', (e) => this.onMessage(e.data));
    const saved = parseProfilerPanelState(api.getState());
    if (saved) this.path = saved.path;
    this.body.hidden = true;
    this.show(saved?.view ?? this.view);
  }

  show(v: ProfilerView): void {
    this.view = v;
    for (const [k, page] of this.pages) page.hidden = k !== v;
    for (const b of this.tabs.querySelectorAll<HTMLButtonElement>('button')) {
      const on = b.dataset.view === v;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    this.details.root.hidden = !WITH_DETAILS.has(v);
    if (v === 'timeline') this.timeline.resize();
    this.save();
  }

  private save(): void {
    if (this.path) api.setState({ version: PANEL_PROTOCOL_VERSION, path: this.path, view: this.view });
  }

  /** Arrow keys, Home and End move along the tabs (one tab stop for the list, as ARIA's tabs pattern has it). */
  private onTabKey(e: KeyboardEvent): void {
    const i = VIEWS.findIndex(([v]) => v === this.view);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: VIEWS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const v = VIEWS[(next + VIEWS.length) % VIEWS.length]![0];
    this.show(v);
    this.tabs.querySelector<HTMLButtonElement>(`[data-view="${v}"]`)!.focus();
  }

  /** Asks the extension for an event's details (the answer is an 'event' message). */
  private select(index: number): void {
    post({ type: 'select', index });
    this.details.pending();
  }

  /** An op by name in the Operators view (a kernel's launcher). */
  private showOp(name: string): void {
    const op = this.data?.ops.find((o) => o.name === name);
    this.show('operators');
    if (op && !this.operators.groupedByShapes) { this.operators.selectExample(op.example); this.select(op.example); }
  }

  private onMessage(raw: unknown): void {
    const m = parseProfilerHostMessage(raw);
    if (!m) { console.warn('profiler panel: ignored a malformed message', raw); return; }
    try {
      this.handle(m);
    } catch (e) {
      // A view that fails on odd data must not take the panel with it.
      this.load.error(this.data?.info.fileName ?? '', `The panel could not show this: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private handle(m: ProfilerHostMessage): void {
    switch (m.type) {
      case 'loading':
        this.title.textContent = m.fileName;
        this.load.loading(m.fileName, m.bytes, m.total);
        return;
      case 'error':
        this.title.textContent = m.fileName;
        this.load.error(m.fileName, m.message);
        return;
      case 'profile': {
        const arrived = performance.now();
        const d = (this.data = m.data);
        this.path = d.info.path;
        this.title.textContent = d.info.fileName;
        this.title.title = d.info.path;
        this.load.done();
        this.body.hidden = false;
        renderOverview(this.pages.get('overview')!, d, (op) => { this.show('operators'); this.operators.selectExample(op.example); this.select(op.example); });
        this.operators.setData(d);
        this.kernels.setRows(d.kernels);
        this.modules.setRows(d.modules);
        this.memory.setData(d.memory);
        this.details.clear();
        this.show(this.view);
        // After the next frame has been painted: the time a person waits to see it.
        requestAnimationFrame(() => setTimeout(() => post({ type: 'drawn', view: this.view, ms: Math.round(performance.now() - arrived) }), 0));
        return;
      }
      case 'timeline': this.timeline.setData(m.timeline); return;
      case 'event': this.details.show(m.details); return;
      case 'comparison': this.compare.show(m.comparison); return;
      case 'comparisonFailed': this.compare.failed(m.message); return;
      case 'revealed': this.statusLine.textContent = m.message; return;
    }
  }
}

const panel = new ProfilerPanel(document.getElementById('app')!);
/** For the browser tests and the benchmark. */
(window as unknown as { tensorStudioProfiler: ProfilerPanel }).tensorStudioProfiler = panel;
post({ type: 'ready', version: PANEL_PROTOCOL_VERSION });
