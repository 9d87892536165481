// Messages between the extension and the profiler panel, typed once here (the extension serves
// the panel; protocol.ts holds the other panels'). The extension imports the trace in a worker
// thread and sends the panel what it draws: summaries as plain rows, the timeline as typed-array
// columns (VS Code moves them to the webview as binary). Details of one event, source links and
// comparisons are asked for by event index: the trace model stays in the extension's worker.
import type { KernelRow, ModuleRow, OpDiff, OpRow, StepBreakdown } from '../../engine/src/profile/import/summary.js';
import { PANEL_PROTOCOL_VERSION } from './protocol.js';

/** µs throughout, as Chrome traces count. */

/** A step's time split (engine/src/profile/import/steps.ts), its start relative to the trace's. */
export type ProfileStep = Omit<StepBreakdown, 'kind'>;

/** 'model.py:23', resolved by the extension when it is clicked. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** An operator row (summary.ts); `example` (its longest call) is selected and revealed. */
export type ProfileOp = OpRow & { readonly source?: SourceRef };

export type ProfileKernel = KernelRow;

/** A module row, with the source of its longest call. */
export type ProfileModule = Omit<ModuleRow, 'source'> & { readonly source?: SourceRef };

export interface ProfileMemory {
  readonly name: string;
  /** Relative to the trace's start. */
  readonly ts: Float64Array;
  readonly bytes: Float64Array;
  readonly peak: number;
}

/** One GPU queue (or our WebGPU lane): the share of the trace's span it was busy. */
export interface DeviceUse {
  readonly lane: string;
  readonly busy: number;
  readonly span: number;
  readonly percent: number;
}

export interface ProfileHint {
  readonly severity: 'info' | 'warning';
  readonly text: string;
}

/**
 * The timeline, as columns. Rows are (lane, depth) pairs in display order; row r's events are
 * rowStart[r] .. rowStart[r+1] in the event columns, sorted by start and not overlapping (so
 * their ends are sorted too: a renderer can binary-search both).
 */
export interface ProfileTimeline {
  readonly lanes: readonly TimelineLane[];
  readonly rowStart: Uint32Array;
  /** Start relative to the trace's start, and duration. */
  readonly ts: Float64Array;
  readonly dur: Float64Array;
  /** Index into `names`. */
  readonly name: Uint32Array;
  /** Index into `cats`: colours by category (cpu_op, kernel, module, step, ...). */
  readonly cat: Uint16Array;
  /** The event's index in the trace model (for `select`). */
  readonly index: Uint32Array;
  readonly names: readonly string[];
  readonly cats: readonly string[];
  /** Flow arrows: [fromRow, fromTs, toRow, toTs] × n (times relative to the start). */
  readonly flows: Float64Array;
  /** end - start of the whole trace. */
  readonly span: number;
}

export interface TimelineLane {
  /** 'host', 'GPU', 'python3 (pid 1234) · thread 5'. */
  readonly name: string;
  readonly process: string;
  readonly device: boolean;
  /** Its first row and how many (its deepest nesting + 1). */
  readonly firstRow: number;
  readonly rows: number;
}

export interface ProfileInfo {
  readonly fileName: string;
  /** The trace file (for the title and "compare with"). */
  readonly path: string;
  /** 'tensor-studio' (ours), 'pytorch' (torch's exporters), or 'chrome trace'. */
  readonly source: 'tensor-studio' | 'pytorch' | 'chrome trace';
  readonly events: number;
  readonly bytes: number;
  readonly span: number;
  readonly warnings: readonly string[];
  /** The trace's otherData / metadata fields worth showing (device, kernel timing, steps). */
  readonly meta: Readonly<Record<string, string>>;
  /** Milliseconds the import took. */
  readonly importMs: number;
}

/** What the panel shows but the timeline: sent first, so the overview paints before the columns arrive. */
export interface ProfileSummary {
  readonly info: ProfileInfo;
  readonly steps: readonly ProfileStep[];
  readonly ops: readonly ProfileOp[];
  readonly opsByShapes: readonly ProfileOp[];
  readonly kernels: readonly ProfileKernel[];
  readonly modules: readonly ProfileModule[];
  readonly memory: readonly ProfileMemory[];
  readonly devices: readonly DeviceUse[];
  readonly hints: readonly ProfileHint[];
}

/** A whole profile: the summary and the timeline. */
export interface ProfileData extends ProfileSummary {
  readonly timeline: ProfileTimeline;
}

/** One event in full, for the details pane. */
export interface ProfileEventDetails {
  readonly index: number;
  readonly name: string;
  readonly cat: string;
  readonly ts: number;
  readonly dur: number;
  readonly pid: number | string;
  readonly tid: number | string;
  readonly args?: Readonly<Record<string, unknown>>;
  /** The user's frame (ours: the op's line), and the whole stack innermost first. */
  readonly source?: SourceRef;
  readonly frames: readonly SourceRef[];
  /** The host op that launched it (a kernel). */
  readonly launcher?: number;
}

export type ProfileOpDiff = OpDiff;

export interface ProfileComparison {
  readonly a: string;
  readonly b: string;
  /** Per-step times (µs); without steps, per trace. */
  readonly perStep: boolean;
  readonly aStep: number;
  readonly bStep: number;
  readonly rows: readonly ProfileOpDiff[];
}

