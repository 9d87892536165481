// Starts and supervises the Tensor Studio language server (dist/server.js) over Node IPC.
// The server does all shape analysis; this side only wires LSP into VS Code.
import * as vscode from 'vscode';
import {
  LanguageClient,
  Trace,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { DiagnosticsTracker } from './diagnostics_tracker';

export const CLIENT_ID = 'tensorStudio';
export const CLIENT_NAME = 'Tensor Studio';

/** Python files on disk and unsaved Python buffers: the only documents the server analyses. */
export const PYTHON_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
];

function traceSetting(): Trace {
  const v = vscode.workspace.getConfiguration('tensorStudio').get<string>('server.trace', 'off');
  return Trace.fromString(v);
}

/** Settings the server reads at start; later changes arrive through configuration sync. */
function initializationOptions(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('tensorStudio');
  return { inlayHints: { enabled: cfg.get<boolean>('inlayHints.enabled', true) } };
}

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  tracker: DiagnosticsTracker,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    // F5 "Run Extension": attach a debugger to the server on port 6009.
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: PYTHON_SELECTOR,
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: initializationOptions(),
    // Sends workspace/didChangeConfiguration with the whole `tensorStudio` section on every change
    // (e.g. tensorStudio.inlayHints.enabled), and answers the server's workspace/configuration pulls.
    synchronize: { configurationSection: 'tensorStudio' },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => {
        next(uri, diagnostics);
        tracker.recordPublish(uri);
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  // Our trace setting is `tensorStudio.server.trace` (not the client library's default key).
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tensorStudio.server.trace') && client.isRunning()) {
        void client.setTrace(traceSetting());
      }
    }),
  );
  return client;
}

/**
 * Starts the client. Never rejects: a server that cannot start is reported in the output channel
 * and a message, and the extension stays alive (commands still answer).
 */
export async function startLanguageClient(client: LanguageClient, output: vscode.LogOutputChannel): Promise<boolean> {
  try {
    await client.start();
    await client.setTrace(traceSetting());
    return true;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.error(`language server failed to start: ${msg}`);
    void vscode.window.showErrorMessage(
      `Tensor Studio: the language server failed to start (${msg}). Shape analysis is off; see the "Tensor Studio" output.`,
    );
    return false;
  }
}
