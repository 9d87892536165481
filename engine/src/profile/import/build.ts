// Raw Chrome trace events → the TraceModel (events.ts): X spans as they are, B/E pairs matched
// per thread, instants, counters, flows, metadata; torch's '[memory]' instants become counters.
import { SparseColumn, Strings, column, permute } from './columns.js';
import { fmt, type RawBatch, type RawEvent, type StreamInfo } from './json_stream.js';
import {
  KIND_BEGIN_END, KIND_COMPLETE, KIND_INSTANT, UNIT,
  type CounterSeries, type Flow, type FlowEnd, type Lane, type ProcessInfo, type TraceModel,
} from './events.js';

export interface BuildOptions {
  readonly fileName?: string;
  readonly path?: string;
  /** Bytes of distinct args text to keep whole (default 64 MB, ~250 MB of objects). */
  readonly argsBudget?: number;
}

/** Categories of GPU-side work: their lanes are device lanes. */
const DEVICE_CAT = /^(kernel|gpu_memcpy|gpu_memset|memcpy|memset|gpu_user_annotation|cuda_driver_kernel)$/i;
const PHASE_NAMES: Record<string, string> = { P: 'samples', O: 'object snapshots', N: 'object creations', D: 'object deletions', b: 'async begins', e: 'async ends', n: 'async instants' };

/** What the views need from one distinct args object (ids into strings, -1/NaN none). */
interface ArgsInfo { id: number; module: number; source: number; op: number; shapes: number; flops: number; corr: number; extId: number }

interface Series { pid: number | string; name: string; key: string; ts: number[]; values: number[] }

export class ModelBuilder {
  private readonly strings = new Strings();
  private readonly ts = column(Float64Array);
  private readonly dur = column(Float64Array);
  private readonly lane = column(Uint32Array);
  private readonly name = column(Uint32Array);
  private readonly cat = column(Uint32Array);
  private readonly kind = column(Uint8Array);
  private readonly offset = column(Float64Array);
  private readonly argsIdx = column(Int32Array, -1);
  private readonly module = new SparseColumn(Int32Array, -1);
  private readonly source = new SparseColumn(Int32Array, -1);
  private readonly op = new SparseColumn(Int32Array, -1);
  private readonly shapes = new SparseColumn(Int32Array, -1);
  private readonly flops = new SparseColumn(Float64Array, NaN);
  private readonly corr = new SparseColumn(Float64Array, NaN);
  private readonly extId = new SparseColumn(Float64Array, NaN);
  private rows = 0;
  private readonly lanes: Lane[] = [];
  private readonly laneIds = new Map<number | string, Map<number | string, number>>();
  private lastPid: unknown = undefined;
  private lastTid: unknown = undefined;
  private lastLane = -1;
  private readonly processes = new Map<string, ProcessInfo>();
  private readonly args: Record<string, unknown>[] = [];
  private readonly argsCache = new Map<string, ArgsInfo>();
  private argsBytes = 0;
  private argsDropped = 0;
  private readonly deviceCat: boolean[] = [];
  private readonly open = new Map<number, number[]>(); // lane → rows of open B events
  private readonly series = new Map<string, Series>();
  private readonly flows: Flow[] = [];
  private readonly pendingFlows = new Map<string, FlowEnd>();
  private readonly counts = { badTs: 0, unmatchedE: 0, unmatchedF: 0, unclosedB: 0 };
  private readonly ignored = new Map<string, number>();
  private firstUnmatchedE = -1;

  constructor(private readonly opts: BuildOptions = {}) {}

  add(b: RawBatch): void {
    const evs = b.events, keys = b.argsKey;
    for (let j = 0; j < evs.length; j++) this.event(evs[j]!, b.offsets[j]!, keys?.[j], b.first + j);
  }

  private laneOf(pid: unknown, tid: unknown): number {
    if (pid === this.lastPid && tid === this.lastTid) return this.lastLane;
    const p = (typeof pid === 'number' || typeof pid === 'string' ? pid : 0);
    const t = (typeof tid === 'number' || typeof tid === 'string' ? tid : 0);
    let byTid = this.laneIds.get(p); // Map keys keep 1 and '1' apart, as traces do
    if (!byTid) this.laneIds.set(p, (byTid = new Map()));
    let id = byTid.get(t);
    if (id === undefined) {
      id = this.lanes.length;
      byTid.set(t, id);
      this.lanes.push({ pid: p, tid: t, thread: String(t), device: false });
      this.processOf(p);
    }
    this.lastPid = pid; this.lastTid = tid; this.lastLane = id;
    return id;
  }

