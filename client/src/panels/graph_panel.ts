// The model graph panel: one per window. It draws the class it was opened for, follows the active
// Python editor, asks the language server again (debounced) as the file changes, reflects the
// editor's cursor, and moves the editor to what is clicked. Revived after a reload by a serializer.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphRequest, type GraphResponse } from '../../../server/src/protocol';
import {
  parseGraphPanelMessage, parseGraphPanelState,
  type GraphHostMessage, type GraphPanelMessage, type GraphPanelState,
} from '../../../webview/src/protocol';
import { WebviewPanelBase, webviewOptions } from './webview_panel';

export const GRAPH_VIEW_TYPE = 'tensorStudio.graph';
/** Quiet time after the last keystroke before the graph is asked for again. */
const REFRESH_DEBOUNCE_MS = 300;

export interface GraphTarget {
  readonly uri: vscode.Uri;
  readonly className: string | undefined;
}

type ClientGetter = () => Promise<LanguageClient | undefined>;

export class GraphPanel extends WebviewPanelBase<GraphPanelMessage, GraphHostMessage> {
  static current: GraphPanel | undefined;
  /** The last answer posted (for tests): what the panel is drawing. */
  lastGraph: GraphResponse | undefined;
  private target: GraphTarget;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  static createOrShow(extensionUri: vscode.Uri, getClient: ClientGetter, log: vscode.LogOutputChannel, target: GraphTarget): GraphPanel {
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    if (GraphPanel.current) {
      GraphPanel.current.panel.reveal(column, true);
      GraphPanel.current.setTarget(target);
      return GraphPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Model Graph', { viewColumn: column, preserveFocus: true }, webviewOptions(extensionUri));
    return (GraphPanel.current = new GraphPanel(panel, extensionUri, getClient, log, target));
  }

  /** Brings back a panel VS Code restored after a reload, with the state its page saved. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, getClient: ClientGetter, log: vscode.LogOutputChannel, state: unknown): GraphPanel {
    const s: GraphPanelState | null = parseGraphPanelState(state);
    const uri = s ? vscode.Uri.parse(s.uri) : vscode.window.activeTextEditor?.document.uri ?? vscode.Uri.parse('untitled:');
    GraphPanel.current?.dispose();
    return (GraphPanel.current = new GraphPanel(panel, extensionUri, getClient, log, { uri, className: s?.className ?? undefined }));
  }

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly getClient: ClientGetter,
    log: vscode.LogOutputChannel, target: GraphTarget) {
    super(panel, extensionUri, { bundle: 'graph', title: 'Model Graph', parse: parseGraphPanelMessage, files: { layoutWorker: 'graph_layout_worker.js' }, workers: true }, log);
    this.target = target;
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document.languageId === 'python' && e.document.uri.toString() !== this.target.uri.toString()) this.setTarget({ uri: e.document.uri, className: undefined });
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.target.uri.toString() && e.contentChanges.length) this.scheduleRefresh();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() !== this.target.uri.toString()) return;
        this.post({ type: 'cursor', uri: this.target.uri.toString(), lines: [...new Set(e.selections.map((s) => s.active.line))] });
      }),
    );
  }

  get currentTarget(): GraphTarget {
    return this.target;
  }

  setTarget(target: GraphTarget): void {
    this.target = target;
    void this.refresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_DEBOUNCE_MS);
  }

  /** Asks the server for the target's graph and posts it; an older answer never overwrites a newer one. */
  async refresh(): Promise<void> {
    if (!this.ready) return;
    const seq = ++this.seq;
    const { uri, className } = this.target;
    const fileName = basename(uri.fsPath || uri.path);
    const client = await this.getClient();
    let r: GraphResponse;
    if (!client?.isRunning()) {
      r = { kind: 'error', version: 0, message: 'The Tensor Studio language server is not running (see the Tensor Studio output channel).', available: [] };
    } else {
      try {
        r = await client.sendRequest(GraphRequest, { uri: uri.toString(), ...(className ? { className } : {}) });
      } catch (err) {
        r = { kind: 'error', version: 0, message: `The graph request failed: ${err instanceof Error ? err.message : String(err)}`, available: [] };
      }
    }
    if (seq !== this.seq || this.isDisposed) return;
    this.lastGraph = r;
    this.panel.title = r.kind === 'graph' ? `Graph: ${r.className}` : `Graph: ${fileName}`;
    if (r.kind === 'graph') this.post({ type: 'graph', uri: uri.toString(), fileName, graph: r, classes: r.available });
    else this.post({ type: 'unavailable', uri: uri.toString(), fileName, graph: r });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor) this.post({ type: 'cursor', uri: uri.toString(), lines: [editor.selection.active.line] });
  }

  protected async onMessage(m: GraphPanelMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        return this.refresh();
      case 'pickClass':
        this.setTarget({ uri: vscode.Uri.parse(m.uri), className: m.className });
        return;
      case 'reveal': return this.revealInEditor(vscode.Uri.parse(m.uri), m.range);
      case 'export': return this.save(m.format, m.suggestedName, m.data);
    }
  }

  private async revealInEditor(uri: vscode.Uri, r: { start: { line: number; character: number }; end: { line: number; character: number } }): Promise<void> {
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const open = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const column = open?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: column, preserveFocus: false, selection: new vscode.Range(range.start, range.start) });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async save(format: 'svg' | 'png', suggestedName: string, data: string): Promise<void> {
    const message = await this.saveExport(vscode.Uri.joinPath(this.target.uri, '..'), suggestedName,
      format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64'));
    if (message) this.post({ type: 'exported', message });
  }

  protected override onDispose(): void {
    clearTimeout(this.timer);
    if (GraphPanel.current === this) GraphPanel.current = undefined;
  }
}
