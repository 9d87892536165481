// The graph panel's DOM around the canvas: toolbar (class picker, search, fit, expand, export),
// the error banner, the details of the selected item, the legend and the status line.
import type { GraphResult } from '../../../server/src/protocol.js';
import { el } from '../common/vscode_api.js';
import { formatCount, itemRange, itemText, type TreeChild } from './model.js';

export interface UiActions {
  fit(): void;
  zoom(factor: number): void;
  expandAll(): void;
  collapseAll(): void;
  exportAs(format: 'svg' | 'png'): void;
  search(query: string): void;
  searchNext(dir: 1 | -1): void;
  pickClass(name: string): void;
  reveal(key: string): void;
  /** Show the line where the analysis stopped. */
  revealError(): void;
  toggle(key: string): void;
}

export interface Ui {
  readonly canvas: HTMLCanvasElement;
  readonly minimap: HTMLCanvasElement;
  showGraph(fileName: string, g: GraphResult, classes: readonly string[]): void;
  showUnavailable(fileName: string, message: string, available: readonly string[]): void;
  showDetails(item: TreeChild | null, g: GraphResult | null): void;
  searchCount(n: number, active: boolean): void;
  focusSearch(): void;
  status(text: string): void;
}

const CATEGORY_NAMES: Record<string, string> = {
  layer: 'Layer', activation: 'Activation', norm: 'Normalization', pool: 'Pooling', shape: 'Shape op',
  dropout: 'Dropout', op: 'Op', container: 'Module (folded)', input: 'Input / output', error: 'Shape error',
};

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', title, 'aria-label': title }, label);
  b.addEventListener('click', onClick);
  return b;
}

export function mountUi(root: HTMLElement, a: UiActions, categories: readonly string[]): Ui {
  const title = el('span', { class: 'title' });
  const picker = el('select', { 'aria-label': 'Model class', hidden: '' });
  picker.addEventListener('change', () => a.pickClass(picker.value));
  const search = el('input', { type: 'search', placeholder: 'Search name or type', 'aria-label': 'Search nodes by name or type' });
  const count = el('span', { class: 'count', 'aria-live': 'polite' });
  search.addEventListener('input', () => a.search(search.value));
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); a.searchNext(e.shiftKey ? -1 : 1); } });
  // The controls that act on a drawing: hidden while there is none.
  const tools = el('span', { class: 'tools' }, search, count,
    button('Fit', 'Fit the graph to the view (F)', a.fit),
    button('+', 'Zoom in (+)', () => a.zoom(1.25)),
    button('−', 'Zoom out (−)', () => a.zoom(0.8)),
    button('Expand all', 'Expand every module and fold', a.expandAll),
    button('Collapse all', 'Fold every module', a.collapseAll),
    button('SVG', 'Export the graph as SVG', () => a.exportAs('svg')),
    button('PNG', 'Export the graph as PNG', () => a.exportAs('png')));
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Graph' }, title, picker, el('span', { class: 'spacer' }), tools);

  const bannerText = el('span');
  const bannerGo = button('Go to line', 'Show the failing line in the editor', a.revealError);
  const banner = el('div', { class: 'banner error', role: 'alert', hidden: '' }, bannerText, bannerGo);

  const canvas = el('canvas', { tabindex: '0', role: 'img', 'aria-label': 'Model graph. Tab or ] and [ step through nodes, Enter shows the source, Space expands, arrows pan, + and − zoom, F fits.' });
  const minimap = el('canvas', { class: 'minimap', width: '180', height: '120', 'aria-hidden': 'true', title: 'Overview: click or drag to move' });
  const stage = el('div', { class: 'stage' }, canvas, minimap);

  const details = el('div', { class: 'details-body' });
  const legend = el('ul', { class: 'legend' }, ...categories.filter((c) => c !== 'output').map((c) =>
    el('li', {}, el('span', { class: `swatch cat-${c}` }), CATEGORY_NAMES[c] ?? c)));
  const aside = el('aside', { class: 'side', 'aria-label': 'Details' }, el('h2', {}, 'Selected'), details, el('h2', {}, 'Legend'), legend);

  const unavailable = el('div', { class: 'unavailable', hidden: '' });
  const statusLine = el('div', { class: 'status', 'aria-live': 'polite' });
  root.append(toolbar, banner, el('div', { class: 'main' }, stage, aside), unavailable, statusLine);

  const showDetails = (item: TreeChild | null, g: GraphResult | null): void => {
    details.replaceChildren();
    if (!item || !g) { details.append(el('p', { class: 'muted' }, 'Click a node to see it here and its line in the editor.')); return; }
    const t = itemText(item, g);
    const rows: [string, string][] = [];
    if (item.kind === 'node') {
      const n = item.node;
      rows.push(['Type', n.op], ['Path', n.modulePath || '(model)']);
      if (n.attributes.length) rows.push(['Attributes', n.attributes.join(', ')]);
      const ins = g.edges.filter((e) => e.to === n.id).map((e) => e.shape);
      const outs = [...new Set(g.edges.filter((e) => e.from === n.id).map((e) => e.shape))];
      if (ins.length) rows.push(['Input', ins.join('\n')]);
      if (outs.length) rows.push(['Output', outs.join('\n')]);
      if (n.message) rows.push(['Error', n.message]);
    } else {
      const first = item.kind === 'module' ? item.mod : item.members[0]!.mod;
      rows.push(['Type', first.type], ['Path', t.name || '(model)']);
      if (item.kind === 'fold') rows.push(['Repeats', `${item.members.length} identical blocks`]);
      if (t.detail) rows.push(['Parameters', t.detail.replace(' params', '')]);
    }
    const dl = el('dl');
    for (const [k, v] of rows) dl.append(el('dt', {}, k), el('dd', {}, v));
    details.append(el('h3', {}, t.title), dl);
    if (itemRange(item)) details.append(button('Go to source', 'Show this in the editor', () => a.reveal(item.key)));
    if (t.expandable) details.append(button('Expand', 'Expand (Space)', () => a.toggle(item.key)));
  };

  return {
    canvas, minimap,
    showGraph(fileName, g, classes) {
      unavailable.hidden = true;
      tools.hidden = false;
      stage.parentElement!.hidden = false;
      const total = g.modules.find((m) => m.path === '')?.params;
      title.textContent = `${g.className} · ${fileName}${total ? ` · ${formatCount(total)} params` : ''}`;
      picker.hidden = classes.length < 2;
      picker.replaceChildren(...classes.map((c) => el('option', c === g.className ? { value: c, selected: '' } : { value: c }, c)));
      banner.hidden = !g.error;
      if (g.error) {
        bannerText.textContent = `✖ ${g.error.message}`;
        bannerGo.hidden = !g.error.range;
      }
    },
    showUnavailable(fileName, message, available) {
      title.textContent = fileName;
      banner.hidden = true;
      tools.hidden = true;
      picker.hidden = true;
      statusLine.textContent = '';
      stage.parentElement!.hidden = true;
      unavailable.hidden = false;
      unavailable.replaceChildren(el('p', {}, message));
      if (available.length) {
        unavailable.append(el('p', {}, 'Models with a graph in this file:'),
          el('div', { class: 'choices' }, ...available.map((c) => button(c, `Show the graph of ${c}`, () => a.pickClass(c)))));
      }
    },
    showDetails,
    searchCount(n, active) { count.textContent = active ? `${n} found` : ''; },
    focusSearch() { search.focus(); search.select(); },
    status(text) { statusLine.textContent = text; },
  };
}
