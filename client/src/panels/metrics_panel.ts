// The metrics panel: one per window. It lists the runs (the Runs view's folders, the CLI's runs
// among them, and the ones training now), sends every point of the runs the user ticks from the
// extension's metric store (reading metrics.jsonl for a past run), then each live batch as it
// arrives. The panel keeps the points and draws them.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { TrainingController } from '../training/training_controller';
import type { RunsView } from '../training/runs_view';
import {
  parseMetricsPanelMessage, parseMetricsPanelState,
  type MetricsHostMessage, type MetricsPanelMessage, type MetricsRun,
} from '../../../webview/src/protocol';
import { WebviewPanelBase, webviewOptions } from './webview_panel';

export const METRICS_VIEW_TYPE = 'tensorStudio.metrics';

export class MetricsPanel extends WebviewPanelBase<MetricsPanelMessage, MetricsHostMessage> {
  static current: MetricsPanel | undefined;
  private ready = false;
  private selected = new Set<string>();
  /** Runs to tick once the page is ready (the run the panel was opened for). */
  private pendingSelect: string[];
  /** Points posted to the page, per run (for tests: nothing dropped on the way). */
  readonly posted = new Map<string, number>();

  static createOrShow(extensionUri: vscode.Uri, controller: TrainingController, runsView: RunsView, log: vscode.LogOutputChannel, runId?: string): MetricsPanel {
    if (MetricsPanel.current) {
      MetricsPanel.current.panel.reveal(undefined, true);
      if (runId) MetricsPanel.current.tick(runId);
      return MetricsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(METRICS_VIEW_TYPE, 'Metrics', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    return (MetricsPanel.current = new MetricsPanel(panel, extensionUri, controller, runsView, log, runId ? [runId] : []));
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, controller: TrainingController, runsView: RunsView, log: vscode.LogOutputChannel, state: unknown): MetricsPanel {
    MetricsPanel.current?.dispose();
    const s = parseMetricsPanelState(state);
    return (MetricsPanel.current = new MetricsPanel(panel, extensionUri, controller, runsView, log, s ? [...s.selected] : []));
  }

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly controller: TrainingController,
    private readonly runsView: RunsView, log: vscode.LogOutputChannel, select: string[]) {
    super(panel, extensionUri, { bundle: 'metrics', title: 'Metrics', parse: parseMetricsPanelMessage, files: { worker: 'metrics_worker.js' }, workers: true }, log);
    this.pendingSelect = select;
    this.disposables.push(
      controller.store.subscribe((runId, points) => {
        if (!this.ready || !this.selected.has(runId)) return;
        this.post({ type: 'append', runId, points });
        this.posted.set(runId, (this.posted.get(runId) ?? 0) + points.length);
      }),
      // A run started, resumed (its points reloaded) or finished: new list; a resumed run's points afresh.
      controller.onDidChangeRuns(() => this.postRuns([])),
    );
  }

  /** Ticks a run in the panel (and sends its points). */
  tick(runId: string): void {
    if (!this.ready) { this.pendingSelect.push(runId); return; }
    this.postRuns([runId]);
  }

  private runs(): MetricsRun[] {
    const out = new Map<string, MetricsRun>();
    for (const r of this.runsView.runs()) {
      const when = new Date(r.summary.startedAt);
      // Seconds too: two runs started in the same minute must read differently.
      const label = `${r.summary.model.class ?? r.id} · ${when.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })}`;
      out.set(r.id, { id: r.id, label, status: r.summary.status, startedAt: r.summary.startedAt });
    }
    for (const a of this.controller.activeRuns()) {
      if (!out.has(a.runId)) out.set(a.runId, { id: a.runId, label: a.label, status: 'running', startedAt: new Date(a.requestedAt).toISOString() });
    }
    return [...out.values()];
  }

  private postRuns(select: readonly string[]): void {
    if (!this.ready) return;
    this.post({ type: 'runs', runs: this.runs(), select });
  }

  /** Every point of the run so far; a past run's come from its metrics.jsonl. */
  private sendSeries(runId: string): void {
    const store = this.controller.store;
    const live = this.controller.activeRuns().some((a) => a.runId === runId);
    if (!live && store.count(runId) === 0) {
      const dir = this.runsView.runs().find((r) => r.id === runId)?.dir;
      if (dir) store.load(runId, join(dir, 'metrics.jsonl'));
    }
    const series = store.allSeries(runId).map((s) => ({
      name: s.name, step: Float64Array.from(s.step), epoch: Float64Array.from(s.epoch), value: Float64Array.from(s.value), time: Float64Array.from(s.time),
    }));
    this.post({ type: 'series', runId, series });
    this.posted.set(runId, series.reduce((n, s) => n + s.value.length, 0));
  }

  protected async onMessage(m: MetricsPanelMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postRuns(this.pendingSelect.splice(0));
        return;
      case 'select': {
        const before = this.selected;
        this.selected = new Set(m.runIds);
        for (const id of this.selected) if (!before.has(id)) this.sendSeries(id);
        return;
      }
      case 'export': {
        const near = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.controller.runsRoots()[0] ?? '.');
        const message = await this.saveExport(near, m.suggestedName,
          m.format === 'csv' ? { 'CSV': ['csv'] } : { 'PNG image': ['png'] },
          m.format === 'csv' ? Buffer.from(m.data, 'utf8') : Buffer.from(m.data, 'base64'));
        if (message) this.post({ type: 'exported', message });
        return;
      }
    }
  }

  protected override onDispose(): void {
    if (MetricsPanel.current === this) MetricsPanel.current = undefined;
  }
}
