// Keeps a run folder's summary.json and config copy true while the trainer runs: "running" from
// the moment the folder exists, refreshed at every checkpoint, final at the end.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type RunConfig, portableConfig } from './config.js';
import { CONFIG_COPY_FILE, SUMMARY_FORMAT, readSummary, writeSummary, type RunError, type RunStatus, type RunSummary } from './run_summary.js';
import { writeJsonAtomic } from './run_dir.js';

export interface RunRecordInfo {
  readonly trainer: string;
  readonly device: string;
  readonly mode: string;
  readonly totalSteps: number;
  readonly epochs: number;
  /** The step a resume continues from. */
  readonly resumedFrom?: number;
}

export class RunRecord {
  private summary: RunSummary;
  private readonly final: Record<string, number> = {};

  constructor(readonly dir: string, cfg: RunConfig, info: RunRecordInfo) {
    const now = new Date().toISOString();
    // A resume continues the same run: its start time, earlier resumes and final values are kept.
    const before = info.resumedFrom !== undefined ? readSummary(dir) : undefined;
    Object.assign(this.final, before?.final ?? {});
    this.summary = {
      format: SUMMARY_FORMAT, status: 'running', ...(cfg.name ? { name: cfg.name } : {}), trainer: info.trainer,
      model: { file: cfg.model.file, ...(cfg.model.class ? { class: cfg.model.class } : {}) },
      configPath: cfg.configPath, device: info.device, mode: info.mode,
      startedAt: before?.startedAt ?? now, updatedAt: now, seconds: before?.seconds ?? 0,
      step: info.resumedFrom ?? 0, totalSteps: info.totalSteps, epochs: info.epochs, final: this.final,
      ...(info.resumedFrom !== undefined ? { resumedFrom: [...(before?.resumedFrom ?? []), info.resumedFrom] } : {}),
      pid: process.pid, host: hostname(),
    };
    writeJsonAtomic(join(dir, CONFIG_COPY_FILE), portableConfig(cfg));
    writeSummary(dir, this.summary);
  }

  get status(): RunStatus { return this.summary.status; }

  metric(name: string, value: number): void { this.final[name] = value; }

  /** The last value of each metric so far (a copy). */
  finalMetrics(): Record<string, number> { return { ...this.final }; }

  /** At a checkpoint: what a reader sees if the process dies now. */
  update(step: number, seconds: number): void {
    this.summary = { ...this.summary, step, seconds, updatedAt: new Date().toISOString(), final: { ...this.final } };
    writeSummary(this.dir, this.summary);
  }

  finish(status: Exclude<RunStatus, 'running'>, at: { step?: number; seconds?: number; stopReason?: string; error?: RunError }): RunSummary {
    const now = new Date().toISOString();
    const { pid: _pid, host: _host, ...rest } = this.summary;
    this.summary = {
      ...rest, status, step: at.step ?? rest.step, seconds: at.seconds ?? rest.seconds, updatedAt: now, endedAt: now,
      final: { ...this.final }, ...(at.stopReason ? { stopReason: at.stopReason } : {}), ...(at.error ? { error: at.error } : {}),
    };
    writeSummary(this.dir, this.summary);
    return this.summary;
  }
}
