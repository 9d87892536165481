// Knows whether the diagnostics the client holds for a document are current: the server only
// pushes (textDocument/publishDiagnostics), so "Check Model Shapes" must tell "no errors" apart
// from "not analysed yet" without guessing with a fixed delay.
import * as vscode from 'vscode';

export class DiagnosticsTracker implements vscode.Disposable {
  private readonly publishedAt = new Map<string, number>();
  private readonly changedAt = new Map<string, number>();
  private readonly published = new vscode.EventEmitter<string>();
  private readonly subs: vscode.Disposable[];
  private clock = 0; // a counter, not wall time: two events in one millisecond stay ordered

  constructor() {
    this.subs = [
      this.published,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.changedAt.set(e.document.uri.toString(), ++this.clock);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.publishedAt.delete(d.uri.toString());
        this.changedAt.delete(d.uri.toString());
      }),
    ];
  }

  /** Called from the client's handleDiagnostics middleware for every publish. */
  recordPublish(uri: vscode.Uri): void {
    const key = uri.toString();
    this.publishedAt.set(key, ++this.clock);
    this.published.fire(key);
  }

  /** True when the server has published for this document since its last edit. */
  isCurrent(uri: vscode.Uri): boolean {
    const key = uri.toString();
    const p = this.publishedAt.get(key);
    return p !== undefined && p > (this.changedAt.get(key) ?? 0);
  }

  /** Resolves true at the next publish for `uri` that is current, false after `timeoutMs`. */
  waitForCurrent(uri: vscode.Uri, timeoutMs: number): Promise<boolean> {
    if (this.isCurrent(uri)) return Promise.resolve(true);
    const key = uri.toString();
    return new Promise((resolve) => {
      const sub = this.published.event((k) => {
        if (k === key && this.isCurrent(uri)) finish(true);
      });
      const timer = setTimeout(() => finish(false), timeoutMs);
      function finish(ok: boolean): void {
        clearTimeout(timer);
        sub.dispose();
        resolve(ok);
      }
    });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
