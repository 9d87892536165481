// Graph panel entry: receives the server's graph from the extension, keeps what the user expanded
// and selected, lays out (workers) and draws (canvas); posts back reveal / pick / export requests.
import '../common/panel.css';
import './style.css';
import type { GraphResult } from '../../../server/src/protocol.js';
import { vscodeApi } from '../common/vscode_api.js';
import { CATEGORY_COLORS, onThemeChange } from '../common/theme.js';
import {
  PANEL_PROTOCOL_VERSION, parseGraphHostMessage, parseGraphPanelState,
  type GraphHostMessage, type GraphPanelMessage, type GraphPanelState,
} from '../protocol.js';
import { buildTree, defaultExpanded, isOpen, itemRange, keysOnLines, visibleGraph, type Expansion, type ModelTree, type TreeChild, type VisibleGraph } from './model.js';
import { LayoutEngine, type Scene } from './layout.js';
import { GraphView } from './view.js';
import { sceneToPng, sceneToSvg } from './export.js';
import { mountUi, type Ui } from './ui.js';

const api = vscodeApi<GraphPanelState>();
const post = (m: GraphPanelMessage): void => api.postMessage(m);

interface Current {
  uri: string;
  fileName: string;
  graph: GraphResult;
  tree: ModelTree;
  defaults: Set<string>;
  visible: VisibleGraph | null;
}

class GraphPanel {
  private cur: Current | null = null;
  /** The file the extension last spoke about, with a graph or without one (where a class pick goes). */
  private uri: string | null = null;
  private expanded = new Set<string>();
  private collapsed = new Set<string>();
  private selected: string | null = null;
  private cursorKeys = new Set<string>();
  private searchKeys: string[] = [];
  private searchAt = -1;
  private layoutRun = 0;
  private paintedFor = 0;
  private readonly engine: LayoutEngine;
  private readonly view: GraphView;
  private readonly ui: Ui;
  /** Timings and counters read by the browser tests and the benchmark. */
  readonly metrics = { received: 0, firstPaintMs: -1, lastPaintMs: -1, lastLayoutMs: -1, layoutsComputed: 0, layouts: 0, phases: { tree: 0, visible: 0, layout: 0, draw: 0 } };

  constructor(workerUrl: string) {
    this.ui = mountUi(document.getElementById('app')!, {
      fit: () => this.view.fit(),
      zoom: (f) => this.view.zoomAt(f),
      expandAll: () => this.setAll(true),
      collapseAll: () => this.setAll(false),
      exportAs: (format) => this.exportAs(format),
      search: (q) => this.search(q),
      searchNext: (d) => this.searchStep(d),
      pickClass: (name) => this.uri && post({ type: 'pickClass', uri: this.uri, className: name }),
      reveal: (key) => this.revealInEditor(key),
      revealError: () => { const r = this.cur?.graph.error?.range; if (this.cur && r) post({ type: 'reveal', uri: this.cur.uri, range: r }); },
      toggle: (key) => this.toggle(key),
    }, Object.keys(CATEGORY_COLORS));
    this.view = new GraphView(this.ui.canvas, this.ui.minimap, {
      select: (key) => { this.select(key); if (key) this.revealInEditor(key); },
      toggle: (key) => this.toggle(key),
    });
    const cores = navigator.hardwareConcurrency || 2;
    this.engine = new LayoutEngine(() => new Worker(workerUrl), Math.min(4, Math.max(1, cores - 1)));
    this.bindKeys();
    onThemeChange(() => { this.view.renderer.refreshTheme(); this.view.setScene(this.view.scene); });
    window.addEventListener('message', (e) => this.onMessage(e.data));
  }

  private onMessage(data: unknown): void {
    const m = parseGraphHostMessage(data);
    if (!m) { console.warn('graph panel: ignored a malformed message', data); return; }
    this.handle(m);
  }

  private handle(m: GraphHostMessage): void {
    switch (m.type) {
      case 'graph': return void this.showGraph(m.uri, m.fileName, m.graph, m.classes);
      case 'unavailable':
        this.uri = m.uri;
        this.cur = null;
        this.layoutRun++; // a layout still running for the old graph is dropped
        this.view.setScene(null);
        this.ui.showUnavailable(m.fileName, m.graph.message, m.graph.available);
        return;
      case 'cursor': return this.onCursor(m.uri, m.lines);
      case 'exported': return this.ui.status(m.message);
    }
  }

  private async showGraph(uri: string, fileName: string, graph: GraphResult, classes: readonly string[]): Promise<void> {
    this.metrics.received = performance.now();
    this.uri = uri;
    const same = this.cur?.uri === uri && this.cur.graph.className === graph.className;
    if (!same) {
      const saved = parseGraphPanelState(api.getState());
      const keep = saved && saved.uri === uri && saved.className === graph.className;
      this.expanded = new Set(keep ? saved.expanded : []);
      this.collapsed = new Set(keep ? saved.collapsed : []);
      this.selected = null;
    }
    const tree = buildTree(graph);
    this.cur = { uri, fileName, graph, tree, defaults: defaultExpanded(tree), visible: null };
    this.metrics.phases.tree = performance.now() - this.metrics.received;
    this.ui.showGraph(fileName, graph, classes);
    await this.relayout(!same);
  }

