// A minimal LSP client for tests: spawns the BUILT server (`node dist/server.js --stdio`) and
// speaks real JSON-RPC to it. Collects publishDiagnostics, log messages and stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, ShutdownRequest, ExitNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification, LogMessageNotification, ConfigurationRequest, InlayHintRefreshRequest, RegistrationRequest,
  type ProtocolConnection, type PublishDiagnosticsParams, type InitializeParams, type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SERVER_JS = resolve(ROOT, 'dist/server.js');

export function fileUri(path: string): string {
  return pathToFileURL(resolve(ROOT, path)).toString();
}

/** 0-based position of the n-th (0-based) occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' (#${nth}) not found`);
  }
  const offset = at + delta;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export interface ClientOptions {
  initializationOptions?: unknown;
  /** Answer workspace/configuration with this tensorStudio section (and advertise support). */
  configuration?: () => unknown;
  /** Extra environment for the server process. */
  env?: Record<string, string>;
}

export class TestClient {
  readonly conn: ProtocolConnection;
  readonly proc: ChildProcess;
  stderr = '';
  readonly logs: { type: number; message: string }[] = [];
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  inlayRefreshes = 0;
  exited: Promise<number | null>;
  private waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];

  static available(): string | undefined {
    return existsSync(SERVER_JS) ? undefined : `${SERVER_JS} not built (run npm run build)`;
  }

  constructor(private readonly options: ClientOptions = {}) {
    this.proc = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    this.proc.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.exited = new Promise((res) => this.proc.on('exit', (code) => res(code)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && w.pred(p)) { w.resolve(p); return false; }
        return true;
      });
    });
    this.conn.onNotification(LogMessageNotification.type, (p) => { this.logs.push(p); });
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => this.options.configuration?.() ?? null));
    this.conn.onRequest(InlayHintRefreshRequest.type, () => { this.inlayRefreshes++; });
    this.conn.onRequest(RegistrationRequest.type, () => undefined);
    this.conn.listen();
  }

  async initialize(): Promise<void> {
    const params: InitializeParams = {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).toString(),
      capabilities: {
        textDocument: { synchronization: { dynamicRegistration: false }, hover: { contentFormat: ['markdown'] }, inlayHint: {}, codeLens: {} },
        workspace: {
          configuration: this.options.configuration !== undefined,
          inlayHint: { refreshSupport: true },
          didChangeConfiguration: { dynamicRegistration: true },
        },
      },
      initializationOptions: this.options.initializationOptions,
      workspaceFolders: null,
    };
    const res = await this.conn.sendRequest(InitializeRequest.type, params);
    if (!res.capabilities) throw new Error('no capabilities');
    await this.conn.sendNotification(InitializedNotification.type, {});
  }

  async open(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version, text } });
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Resolves with the first publishDiagnostics for `uri` (after this call, or already received) matching `pred`. */
  waitForDiagnostics(uri: string, pred: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 5000): Promise<PublishDiagnosticsParams> {
    const seen = this.diagnostics.get(uri)?.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ uri, pred, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  async shutdown(): Promise<number | null> {
    await this.conn.sendRequest(ShutdownRequest.type);
    await this.conn.sendNotification(ExitNotification.type);
    const code = await Promise.race([this.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000))]);
    this.conn.dispose();
    if (code === 'timeout') { this.proc.kill(); throw new Error('server did not exit after shutdown/exit'); }
    return code;
  }

  kill(): void {
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }

  /** Error-level window/logMessage lines (the server logs caught exceptions there). */
  errorLogs(): string[] {
    return this.logs.filter((l) => l.type === 1).map((l) => l.message);
  }
}

export function readRepoFile(path: string): string {
  return readFileSync(resolve(ROOT, path), 'utf8');
}
