// The normalised trace model the profiler views read, whatever wrote the trace (our engine,
// PyTorch's legacy exporter, kineto).
//
// Representation: spans live in columns (typed arrays indexed by event, sorted by start), not
// in one object per event. A million events take ~50 MB instead of ~400 MB of objects, build
// without GC pauses, and can be handed to a worker or webview as transferable buffers. Strings
// (names, categories, module paths, shapes) are interned once in `strings`. The args fields the
// views need (module path, source line, launching op, input shapes, FLOPs, correlation ids) are
// extracted into columns of their own at import; the whole args object is kept too, shared by
// every event whose args are byte-identical (our traces repeat the same args each step), up to
// a budget (`argsBudget`); past it only the extracted fields remain (argsAt rebuilds what they
// hold; readEventAt in index.ts re-reads the whole event from the file by its byte offset).

export const UNIT = 'us';

/** How the span was written: a complete event 'X', a begin/end pair 'B'/'E', an instant. */
export const KIND_COMPLETE = 0;
export const KIND_BEGIN_END = 1;
export const KIND_INSTANT = 2;

export interface EventTable {
  readonly count: number;
  /** Start, microseconds (the trace's own clock). */
  readonly ts: Float64Array;
  /** Duration, microseconds (0 for instants). */
  readonly dur: Float64Array;
  /** Index into TraceModel.lanes (one per (pid, tid)). */
  readonly lane: Uint32Array;
  /** Indices into TraceModel.strings. */
  readonly name: Uint32Array;
  readonly cat: Uint32Array;
  readonly kind: Uint8Array;
  /** Byte offset of the event's text in the (decompressed) trace. */
  readonly offset: Float64Array;
  /** Index into TraceModel.args, -1 when the event has no args or they were not kept. */
  readonly args: Int32Array;
  // Extracted args fields (absent when no event has them). Strings: ids, -1 none; numbers: NaN none.
  /** Module path: ours `module` ('layers.0.attn'). */
  readonly module?: Int32Array;
  /** Source line: ours `source` ('model.py:23'). */
  readonly source?: Int32Array;
  /** The host op that launched a kernel: ours `op`. */
  readonly op?: Int32Array;
  /** Input shapes as JSON text: ours `input_shapes`, torch `Input Dims`. */
  readonly shapes?: Int32Array;
  readonly flops?: Float64Array;
  /** torch's `correlation` (runtime call ↔ kernel) and `External id` (op ↔ kernel). */
  readonly corr?: Float64Array;
  readonly extId?: Float64Array;
}

export interface Lane {
  readonly pid: number | string;
  readonly tid: number | string;
  /** thread_name metadata, else the tid. */
  thread: string;
  sortIndex?: number;
  /** Runs GPU work (kernels, memcpy) rather than host code. */
  device: boolean;
}

export interface ProcessInfo {
  readonly pid: number | string;
  name?: string;
  sortIndex?: number;
  labels?: string;
}

export interface CounterSeries {
  readonly pid: number | string;
  /** The counter's name (a 'C' event's name; torch memory: '[memory] CPU', '[memory] CUDA:0'). */
  readonly name: string;
  /** The series inside the counter (the args key, e.g. 'Total Allocated'). */
  readonly key: string;
  readonly ts: Float64Array;
  readonly values: Float64Array;
}

export interface FlowEnd {
  readonly lane: number;
  readonly ts: number;
}

/** One arrow: flow events 's' → 't' → 'f' with one (cat, id) give one Flow per hop. */
export interface Flow {
  readonly id: string;
  readonly cat: string;
  readonly name: string;
  readonly from: FlowEnd;
  readonly to: FlowEnd;
  /** 'f' with bp: 'e' binds to the enclosing slice, otherwise to the next slice to start. */
  readonly enclosing: boolean;
}

