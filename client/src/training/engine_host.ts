// Starts and supervises one engine host process (dist/engine-host.js) for one run. Nothing here
// waits on the host without a deadline: every request has a timeout, a heartbeat kills a host
// that stops answering, and a host that dies without saying how the run ended gets its run
// marked failed (summary.json) with the reason and the tail of its log. No VS Code API here, so
// tests and the benchmark drive it directly.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createMessageConnection, ErrorCodes, IPCMessageReader, IPCMessageWriter, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  HOST_PROTOCOL_VERSION, RunEventNotification, StartRunRequest, StatusRequest, StopRunRequest,
  type HostStatus, type RunEvent, type RunFinishedEvent, type StartRunParams, type StartRunResult,
} from '../../../engine/src/host/protocol';
import { HOST_LOG_FILE, SUMMARY_FORMAT, markFailed, tailLines, type RunError, type RunSummary } from '../../../engine/src/train/run_summary';

export interface EngineHostOptions {
  /** dist/engine-host.js */
  readonly script: string;
  /** The Node binary (default: this process's; Electron runs as Node with ELECTRON_RUN_AS_NODE). */
  readonly execPath?: string;
  /** Tensor memory cap (MiB); the JS heap gets the same cap. */
  readonly memoryLimitMB?: number;
  /** A host silent this long (no answer, no event) is killed and its run failed. */
  readonly hangTimeoutMs?: number;
  readonly heartbeatMs?: number;
  readonly requestTimeoutMs?: number;
  /** How long Stop waits for an answer before it kills the host. */
  readonly stopTimeoutMs?: number;
  readonly cwd?: string;
  /** What the host writes to stdout/stderr (normally nothing: its log arrives as events). */
  readonly onOutput?: (text: string) => void;
}

export type HostEventListener = (ev: RunEvent) => void;

const STDERR_KEEP = 32 * 1024;

/** Why the supervisor killed a host: decides how its run is recorded. */
type KillReason = { readonly kind: 'hang' | 'stop' | 'cancelled' | 'finished'; readonly message: string };

/** An error the host answered with (not one made because the connection went away). */
function isAnswer(e: unknown): boolean {
  return e instanceof ResponseError && e.code !== ErrorCodes.PendingResponseRejected && e.code !== ErrorCodes.ConnectionInactive;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => { timer = setTimeout(() => rej(onTimeout()), ms); })]).finally(() => clearTimeout(timer));
}

export class EngineHost {
  readonly pid: number;
  /** Resolves with the run's last event: from the host, or made here when the host died first. */
  readonly finished: Promise<RunFinishedEvent>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private readonly child: ChildProcess;
  private readonly connection: MessageConnection;
  private readonly listeners = new Set<HostEventListener>();
  private readonly opts: Required<Omit<EngineHostOptions, 'execPath' | 'memoryLimitMB' | 'cwd' | 'onOutput'>> & EngineHostOptions;
  private run: { runId: string; runDir: string } | undefined;
  private finishedEvent: RunFinishedEvent | undefined;
  private resolveFinished!: (ev: RunFinishedEvent) => void;
  private killReason: KillReason | undefined;
  private stderr = '';
  private lastSign = Date.now();
  private heartbeat: NodeJS.Timeout | undefined;
  private statusInFlight = false;
  private stopRequested = false;

