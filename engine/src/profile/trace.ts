// Chrome Trace Event format (the JSON chrome://tracing, Perfetto and PyTorch's profiler read):
// complete events ("ph": "X") with ts/dur in microseconds, counters ("C", one series per args
// key), thread names as metadata events.
// Also: reading an op's call site ('model.py:23 self.layers.0.attn') into its parts.

export interface TraceEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: 'X' | 'M' | 'i' | 'C';
  /** Microseconds since the profiler started. */
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface TraceFile {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms' | 'ns';
  readonly otherData?: Readonly<Record<string, unknown>>;
}

export const PID = 1;
/** The thread that runs the engine (ops, step phases). */
export const HOST_TID = 1;
/** GPU kernels, on their own row. */
export const GPU_TID = 2;

export interface SiteParts {
  /** 'model.py:23' */
  readonly source?: string;
  /** Module path of the call ('layers.0.attn'); '' for the root module's forward. */
  readonly module?: string;
  /** For ops run by a gradient rule: the forward op whose gradient this is. */
  readonly backwardOf?: string;
}

// Sites come from engine/src/model/run.ts ('model.py:23' or 'model.py:23 self.fc1') and from the
// autograd engine ('linear (backward) at model.py:23 self.fc1').
const SITE = /^(?:(\S+) \(backward\)(?: at )?)?(?:(\S+:\d+)(?: self\.(\S+))?)?$/;

export function parseSite(site: string | undefined): SiteParts {
  if (!site) return {};
  const m = SITE.exec(site);
  if (!m) return {};
  const [, backwardOf, source, module] = m;
  return {
    ...(source ? { source, module: module ?? '' } : {}),
    ...(backwardOf ? { backwardOf } : {}),
  };
}

/**
 * Events sorted per thread by start (a parent before the children it encloses), so `ts` is
 * monotone per tid; metadata first.
 */
export function orderEvents(events: readonly TraceEvent[]): TraceEvent[] {
  return [...events].sort((a, b) => {
    if ((a.ph === 'M') !== (b.ph === 'M')) return a.ph === 'M' ? -1 : 1;
    return a.tid - b.tid || a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0);
  });
}

/** Thread-name metadata so viewers label the rows. */
export function threadNames(names: Readonly<Record<number, string>>, process: string): TraceEvent[] {
  const out: TraceEvent[] = [{ name: 'process_name', cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid: HOST_TID, args: { name: process } }];
  for (const [tid, name] of Object.entries(names)) out.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid: Number(tid), args: { name } });
  return out;
}
