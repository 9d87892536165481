// The profiler panel: one per trace file, as a panel (Show Profiler, Profile Training) or as the
// custom editor of *.pt.trace.json / trace.json. The trace is imported by its own worker thread
// (trace_session.ts), which keeps the model while the panel is open; the page gets the summaries
// and the timeline columns, then asks for one event's details or source by its index.
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { PANEL_PROTOCOL_VERSION } from '../../../webview/src/protocol';
import {
  parseProfilerPanelMessage, parseProfilerPanelState,
  type ProfileData, type ProfileSummary, type ProfilerHostMessage, type ProfilerPanelMessage,
} from '../../../webview/src/profiler_protocol';
import { TraceSession } from '../profiler/trace_session';
import { resolveSource } from '../profiler/source_links';
import { WebviewPanelBase, webviewOptions } from './webview_panel';

export const PROFILER_VIEW_TYPE = 'tensorStudio.profiler';
export const TRACE_EDITOR_VIEW_TYPE = 'tensorStudio.traceViewer';

export interface ProfilerContext {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Other traces to offer for a comparison (runs' traces, the workspace's). */
  readonly traces: () => Promise<vscode.Uri[]>;
}

const setting = <T>(key: string, fallback: T): T => vscode.workspace.getConfiguration('tensorStudio').get<T>(key, fallback);

export class ProfilerPanel extends WebviewPanelBase<ProfilerPanelMessage, ProfilerHostMessage> {
  /** Open panels by trace path. */
  static readonly open = new Map<string, ProfilerPanel>();
  /** What the page was sent (for tests): the profile, or the import's error. */
  data: ProfileData | undefined;
  /** The summaries, as soon as the worker has them (`data` waits for the timeline too). */
  private summary: ProfileSummary | undefined;
  error: string | undefined;
  /** Settles when the trace has been read (or failed). */
  readonly loaded: Promise<void>;
  /** Milliseconds from the panel's creation: trace read (import + summaries), summaries on screen. */
  readonly timings: { read?: number; drawn?: number } = {};
  private readonly createdAt = Date.now();
  private session: TraceSession;
  private markLoaded!: () => void;
  private ready = false;

  /** Shows the trace in its panel (a new one, or the one already showing it). */
  static show(ctx: ProfilerContext, trace: vscode.Uri): ProfilerPanel {
    const have = ProfilerPanel.open.get(trace.fsPath);
    if (have) { have.panel.reveal(undefined, false); return have; }
    const panel = vscode.window.createWebviewPanel(PROFILER_VIEW_TYPE, `Profile: ${basename(trace.fsPath)}`, vscode.ViewColumn.Active, webviewOptions(ctx.extensionUri));
    return new ProfilerPanel(panel, ctx, trace);
  }

  /** A panel VS Code restored after a reload, or a custom editor it opened on a trace file. */
  static adopt(panel: vscode.WebviewPanel, ctx: ProfilerContext, trace: vscode.Uri | undefined, state?: unknown): ProfilerPanel | undefined {
    const uri = trace ?? (() => { const s = parseProfilerPanelState(state); return s ? vscode.Uri.file(s.path) : undefined; })();
    if (!uri) { panel.dispose(); return undefined; }
    ProfilerPanel.open.get(uri.fsPath)?.dispose();
    return new ProfilerPanel(panel, ctx, uri);
  }

  private constructor(panel: vscode.WebviewPanel, private readonly ctx: ProfilerContext, readonly trace: vscode.Uri) {
    super(panel, ctx.extensionUri, { bundle: 'profiler', title: `Profile: ${basename(trace.fsPath)}`, parse: parseProfilerPanelMessage }, ctx.log);
    ProfilerPanel.open.set(trace.fsPath, this);
    this.session = this.newSession();
    this.loaded = new Promise((resolve) => { this.markLoaded = resolve; });
  }

  private newSession(): TraceSession {
    return new TraceSession({
      script: vscode.Uri.joinPath(this.ctx.extensionUri, 'dist', 'trace-worker.js').fsPath,
      heapMB: setting('profiler.memoryLimitMB', 4096),
    });
  }

  private async load(): Promise<void> {
    const path = this.trace.fsPath, fileName = basename(path);
    try {
      // The summaries paint first; the timeline's columns (most of the bytes) follow.
      this.data = await this.session.open(path, (bytes, total) => this.post({ type: 'loading', fileName, bytes, total }), (summary) => {
        this.timings.read = Date.now() - this.createdAt;
        this.summary = summary;
        this.post({ type: 'profile', data: summary });
      });
      this.post({ type: 'timeline', timeline: this.data.timeline });
    } catch (e) {
      const message = (e as Error).message;
      this.error = message.startsWith(fileName) ? message : `${fileName}: ${message}`;
      this.post({ type: 'error', fileName, message: this.error });
      this.ctx.log.warn(`Profiler: ${this.error}`);
      // A worker that died (out of memory) cannot answer again: the next request gets a fresh one.
      this.session.dispose();
      this.session = this.newSession();
    }
    this.markLoaded();
  }

