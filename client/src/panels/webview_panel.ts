// What every Tensor Studio panel shares: a webview that loads only the extension's dist/webview
// (CSP with a nonce, see panel_html.ts), messages validated on receipt, and the disposables.
import * as vscode from 'vscode';
import { panelHtml } from './panel_html';

export interface PanelSpec<In> {
  /** Bundle name under dist/webview ('graph' → graph.js, graph.css). */
  readonly bundle: string;
  readonly title: string;
  /** Validates a message from the webview; null = malformed, dropped with a log line. */
  readonly parse: (x: unknown) => In | null;
  /** Extra files in dist/webview the page reads by URL, by data-attribute name. */
  readonly files?: Readonly<Record<string, string>>;
  readonly workers?: boolean;
}

/** Options for `createWebviewPanel` and for a revived panel's webview. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // State survives hiding through getState/setState; a hidden panel need not keep its page.
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

export abstract class WebviewPanelBase<In, Out> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly extensionUri: vscode.Uri,
    spec: PanelSpec<In>,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    const web = panel.webview;
    web.options = webviewOptions(extensionUri);
    const file = (name: string): string => web.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    web.html = panelHtml({
      title: spec.title, cspSource: web.cspSource, scriptUri: file(`${spec.bundle}.js`), styleUri: file(`${spec.bundle}.css`),
      data: Object.fromEntries(Object.entries(spec.files ?? {}).map(([k, f]) => [k, file(f)])), workers: spec.workers ?? false,
    });
    this.disposables.push(
      web.onDidReceiveMessage((raw: unknown) => {
        const m = spec.parse(raw);
        if (!m) { this.log.warn(`${spec.title}: ignored a malformed message from the panel: ${JSON.stringify(raw)?.slice(0, 200)}`); return; }
        Promise.resolve(this.onMessage(m)).catch((err: unknown) => this.log.error(`${spec.title}: ${String(err)}`));
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  protected abstract onMessage(m: In): void | Promise<void>;

  /**
   * Asks where to save an export (next to `near`), writes it; the message for the panel's status
   * line, or null when the user cancelled. A failure is also shown as an error notification.
   */
  protected async saveExport(near: vscode.Uri, suggestedName: string, filters: Record<string, string[]>, bytes: Uint8Array): Promise<string | null> {
    const dest = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(near, suggestedName.replace(/[^\w.-]/g, '_')),
      filters,
    });
    if (!dest) return null;
    try {
      await vscode.workspace.fs.writeFile(dest, bytes);
      return `Saved ${dest.fsPath}`;
    } catch (err) {
      const message = `Could not save ${dest.fsPath}: ${err instanceof Error ? err.message : String(err)}`;
      void vscode.window.showErrorMessage(`Tensor Studio: ${message}`);
      return message;
    }
  }

  protected post(m: Out): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  protected onDispose(): void { /* subclasses release their own state */ }
}
