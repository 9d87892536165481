// The messages between the metrics panel's main thread and its worker (worker.ts). Both sides
// are ours and built together, so nothing is validated: these types are the contract.
import type { Smoothing, XAxis } from './series.js';

export interface LivePoint {
  readonly name: string;
  readonly step: number;
  readonly epoch: number;
  readonly value: number;
  readonly time: number;
}

export interface SeriesStats {
  readonly min: number;
  readonly max: number;
  readonly last: number;
  readonly count: number;
}

/** Main thread → worker. */
export type MetricsWorkerRequest =
  /** Live points of a run, in arrival order (any mix of metrics). */
  | { readonly type: 'append'; readonly runId: string; readonly points: readonly LivePoint[] }
  /** A whole series at once; replaces what the worker has for (runId, name). */
  | { readonly type: 'load'; readonly runId: string; readonly name: string; readonly step: Float64Array; readonly epoch: Float64Array; readonly value: Float64Array; readonly time: Float64Array }
  | { readonly type: 'clear'; readonly runId: string }
  | { readonly type: 'smoothing'; readonly smoothing: Smoothing }
  | ViewRequest
  /** x0/x1 null: unbounded on that side. */
  | { readonly type: 'csv'; readonly id: number; readonly runs: readonly { readonly runId: string; readonly label: string }[]; readonly names: readonly string[]; readonly axis: XAxis; readonly x0: number | null; readonly x1: number | null }
  | { readonly type: 'nearest'; readonly id: number; readonly runs: readonly string[]; readonly names: readonly string[]; readonly axis: XAxis; readonly x: number };

/** What one chart draws: x0/x1 null = the full extent of those series; `columns` = pixel columns. */
export interface ViewRequest {
  readonly type: 'view';
  readonly id: number;
  readonly chart: string;
  readonly runs: readonly string[];
  readonly names: readonly string[];
  readonly axis: XAxis;
  readonly x0: number | null;
  readonly x1: number | null;
  readonly columns: number;
}

/** A point just outside the view: where the line continues past the chart's edge. */
export interface ViewEdge {
  readonly x: number;
  readonly raw: number;
  readonly line: number;
}

/** One series on the view's column grid (every array has xs.length entries; NaN = no point there). */
export interface ViewSeries {
  readonly runId: string;
  readonly name: string;
  /** Min and max of the raw values per column (the band). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Last smoothed (or raw, with no smoothing) value per column. */
  readonly line: Float64Array;
  readonly count: Uint32Array;
  /** Points in the view. */
  readonly points: number;
  readonly before: ViewEdge | null;
  readonly after: ViewEdge | null;
  /** Over the whole series, not just the view. */
  readonly stats: SeriesStats;
}

export interface ViewResponse {
  readonly type: 'view';
  readonly id: number;
  readonly chart: string;
  /** The range bucketed; null when none of the series has a point. */
  readonly x0: number | null;
  readonly x1: number | null;
  /** Column centres, shared by every series. */
  readonly xs: Float64Array;
  /** The requested (run, name) pairs that exist, runs outer, names inner. */
  readonly series: readonly ViewSeries[];
}

export interface NearestRow {
  readonly runId: string;
  readonly name: string;
  readonly x: number;
  readonly step: number;
  readonly epoch: number;
  readonly time: number;
  readonly value: number;
  readonly smoothed: number;
}

export interface CsvResponse { readonly type: 'csv'; readonly id: number; readonly text: string }
export interface NearestResponse { readonly type: 'nearest'; readonly id: number; readonly rows: readonly NearestRow[] }
/** A request with an id that failed anyway (a CSV past the longest string the engine can build, say). */
export interface ErrorResponse { readonly type: 'error'; readonly id: number; readonly message: string }

/** Worker → main thread. */
export type MetricsWorkerResponse = ViewResponse | CsvResponse | NearestResponse | ErrorResponse;