  private async relayout(fit: boolean): Promise<void> {
    const cur = this.cur;
    if (!cur) return;
    const run = ++this.layoutRun;
    const t0 = performance.now();
    const v = visibleGraph(cur.graph, cur.tree, (k) => isOpen(k, cur.defaults, this.expansion()));
    const t1 = performance.now();
    // ELK takes a few ms per module: say what is going on when that adds up (Expand all on a big model).
    if (v.groups.size > 100) this.ui.status(`Laying out ${v.groups.size} modules…`);
    let scene: Scene;
    try {
      scene = await this.engine.layout(v, cur.graph, this.view.renderer.measure(this.ui.canvas.getContext('2d')!));
    } catch (err) {
      this.ui.status(`Layout failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (run !== this.layoutRun || cur !== this.cur) return; // a newer graph or expansion won
    const t2 = performance.now();
    cur.visible = v;
    this.metrics.lastLayoutMs = performance.now() - t0;
    this.metrics.layoutsComputed = this.engine.lastComputed;
    this.metrics.layouts++;
    if (this.selected && !scene.byKey.has(this.selected)) this.selected = null;
    this.view.setScene(scene);
    if (fit) this.view.home();
    this.updateMarks();
    this.view.drawNow();
    this.metrics.phases.visible = t1 - t0;
    this.metrics.phases.layout = t2 - t1;
    this.metrics.phases.draw = performance.now() - t2;
    // From the graph message to its first frame (a relayout after an expansion does not count).
    if (this.metrics.received > this.paintedFor) {
      this.paintedFor = this.metrics.received;
      this.metrics.lastPaintMs = performance.now() - this.metrics.received;
      if (this.metrics.firstPaintMs < 0) this.metrics.firstPaintMs = this.metrics.lastPaintMs;
    }
    this.ui.showDetails(this.selectedItem(), cur.graph);
    this.ui.status(`${v.leaves.size} of ${cur.graph.nodes.length} nodes shown · ${scene.edges.length} edges`);
    this.saveState();
  }

  private expansion(): Expansion {
    return { expanded: this.expanded, collapsed: this.collapsed };
  }

  private saveState(): void {
    if (!this.cur) return;
    api.setState({ version: PANEL_PROTOCOL_VERSION, uri: this.cur.uri, className: this.cur.graph.className, expanded: [...this.expanded], collapsed: [...this.collapsed] });
  }

  private toggle(key: string): void {
    const cur = this.cur;
    if (!cur) return;
    if (isOpen(key, cur.defaults, this.expansion())) { this.expanded.delete(key); if (cur.defaults.has(key)) this.collapsed.add(key); }
    else { this.collapsed.delete(key); this.expanded.add(key); }
    this.selected = key;
    void this.relayout(false).then(() => this.view.reveal(key));
  }

  private setAll(open: boolean): void {
    const cur = this.cur;
    if (!cur) return;
    this.expanded = new Set(open ? cur.tree.expandable : []);
    this.collapsed = new Set(open ? [] : cur.tree.expandable);
    void this.relayout(true);
  }

  private select(key: string | null): void {
    this.selected = key;
    this.updateMarks();
    this.ui.showDetails(this.selectedItem(), this.cur?.graph ?? null);
  }

  private selectedItem(): TreeChild | null {
    return this.selected ? this.cur?.tree.byKey.get(this.selected) ?? null : null;
  }

  private revealInEditor(key: string): void {
    const item = this.cur?.tree.byKey.get(key);
    const range = item ? itemRange(item) : null;
    if (this.cur && range) post({ type: 'reveal', uri: this.cur.uri, range });
  }

  private updateMarks(): void {
    this.view.setMarks({ selected: this.selected, highlighted: new Set([...this.cursorKeys, ...this.searchKeys]) });
  }

  private onCursor(uri: string, lines: readonly number[]): void {
    const cur = this.cur;
    if (!cur?.visible || cur.uri !== uri) return;
    this.cursorKeys = new Set(keysOnLines(cur.visible, cur.tree, lines));
    this.updateMarks();
    const scene = this.view.scene;
    if (!scene || this.cursorKeys.size === 0) return;
    const { x, y, s } = this.view.cam;
    const inView = [...this.cursorKeys].some((k) => {
      const b = scene.byKey.get(k);
      return b && b.x + b.w > x && b.x < x + this.view.width / s && b.y + b.h > y && b.y < y + this.view.height / s;
    });
    if (!inView) this.view.reveal([...this.cursorKeys][0]!);
  }

  private search(q: string): void {
    const cur = this.cur;
    this.searchKeys = [];
    this.searchAt = -1;
    if (cur?.visible && q.trim()) {
      const needle = q.trim().toLowerCase();
      const keys = new Set<string>();
      // Every node matches by type, op or module path, also inside folded modules.
      for (const n of cur.graph.nodes) {
        if ([n.op, n.label, n.modulePath].some((s) => s.toLowerCase().includes(needle))) {
          const k = cur.visible.shownAs.get(n.id);
          if (k) keys.add(k);
        }
      }
      for (const leaf of cur.visible.leaves.values()) {
        if (leaf.item.kind !== 'node' && leaf.item.key.toLowerCase().includes(needle)) keys.add(leaf.key);
      }
      const order = this.view.scene ? [...this.view.scene.boxes].filter((b) => keys.has(b.key)).sort((a, b) => a.y - b.y || a.x - b.x).map((b) => b.key) : [];
      this.searchKeys = order;
    }
    this.ui.searchCount(this.searchKeys.length, q.trim() !== '');
    this.updateMarks();
  }

  private searchStep(dir: 1 | -1): void {
    if (!this.searchKeys.length) return;
    this.searchAt = (this.searchAt + dir + this.searchKeys.length) % this.searchKeys.length;
    const k = this.searchKeys[this.searchAt]!;
    this.select(k);
    this.view.reveal(k);
  }

  /** Leaves in reading order, for stepping through with the keyboard. */
  private stepSelection(dir: 1 | -1): void {
    const scene = this.view.scene;
    if (!scene) return;
    const order = scene.boxes.filter((b) => b.kind === 'leaf').sort((a, b) => a.y - b.y || a.x - b.x);
    if (!order.length) return;
    const i = order.findIndex((b) => b.key === this.selected);
    const next = order[i < 0 ? 0 : (i + dir + order.length) % order.length]!;
    this.select(next.key);
    this.view.reveal(next.key);
  }

  private exportAs(format: 'svg' | 'png'): void {
    const scene = this.view.scene;
    if (!scene || !this.cur) return;
    const font = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
    const data = format === 'svg' ? sceneToSvg(scene, this.view.renderer, font) : sceneToPng(scene, this.view.renderer);
    post({ type: 'export', format, suggestedName: `${this.cur.graph.className}.graph.${format}`, data });
  }

  private bindKeys(): void {
    this.ui.canvas.addEventListener('keydown', (e) => {
      const step = 60;
      const keys: Record<string, () => void> = {
        ArrowLeft: () => this.view.panBy(step, 0), ArrowRight: () => this.view.panBy(-step, 0),
        ArrowUp: () => this.view.panBy(0, step), ArrowDown: () => this.view.panBy(0, -step),
        '+': () => this.view.zoomAt(1.25), '=': () => this.view.zoomAt(1.25), '-': () => this.view.zoomAt(0.8),
        f: () => this.view.fit(), '0': () => this.view.fit(),
        ']': () => this.stepSelection(1), '[': () => this.stepSelection(-1),
        Tab: () => this.stepSelection(e.shiftKey ? -1 : 1),
        Enter: () => { if (this.selected) this.revealInEditor(this.selected); },
        ' ': () => { if (this.selected) this.toggle(this.selected); },
        Escape: () => this.select(null),
      };
      const run = keys[e.key];
      // Tab leaves the canvas when nothing is left to step through (keyboard users are not trapped).
      if (!run || (e.key === 'Tab' && !this.view.scene?.boxes.length)) return;
      e.preventDefault();
      run();
    });
    window.addEventListener('keydown', (e) => {
      if ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && document.activeElement === this.ui.canvas)) {
        e.preventDefault();
        this.ui.focusSearch();
      }
    });
  }

  /** For the browser tests and the benchmark: what is drawn, and a way to drive the panel. */
  testApi(): unknown {
    return {
      metrics: this.metrics,
      view: this.view,
      scene: () => this.view.scene,
      frame: () => this.view.lastFrame,
      toggle: (key: string) => this.toggle(key),
      keys: () => [...(this.cur?.visible?.leaves.keys() ?? [])],
      relayout: () => this.relayout(false),
    };
  }
}

// Webviews may not start a worker from a resource URL (another origin): load its text, start it from a blob.
async function main(): Promise<void> {
  const workerUrl = document.body.dataset.layoutWorker;
  if (!workerUrl) throw new Error('graph panel: the page names no layout worker');
  const source = await (await fetch(workerUrl)).text();
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const panel = new GraphPanel(blobUrl);
  (window as unknown as { tensorStudioGraph: unknown }).tensorStudioGraph = panel.testApi();
  post({ type: 'ready', version: PANEL_PROTOCOL_VERSION });
}
void main();
