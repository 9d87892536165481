// The profiler's tables (operators, kernels, modules, comparison): sortable by a header click,
// filtered by a substring, and virtualised — rows have one fixed height and only those in view
// (plus a few) exist in the DOM, so a trace with thousands of ops scrolls as fast as one with ten.
import { el } from '../common/vscode_api.js';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  /** The header's tooltip: what the number means. */
  readonly title?: string;
  /** Width in em; a `flex` column takes the room left (at least `width`). */
  readonly width: number;
  readonly flex?: boolean;
  /** Right-aligned, and sorted largest first on the first click. */
  readonly numeric?: boolean;
  /** What it sorts by. */
  value(row: T): number | string;
  /** What the cell shows (default: the value), and what the filter matches when `searchable`. */
  text?(row: T): string;
  /** Richer content (a bar, a link); `text` still gives the tooltip and the filter's text. */
  cell?(row: T): Node | string;
  readonly searchable?: boolean;
}

export interface TableOptions<T> {
  readonly label: string;
  /** Shown when there are no rows (before filtering). */
  readonly empty: string;
  onSelect?(row: T): void;
  /** Double-click or Enter: reveal the row's source. */
  onActivate?(row: T): void;
  rowClass?(row: T): string;
}

export type SortDir = 'ascending' | 'descending';

const ROW_HEIGHT = 22;
/** Rows rendered beyond each edge of the view, so a fast scroll shows no gap. */
const OVERSCAN = 8;
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

let tableIds = 0;

export class DataTable<T> {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly emptyNote: HTMLElement;
  private readonly id = `table${++tableIds}`;
  private columns: readonly Column<T>[] = [];
  private rows: readonly T[] = [];
  private shown: T[] = [];
  private filter = '';
  private sortKey: string | null = null;
  private sortDir: SortDir = 'descending';
  selected: T | null = null;

  constructor(columns: readonly Column<T>[], private readonly opts: TableOptions<T>) {
    this.header = el('div', { class: 'row head', role: 'row', 'aria-rowindex': '1' });
    this.body = el('div', { class: 'rows', role: 'rowgroup' });
    this.scroller = el('div', { class: 'grid', role: 'grid', 'aria-label': opts.label, tabindex: '0' },
      el('div', { role: 'rowgroup', class: 'head-group' }, this.header), this.body);
    this.emptyNote = el('div', { class: 'empty', hidden: '' });
    this.root = el('div', { class: 'table' }, this.scroller, this.emptyNote);
    this.scroller.addEventListener('scroll', () => this.render());
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    // One listener for every row (rows come and go as the view scrolls).
    this.body.addEventListener('click', (e) => { const r = this.rowAt(e); if (r) this.choose(r); });
    this.body.addEventListener('dblclick', (e) => { const r = this.rowAt(e); if (r) this.opts.onActivate?.(r); });
    new ResizeObserver(() => this.render()).observe(this.scroller);
    this.setColumns(columns);
  }

  /** Rows in view order (filtered and sorted). */
  get visibleRows(): readonly T[] { return this.shown; }
  /** Rows before filtering. */
  get rowCount(): number { return this.rows.length; }
  get sort(): { key: string | null; dir: SortDir } { return { key: this.sortKey, dir: this.sortDir }; }

  setColumns(columns: readonly Column<T>[]): void {
    this.columns = columns;
    if (this.sortKey && !columns.some((c) => c.key === this.sortKey)) this.sortKey = null;
    const tracks = columns.map((c) => (c.flex ? `minmax(${c.width}em, 1fr)` : `${c.width}em`)).join(' ');
    this.scroller.style.setProperty('--columns', tracks);
    this.scroller.style.setProperty('--min-width', `${columns.reduce((s, c) => s + c.width, 0) + 1}em`);
    this.header.replaceChildren(...columns.map((c) => {
      const b = el('button', { type: 'button', class: 'sort', title: c.title ?? `Sort by ${c.label.toLowerCase()}` }, c.label, el('span', { class: 'arrow', 'aria-hidden': 'true' }));
      b.addEventListener('click', () => this.sortBy(c.key));
      return el('div', { role: 'columnheader', class: c.numeric ? 'num' : '', 'data-key': c.key }, b);
    }));
    this.apply();
  }

