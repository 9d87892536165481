// Messages between the extension and its webview panels, typed once here. The extension serves
// the panels, so their protocol lives beside them; both sides validate what they receive, since a
// webview is a separate process and a message is only JSON.
import type { GraphResult, GraphUnavailable, Range } from '../../server/src/protocol.js';

/** Version of the panel protocol; a panel revived from an older version asks for fresh data. */
export const PANEL_PROTOCOL_VERSION = 1;

export type SourceRange = Range;

// ---- graph panel ----

/** Extension → graph panel. */
export type GraphHostMessage =
  /** A model's graph (the server's `tensorStudio/graph` answer), for the file at `uri`. */
  | { readonly type: 'graph'; readonly uri: string; readonly fileName: string; readonly graph: GraphResult; readonly classes: readonly string[] }
  /** No graph to draw: the server's message, and the classes that have one. */
  | { readonly type: 'unavailable'; readonly uri: string; readonly fileName: string; readonly graph: GraphUnavailable }
  /** The editor's cursor is on these (zero-based) lines of the drawn file: highlight their nodes. */
  | { readonly type: 'cursor'; readonly uri: string; readonly lines: readonly number[] }
  /** An export was written (or failed): shown in the panel's status line. */
  | { readonly type: 'exported'; readonly message: string };

/** Graph panel → extension. */
export type GraphPanelMessage =
  | { readonly type: 'ready'; readonly version: number }
  /** Show this range of the drawn file in the editor (a node or module was clicked). */
  | { readonly type: 'reveal'; readonly uri: string; readonly range: SourceRange }
  /** Draw another class of the same file. */
  | { readonly type: 'pickClass'; readonly uri: string; readonly className: string }
  /** Save the drawing: SVG text, or PNG as base64. */
  | { readonly type: 'export'; readonly format: 'svg' | 'png'; readonly suggestedName: string; readonly data: string };

/** What the graph panel keeps with `setState`, and what its serializer revives it from. */
export interface GraphPanelState {
  readonly version: number;
  readonly uri: string;
  readonly className: string | null;
  /** Expanded module paths and folds; the camera is refitted on revival. */
  readonly expanded: readonly string[];
  readonly collapsed: readonly string[];
}

// ---- metrics panel ----

/** A run the metrics panel can draw: a past run's folder, or one training now. */
export interface MetricsRun {
  /** The run folder's name. */
  readonly id: string;
  /** 'FashionCNN · Dec 8, 00:57'. */
  readonly label: string;
  /** 'running' | 'completed' | 'stopped' | 'failed' … (the run summary's status). */
  readonly status: string;
  /** ISO time the run started: newest first, and a colour that stays with the run. */
  readonly startedAt: string;
}

/**
 * One metric of one run, every point, as columns. Typed arrays: VS Code (engines >= 1.57) moves
 * them to the webview as binary, where a million numbers as JSON would take seconds.
 */
export interface MetricsSeries {
  readonly name: string;
  readonly step: Float64Array;
  readonly epoch: Float64Array;
  readonly value: Float64Array;
  readonly time: Float64Array;
}

/** A live point (the engine host's MetricPoint). */
export interface MetricsPoint {
  readonly name: string;
  readonly step: number;
  readonly epoch: number;
  readonly value: number;
  readonly time: number;
}

/** Extension → metrics panel. */
export type MetricsHostMessage =
  /** The runs there are, and the ones to tick (the run the panel was opened for). */
  | { readonly type: 'runs'; readonly runs: readonly MetricsRun[]; readonly select: readonly string[] }
  /** Every point of a ticked run so far (replaces what the panel has for it). */
  | { readonly type: 'series'; readonly runId: string; readonly series: readonly MetricsSeries[] }
  /** New points of a running run. */
  | { readonly type: 'append'; readonly runId: string; readonly points: readonly MetricsPoint[] }
  | { readonly type: 'exported'; readonly message: string };

/** Metrics panel → extension. */
export type MetricsPanelMessage =
  | { readonly type: 'ready'; readonly version: number }
  /** The ticked runs: the extension sends their series and then their live points. */
  | { readonly type: 'select'; readonly runIds: readonly string[] }
  | { readonly type: 'export'; readonly format: 'csv' | 'png'; readonly suggestedName: string; readonly data: string };

export type MetricsAxis = 'step' | 'epoch' | 'time';
export type MetricsSmoothing = { readonly kind: 'ema'; readonly weight: number } | { readonly kind: 'mean'; readonly window: number } | { readonly kind: 'none' };

export interface MetricsPanelState {
  readonly version: number;
  readonly selected: readonly string[];
  readonly axis: MetricsAxis;
  readonly smoothing: MetricsSmoothing;
  readonly log: boolean;
}

// ---- validation ----

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStrArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(isStr);
const isPos = (x: unknown): boolean => isObj(x) && isNum(x.line) && isNum(x.character);
export const isRange = (x: unknown): x is SourceRange => isObj(x) && isPos(x.start) && isPos(x.end);

