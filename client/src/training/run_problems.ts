// How a run that failed or was refused is shown: one message that says what and where, the
// config's problems as diagnostics on its fields, shape errors linked to their lines (the
// language server shows the same errors in the model file), and the full text in the output.
import * as vscode from 'vscode';
import { findNodeAtLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import { basename } from 'node:path';
import type { RunError, RunProblem } from '../../../engine/src/host/protocol';

const SOURCE = 'Tensor Studio';

/** The range of the deepest node on `path` that exists (a missing key points at its parent). */
function rangeOfPath(doc: vscode.TextDocument, path: readonly (string | number)[]): vscode.Range {
  const root = parseTree(doc.getText());
  if (!root) return new vscode.Range(0, 0, 0, 0);
  for (let n = path.length; n >= 0; n--) {
    const node: JsonNode | undefined = findNodeAtLocation(root, [...path.slice(0, n)]);
    if (!node) continue;
    // A property's value node: underline its key too when the key exists ("lr": -1).
    const target = node.parent?.type === 'property' ? node.parent : node;
    const start = doc.positionAt(target.offset);
    const end = n === path.length ? doc.positionAt(target.offset + target.length) : doc.positionAt(target.offset + 1);
    return new vscode.Range(start, end);
  }
  return new vscode.Range(0, 0, 0, 0);
}

export class RunProblems implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tensorStudio.runConfig');
  private readonly subscriptions: vscode.Disposable[] = [this.diagnostics];

  constructor(private readonly output: vscode.OutputChannel) {
    // Our diagnostics describe the text the run was refused for; the first edit makes them stale.
    this.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length && this.diagnostics.has(e.document.uri)) this.diagnostics.delete(e.document.uri);
    }));
  }

  clear(config: vscode.Uri): void { this.diagnostics.delete(config); }

  /** Diagnostics (in the config file) for the problems that locate a config field or position. */
  private async markConfig(config: vscode.Uri, problems: readonly RunProblem[]): Promise<void> {
    const inConfig = problems.filter((p) => (p.jsonPath || p.line !== undefined) && (!p.file || p.file === config.fsPath));
    if (!inConfig.length) return;
    const doc = await vscode.workspace.openTextDocument(config);
    this.diagnostics.set(config, inConfig.map((p) => {
      const range = p.jsonPath ? rangeOfPath(doc, p.jsonPath) : new vscode.Range(p.line!, p.column ?? 0, p.endLine ?? p.line!, p.endColumn ?? (p.column ?? 0) + 1);
      const d = new vscode.Diagnostic(range, p.message.replace(/^[^:]+\.json: /, ''), vscode.DiagnosticSeverity.Error);
      d.source = SOURCE;
      return d;
    }));
  }

  /**
   * Shows a failed run: the message (returned, for tests), its buttons, and the details in the
   * output channel. `label` names the model; `runDir` is set when the run folder exists.
   */
  async show(label: string, config: vscode.Uri, error: RunError, runDir: string | undefined): Promise<string> {
    const problems = error.problems ?? [];
    this.output.appendLine(`error (${error.kind}): ${error.message}`);
    for (const p of problems) if (p.file && p.line !== undefined) this.output.appendLine(`  ${p.file}:${p.line + 1}:${(p.column ?? 0) + 1}: ${p.message}`);
    if (error.logTail?.length) this.output.appendLine(`last lines of the log:\n  ${error.logTail.join('\n  ')}`);
    await this.markConfig(config, problems);
    const configName = basename(config.fsPath);
    const first = error.message.split('\n')[0]!;
    let message: string;
    let actions: string[];
    switch (error.kind) {
      case 'config':
        message = `Tensor Studio: ${configName} has ${problems.length > 1 ? `${problems.length} problems` : 'a problem'}; the run was not started: ${first.replace(`${configName}: `, '')}`;
        actions = ['Open Config'];
        break;
      case 'data':
        message = `Tensor Studio: ${label} was not trained: ${first}`;
        actions = ['Open Config'];
        break;
      case 'shape': {
        const lines = problems.filter((p) => p.line !== undefined);
        const at = lines[0] ? ` (${basename(lines[0].file ?? '')}:${lines[0].line! + 1}: ${lines[0].message})` : '';
        message = lines.length
          ? `Tensor Studio: ${label} has ${lines.length} shape error${lines.length === 1 ? '' : 's'}; the run was not started${at}`
          : `Tensor Studio: ${label} was not trained: ${first}`;
        actions = lines.length ? ['Go to Error', 'Show Problems'] : ['Show Log'];
        break;
      }
      case 'out-of-memory':
        message = `Tensor Studio: training ${label} ran out of memory: ${first.replace(/^out of memory: /, '')}. Raise tensorStudio.engine.memoryLimitMB, or use a smaller model or batch.`;
        actions = ['Open Settings', 'Show Log'];
        break;
      default:
        message = `Tensor Studio: training ${label} failed: ${first}`;
        actions = runDir ? ['Show Log', 'Open Run Folder'] : ['Show Log'];
    }
    void vscode.window.showErrorMessage(message, ...actions).then((a) => this.act(a, config, problems, runDir));
    return message;
  }

  private async act(action: string | undefined, config: vscode.Uri, problems: readonly RunProblem[], runDir: string | undefined): Promise<void> {
    switch (action) {
      case 'Open Config': await vscode.window.showTextDocument(config); break;
      case 'Show Problems': await vscode.commands.executeCommand('workbench.actions.view.problems'); break;
      case 'Go to Error': {
        const p = problems.find((x) => x.file && x.line !== undefined);
        if (p) await vscode.window.showTextDocument(vscode.Uri.file(p.file!), { selection: new vscode.Range(p.line!, p.column ?? 0, p.endLine ?? p.line!, p.endColumn ?? 0) });
        break;
      }
      case 'Open Settings': await vscode.commands.executeCommand('workbench.action.openSettings', 'tensorStudio.engine.memoryLimitMB'); break;
      case 'Show Log': this.output.show(true); break;
      case 'Open Run Folder': if (runDir) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(runDir)); break;
    }
  }

  dispose(): void { for (const s of this.subscriptions) s.dispose(); }
}
