// Show Metrics: from the palette, the Runs view ("open metrics" on a run) and the status bar of a
// run that is training. With a run, the panel ticks it; the panel comes back after a reload.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { METRICS_VIEW_TYPE, MetricsPanel } from '../panels/metrics_panel';
import type { TrainingController } from '../training/training_controller';
import type { RunsView } from '../training/runs_view';
import { runDirOf } from './training';

export function registerMetricsCommands(context: vscode.ExtensionContext, controller: TrainingController, runsView: RunsView, log: vscode.LogOutputChannel): void {
  const show = (arg?: unknown): MetricsPanel => {
    const dir = runDirOf(arg);
    // The newest run when none is named: what a person opening the panel wants to see first.
    const runId = dir ? basename(dir) : controller.activeRuns().at(-1)?.runId ?? runsView.runs()[0]?.id;
    return MetricsPanel.createOrShow(context.extensionUri, controller, runsView, log, runId);
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.showMetrics', show),
    vscode.commands.registerCommand('tensorStudio.runs.openMetrics', show),
    vscode.window.registerWebviewPanelSerializer(METRICS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => { MetricsPanel.revive(panel, context.extensionUri, controller, runsView, log, state); },
    }),
    { dispose: () => MetricsPanel.current?.dispose() },
  );
}
