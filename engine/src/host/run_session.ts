// One training run inside the engine host: config -> preflight -> trainer, with the trainer's
// events turned into RunEvents. Points, log lines and progress are batched (one message of each
// kind per 100 ms, or per 1,000 points), so a run logging 10,000 points a second costs the
// extension a few messages a second, each small enough to parse in milliseconds; the other
// events flush the batch first, so order is kept.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadRunConfig, parseRunConfig, type RunConfig } from '../train/config.js';
import { train, ENGINE_VERSION, type TrainEvents } from '../train/trainer.js';
import { loadModelFile } from '../train/model_factory.js';
import { preflight } from '../train/preflight.js';
import { isEngineBug, runErrorOf } from '../train/errors.js';
import { CONFIG_COPY_FILE, HOST_LOG_FILE, SUMMARY_FORMAT, readSummary, type RunSummary } from '../train/run_summary.js';
import type { MetricPoint } from '../train/run_dir.js';
import { setMemoryLimit } from '../backends/cpu/backend.js';
import type { RunEvent, RunFinishedEvent, RunProgressEvent, RunState, StartRunParams } from './protocol.js';

export const BATCH_MS = 100;
/** A batch is also sent when it holds this many points: a message parses in a few ms, never blocking the extension. */
export const BATCH_MAX_POINTS = 1_000;
const TRAINER = `tensor-studio ${ENGINE_VERSION}`;

export type Send = (ev: RunEvent) => void;

/** Collects the high-rate events and sends them together, at most every BATCH_MS. */
export class Batcher {
  private points: MetricPoint[] = [];
  private lines: string[] = [];
  private progress: RunProgressEvent | undefined;
  private stepsSent = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly runId: string, private readonly send: Send) {}

  point(p: MetricPoint): void {
    this.points.push(p);
    if (this.points.length >= BATCH_MAX_POINTS) this.flush();
    else this.schedule();
  }
  line(l: string): void { this.lines.push(l); this.schedule(); }
  /** The first step goes out at once (the user is waiting for it); later ones are batched. */
  step(p: RunProgressEvent): void {
    this.progress = p;
    if (this.stepsSent) this.schedule();
    else { this.stepsSent = true; this.flush(); }
  }

  /** An event that must come after everything batched so far. */
  now(ev: RunEvent): void { this.flush(); this.send(ev); }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.lines.length) { this.send({ type: 'log', runId: this.runId, lines: this.lines }); this.lines = []; }
    if (this.points.length) { this.send({ type: 'metrics', runId: this.runId, points: this.points }); this.points = []; }
    if (this.progress) { this.send(this.progress); this.progress = undefined; }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => { this.timer = undefined; this.flush(); }, BATCH_MS);
  }
}

/** The trainer's stdout as lines: to the extension (batched) and, once the run folder exists, to host.log. */
class LogSink {
  readonly isTTY = false;
  private partial = '';
  private pending: string[] = [];
  private file: string | undefined;

  constructor(private readonly batch: Batcher) {}

  write(s: string): boolean {
    const parts = (this.partial + s).split('\n');
    this.partial = parts.pop()!;
    for (const l of parts) this.line(l);
    return true;
  }

  line(l: string): void {
    this.batch.line(l);
    if (this.file) appendFileSync(this.file, l + '\n');
    else this.pending.push(l);
  }

  /** The run folder exists: what was printed so far goes in first. */
  open(dir: string): void {
    this.file = join(dir, HOST_LOG_FILE);
    appendFileSync(this.file, this.pending.map((l) => l + '\n').join(''));
    this.pending = [];
  }
}

export class RunSession {
  readonly runId: string;
  state: RunState = 'starting';
  step = 0;
  totalSteps = 0;
  private readonly abort = new AbortController();
  private readonly batch: Batcher;
  private readonly log: LogSink;
  private folderCreated = false;

  constructor(private readonly params: StartRunParams, send: Send) {
    this.runId = basename(params.runDir);
    this.batch = new Batcher(this.runId, send);
    this.log = new LogSink(this.batch);
  }