  setRows(rows: readonly T[]): void {
    this.rows = rows;
    if (this.selected && !rows.includes(this.selected)) this.selected = null;
    this.apply();
  }

  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    this.apply();
  }

  /** Sorts by a column: the same one again flips the order; a new one starts largest (or A) first. */
  sortBy(key: string, dir?: SortDir): void {
    const col = this.columns.find((c) => c.key === key);
    if (!col) return;
    this.sortDir = dir ?? (this.sortKey === key ? (this.sortDir === 'descending' ? 'ascending' : 'descending') : col.numeric ? 'descending' : 'ascending');
    this.sortKey = key;
    this.apply();
  }

  /** Selects a row (scrolling it into view) without calling onSelect. */
  select(row: T | null): void {
    this.selected = row;
    const i = row ? this.shown.indexOf(row) : -1;
    if (i >= 0) this.scrollToIndex(i);
    this.render();
  }

  focus(): void { this.scroller.focus(); }

  private apply(): void {
    const text = (c: Column<T>, r: T): string => (c.text ? c.text(r) : String(c.value(r)));
    const searchable = this.columns.filter((c) => c.searchable);
    let shown = this.filter ? this.rows.filter((r) => searchable.some((c) => text(c, r).toLowerCase().includes(this.filter))) : [...this.rows];
    const col = this.columns.find((c) => c.key === this.sortKey);
    if (col) {
      const sign = this.sortDir === 'ascending' ? 1 : -1;
      const keyed = shown.map((r, i) => ({ r, i, v: col.value(r) }));
      keyed.sort((a, b) => sign * (typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v))) || a.i - b.i);
      shown = keyed.map((k) => k.r);
    }
    this.shown = shown;
    for (const h of this.header.children) {
      const key = (h as HTMLElement).dataset.key;
      const on = key === this.sortKey;
      h.setAttribute('aria-sort', on ? this.sortDir : 'none');
      h.querySelector('.arrow')!.textContent = on ? (this.sortDir === 'descending' ? ' ▼' : ' ▲') : '';
    }
    this.scroller.setAttribute('aria-rowcount', String(shown.length + 1));
    this.body.style.height = `${shown.length * ROW_HEIGHT}px`;
    this.emptyNote.hidden = this.rows.length > 0 && shown.length > 0;
    this.emptyNote.textContent = this.rows.length === 0 ? this.opts.empty : `No rows match “${this.filter}”.`;
    this.render();
  }

  /** Builds the rows in view (and a few beyond). */
  private render(): void {
    const top = this.scroller.scrollTop - this.body.offsetTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.shown.length, Math.ceil((top + this.scroller.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const out: HTMLElement[] = [];
    for (let i = first; i < last; i++) out.push(this.renderRow(this.shown[i]!, i));
    // Focus on a row's link would go with the row: keep it on the grid, so the keys keep working.
    const hadFocus = this.body.contains(document.activeElement);
    this.body.replaceChildren(...out);
    if (hadFocus) this.scroller.focus({ preventScroll: true });
    this.markSelection();
  }

  private renderRow(r: T, i: number): HTMLElement {
    const row = el('div', { class: `row${this.opts.rowClass ? ` ${this.opts.rowClass(r)}` : ''}`, role: 'row', id: `${this.id}-r${i}`, 'aria-rowindex': String(i + 2), 'data-i': String(i) });
    row.style.top = `${i * ROW_HEIGHT}px`;
    for (const c of this.columns) {
      const text = c.text ? c.text(r) : String(c.value(r));
      row.append(el('div', { role: 'gridcell', class: c.numeric ? 'num' : '', title: text }, c.cell ? c.cell(r) : text));
    }
    return row;
  }

  /** The selection's look, on the rows already built (rebuilding them would swallow a double-click). */
  private markSelection(): void {
    let active: string | null = null;
    for (const row of this.body.children as HTMLCollectionOf<HTMLElement>) {
      const on = this.shown[Number(row.dataset.i)] === this.selected;
      row.classList.toggle('selected', on);
      row.setAttribute('aria-selected', String(on));
      if (on) active = row.id;
    }
    if (active) this.scroller.setAttribute('aria-activedescendant', active);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  private rowAt(e: Event): T | undefined {
    const row = (e.target as HTMLElement).closest<HTMLElement>('.rows > .row');
    return row ? this.shown[Number(row.dataset.i)] : undefined;
  }

  private choose(r: T): void {
    this.selected = r;
    this.markSelection();
    this.opts.onSelect?.(r);
  }

  private scrollToIndex(i: number): void {
    const y = this.body.offsetTop + i * ROW_HEIGHT;
    const view = this.scroller.clientHeight - this.body.offsetTop;
    if (y < this.scroller.scrollTop + this.body.offsetTop) this.scroller.scrollTop = y - this.body.offsetTop;
    else if (y + ROW_HEIGHT > this.scroller.scrollTop + this.body.offsetTop + view) this.scroller.scrollTop = y + ROW_HEIGHT - this.body.offsetTop - view;
  }

  private onKey(e: KeyboardEvent): void {
    if (this.shown.length === 0) return;
    const cur = this.selected ? this.shown.indexOf(this.selected) : -1;
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 2);
    const moves: Record<string, number> = { ArrowDown: cur + 1, ArrowUp: cur - 1, PageDown: cur + page, PageUp: cur - page, Home: 0, End: this.shown.length - 1 };
    if (e.key in moves) {
      e.preventDefault();
      const i = Math.max(0, Math.min(this.shown.length - 1, moves[e.key]!));
      this.scrollToIndex(i);
      this.render();
      this.choose(this.shown[i]!);
    } else if (e.key === 'Enter' && this.selected) {
      e.preventDefault();
      this.opts.onActivate?.(this.selected);
    }
  }
}

/** A percentage with a small bar under it (the bar's width set through the CSSOM: the CSP blocks inline styles). */
export function percentCell(p: number, text: string): HTMLElement {
  const bar = el('span', { class: 'bar' });
  bar.style.width = `${Math.max(0, Math.min(100, p))}%`;
  return el('span', { class: 'pct' }, el('span', { class: 'track' }, bar), el('span', {}, text));
}

/** A source link ('model.py:23'); `onClick` reveals it. */
export function sourceLink(text: string, title: string, onClick: () => void): HTMLElement {
  const a = el('a', { href: '#', class: 'source', title: `Open ${title}` }, text);
  a.addEventListener('click', (e) => { e.preventDefault(); onClick(); });
  return a;
}