function isGraphResult(g: unknown): g is GraphResult {
  return isObj(g) && g.kind === 'graph' && isStr(g.className) && Array.isArray(g.nodes) && Array.isArray(g.edges)
    && Array.isArray(g.modules) && g.nodes.every((n) => isObj(n) && isStr(n.id) && isStr(n.op) && isStr(n.group) && isStr(n.category))
    && g.edges.every((e) => isObj(e) && isStr(e.from) && isStr(e.to) && isStr(e.shape))
    && g.modules.every((m) => isObj(m) && isStr(m.path) && isStr(m.type) && isStr(m.fingerprint));
}

/** The message if it is a well-formed extension → graph panel message, else null. */
export function parseGraphHostMessage(x: unknown): GraphHostMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'graph':
      return isStr(x.uri) && isStr(x.fileName) && isStrArray(x.classes) && isGraphResult(x.graph) ? x as GraphHostMessage : null;
    case 'unavailable':
      return isStr(x.uri) && isStr(x.fileName) && isObj(x.graph) && x.graph.kind === 'error' && isStr(x.graph.message)
        && isStrArray(x.graph.available) ? x as GraphHostMessage : null;
    case 'cursor': return isStr(x.uri) && Array.isArray(x.lines) && x.lines.every(isNum) ? x as GraphHostMessage : null;
    case 'exported': return isStr(x.message) ? x as GraphHostMessage : null;
    default: return null;
  }
}

/** The message if it is a well-formed graph panel → extension message, else null. */
export function parseGraphPanelMessage(x: unknown): GraphPanelMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return isNum(x.version) ? x as GraphPanelMessage : null;
    case 'reveal': return isStr(x.uri) && isRange(x.range) ? x as GraphPanelMessage : null;
    case 'pickClass': return isStr(x.uri) && isStr(x.className) ? x as GraphPanelMessage : null;
    case 'export':
      return (x.format === 'svg' || x.format === 'png') && isStr(x.suggestedName) && isStr(x.data) ? x as GraphPanelMessage : null;
    default: return null;
  }
}

const isF64 = (x: unknown): x is Float64Array => x instanceof Float64Array;
const isSeries = (x: unknown): boolean => isObj(x) && isStr(x.name) && isF64(x.step) && isF64(x.epoch) && isF64(x.value) && isF64(x.time)
  && x.step.length === x.value.length && x.epoch.length === x.value.length && x.time.length === x.value.length;
// A value may be NaN or ±Infinity (a diverged run): typeof 'number', not isNum.
const isPoint = (x: unknown): boolean => isObj(x) && isStr(x.name) && isNum(x.step) && isNum(x.epoch) && typeof x.value === 'number' && isNum(x.time);
const isRun = (x: unknown): boolean => isObj(x) && isStr(x.id) && isStr(x.label) && isStr(x.status) && isStr(x.startedAt);

export function parseMetricsHostMessage(x: unknown): MetricsHostMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'runs': return Array.isArray(x.runs) && x.runs.every(isRun) && isStrArray(x.select) ? x as MetricsHostMessage : null;
    case 'series': return isStr(x.runId) && Array.isArray(x.series) && x.series.every(isSeries) ? x as MetricsHostMessage : null;
    case 'append': return isStr(x.runId) && Array.isArray(x.points) && x.points.every(isPoint) ? x as MetricsHostMessage : null;
    case 'exported': return isStr(x.message) ? x as MetricsHostMessage : null;
    default: return null;
  }
}

export function parseMetricsPanelMessage(x: unknown): MetricsPanelMessage | null {
  if (!isObj(x)) return null;
  switch (x.type) {
    case 'ready': return isNum(x.version) ? x as MetricsPanelMessage : null;
    case 'select': return isStrArray(x.runIds) ? x as MetricsPanelMessage : null;
    case 'export':
      return (x.format === 'csv' || x.format === 'png') && isStr(x.suggestedName) && isStr(x.data) ? x as MetricsPanelMessage : null;
    default: return null;
  }
}

const isSmoothing = (x: unknown): boolean => isObj(x) && ((x.kind === 'ema' && isNum(x.weight) && x.weight >= 0 && x.weight < 1)
  || (x.kind === 'mean' && isNum(x.window) && x.window >= 1) || x.kind === 'none');

export function parseMetricsPanelState(x: unknown): MetricsPanelState | null {
  if (!isObj(x) || x.version !== PANEL_PROTOCOL_VERSION || !isStrArray(x.selected)) return null;
  if (!(x.axis === 'step' || x.axis === 'epoch' || x.axis === 'time') || !isSmoothing(x.smoothing) || typeof x.log !== 'boolean') return null;
  return x as unknown as MetricsPanelState;
}

export function parseGraphPanelState(x: unknown): GraphPanelState | null {
  if (!isObj(x) || x.version !== PANEL_PROTOCOL_VERSION || !isStr(x.uri)) return null;
  if (!(x.className === null || isStr(x.className)) || !isStrArray(x.expanded) || !isStrArray(x.collapsed)) return null;
  return x as unknown as GraphPanelState;
}