  /** Ask for a stop after the step under way. False when there is nothing to stop. */
  stop(reason: string): boolean {
    if (this.state === 'finished') return false;
    if (!this.abort.signal.aborted) this.abort.abort(reason);
    this.state = 'stopping';
    return true;
  }

  private loadConfig(): RunConfig {
    const p = this.params;
    // A resume trains what the run was started with: the folder's config copy (absolute paths).
    const copy = join(p.runDir, CONFIG_COPY_FILE);
    let cfg = p.resume && existsSync(copy) ? parseRunConfig(JSON.parse(readFileSync(copy, 'utf8')), copy) : loadRunConfig(p.configPath);
    const raw = cfg.raw as Record<string, unknown>;
    if (raw.device === undefined && p.defaults?.device) cfg = { ...cfg, device: p.defaults.device };
    if (raw.mode === undefined && p.defaults?.mode) cfg = { ...cfg, mode: p.defaults.mode };
    return cfg;
  }

  async run(): Promise<RunFinishedEvent> {
    const p = this.params;
    this.log.line(`engine host pid ${process.pid}: ${TRAINER} on Node ${process.version}${p.resume ? `, resuming ${p.runDir}` : ''}`);
    let cfg: RunConfig | undefined;
    const events: TrainEvents = {
      started: (info) => {
        this.folderCreated = true;
        this.state = this.abort.signal.aborted ? 'stopping' : 'running';
        this.totalSteps = info.totalSteps;
        const { outDir, ...rest } = info;
        this.log.open(outDir);
        this.batch.now({ type: 'started', runId: this.runId, runDir: outDir, trainer: TRAINER, ...rest });
      },
      step: (s) => {
        this.step = s.step;
        this.batch.step({ type: 'progress', runId: this.runId, ...s });
      },
      metric: (pt) => this.batch.point(pt),
      epoch: (e) => this.batch.now({ type: 'epoch', runId: this.runId, ...e }),
      checkpoint: (c) => this.batch.now({ type: 'checkpoint', runId: this.runId, ...c }),
      trace: (path) => this.batch.now({ type: 'trace', runId: this.runId, path }),
    };
    let finished: RunFinishedEvent;
    try {
      cfg = this.loadConfig();
      preflight(cfg);
      if (p.memoryLimitMB) setMemoryLimit(p.memoryLimitMB * 1024 * 1024, globalThis.gc);
      const r = await train(cfg, {
        out: p.runDir, ...(p.resume ? { resume: p.runDir } : {}), ...(p.maxSteps ? { maxSteps: p.maxSteps } : {}),
        ...(p.profile ? { profile: p.profile } : {}),
        buildModel: loadModelFile, stdout: this.log, events, signal: this.abort.signal,
      });
      finished = { type: 'finished', runId: this.runId, runDirCreated: true, summary: r.summary };
    } catch (e) {
      const error = runErrorOf(e);
      for (const l of error.message.split('\n')) this.log.line(`error: ${l}`);
      if (isEngineBug(e) && e instanceof Error && e.stack) for (const l of e.stack.split('\n').slice(1)) this.log.line(l);
      const onDisk = this.folderCreated ? readSummary(p.runDir) : undefined;
      finished = { type: 'finished', runId: this.runId, runDirCreated: this.folderCreated, summary: onDisk ?? this.refused(cfg, error) };
    }
    this.state = 'finished';
    this.batch.now(finished);
    return finished;
  }

  /** The summary of a run refused before its folder existed (nothing is written). */
  private refused(cfg: RunConfig | undefined, error: RunSummary['error']): RunSummary {
    const now = new Date().toISOString();
    return {
      format: SUMMARY_FORMAT, status: 'failed', trainer: TRAINER,
      model: { file: cfg?.model.file ?? '', ...(cfg?.model.class ? { class: cfg.model.class } : {}) },
      configPath: cfg?.configPath ?? this.params.configPath, device: cfg?.device ?? '', mode: cfg?.mode ?? '',
      startedAt: now, updatedAt: now, endedAt: now, seconds: 0, step: 0, totalSteps: 0, epochs: 0, final: {}, error,
    };
  }
}
