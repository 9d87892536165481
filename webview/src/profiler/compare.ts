// The Compare view: this trace (A) beside another one the user picks (B): the mean step time of
// each and the change, and per op the time each spent (per step when both have steps), the
// biggest changes first; a change is coloured by whether B is faster or slower.
import { el } from '../common/vscode_api.js';
import type { ProfileComparison, ProfileOpDiff } from '../profiler_protocol.js';
import { DataTable } from './table.js';
import { countColumn, textColumn, timeColumn } from './table_page.js';
import { formatChange, formatDelta, formatDuration } from './format.js';

/** 'faster' / 'slower' for a change in time (under 0.5% of the larger is no change). */
const trend = (a: number, b: number): string => (Math.abs(b - a) <= 0.005 * Math.max(a, b) ? 'same' : b < a ? 'faster' : 'slower');

/** 'only in B' / 'only in A' for an op one trace lacks. */
const changeText = (r: ProfileOpDiff): string => (!r.aCalls ? 'only in B' : !r.bCalls ? 'only in A' : formatChange(r.a, r.b));

export class CompareView {
  private readonly summary = el('div', { class: 'compare-summary' });
  private readonly message = el('div', { class: 'compare-message', role: 'status' });
  private readonly table: DataTable<ProfileOpDiff>;
  private readonly intro: HTMLElement;

  constructor(host: HTMLElement, compare: () => void) {
    const button = el('button', { type: 'button', class: 'primary' }, 'Compare with another trace…');
    button.addEventListener('click', () => { this.message.textContent = ''; compare(); });
    this.intro = el('p', { class: 'muted' }, 'Pick a second trace (B) — another run, the same model after a change, or a PyTorch trace of it — to see which ops got faster or slower.');
    this.table = new DataTable<ProfileOpDiff>([
      textColumn('name', 'Operator', 16, (r) => r.name, { flex: true }),
      countColumn('aCalls', 'Calls A', (r) => r.aCalls),
      countColumn('bCalls', 'Calls B', (r) => r.bCalls),
      { ...timeColumn<ProfileOpDiff>('a', 'Time A', (r) => r.a, 'Host self + device self time in A'), text: (r) => (r.aCalls ? formatDuration(r.a) : '–') },
      { ...timeColumn<ProfileOpDiff>('b', 'Time B', (r) => r.b, 'Host self + device self time in B'), text: (r) => (r.bCalls ? formatDuration(r.b) : '–') },
      {
        key: 'delta', label: 'Δ time', title: 'B − A (negative: B is faster)', width: 7.5, numeric: true,
        value: (r) => r.delta, text: (r) => formatDelta(r.delta),
        cell: (r) => el('span', { class: `delta ${trend(r.a, r.b)}` }, formatDelta(r.delta)),
      },
      {
        key: 'change', label: 'Change', title: 'B against A: a percentage, or a ratio from twice as long', width: 6.5, numeric: true,
        value: (r) => (r.a > 0 ? r.b / r.a : Infinity), text: changeText,
        cell: (r) => el('span', { class: `delta ${trend(r.a, r.b)}` }, changeText(r)),
      },
    ], { label: 'Operators compared', empty: 'Neither trace has operators.' });
    this.table.root.hidden = true;
    host.append(el('div', { class: 'compare' },
      el('div', { class: 'toolbar view-tools' }, button, this.intro), this.message, this.summary, this.table.root));
  }

  show(c: ProfileComparison): void {
    this.message.textContent = '';
    this.intro.hidden = true;
    const unit = c.perStep ? 'mean step' : 'trace span';
    const cls = trend(c.aStep, c.bStep);
    const word = cls === 'same' ? 'about the same' : cls === 'faster' ? 'faster' : 'slower';
    this.summary.replaceChildren(
      el('div', { class: 'side a' }, el('span', { class: 'tag' }, 'A'), el('span', { class: 'file' }, c.a), el('span', { class: 'num' }, formatDuration(c.aStep)), el('span', { class: 'muted' }, unit)),
      el('div', { class: 'side b' }, el('span', { class: 'tag' }, 'B'), el('span', { class: 'file' }, c.b), el('span', { class: 'num' }, formatDuration(c.bStep)), el('span', { class: 'muted' }, unit)),
      el('div', { class: `verdict ${cls}` }, el('span', { class: 'num' }, `${formatDelta(c.bStep - c.aStep)} (${formatChange(c.aStep, c.bStep)})`), ` B is ${word}`),
      el('p', { class: 'muted' }, c.perStep ? 'Op times are per step (each trace’s total divided by its steps).' : 'Op times are per trace (one of them has no steps).'));
    this.table.root.hidden = false;
    this.table.setRows(c.rows);
  }

  /** The comparison could not be made ('' = the user cancelled: nothing to say). */
  failed(message: string): void {
    this.message.textContent = message ? `Could not compare: ${message}` : '';
    this.message.classList.toggle('error', message !== '');
  }
}
