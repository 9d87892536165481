// summary.json: the one file that says what a run folder holds and whether the run finished.
// Written when the folder is created (status "running"), at every checkpoint, and at the end
// (completed / stopped / failed); a supervisor that saw its trainer die marks it failed. A reader
// never has to guess from which files exist: a folder without a final status is not complete.
// The same format is written by every trainer (the CLI, the engine host, the PyTorch runner).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';

export const SUMMARY_FILE = 'summary.json';
/** The config the run used, with its paths made absolute (runnable and resumable on its own). */
export const CONFIG_COPY_FILE = 'config.json';
/** What the engine host printed for this run (the lines the CLI prints). */
export const HOST_LOG_FILE = 'host.log';
export const SUMMARY_FORMAT = 1;

export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

/** Why a run failed: user input (config, data, model, shape), the numbers, or the process. */
export type RunErrorKind =
  | 'config' | 'data' | 'model' | 'shape' | 'non-finite' | 'out-of-memory' | 'engine' | 'crash' | 'hang';

/** One located problem. Lines and columns are 0-based; `jsonPath` locates a config field. */
export interface RunProblem {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly jsonPath?: readonly (string | number)[];
}

export interface RunError {
  readonly kind: RunErrorKind;
  /** One message that says what and where. */
  readonly message: string;
  readonly problems?: readonly RunProblem[];
  /** The last lines the trainer printed before it failed. */
  readonly logTail?: readonly string[];
}

export interface RunSummary {
  readonly format: number;
  readonly status: RunStatus;
  readonly name?: string;
  /** Who trained: 'tensor-studio 0.1.0', 'pytorch 1.13.1', ... */
  readonly trainer: string;
  readonly model: { readonly file: string; readonly class?: string };
  /** The config file the run was started from ('' when built in memory). */
  readonly configPath: string;
  readonly device: string;
  readonly mode: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly endedAt?: string;
  /** Training seconds so far (continues across resumes). */
  readonly seconds: number;
  readonly step: number;
  readonly totalSteps: number;
  readonly epochs: number;
  /** The last value of each logged metric ('train/loss', 'val/accuracy', ...). */
  readonly final: Readonly<Record<string, number>>;
  /** The step each resume continued from. */
  readonly resumedFrom?: readonly number[];
  /** The training process, while it runs: a reader can tell a dead one from a live one. */
  readonly pid?: number;
  readonly host?: string;
  /** Why a stopped run stopped ('stop requested', 'the editor closed', 'Ctrl-C'). */
  readonly stopReason?: string;
  readonly error?: RunError;
}

/** What a trainer reports as a run begins (its folder exists). */
export interface TrainStartInfo {
  readonly outDir: string;
  readonly device: string;
  readonly mode: string;
  readonly totalSteps: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  readonly dataset: string;
  readonly resumedFrom?: number;
}

export function writeSummary(dir: string, s: RunSummary): void {
  writeFileAtomic(join(dir, SUMMARY_FILE), JSON.stringify(s, null, 2) + '\n');
}

export function readSummary(dir: string): RunSummary | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, SUMMARY_FILE), 'utf8')) as RunSummary;
    return s && typeof s === 'object' && typeof s.status === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The process that owns a "running" summary, if it is alive on this machine. */
function ownerAlive(s: RunSummary, isAlive: (pid: number) => boolean): boolean {
  if (s.pid === undefined || (s.host !== undefined && s.host !== hostname())) return true; // cannot tell: trust it
  return isAlive(s.pid);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks a run that is still "running" as failed (its supervisor saw the trainer die). A run that
 * already has a final status keeps it. Returns the summary as written, or undefined if none.
 */
export function markFailed(dir: string, error: RunError, status: 'failed' | 'stopped' = 'failed', stopReason?: string): RunSummary | undefined {
  const s = readSummary(dir);
  if (!s || s.status !== 'running') return s;
  const now = new Date().toISOString();
  const next: RunSummary = { ...s, status, updatedAt: now, endedAt: now, pid: undefined, error, ...(stopReason ? { stopReason } : {}) };
  writeSummary(dir, next);
  return next;
}

/** A run folder as the Runs view shows it. */
export interface RunFolder {
  readonly dir: string;
  /** The folder's name: the run's id. */
  readonly id: string;
  readonly summary: RunSummary;
  /** Files in the folder (names), sorted. */
  readonly files: readonly string[];
}

/**
 * Reads one run folder. Folders from before summary.json existed (run.json only) get a summary
 * derived from their files. A "running" run whose process is gone is reported failed (not
 * rewritten: the reader only reports). Returns undefined for a folder that is not a run.
 */
export function readRunFolder(dir: string, isAlive: (pid: number) => boolean = pidAlive): RunFolder | undefined {
  let files: string[];
  try { files = readdirSync(dir).filter((f) => !f.includes('.tmp-')).sort(); } catch { return undefined; }
  let summary = files.includes(SUMMARY_FILE) ? readSummary(dir) : undefined;
  if (!summary && files.includes('run.json')) summary = legacySummary(dir, files);
  if (!summary) return undefined;
  if (summary.status === 'running' && !ownerAlive(summary, isAlive)) {
    summary = {
      ...summary, status: 'failed',
      error: { kind: 'crash', message: `the training process (pid ${summary.pid}) ended without finishing the run` },
    };
  }
  return { dir, id: basename(dir), summary, files };
}

/** The run folders directly under `root`, newest first. */
export function listRunFolders(root: string, isAlive: (pid: number) => boolean = pidAlive): RunFolder[] {
  let names: string[];
  try { names = readdirSync(root); } catch { return []; }
  const runs: RunFolder[] = [];
  for (const n of names) {
    const dir = join(root, n);
    try { if (!statSync(dir).isDirectory()) continue; } catch { continue; }
    const r = readRunFolder(dir, isAlive);
    if (r) runs.push(r);
  }
  return runs.sort((a, b) => (a.summary.startedAt < b.summary.startedAt ? 1 : a.summary.startedAt > b.summary.startedAt ? -1 : a.id < b.id ? 1 : -1));
}

function legacySummary(dir: string, files: readonly string[]): RunSummary | undefined {
  let run: Record<string, any>;
  try { run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')); } catch { return undefined; }
  const final: Record<string, number> = {};
  let step = 0;
  let seconds = 0;
  if (files.includes('metrics.jsonl')) {
    for (const line of readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const p = JSON.parse(line) as { name: string; value: number; step: number; time: number };
        final[p.name] = p.value;
        step = Math.max(step, p.step);
        seconds = Math.max(seconds, p.time);
      } catch { /* a torn last line */ }
    }
  }
  const done = files.includes('model.safetensors');
  const started = typeof run.startedAt === 'string' ? run.startedAt : new Date(statSync(dir).mtimeMs).toISOString();
  return {
    format: SUMMARY_FORMAT, status: done ? 'completed' : 'stopped', name: run.config?.name,
    trainer: `${run.engine?.name ?? 'tensor-studio'} ${run.engine?.version ?? ''}`.trim(),
    model: { file: run.resolved?.model?.file ?? '', class: run.resolved?.model?.class },
    configPath: run.configPath ?? '', device: run.device ?? '', mode: run.mode ?? '',
    startedAt: started, updatedAt: started, seconds, step, totalSteps: step, epochs: 0, final,
    ...(done ? {} : { stopReason: 'no summary.json (an older run); it has no final weights' }),
  };
}

/** The last `n` lines of a text file ([] when it does not exist). */
export function tailLines(path: string, n: number): string[] {
  if (!existsSync(path)) return [];
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').filter((l) => l.length > 0).slice(-n);
  } catch {
    return [];
  }
}
