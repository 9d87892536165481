// The run folder: metrics.jsonl, checkpoints, model.safetensors, run.json. Every file except the
// metrics log is written to a temporary name and renamed; metrics lines are appended whole.
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';

/** One logged point. `name` is 'train/loss', 'val/accuracy', ... */
export interface MetricPoint {
  readonly step: number;
  readonly epoch: number;
  readonly name: string;
  readonly value: number;
  /** Seconds since the run started (continues across a resume). */
  readonly time: number;
}

export class MetricsLog {
  readonly path: string;
  constructor(dir: string) { this.path = join(dir, 'metrics.jsonl'); }

  write(p: MetricPoint): void {
    appendFileSync(this.path, JSON.stringify(p) + '\n');
  }

  /** On resume: keep only points up to `step` (the later ones are recomputed identically). */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const keep = readMetrics(this.path).filter((p) => p.step <= step);
    writeFileSync(this.path, keep.map((p) => JSON.stringify(p) + '\n').join(''));
  }
}

export function readMetrics(path: string): MetricPoint[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MetricPoint);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

export const checkpointName = (step: number) => `checkpoint-${step}.safetensors`;
export const optimizerStateName = (step: number) => `checkpoint-${step}.optim.safetensors`;

/** Steps of the complete checkpoints in a run folder (model + optimizer state), ascending. */
export function listCheckpoints(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const names = new Set(readdirSync(dir));
  return [...names]
    .map((n) => /^checkpoint-(\d+)\.safetensors$/.exec(n))
    .filter((m): m is RegExpExecArray => !!m && names.has(optimizerStateName(Number(m[1]))))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
