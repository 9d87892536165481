// Extension entry point. Activation stays fast: register commands, then start the language
// server without waiting for it (its readiness is exposed for tests through the returned API).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands/index';
import { DiagnosticsTracker } from './diagnostics_tracker';
import type { TrainingController } from './training/training_controller';
import type { RunsView } from './training/runs_view';
import { GraphPanel } from './panels/graph_panel';
import { MetricsPanel } from './panels/metrics_panel';
import { ProfilerPanel } from './panels/profiler_panel';

export interface TensorStudioApi {
  /** Resolves when the language server is up (true) or failed to start (false). */
  readonly serverReady: Promise<boolean>;
  /** The running client, once started. */
  client(): LanguageClient | undefined;
  /** Training runs: active runs, their events and the metric store (for tests and views). */
  readonly training: TrainingController;
  readonly runsView: RunsView;
  /** The open model graph panel, if any (for tests). */
  graphPanel(): GraphPanel | undefined;
  /** The open metrics panel, if any (for tests). */
  metricsPanel(): MetricsPanel | undefined;
  /** The open profiler panels and trace editors, by trace path (for tests). */
  profilerPanels(): ReadonlyMap<string, ProfilerPanel>;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): TensorStudioApi {
  const output = vscode.window.createOutputChannel('Tensor Studio', { log: true });
  const tracker = new DiagnosticsTracker();
  context.subscriptions.push(output, tracker);

  // Dynamic import: esbuild keeps the LSP client library in the bundle but runs its module code
  // only here, after the commands are registered, so activation does not wait for it.
  const serverReady = (async (): Promise<boolean> => {
    const lsp = await import('./lsp_client');
    client = lsp.createLanguageClient(context, output, tracker);
    return lsp.startLanguageClient(client, output);
  })().catch((err: unknown) => {
    output.error(`could not start the language client: ${String(err)}`);
    return false;
  });

  const { controller, runsView } = registerCommands(context, async () => ((await serverReady) ? client : undefined), tracker, output);
  return { serverReady, client: () => client, training: controller, runsView, graphPanel: () => GraphPanel.current, metricsPanel: () => MetricsPanel.current,
    profilerPanels: () => ProfilerPanel.open };
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) await c.stop().catch(() => undefined);
}
