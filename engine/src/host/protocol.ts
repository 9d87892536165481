// The engine-host protocol: JSON-RPC 2.0 (vscode-jsonrpc) over the Node IPC channel between the
// extension and dist/engine-host.js. Defined once, here, by the side that serves it; the
// extension imports these definitions. Bump HOST_PROTOCOL_VERSION on any incompatible change.
//
// The events describe a training run, not this engine: any trainer that writes the run-folder
// format (train/run_summary.ts) and emits RunEvents (the PyTorch runner, for one) drives the
// extension's progress, status bar, Runs view and metric stream the same way.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { MetricPoint } from '../train/run_dir.js';
import type { ProgressState } from '../train/progress.js';
import type { RunError, RunProblem, RunSummary, TrainStartInfo } from '../train/run_summary.js';

export const HOST_PROTOCOL_VERSION = 1;

export type { MetricPoint, RunError, RunProblem, RunSummary };

// ---- requests: extension -> host ------------------------------------------------------------

export interface StartRunParams {
  readonly protocolVersion: number;
  /** The run config file (absolute). Relative paths in it resolve against its folder. */
  readonly configPath: string;
  /** The run folder (absolute). With `resume`, an existing folder to continue. */
  readonly runDir: string;
  /** Continue `runDir` from its last checkpoint (the CLI's --resume), with the config copy it holds. */
  readonly resume?: boolean;
  /** Stop after this many steps in total (the CLI's --max-steps). */
  readonly maxSteps?: number;
  /** Profile these steps into runDir/trace.json. */
  readonly profile?: { readonly start: number; readonly steps: number };
  /** Cap on tensor memory in MiB (the host is also started with a matching JS heap limit). */
  readonly memoryLimitMB?: number;
  /** Defaults for a config without `device` / `mode` (the editor's settings). */
  readonly defaults?: { readonly device?: 'auto' | 'cpu' | 'webgpu'; readonly mode?: 'eager' | 'compiled' };
}

export interface StartRunResult {
  readonly runId: string;
  readonly runDir: string;
}

export interface StopRunParams {
  readonly runId: string;
  /** Kept in summary.json as stopReason. */
  readonly reason?: string;
}

export interface StopRunResult {
  /** false when the run had already finished (or never started). */
  readonly stopping: boolean;
}

export type RunState = 'starting' | 'running' | 'stopping' | 'finished';

export interface HostStatus {
  readonly protocolVersion: number;
  readonly engine: { readonly name: string; readonly version: string };
  readonly pid: number;
  readonly runs: readonly { readonly runId: string; readonly state: RunState; readonly step: number; readonly totalSteps: number }[];
}

/** Starts a run and answers at once (`{runId, runDir}`); how it goes arrives as RunEvents. One run per host. */
export const StartRunRequest = new RequestType<StartRunParams, StartRunResult, void>('startRun');
/** Asks the run to stop after the step under way, with a checkpoint. */
export const StopRunRequest = new RequestType<StopRunParams, StopRunResult, void>('stopRun');
/** Liveness and state; the extension polls it and kills a host that stops answering. */
export const StatusRequest = new RequestType0<HostStatus, void>('status');

// ---- events: host -> extension, one notification carrying a discriminated union ------------

/** The run folder exists and training begins (the trainer's start info, its folder as runDir). */
export interface RunStartedEvent extends Omit<TrainStartInfo, 'outDir'> {
  readonly type: 'started';
  readonly runId: string;
  readonly runDir: string;
  /** Who trains: 'tensor-studio 0.1.0', 'pytorch 1.13.1', ... */
  readonly trainer: string;
}

/** The latest step (sent at most every 100 ms, not once per step), with training seconds so far. */
export interface RunProgressEvent extends ProgressState {
  readonly type: 'progress';
  readonly runId: string;
  readonly time: number;
}

/** Every point written to metrics.jsonl since the last batch, in order (batched every 100 ms). */
export interface RunMetricsEvent {
  readonly type: 'metrics';
  readonly runId: string;
  readonly points: readonly MetricPoint[];
}

/** After an epoch's evaluation: the last value of each metric. */
export interface RunEpochEvent {
  readonly type: 'epoch';
  readonly runId: string;
  readonly epoch: number;
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Lines the trainer printed (the CLI's lines), batched. */
export interface RunLogEvent {
  readonly type: 'log';
  readonly runId: string;
  readonly lines: readonly string[];
}

export interface RunCheckpointEvent {
  readonly type: 'checkpoint';
  readonly runId: string;
  readonly step: number;
  readonly path: string;
}

export interface RunTraceEvent {
  readonly type: 'trace';
  readonly runId: string;
  readonly path: string;
}

/**
 * The last event of a run. `summary` is what summary.json says (status completed, stopped or
 * failed); a run refused before its folder existed has `runDirCreated: false`.
 */
export interface RunFinishedEvent {
  readonly type: 'finished';
  readonly runId: string;
  readonly runDirCreated: boolean;
  readonly summary: RunSummary;
}

export type RunEvent =
  | RunStartedEvent | RunProgressEvent | RunMetricsEvent | RunEpochEvent | RunLogEvent
  | RunCheckpointEvent | RunTraceEvent | RunFinishedEvent;

export const RunEventNotification = new NotificationType<RunEvent>('run/event');
