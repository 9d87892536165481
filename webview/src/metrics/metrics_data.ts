// The metrics worker's state and its answers, without the worker itself: worker.ts hands every
// message to MetricsData.handle, and Node tests call handle directly. Unknown runs and names are
// left out of answers; nothing here throws on a request.
import { SeriesColumns, Smoother, bucket, nearest, toCsv, type EdgePoint, type Smoothing, type XAxis } from './series.js';
import type { LivePoint, MetricsWorkerRequest, MetricsWorkerResponse, NearestRow, ViewEdge, ViewRequest, ViewResponse, ViewSeries } from './worker_protocol.js';

/** More columns than any screen has pixels: a bad request must not allocate gigabytes. */
const MAX_COLUMNS = 1 << 16;

interface Found { readonly runId: string; readonly name: string; readonly s: SeriesColumns }

const edge = (p: EdgePoint | null): ViewEdge | null => (p ? { x: p.x, raw: p.raw, line: p.line } : null);

export class MetricsData {
  private readonly runs = new Map<string, Map<string, SeriesColumns>>();
  private smoothing: Smoothing = { kind: 'none' };
  // Keyed by the series object: a loaded (replacing) series is a new object, so its old smoothed
  // values can't be reused by mistake; appends are picked up by Smoother.extend.
  private smoothers = new WeakMap<SeriesColumns, Smoother>();

  handle(req: MetricsWorkerRequest): MetricsWorkerResponse | null {
    switch (req.type) {
      case 'append': this.append(req.runId, req.points); return null;
      case 'load': {
        const s = new SeriesColumns(req.name);
        s.appendMany(req.step, req.epoch, req.value, req.time);
        this.run(req.runId).set(req.name, s);
        return null;
      }
      case 'clear': this.runs.delete(req.runId); return null;
      case 'smoothing': this.smoothing = req.smoothing; this.smoothers = new WeakMap(); return null;
      case 'view': return this.view(req);
      case 'csv': {
        const rows: [string, SeriesColumns][] = [];
        for (const { runId, label } of req.runs) for (const f of this.find([runId], req.names)) rows.push([label, f.s]);
        return { type: 'csv', id: req.id, text: toCsv(rows, req.axis, req.x0 ?? -Infinity, req.x1 ?? Infinity) };
      }
      case 'nearest': return { type: 'nearest', id: req.id, rows: this.nearest(req.runs, req.names, req.axis, req.x) };
      default: return null;
    }
  }

  /** The series, for tests and for the worker's own use. */
  series(runId: string, name: string): SeriesColumns | undefined {
    return this.runs.get(runId)?.get(name);
  }

  private run(runId: string): Map<string, SeriesColumns> {
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = new Map()));
    return run;
  }

  private append(runId: string, points: readonly LivePoint[]): void {
    const run = this.run(runId);
    for (const p of points) {
      let s = run.get(p.name);
      if (!s) run.set(p.name, (s = new SeriesColumns(p.name)));
      s.append(p.step, p.epoch, p.value, p.time);
    }
  }

  private find(runs: readonly string[], names: readonly string[]): Found[] {
    const out: Found[] = [];
    for (const runId of runs) for (const name of names) {
      const s = this.series(runId, name);
      if (s) out.push({ runId, name, s });
    }
    return out;
  }

  /** The smoothed values of `s`, or null with no smoothing (draw the raw values). */
  private smoothed(s: SeriesColumns): Float64Array | null {
    if (this.smoothing.kind === 'none') return null;
    let sm = this.smoothers.get(s);
    if (!sm) this.smoothers.set(s, (sm = new Smoother(this.smoothing)));
    return sm.extend(s.values());
  }

  private view(req: ViewRequest): ViewResponse {
    const found = this.find(req.runs, req.names);
    let x0 = req.x0, x1 = req.x1;
    if (x0 === null || x1 === null) {
      let lo = Infinity, hi = -Infinity;
      for (const { s } of found) {
        const e = s.xExtent(req.axis);
        if (e) { lo = Math.min(lo, e[0]); hi = Math.max(hi, e[1]); }
      }
      x0 ??= lo;
      x1 ??= hi;
    }
    if (x0 > x1) [x0, x1] = [x1, x0];
    const ok = Number.isFinite(x0) && Number.isFinite(x1);
    const columns = ok ? Math.min(MAX_COLUMNS, Math.max(0, Math.floor(req.columns) || 0)) : 0;
    const a = ok ? x0 : 0, b = ok ? x1 : 0;
    // Every series on the same grid: bucket() computes the centres the same way for each.
    const xs = bucket(new Float64Array(0), new Float64Array(0), null, a, b, columns).x;
    const series: ViewSeries[] = found.map(({ runId, name, s }) => {
      const k = bucket(s.x(req.axis), s.values(), this.smoothed(s), a, b, columns);
      return { runId, name, lo: k.lo, hi: k.hi, line: k.line, count: k.count, points: k.points, before: edge(k.before), after: edge(k.after), stats: s.stats() };
    });
    return { type: 'view', id: req.id, chart: req.chart, x0: ok ? x0 : null, x1: ok ? x1 : null, xs, series };
  }

  private nearest(runs: readonly string[], names: readonly string[], axis: XAxis, x: number): NearestRow[] {
    const rows: NearestRow[] = [];
    for (const { runId, name, s } of this.find(runs, names)) {
      const xs = s.x(axis), i = nearest(xs, x);
      if (i < 0) continue;
      const value = s.values()[i]!;
      rows.push({ runId, name, x: xs[i]!, step: s.x('step')[i]!, epoch: s.x('epoch')[i]!, time: s.x('time')[i]!, value, smoothed: this.smoothed(s)?.[i] ?? value });
    }
    return rows;
  }
}

/** The buffers a response can hand over instead of copying: every array in a view is fresh. */
export function transferList(res: MetricsWorkerResponse): ArrayBuffer[] {
  if (res.type !== 'view') return [];
  const out = [res.xs.buffer as ArrayBuffer];
  for (const s of res.series) out.push(s.lo.buffer as ArrayBuffer, s.hi.buffer as ArrayBuffer, s.line.buffer as ArrayBuffer, s.count.buffer as ArrayBuffer);
  return out;
}