export interface TraceModel {
  readonly fileName: string;
  /** The file read, when imported from a path (argsAt re-reads events from it). */
  readonly path?: string;
  readonly form: 'array' | 'object';
  readonly unit: typeof UNIT;
  readonly events: EventTable;
  readonly strings: readonly string[];
  readonly lanes: readonly Lane[];
  readonly processes: readonly ProcessInfo[];
  /** Distinct args objects (see the header). */
  readonly args: readonly Readonly<Record<string, unknown>>[];
  /** Events whose args were not kept (over the budget). */
  readonly argsDropped: number;
  readonly counters: readonly CounterSeries[];
  readonly flows: readonly Flow[];
  /** The object form's top-level fields besides traceEvents (displayTimeUnit, otherData, ...). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
  /** First start and last end over all spans (µs); 0, 0 when empty. */
  readonly start: number;
  readonly end: number;
  /** Bytes of (decompressed) trace JSON read. */
  readonly bytes: number;
}

/** One span as an object (the views ask for a few at a time). */
export interface ProfEvent {
  readonly index: number;
  readonly name: string;
  readonly cat: string;
  readonly ph: 'X' | 'B' | 'i';
  readonly ts: number;
  readonly dur: number;
  readonly pid: number | string;
  readonly tid: number | string;
  readonly lane: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

const str = (m: TraceModel, col: Int32Array | undefined, i: number): string | undefined => {
  const id = col ? col[i]! : -1;
  return id >= 0 ? m.strings[id] : undefined;
};

export const nameOf = (m: TraceModel, i: number): string => m.strings[m.events.name[i]!]!;
export const catOf = (m: TraceModel, i: number): string => m.strings[m.events.cat[i]!]!;
export const endOf = (m: TraceModel, i: number): number => m.events.ts[i]! + m.events.dur[i]!;
export const moduleOf = (m: TraceModel, i: number): string | undefined => str(m, m.events.module, i);
export const sourceLineOf = (m: TraceModel, i: number): string | undefined => str(m, m.events.source, i);
export const opNameOf = (m: TraceModel, i: number): string | undefined => str(m, m.events.op, i);
export const shapesOf = (m: TraceModel, i: number): string | undefined => str(m, m.events.shapes, i);
export const numAt = (col: Float64Array | undefined, i: number): number => (col ? col[i]! : NaN);

/**
 * The event's args: the kept object, else what the extracted columns hold (the full object is
 * then in the file: readEventAt(model.path, model.events.offset[i])).
 */
export function argsAt(m: TraceModel, i: number): Readonly<Record<string, unknown>> | undefined {
  const a = m.events.args[i]!;
  if (a >= 0) return m.args[a];
  const out: Record<string, unknown> = {};
  const s = (k: string, v: string | undefined): void => { if (v !== undefined) out[k] = v; };
  s('module', moduleOf(m, i)); s('source', sourceLineOf(m, i)); s('op', opNameOf(m, i));
  const shapes = shapesOf(m, i);
  if (shapes !== undefined) out.input_shapes = JSON.parse(shapes);
  const e = m.events;
  for (const [k, col] of [['flops', e.flops], ['correlation', e.corr], ['External id', e.extId]] as const) {
    const v = numAt(col, i);
    if (!Number.isNaN(v)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export function eventAt(m: TraceModel, i: number): ProfEvent {
  const e = m.events;
  const lane = m.lanes[e.lane[i]!]!;
  const k = e.kind[i]!;
  const args = argsAt(m, i);
  return {
    index: i, name: nameOf(m, i), cat: catOf(m, i), ph: k === KIND_INSTANT ? 'i' : k === KIND_BEGIN_END ? 'B' : 'X',
    ts: e.ts[i]!, dur: e.dur[i]!, pid: lane.pid, tid: lane.tid, lane: e.lane[i]!, ...(args ? { args } : {}),
  };
}

/** Indices of the events named `name` (or matching it), in start order; a linear scan. */
export function findEvents(m: TraceModel, name: string | RegExp): number[] {
  const hit = m.strings.map((s) => (typeof name === 'string' ? s === name : name.test(s)));
  const out: number[] = [];
  for (let i = 0; i < m.events.count; i++) if (hit[m.events.name[i]!]) out.push(i);
  return out;
}