  private postProfile({ timeline, ...summary }: ProfileData): void {
    this.post({ type: 'profile', data: summary });
    this.post({ type: 'timeline', timeline });
  }

  protected async onMessage(m: ProfilerPanelMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        if (m.version !== PANEL_PROTOCOL_VERSION) this.ctx.log.warn(`Profiler: the page speaks protocol ${m.version}, not ${PANEL_PROTOCOL_VERSION}`);
        if (!this.ready) { this.ready = true; await this.load(); return; }
        // The page was reloaded (hidden, then shown again): what it showed before.
        if (this.data) this.postProfile(this.data);
        else if (this.error) this.post({ type: 'error', fileName: basename(this.trace.fsPath), message: this.error });
        return;
      case 'select':
        this.post({ type: 'event', details: await this.session.details(this.trace.fsPath, m.index) });
        return;
      case 'reveal':
        await this.reveal(m.index);
        return;
      case 'compare':
        await this.compare();
        return;
      case 'drawn':
        // The summaries' first paint: it comes before the timeline (and so before `data`) arrives.
        if (this.timings.drawn !== undefined || !this.summary) return;
        this.timings.drawn = Date.now() - this.createdAt;
        this.ctx.log.info(`Profiler: ${this.summary.info.fileName}: ${this.summary.info.events.toLocaleString('en-US')} events on screen ${this.timings.drawn} ms after opening (read in ${this.timings.read} ms, ${m.view} drawn in ${m.ms} ms)`);
        return;
    }
  }

  /** Opens the event's source line beside the panel; says in the panel what it could not find. */
  async reveal(index: number): Promise<boolean> {
    const d = await this.session.details(this.trace.fsPath, index);
    const ref = d.source ?? d.frames[0];
    if (!ref) {
      this.post({ type: 'revealed', message: `${d.name} has no source location in this trace${this.data?.info.source === 'pytorch' ? ' (profile with with_stack=True to record it)' : ''}.` });
      return false;
    }
    const file = await resolveSource(ref.file, { trace: this.trace.fsPath, model: this.data?.info.meta.model });
    if (!file) {
      this.post({ type: 'revealed', message: `${ref.file}:${ref.line} is not in this workspace.` });
      return false;
    }
    const line = Math.max(0, ref.line - 1);
    const column = this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(file, { viewColumn: column, selection: new vscode.Range(line, 0, line, 0), preserveFocus: false });
    this.post({ type: 'revealed', message: `${vscode.workspace.asRelativePath(file)}:${ref.line}` });
    return true;
  }

  /** Asks for the other trace (the runs', the workspace's, or any file) and compares. */
  async compare(other?: vscode.Uri): Promise<boolean> {
    const b = other ?? await this.pickOther();
    if (!b) { this.post({ type: 'comparisonFailed', message: '' }); return false; }
    try {
      const comparison = await this.session.compare(this.trace.fsPath, b.fsPath);
      this.post({ type: 'comparison', comparison });
      return true;
    } catch (e) {
      this.post({ type: 'comparisonFailed', message: `${basename(b.fsPath)}: ${(e as Error).message}` });
      return false;
    }
  }

  private async pickOther(): Promise<vscode.Uri | undefined> {
    const browse = { label: '$(folder-opened) Browse…', uri: undefined as vscode.Uri | undefined };
    const items = (await this.ctx.traces()).filter((u) => u.fsPath !== this.trace.fsPath)
      .map((u) => ({ label: basename(u.fsPath) === 'trace.json' ? basename(vscode.Uri.joinPath(u, '..').fsPath) : basename(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u as vscode.Uri | undefined }));
    const pick = await vscode.window.showQuickPick([...items, browse], { placeHolder: `Compare ${basename(this.trace.fsPath)} with which trace?` });
    if (!pick) return undefined;
    if (pick.uri) return pick.uri;
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Chrome traces': ['json', 'gz'] }, title: 'Compare with trace' });
    return chosen?.[0];
  }

  protected override onDispose(): void {
    if (ProfilerPanel.open.get(this.trace.fsPath) === this) ProfilerPanel.open.delete(this.trace.fsPath);
    this.session.dispose();
  }
}
