// "Tensor Studio: Check Model Shapes": asks the language server for the active file's
// diagnostics, then reveals the Problems view when there are errors, or says there are none.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { resolveModelTarget } from './args';
import type { DiagnosticsTracker } from '../diagnostics_tracker';

export interface CheckShapesResult {
  readonly uri: string;
  readonly file: string;
  readonly errors: number;
  readonly warnings: number;
  readonly messages: readonly string[];
}

/** A push-only server publishes after its debounce: how long to wait for a publish newer than the last edit. */
const PUSH_WAIT_MS = 10_000;

/** For a server with pull diagnostics (LSP 3.17). No previousResultId, so the answer is a full report. */
async function pullDiagnostics(client: LanguageClient, uri: vscode.Uri): Promise<vscode.Diagnostic[] | undefined> {
  const report = await client.sendRequest('textDocument/diagnostic', {
    textDocument: { uri: client.code2ProtocolConverter.asUri(uri) },
  }) as { kind?: string; items?: unknown[] } | null;
  if (report && report.kind === 'full' && Array.isArray(report.items)) {
    return client.protocol2CodeConverter.asDiagnostics(report.items as never);
  }
  return undefined; // anything else: fall back to what the server pushed
}

export async function checkShapes(
  getClient: () => Promise<LanguageClient | undefined>,
  tracker: DiagnosticsTracker,
  uriArg?: unknown,
): Promise<CheckShapesResult | undefined> {
  const target = resolveModelTarget(uriArg, undefined);
  if (!target) {
    void vscode.window.showInformationMessage('Tensor Studio: open a Python model file to check its shapes.');
    return undefined;
  }
  const file = vscode.workspace.asRelativePath(target.uri);
  // Opening makes the client send didOpen, so the server analyses the file even if no editor shows it.
  await vscode.workspace.openTextDocument(target.uri);
  const client = await getClient();
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage(
      `Tensor Studio: cannot check ${file}: the language server is not running (see the "Tensor Studio" output).`,
    );
    return undefined;
  }
  let diags: readonly vscode.Diagnostic[] | undefined;
  if (client.initializeResult?.capabilities.diagnosticProvider) {
    try {
      diags = await pullDiagnostics(client, target.uri);
    } catch {
      diags = undefined; // fall back to what was pushed
    }
  }
  if (!diags) {
    if (!(await tracker.waitForCurrent(target.uri, PUSH_WAIT_MS))) {
      void vscode.window.showWarningMessage(
        `Tensor Studio: the language server has not analysed ${file} yet (waited ${PUSH_WAIT_MS / 1000} s); try again.`,
      );
      return undefined;
    }
    diags = client.diagnostics?.get(target.uri) ?? [];
  }
  const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  const warnings = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning);
  const result: CheckShapesResult = {
    uri: target.uri.toString(),
    file,
    errors: errors.length,
    warnings: warnings.length,
    messages: errors.map((d) => `${file}:${d.range.start.line + 1}: ${d.message}`),
  };
  if (errors.length > 0) {
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    const first = errors[0]!;
    void vscode.window.showWarningMessage(
      `Tensor Studio: ${errors.length} shape error${errors.length === 1 ? '' : 's'} in ${file} ` +
        `(first at line ${first.range.start.line + 1}: ${first.message})`,
    );
  } else {
    const extra = warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
    void vscode.window.showInformationMessage(`No shape errors in ${file}${extra}`);
  }
  return result;
}