  constructor(options: EngineHostOptions) {
    this.opts = { hangTimeoutMs: 30_000, heartbeatMs: 2_000, requestTimeoutMs: 10_000, stopTimeoutMs: 5_000, ...options };
    const execArgv = ['--expose-gc', ...(options.memoryLimitMB ? [`--max-old-space-size=${Math.max(256, Math.round(options.memoryLimitMB))}`] : [])];
    this.child = fork(options.script, [], {
      execPath: options.execPath ?? process.execPath,
      execArgv,
      cwd: options.cwd,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.pid = this.child.pid ?? -1;
    const keep = (b: Buffer) => {
      const text = b.toString();
      this.stderr = (this.stderr + text).slice(-STDERR_KEEP);
      options.onOutput?.(text);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.connection = createMessageConnection(new IPCMessageReader(this.child), new IPCMessageWriter(this.child));
    this.connection.onNotification(RunEventNotification, (ev) => this.deliver(ev));
    this.connection.onError(() => { /* the exit handler reports it */ });
    this.connection.listen();
    this.finished = new Promise((res) => { this.resolveFinished = res; });
    this.exited = new Promise((res) => {
      this.child.once('exit', (code, signal) => {
        this.stopHeartbeat();
        this.connection.dispose();
        if (!this.finishedEvent) this.deliver(this.deathEvent(code, signal));
        res({ code, signal });
      });
      // A host that cannot start at all (bad execPath) never emits 'exit'.
      this.child.once('error', (e) => {
        this.stderr += `\n${e.message}`;
        if (this.child.exitCode === null && this.child.signalCode === null && !this.child.pid) {
          if (!this.finishedEvent) this.deliver(this.deathEvent(null, null));
          res({ code: null, signal: null });
        }
      });
    });
    this.startHeartbeat();
  }

  onEvent(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The host's version and state; rejects on timeout (and then the host is killed). */
  async status(): Promise<HostStatus> {
    return this.request(this.connection.sendRequest(StatusRequest), 'status');
  }

  async startRun(params: Omit<StartRunParams, 'protocolVersion'>): Promise<StartRunResult> {
    const status = await this.status();
    if (status.protocolVersion !== HOST_PROTOCOL_VERSION) {
      this.kill({ kind: 'cancelled', message: `the engine host speaks protocol ${status.protocolVersion}, this extension ${HOST_PROTOCOL_VERSION}` });
      throw new Error(`engine host protocol mismatch (${status.protocolVersion} vs ${HOST_PROTOCOL_VERSION}); reinstall the extension`);
    }
    this.run = { runId: basename(params.runDir), runDir: params.runDir };
    try {
      this.run = await this.request(this.connection.sendRequest(StartRunRequest, { protocolVersion: HOST_PROTOCOL_VERSION, ...params }), 'startRun');
    } catch (e) {
      // The run may have ended (refused) and the host gone before the answer arrived: then it did
      // start. An answer from the host itself is a refusal.
      if (!this.finishedEvent || isAnswer(e)) throw e;
    }
    return this.run;
  }

  /**
   * Stop: the host finishes the step under way, writes a checkpoint and ends the run 'stopped'.
   * A second call, or no answer within stopTimeoutMs, kills the process (the run keeps its last
   * checkpoint and is recorded stopped).
   */
  async stop(reason = 'stop requested'): Promise<'stopping' | 'killed' | 'finished'> {
    if (this.finishedEvent) return 'finished';
    if (this.stopRequested || !this.run) {
      this.kill({ kind: 'stop', message: `${reason}; the engine host was killed (second Stop)` });
      return 'killed';
    }
    this.stopRequested = true;
    try {
      const r = await withTimeout(this.connection.sendRequest(StopRunRequest, { runId: this.run.runId, reason }), this.opts.stopTimeoutMs,
        () => new Error('no answer to Stop'));
      return r.stopping ? 'stopping' : 'finished';
    } catch {
      if (this.finishedEvent) return 'finished';
      this.kill({ kind: 'stop', message: `${reason}; the engine host did not answer within ${this.opts.stopTimeoutMs / 1000} s and was killed` });
      return 'killed';
    }
  }

  /** Ends the process now (SIGKILL). The run is recorded as the reason says. */
  kill(reason: KillReason = { kind: 'cancelled', message: 'the engine host was stopped' }): void {
    this.killReason ??= reason;
    this.stopHeartbeat();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  private async request<T>(p: Promise<T>, what: string): Promise<T> {
    try {
      return await withTimeout(p.then((v) => { this.lastSign = Date.now(); return v; }), this.opts.requestTimeoutMs, () => {
        this.kill({ kind: 'hang', message: `the engine host did not answer '${what}' within ${this.opts.requestTimeoutMs / 1000} s and was killed` });
        return new Error(`engine host: no answer to '${what}' within ${this.opts.requestTimeoutMs / 1000} s`);
      });
    } catch (e) {
      if (isAnswer(e)) throw e;
      // A host that died (it could not even load, say) explains itself better than the lost request.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 500))]);
      if (!this.running && !this.killReason) {
        const last = this.stderr.split('\n').map((l) => l.trim()).filter((l) => /error/i.test(l)).at(0);
        throw new Error(`the engine host ended (exit code ${this.child.exitCode ?? this.child.signalCode})${last ? `: ${last}` : ''}`, { cause: e });
      }
      throw e;
    }
  }

  private deliver(ev: RunEvent): void {
    this.lastSign = Date.now();
    if (ev.type === 'finished') {
      if (this.finishedEvent) return;
      this.finishedEvent = ev;
      this.stopHeartbeat();
      // The host exits once we let go of it; if it does not, it is ended.
      try { this.child.disconnect(); } catch { /* already gone */ }
      setTimeout(() => this.kill({ kind: 'finished', message: 'did not exit after its run finished' }), 5_000).unref();
    }
    for (const l of this.listeners) {
      try { l(ev); } catch { /* a listener's bug must not stop the others */ }
    }
    if (ev.type === 'finished') this.resolveFinished(ev);
  }

  private startHeartbeat(): void {
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastSign > this.opts.hangTimeoutMs) {
        this.kill({ kind: 'hang', message: `the engine host stopped answering for ${Math.round(this.opts.hangTimeoutMs / 1000)} s and was killed` });
        return;
      }
      if (this.statusInFlight) return;
      this.statusInFlight = true;
      this.connection.sendRequest(StatusRequest).then(() => { this.lastSign = Date.now(); }, () => undefined)
        .finally(() => { this.statusInFlight = false; });
    }, this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** The 'finished' event of a run whose host died without sending one. */
  private deathEvent(code: number | null, signal: NodeJS.Signals | null): RunFinishedEvent {
    const runDir = this.run?.runDir;
    const log = runDir ? tailLines(join(runDir, HOST_LOG_FILE), 20) : [];
    const err = this.stderr.split('\n').filter((l) => l.trim()).slice(-20);
    const logTail = log.length ? log : err;
    const why = this.killReason;
    const oom = /heap out of memory|Reached heap limit|Allocation failed/.test(this.stderr);
    const how = signal ? `signal ${signal}` : code === null ? 'no exit status' : `exit code ${code}`;
    let error: RunError;
    if (why?.kind === 'hang') error = { kind: 'hang', message: why.message, logTail };
    else if (oom) error = { kind: 'out-of-memory', message: `out of memory: the engine host passed its memory limit${this.opts.memoryLimitMB ? ` of ${this.opts.memoryLimitMB} MB` : ''} and ended (${how})`, logTail };
    else if (why) error = { kind: 'crash', message: why.message, logTail };
    else error = { kind: 'crash', message: `the engine host ended unexpectedly (${how})${err.length ? `: ${err.at(-1)}` : ''}`, logTail };
    const stopped = why?.kind === 'stop';
    const onDisk = runDir && existsSync(runDir) ? markFailed(runDir, error, stopped ? 'stopped' : 'failed', stopped ? why.message : undefined) : undefined;
    const now = new Date().toISOString();
    const summary: RunSummary = onDisk ?? {
      format: SUMMARY_FORMAT, status: stopped ? 'stopped' : 'failed', trainer: 'tensor-studio', model: { file: '' }, configPath: '',
      device: '', mode: '', startedAt: now, updatedAt: now, endedAt: now, seconds: 0, step: 0, totalSteps: 0, epochs: 0, final: {},
      error, ...(stopped ? { stopReason: why.message } : {}),
    };
    return { type: 'finished', runId: this.run?.runId ?? '', runDirCreated: onDisk !== undefined, summary };
  }
}