  private processOf(pid: number | string): ProcessInfo {
    const k = `${typeof pid}${pid}`;
    let p = this.processes.get(k);
    if (!p) { p = { pid }; this.processes.set(k, p); }
    return p;
  }

  private event(e: RawEvent, offset: number, key: string | undefined, index: number): void {
    const ph = e.ph;
    if (ph === 'M') return this.meta(e);
    const ts = typeof e.ts === 'number' ? e.ts : Number(e.ts);
    if (!Number.isFinite(ts)) { this.counts.badTs++; return; }
    switch (ph) {
      case 'X': { const d = Number(e.dur); this.span(e, ts, d > 0 ? d : 0, KIND_COMPLETE, offset, key); return; }
      case 'B': {
        const row = this.span(e, ts, 0, KIND_BEGIN_END, offset, key);
        const l = this.lane.get(row);
        let st = this.open.get(l);
        if (!st) this.open.set(l, (st = []));
        st.push(row);
        return;
      }
      case 'E': return this.endEvent(e, ts, index);
      case 'i': case 'I': case 'R':
        if (e.name === '[memory]') return this.memory(e, ts);
        this.span(e, ts, 0, KIND_INSTANT, offset, key);
        return;
      case 'C': return this.counter(e, ts);
      case 's': case 't': case 'f': return this.flow(e, ts, ph);
      default: {
        const p = typeof ph === 'string' ? ph : String(ph);
        this.ignored.set(p, (this.ignored.get(p) ?? 0) + 1);
      }
    }
  }

  private span(e: RawEvent, ts: number, dur: number, kind: number, offset: number, key: string | undefined): number {
    const row = this.rows++;
    const l = this.laneOf(e.pid, e.tid);
    const cat = this.strings.id(typeof e.cat === 'string' ? e.cat : '');
    this.ts.push(ts); this.dur.push(dur); this.lane.push(l); this.kind.push(kind); this.offset.push(offset);
    this.name.push(this.strings.id(typeof e.name === 'string' ? e.name : String(e.name ?? '')));
    this.cat.push(cat);
    let dev = this.deviceCat[cat];
    if (dev === undefined) dev = this.deviceCat[cat] = DEVICE_CAT.test(this.strings.list[cat]!);
    if (dev) this.lanes[l]!.device = true;
    const info = this.argsFor(e.args, key);
    this.argsIdx.push(info ? info.id : -1);
    if (info) this.setArgs(row, info);
    return row;
  }

  private setArgs(row: number, a: ArgsInfo): void {
    this.module.set(row, a.module); this.source.set(row, a.source); this.op.set(row, a.op); this.shapes.set(row, a.shapes);
    this.flops.set(row, a.flops); this.corr.set(row, a.corr); this.extId.set(row, a.extId);
  }

  /** The args' extracted fields; the object itself kept once per distinct text while under budget. */
  private argsFor(a: unknown, key: string | undefined): ArgsInfo | undefined {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return undefined;
    if (key !== undefined) {
      const hit = this.argsCache.get(key);
      if (hit) return hit;
    }
    const o = a as Record<string, unknown>;
    let empty = true;
    for (const _ in o) { empty = false; break; }
    if (empty) return undefined;
    const s = (v: unknown): number => (typeof v === 'string' ? this.strings.id(v) : -1);
    const n = (v: unknown): number => (typeof v === 'number' ? v : NaN);
    const shapes = o.input_shapes ?? o['Input Dims'];
    const len = key?.length ?? 256;
    const keep = this.argsBytes + len <= (this.opts.argsBudget ?? 64e6);
    const info: ArgsInfo = {
      id: keep ? this.args.push(o) - 1 : -1,
      module: s(o.module), source: s(o.source), op: s(o.op),
      shapes: Array.isArray(shapes) ? this.strings.id(JSON.stringify(shapes)) : -1,
      flops: n(o.flops), corr: n(o.correlation), extId: n(o['External id']),
    };
    if (keep) {
      this.argsBytes += len;
      if (key !== undefined) this.argsCache.set(key, info);
    } else this.argsDropped++;
    return info;
  }