/** Extension → profiler panel. */
export type ProfilerHostMessage =
  /** Reading the trace: bytes read of total (total 0 when unknown, e.g. gzip). */
  | { readonly type: 'loading'; readonly fileName: string; readonly bytes: number; readonly total: number }
  | { readonly type: 'profile'; readonly data: ProfileSummary }
  /** The timeline's columns, after the profile (the biggest part of it: ~26 bytes an event). */
  | { readonly type: 'timeline'; readonly timeline: ProfileTimeline }
  /** The trace could not be read: what and where (byte offset, event). */
  | { readonly type: 'error'; readonly fileName: string; readonly message: string }
  | { readonly type: 'event'; readonly details: ProfileEventDetails }
  | { readonly type: 'comparison'; readonly comparison: ProfileComparison }
  /** A comparison could not be made (the other trace's error), or was cancelled (message ''). */
  | { readonly type: 'comparisonFailed'; readonly message: string }
  | { readonly type: 'revealed'; readonly message: string };

export type ProfilerView = 'overview' | 'timeline' | 'operators' | 'kernels' | 'modules' | 'memory' | 'compare';

/** Profiler panel → extension. */
export type ProfilerPanelMessage =
  | { readonly type: 'ready'; readonly version: number }
  /** Details of this event (an index into the trace model). */
  | { readonly type: 'select'; readonly index: number }
  /** Show this event's source line (ours: the op's line; torch: the user's frame). */
  | { readonly type: 'reveal'; readonly index: number }
  /** Pick another trace and compare this one with it. */
  | { readonly type: 'compare' }
  /** The profile is on screen: `ms` from its message's arrival to the first paint after it. */
  | { readonly type: 'drawn'; readonly view: ProfilerView; readonly ms: number };

/** What the panel keeps with `setState`, and what its serializer revives it from. */
export interface ProfilerPanelState {
  readonly version: number;
  /** The trace file shown. */
  readonly path: string;
  readonly view: ProfilerView;
}

// ---- validation ----

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isIndex = (x: unknown): x is number => isNum(x) && Number.isInteger(x) && x >= 0;
const VIEWS: readonly string[] = ['overview', 'timeline', 'operators', 'kernels', 'modules', 'memory', 'compare'];

function isTimeline(t: unknown): t is ProfileTimeline {
  if (!isObj(t) || !Array.isArray(t.lanes) || !Array.isArray(t.names) || !Array.isArray(t.cats) || !isNum(t.span)) return false;
  if (!(t.rowStart instanceof Uint32Array && t.ts instanceof Float64Array && t.dur instanceof Float64Array && t.name instanceof Uint32Array
    && t.cat instanceof Uint16Array && t.index instanceof Uint32Array && t.flows instanceof Float64Array)) return false;
  const n = t.ts.length;
  return t.dur.length === n && t.name.length === n && t.cat.length === n && t.index.length === n && t.flows.length % 4 === 0
    && t.rowStart.length >= 1 && t.rowStart[t.rowStart.length - 1] === n
    && t.lanes.every((l) => isObj(l) && isStr(l.name) && isStr(l.process) && typeof l.device === 'boolean' && isIndex(l.firstRow) && isIndex(l.rows));
}

function isProfileSummary(d: unknown): d is ProfileSummary {
  return isObj(d) && isObj(d.info) && isStr(d.info.fileName) && isStr(d.info.path) && isNum(d.info.events)
    && Array.isArray(d.steps) && Array.isArray(d.ops) && Array.isArray(d.opsByShapes) && Array.isArray(d.kernels)
    && Array.isArray(d.modules) && Array.isArray(d.memory) && Array.isArray(d.devices) && Array.isArray(d.hints)
    && d.memory.every((m) => isObj(m) && isStr(m.name) && m.ts instanceof Float64Array && m.bytes instanceof Float64Array && m.ts.length === m.bytes.length);
}

export function parseProfilerHostMessage(x: unknown): ProfilerHostMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'loading': return isStr(x.fileName) && isNum(x.bytes) && isNum(x.total) ? x as ProfilerHostMessage : null;
    case 'profile': return isProfileSummary(x.data) ? x as ProfilerHostMessage : null;
    case 'timeline': return isTimeline(x.timeline) ? x as ProfilerHostMessage : null;
    case 'error': return isStr(x.fileName) && isStr(x.message) ? x as ProfilerHostMessage : null;
    case 'event': return isObj(x.details) && isIndex(x.details.index) && isStr(x.details.name) && Array.isArray(x.details.frames) ? x as ProfilerHostMessage : null;
    case 'comparison': return isObj(x.comparison) && isStr(x.comparison.a) && isStr(x.comparison.b) && Array.isArray(x.comparison.rows) ? x as ProfilerHostMessage : null;
    case 'comparisonFailed': case 'revealed': return isStr(x.message) ? x as ProfilerHostMessage : null;
    default: return null;
  }
}

export function parseProfilerPanelMessage(x: unknown): ProfilerPanelMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return isNum(x.version) ? x as ProfilerPanelMessage : null;
    case 'select': case 'reveal': return isIndex(x.index) ? x as ProfilerPanelMessage : null;
    case 'compare': return x as ProfilerPanelMessage;
    case 'drawn': return isStr(x.view) && VIEWS.includes(x.view) && isNum(x.ms) ? x as ProfilerPanelMessage : null;
    default: return null;
  }
}

export function parseProfilerPanelState(x: unknown): ProfilerPanelState | null {
  if (!isObj(x) || x.version !== PANEL_PROTOCOL_VERSION || !isStr(x.path) || !isStr(x.view) || !VIEWS.includes(x.view)) return null;
  return x as unknown as ProfilerPanelState;
}
