// What the panel shows while there is no trace to show, or over one: "Opening…", the read's
// progress ("Reading trace.json — 120 MB of 600 MB"), and the error banner when the trace could
// not be read (its message names the byte offset or the event).
import { el } from '../common/vscode_api.js';
import { formatBytes } from './format.js';

export class LoadState {
  readonly root: HTMLElement;
  private readonly progress = el('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Reading the trace', hidden: '' });
  private readonly progressText = el('span', { class: 'progress-text' });
  private readonly fill = el('span', { class: 'fill' });
  private readonly banner = el('div', { class: 'banner error', role: 'alert', hidden: '' });
  /** Stands in for the views until there is a trace (placed by the panel, under the tabs). */
  readonly placeholder = el('div', { class: 'placeholder' }, 'Opening…');
  private hasData = false;

  constructor() {
    this.progress.append(this.progressText, el('span', { class: 'track' }, this.fill));
    this.root = el('div', { class: 'load-state' }, this.banner, this.progress);
  }

  loading(fileName: string, bytes: number, total: number): void {
    this.banner.hidden = true;
    this.progress.hidden = false;
    // total 0: unknown (a gzip file): an indeterminate bar.
    const known = total > 0;
    this.progressText.textContent = `Reading ${fileName} — ${formatBytes(bytes)}${known ? ` of ${formatBytes(total)}` : ''}`;
    this.progress.classList.toggle('indeterminate', !known);
    this.fill.style.width = known ? `${Math.min(100, (100 * bytes) / total)}%` : '';
    if (known) this.progress.setAttribute('aria-valuenow', String(Math.round((100 * bytes) / total)));
    else this.progress.removeAttribute('aria-valuenow');
    this.placeholder.hidden = true;
  }

  error(fileName: string, message: string): void {
    this.progress.hidden = true;
    this.banner.replaceChildren(el('span', {}, el('strong', {}, fileName ? `Could not read ${fileName}. ` : ''), message));
    this.banner.hidden = false;
    // Without a trace the page says so under the banner, rather than staying blank.
    this.placeholder.textContent = 'Nothing to show: fix the trace file (or pick another) and open it again.';
    this.placeholder.hidden = this.hasData;
  }

  done(): void {
    this.hasData = true;
    this.progress.hidden = true;
    this.banner.hidden = true;
    this.placeholder.hidden = true;
  }
}
