// The Kernels view (device kernels by name, with the op that launched them) and the Modules view
// (nn.Module paths: in path order an indented tree, sorted by a time a flat list).
import { el } from '../common/vscode_api.js';
import type { ProfileKernel, ProfileModule } from '../profiler_protocol.js';
import { countColumn, percentColumn, sourceColumn, TablePage, textColumn, timeColumn } from './table_page.js';
import { sourceLink } from './table.js';
import type { RowActions } from './operators.js';

export function kernelsPage(host: HTMLElement, showOp: (name: string) => void): TablePage<ProfileKernel> {
  const page = new TablePage<ProfileKernel>('kernels', [
    textColumn('name', 'Kernel', 20, (r) => r.name, { flex: true }),
    countColumn('calls', 'Calls', (r) => r.calls),
    timeColumn('total', 'Total', (r) => r.total, 'Device time of every launch'),
    timeColumn('mean', 'Mean', (r) => r.mean, 'Device time per launch'),
    timeColumn('min', 'Min', (r) => r.min, 'Shortest launch'),
    timeColumn('max', 'Max', (r) => r.max, 'Longest launch'),
    percentColumn('percent', '% device', (r) => r.percent, 'Share of all kernels’ device time'),
    textColumn('op', 'Launched by', 14, (r) => r.op ?? '', {
      title: 'The host op that launched it (click: show it in Operators)',
      cell: (r) => (r.op ? sourceLink(r.op, `${r.op} in Operators`, () => showOp(r.op!)) : ''),
    }),
  ], {
    label: 'Kernels',
    empty: 'No device kernels in this trace: it ran on the CPU. Traces of CUDA runs (torch.profiler with ProfilerActivity.CUDA) and of our WebGPU backend have them.',
  });
  host.append(page.root);
  return page;
}

export function modulesPage(host: HTMLElement, actions: RowActions): TablePage<ProfileModule> {
  // Sorted by path the rows are in tree order (a parent before its children): indent them.
  const pathCell = (r: ProfileModule): Node | string => {
    if (page.table.sort.key !== 'path') return r.path;
    const parts = r.path.split('.');
    const cell = el('span', { class: 'tree' }, parts[parts.length - 1]!);
    cell.style.paddingLeft = `${(parts.length - 1) * 1.2}em`;
    return cell;
  };
  // (`page` is read only when rows are drawn, after it is made.)
  const page: TablePage<ProfileModule> = new TablePage<ProfileModule>('modules', [
    textColumn('path', 'Module', 14, (r) => r.path, { flex: true, cell: pathCell }),
    countColumn('calls', 'Calls', (r) => r.calls),
    timeColumn('host', 'Forward', (r) => r.host, 'Host time of its forward calls'),
    timeColumn('backward', 'Backward', (r) => r.backward, 'Host time of its backward (autograd) ops'),
    timeColumn('device', 'Device', (r) => r.device, 'Device time of its kernels, forward and backward, submodules included'),
    sourceColumn((r) => r.source, (r) => actions.reveal(r.example)),
  ], {
    label: 'Modules',
    empty: 'No module spans in this trace. torch.profiler records them with with_stack=True (“nn.Module: …” spans); ours always have them.',
    onSelect: (r) => actions.select(r.example),
    onActivate: (r) => actions.reveal(r.example),
  });
  page.table.sortBy('path', 'ascending');
  host.append(page.root);
  return page;
}
