// The details pane under the Timeline, Operators and Modules views (at the bottom, as Perfetto and
// TensorBoard have it, so the tables keep their width): one event in full, as the extension
// answers a select — name, category, times, pid/tid, args, source and stack. Until there is an
// event it is one line high; its height is dragged (or set with the arrow keys) on its top edge.
import { el } from '../common/vscode_api.js';
import type { ProfileEventDetails } from '../profiler_protocol.js';
import { formatDuration, formatSource } from './format.js';
import { sourceLink } from './table.js';

export interface DetailsActions {
  reveal(index: number): void;
  /** Select another event (the kernel's launcher). */
  select(index: number): void;
}

const MIN_HEIGHT = 90;

/** JSON on one line with a space after each comma ('[[32, 1, 28, 28], [16]]'): the pane wraps it. */
function compactJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(compactJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${compactJson(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? String(v);
}

/** An args value: numbers and strings as they are, anything nested as JSON. */
function argValue(v: unknown): Node | string {
  return v !== null && typeof v === 'object' ? el('code', {}, compactJson(v)) : String(v);
}

const list = (pairs: readonly [string, Node | string][], cls: string): HTMLElement =>
  el('dl', { class: cls }, ...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));

export class DetailsPane {
  readonly root: HTMLElement;
  private readonly body = el('div', { class: 'details-body', 'aria-live': 'polite' });
  private height = 210;
  /** The event shown (for the tests). */
  shown: ProfileEventDetails | null = null;

  constructor(private readonly actions: DetailsActions) {
    const splitter = el('div', { class: 'splitter', role: 'separator', 'aria-orientation': 'horizontal', 'aria-label': 'Resize the details pane', tabindex: '0' });
    this.root = el('aside', { class: 'details', 'aria-label': 'Event details' }, splitter, this.body);
    splitter.addEventListener('pointerdown', (e) => {
      if (!this.shown) return;
      splitter.setPointerCapture(e.pointerId);
      const y0 = e.clientY, h0 = this.height;
      const move = (m: PointerEvent): void => this.setHeight(h0 + y0 - m.clientY);
      const up = (): void => { splitter.removeEventListener('pointermove', move); splitter.removeEventListener('pointerup', up); };
      splitter.addEventListener('pointermove', move);
      splitter.addEventListener('pointerup', up);
    });
    splitter.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowUp') this.setHeight(this.height + 20);
      else if (e.key === 'ArrowDown') this.setHeight(this.height - 20);
    });
    this.clear();
  }

  private setHeight(h: number): void {
    this.height = Math.max(MIN_HEIGHT, Math.min(h, window.innerHeight * 0.7));
    if (this.shown) this.root.style.height = `${this.height}px`;
  }

  clear(): void {
    this.shown = null;
    this.root.classList.add('empty');
    this.root.style.height = '';
    this.body.classList.remove('stale');
    this.body.replaceChildren(el('span', { class: 'muted' }, 'Select an event in the timeline, or a row in the table, to see its details here.'));
  }

  /** Asked for another event: what is shown is faded until the answer comes. */
  pending(): void {
    this.body.classList.add('stale');
  }

  show(d: ProfileEventDetails): void {
    this.shown = d;
    this.root.classList.remove('empty');
    this.body.classList.remove('stale');
    this.setHeight(this.height);
    const props: [string, Node | string][] = [
      ['Category', d.cat || '–'], ['Start', formatDuration(d.ts)], ['Duration', formatDuration(d.dur)],
      ['Process', String(d.pid)], ['Thread', String(d.tid)],
    ];
    if (d.source) props.push(['Source', sourceLink(formatSource(d.source), `${d.source.file}:${d.source.line}`, () => this.actions.reveal(d.index))]);
    if (d.launcher !== undefined) {
      const a = el('a', { href: '#', class: 'source', title: 'Select the op that launched this kernel' }, `event #${d.launcher}`);
      a.addEventListener('click', (e) => { e.preventDefault(); this.actions.select(d.launcher!); });
      props.push(['Launched by', a]);
    }
    const args = Object.entries(d.args ?? {});
    this.body.replaceChildren(
      el('h2', { title: d.name }, d.name),
      el('div', { class: 'details-grid' },
        el('section', {}, el('h3', {}, 'Event'), list(props, 'props')),
        el('section', {}, el('h3', {}, 'Arguments'), args.length ? list(args.map(([k, v]) => [k, argValue(v)]), 'args') : el('p', { class: 'muted' }, 'None.')),
        ...(d.frames.length ? [el('section', {}, el('h3', {}, 'Stack (innermost first)'), el('ol', { class: 'frames' },
          ...d.frames.map((f) => el('li', { title: `${f.file}:${f.line}` }, formatSource(f)))))] : [])));
  }
}
