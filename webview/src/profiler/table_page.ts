// A table view of the profiler (operators, kernels, modules): a filter box, the view's own
// controls and a row count above one DataTable; and the column kinds those tables share.
import { el } from '../common/vscode_api.js';
import type { SourceRef } from '../profiler_protocol.js';
import { DataTable, percentCell, sourceLink, type Column, type TableOptions } from './table.js';
import { formatCount, formatDuration, formatPercent, formatSource } from './format.js';

export class TablePage<T> {
  readonly root: HTMLElement;
  readonly table: DataTable<T>;
  readonly filter: HTMLInputElement;
  private readonly count = el('span', { class: 'count', 'aria-live': 'polite' });

  constructor(readonly noun: string, columns: readonly Column<T>[], opts: TableOptions<T>, tools: readonly Node[] = []) {
    this.table = new DataTable(columns, opts);
    this.filter = el('input', { type: 'search', placeholder: `Filter ${noun}`, 'aria-label': `Filter ${noun} by name` });
    this.filter.addEventListener('input', () => { this.table.setFilter(this.filter.value); this.updateCount(); });
    this.filter.addEventListener('keydown', (e) => { if (e.key === 'ArrowDown') { e.preventDefault(); this.table.focus(); } });
    const bar = el('div', { class: 'toolbar view-tools', role: 'toolbar', 'aria-label': noun }, this.filter, ...tools, el('span', { class: 'spacer' }), this.count);
    this.root = el('div', { class: 'table-page' }, bar, this.table.root);
  }

  setRows(rows: readonly T[]): void {
    this.table.setRows(rows);
    this.updateCount();
  }

  private updateCount(): void {
    const all = this.table.rowCount, shown = this.table.visibleRows.length;
    this.count.textContent = shown === all ? `${formatCount(all)} ${this.noun}` : `${formatCount(shown)} of ${formatCount(all)} ${this.noun}`;
  }
}

// ---- column kinds ----

export const textColumn = <T>(key: string, label: string, width: number, get: (r: T) => string, extra: Partial<Column<T>> = {}): Column<T> =>
  ({ key, label, width, value: get, searchable: true, ...extra });

/** Wide enough for the numbers and for the header's longest word (headers wrap onto two lines). */
const fit = (label: string, min: number): number => Math.max(min, Math.max(...label.split(' ').map((w) => w.length)) * 0.62 + 2.4);

export const countColumn = <T>(key: string, label: string, get: (r: T) => number, title?: string): Column<T> =>
  ({ key, label, title, width: fit(label, 5), numeric: true, value: get, text: (r) => formatCount(get(r)) });

export const timeColumn = <T>(key: string, label: string, get: (r: T) => number, title: string): Column<T> =>
  ({ key, label, title, width: fit(label, 6), numeric: true, value: get, text: (r) => formatDuration(get(r)) });

export const percentColumn = <T>(key: string, label: string, get: (r: T) => number, title: string): Column<T> =>
  ({ key, label, title, width: 7.5, numeric: true, value: get, text: (r) => formatPercent(get(r)), cell: (r) => percentCell(get(r), formatPercent(get(r))) });

/** 'model.py:23' as a link that reveals the row's source (empty where there is none). */
export const sourceColumn = <T>(get: (r: T) => SourceRef | undefined, reveal: (r: T) => void): Column<T> => ({
  key: 'source', label: 'Source', width: 8.5, searchable: true, value: (r) => formatSource(get(r)),
  cell: (r) => {
    const s = get(r);
    return s ? sourceLink(formatSource(s), `${s.file}:${s.line}`, () => reveal(r)) : '';
  },
});
