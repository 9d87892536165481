// What went wrong in a run, as one RunError: the kind (user input, the numbers, the engine) and
// one message. Used by the trainer for summary.json and by the engine host for its events.
import { ConfigError } from './config.js';
import { DataError } from '../data/index.js';
import { IoError } from '../io/array.js';
import { ModelBuildError } from '../model/build.js';
import { ModelRunError } from '../model/run.js';
import { OpError } from '../runtime/dispatch.js';
import { OutOfMemoryError } from '../backends/cpu/backend.js';
import type { RunError, RunErrorKind, RunProblem } from './run_summary.js';

/** A problem that stops the run: one message, no stack trace needed. */
export class TrainError extends Error {
  constructor(message: string, readonly kind: RunErrorKind = 'model', readonly problems?: readonly RunProblem[]) {
    super(message);
    this.name = 'TrainError';
  }
}

/** Errors that are bugs in the engine rather than problems with the user's model, data or config. */
export function isEngineBug(e: unknown): boolean {
  return e instanceof TypeError || e instanceof ReferenceError || e instanceof SyntaxError
    || (e instanceof RangeError && !isAllocationFailure(e));
}

/** V8's own refusals to allocate a typed array: the machine (or the process) is out of memory. */
function isAllocationFailure(e: Error): boolean {
  return /Array buffer allocation failed|Invalid typed array length|Array buffer length/.test(e.message);
}

export function runErrorOf(e: unknown): RunError {
  if (e instanceof TrainError) return { kind: e.kind, message: e.message, ...(e.problems ? { problems: e.problems } : {}) };
  if (e instanceof ConfigError) return { kind: 'config', message: e.message, problems: e.problems };
  if (e instanceof DataError || e instanceof IoError) return { kind: 'data', message: e.message };
  if (e instanceof OutOfMemoryError) return { kind: 'out-of-memory', message: e.message };
  if (e instanceof OpError) return { kind: 'shape', message: e.message };
  if (e instanceof ModelBuildError || e instanceof ModelRunError) return { kind: 'model', message: e.message };
  if (e instanceof RangeError && isAllocationFailure(e)) {
    return { kind: 'out-of-memory', message: `out of memory: ${e.message} (the machine could not allocate a tensor)` };
  }
  if (e instanceof Error) return { kind: 'engine', message: `internal error in the engine: ${e.name}: ${e.message}` };
  return { kind: 'engine', message: `internal error in the engine: ${String(e)}` };
}