  private endEvent(e: RawEvent, ts: number, index: number): void {
    const st = this.open.get(this.laneOf(e.pid, e.tid));
    const row = st?.pop();
    if (row === undefined) {
      if (this.counts.unmatchedE++ === 0) this.firstUnmatchedE = index;
      return;
    }
    this.dur.set(row, Math.max(0, ts - this.ts.get(row)));
    const extra = e.args;
    if (extra && typeof extra === 'object' && Object.keys(extra).length) { // Chrome merges E's args into B's
      const prev = this.argsIdx.get(row);
      const info = this.argsFor({ ...(prev >= 0 ? this.args[prev] : {}), ...(extra as object) }, undefined);
      if (info) { this.argsIdx.set(row, info.id); this.setArgs(row, info); }
    }
  }

  private addPoint(pid: number | string, name: string, key: string, ts: number, v: number): void {
    const k = `${pid}\u0000${name}\u0000${key}`;
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { pid, name, key, ts: [], values: [] }));
    s.ts.push(ts); s.values.push(v);
  }

  private counter(e: RawEvent, ts: number): void {
    const pid = pidOf(e);
    const name = String(e.name ?? '') + (e.id !== undefined ? ` ${String(e.id)}` : '');
    const a = e.args;
    if (!a || typeof a !== 'object') return;
    for (const [k, v] of Object.entries(a)) if (typeof v === 'number') this.addPoint(pid, name, k, ts, v);
  }

  /** torch's profile_memory: one '[memory]' instant per allocation/free with the running totals. */
  private memory(e: RawEvent, ts: number): void {
    const a = (e.args ?? {}) as Record<string, unknown>;
    const pid = pidOf(e);
    const type = a['Device Type'], id = a['Device Id'];
    const device = type === 0 ? 'CPU' : type === 1 ? `CUDA:${String(id ?? 0)}` : `device ${String(type)}:${String(id)}`;
    for (const k of ['Total Allocated', 'Total Reserved']) {
      const v = a[k];
      if (typeof v === 'number') this.addPoint(pid, `[memory] ${device}`, k, ts, v);
    }
  }

  private flow(e: RawEvent, ts: number, ph: 's' | 't' | 'f'): void {
    const id = e.id ?? (e.id2 as Record<string, unknown> | undefined)?.global ?? (e.id2 as Record<string, unknown> | undefined)?.local;
    const cat = typeof e.cat === 'string' ? e.cat : '';
    const key = `${cat}\u0000${String(id)}`;
    const here: FlowEnd = { lane: this.laneOf(e.pid, e.tid), ts };
    if (ph === 's') { this.pendingFlows.set(key, here); return; }
    const from = this.pendingFlows.get(key);
    if (!from) { this.counts.unmatchedF++; return; }
    this.flows.push({ id: String(id), cat, name: String(e.name ?? ''), from, to: here, enclosing: ph === 't' || e.bp === 'e' });
    if (ph === 't') this.pendingFlows.set(key, here); else this.pendingFlows.delete(key);
  }

  private meta(e: RawEvent): void {
    const a = (e.args ?? {}) as Record<string, unknown>;
    const lane = (): Lane => this.lanes[this.laneOf(e.pid, e.tid)]!;
    // Process metadata names no thread: it must not make an empty lane.
    const proc = (): ProcessInfo => this.processOf(pidOf(e));
    switch (e.name) {
      case 'process_name': if (typeof a.name === 'string') proc().name = a.name; break;
      case 'process_sort_index': if (typeof a.sort_index === 'number') proc().sortIndex = a.sort_index; break;
      case 'process_labels': if (typeof a.labels === 'string') proc().labels = a.labels; break;
      case 'thread_name': if (typeof a.name === 'string') lane().thread = a.name; break;
      case 'thread_sort_index': if (typeof a.sort_index === 'number') lane().sortIndex = a.sort_index; break;
    }
  }

  finish(info: StreamInfo): TraceModel {
    const n = this.rows;
    const ts = this.ts.finish(n), dur = this.dur.finish(n);
    let end = -Infinity, start = Infinity;
    for (let i = 0; i < n; i++) { if (ts[i]! < start) start = ts[i]!; if (ts[i]! + dur[i]! > end) end = ts[i]! + dur[i]!; }
    if (n === 0) start = end = 0;
    for (const rows of this.open.values()) for (const r of rows) { dur[r] = Math.max(0, end - ts[r]!); this.counts.unclosedB++; }
    const order = startOrder(ts, dur);
    const p = <T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T): T => (order ? permute(a, order) : a);
    const q = <T extends Float64Array | Int32Array>(a: T | undefined): T | undefined => (a ? p(a) : undefined);
    const opt = <K extends string, T>(k: K, v: T | undefined): { [P in K]?: T } => (v ? { [k]: v } as { [P in K]: T } : {});
    const events = {
      count: n, ts: p(ts), dur: p(dur), lane: p(this.lane.finish(n)), name: p(this.name.finish(n)), cat: p(this.cat.finish(n)),
      kind: p(this.kind.finish(n)), offset: p(this.offset.finish(n)), args: p(this.argsIdx.finish(n)),
      ...opt('module', q(this.module.finish(n))), ...opt('source', q(this.source.finish(n))), ...opt('op', q(this.op.finish(n))),
      ...opt('shapes', q(this.shapes.finish(n))), ...opt('flops', q(this.flops.finish(n))), ...opt('corr', q(this.corr.finish(n))),
      ...opt('extId', q(this.extId.finish(n))),
    };
    return {
      fileName: this.opts.fileName ?? 'trace', ...(this.opts.path ? { path: this.opts.path } : {}), form: info.form, unit: UNIT,
      events, strings: this.strings.list, lanes: this.lanes, processes: [...this.processes.values()],
      args: this.args, argsDropped: this.argsDropped, counters: this.counterSeries(), flows: this.flows,
      metadata: info.metadata, warnings: [...info.warnings, ...this.warnings()], start, end, bytes: info.bytes,
    };
  }

  private counterSeries(): CounterSeries[] {
    return [...this.series.values()].map((s) => {
      const idx = s.ts.map((_, i) => i);
      if (s.ts.some((t, i) => i > 0 && t < s.ts[i - 1]!)) idx.sort((a, b) => s.ts[a]! - s.ts[b]!);
      return { pid: s.pid, name: s.name, key: s.key, ts: Float64Array.from(idx, (i) => s.ts[i]!), values: Float64Array.from(idx, (i) => s.values[i]!) };
    });
  }

  private warnings(): string[] {
    const f = this.opts.fileName ?? 'trace';
    const w: string[] = [];
    const c = this.counts;
    if (c.badTs) w.push(`${f}: ${fmt(c.badTs)} events without a numeric "ts" were skipped`);
    if (c.unmatchedE) w.push(`${f}: ${fmt(c.unmatchedE)} end events ('E') had no open begin on their thread (first: event ${fmt(this.firstUnmatchedE)}); skipped`);
    if (c.unclosedB) w.push(`${f}: ${fmt(c.unclosedB)} begin events ('B') were never ended; closed at the trace's end`);
    if (c.unmatchedF) w.push(`${f}: ${fmt(c.unmatchedF)} flow steps/ends had no flow start; skipped`);
    if (this.pendingFlows.size) w.push(`${f}: ${fmt(this.pendingFlows.size)} flows start but never end; not drawn`);
    if (this.argsDropped) w.push(`${f}: args of ${fmt(this.argsDropped)} events are not kept in memory (over the budget); their module, source, shapes and FLOPs are`);
    for (const [ph, k] of this.ignored) w.push(`${f}: ${fmt(k)} events of phase '${ph}'${PHASE_NAMES[ph] ? ` (${PHASE_NAMES[ph]})` : ''} are not shown`);
    return w;
  }
}

const pidOf = (e: RawEvent): number | string => (typeof e.pid === 'number' || typeof e.pid === 'string' ? e.pid : 0);

/** The permutation that sorts spans by start (longer first on ties: parents before children), or undefined if sorted. */
function startOrder(ts: Float64Array, dur: Float64Array): Uint32Array | undefined {
  let sorted = true;
  for (let i = 1; i < ts.length && sorted; i++) sorted = ts[i]! > ts[i - 1]! || (ts[i] === ts[i - 1] && dur[i]! <= dur[i - 1]!);
  if (sorted) return undefined;
  const order = new Uint32Array(ts.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => ts[a]! - ts[b]! || dur[b]! - dur[a]! || a - b);
}
