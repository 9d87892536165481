// The Operators view: every op name (or name × input shapes) with its calls, host and device
// times and source line; a row selects its longest call, "Show in timeline" goes there.
import { el } from '../common/vscode_api.js';
import type { ProfileSummary, ProfileOp } from '../profiler_protocol.js';
import type { Column } from './table.js';
import { countColumn, percentColumn, sourceColumn, TablePage, textColumn, timeColumn } from './table_page.js';
import { formatGflops, formatShapes } from './format.js';

export interface RowActions {
  /** A row was chosen: the event to show in the details pane. */
  select(index: number): void;
  reveal(index: number): void;
  showInTimeline(index: number): void;
}

export class OperatorsView {
  readonly page: TablePage<ProfileOp>;
  private readonly byShapes: HTMLInputElement;
  private readonly toTimeline: HTMLButtonElement;
  private data: ProfileSummary | null = null;

  constructor(host: HTMLElement, private readonly actions: RowActions) {
    this.byShapes = el('input', { type: 'checkbox', id: 'ops-by-shapes' });
    this.byShapes.addEventListener('change', () => this.refresh());
    this.toTimeline = el('button', { type: 'button', disabled: '', title: 'Show the selected op’s longest call in the timeline' }, 'Show in timeline');
    this.toTimeline.addEventListener('click', () => { const r = this.page.table.selected; if (r) actions.showInTimeline(r.example); });
    const shapesLabel = el('label', { class: 'check', for: 'ops-by-shapes', title: 'One row per op and input shapes (torch.profiler(record_shapes=True); ours always records them)' }, this.byShapes, 'Group by input shapes');
    this.page = new TablePage<ProfileOp>('operators', [], {
      label: 'Operators',
      empty: 'No operators in this trace.',
      onSelect: (r) => { this.toTimeline.disabled = false; actions.select(r.example); },
      onActivate: (r) => actions.reveal(r.example),
    }, [shapesLabel, this.toTimeline]);
    host.append(this.page.root);
  }

  get groupedByShapes(): boolean { return this.byShapes.checked; }

  setData(d: ProfileSummary): void {
    this.data = d;
    this.refresh();
  }

  /** Selects the row whose longest call is `index` (from the overview's top ops). */
  selectExample(index: number): void {
    const r = this.page.table.visibleRows.find((o) => o.example === index) ?? null;
    this.page.table.select(r);
    this.toTimeline.disabled = r === null;
  }

  private refresh(): void {
    const d = this.data;
    if (!d) return;
    const rows = this.byShapes.checked ? d.opsByShapes : d.ops;
    this.page.table.setColumns(this.columns(rows, this.byShapes.checked));
    this.page.setRows(rows);
    this.toTimeline.disabled = this.page.table.selected === null;
  }

  private columns(rows: readonly ProfileOp[], shapes: boolean): Column<ProfileOp>[] {
    // Device columns only where some op ran on a device; GFLOP/s only where the trace counted FLOPs.
    const device = rows.some((r) => r.deviceTotal > 0);
    const flops = rows.some((r) => r.gflops !== undefined);
    // torch.profiler writes stacks only with with_stack=True: no column of blanks without them.
    const sources = rows.some((r) => r.source !== undefined);
    return [
      textColumn('name', 'Name', 12, (r) => r.name, { flex: true }),
      ...(shapes ? [textColumn<ProfileOp>('shapes', 'Input shapes', 14, (r) => formatShapes(r.shapes), { flex: true })] : []),
      countColumn('calls', 'Calls', (r) => r.calls),
      timeColumn('total', 'Total', (r) => r.total, 'Host time, the ops it called included'),
      timeColumn('self', 'Self', (r) => r.self, 'Host time, the ops it called excluded'),
      timeColumn('mean', 'Mean', (r) => r.mean, 'Host time per call (total / calls)'),
      ...(device ? [
        timeColumn<ProfileOp>('deviceSelf', 'Device self', (r) => r.deviceSelf, 'Time of the kernels this op launched itself'),
        timeColumn<ProfileOp>('deviceTotal', 'Device total', (r) => r.deviceTotal, 'Time of the kernels it and the ops it called launched'),
      ] : []),
      percentColumn('percent', '% self', (r) => r.percent, 'Share of all ops’ host self time'),
      ...(flops ? [{
        key: 'gflops', label: 'GFLOP/s', title: 'FLOPs per second of device time (host time where none)', width: 6, numeric: true,
        value: (r: ProfileOp) => r.gflops ?? -1, text: (r: ProfileOp) => formatGflops(r.gflops),
      }] : []),
      ...(sources ? [sourceColumn<ProfileOp>((r) => r.source, (r) => this.actions.reveal(r.example))] : []),
    ];
  }
}
