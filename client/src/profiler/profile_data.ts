// TraceModel → what the profiler panel draws (webview/src/profiler_protocol.ts): the summaries
// with their source lines, and the timeline as rows of non-overlapping spans. Pure, no VS Code:
// it runs in the trace worker, and tests and the benchmark call it directly.
import {
  endOf, kernelTable, memorySeries, moduleTable, opTable, sourceOf, spanAt, stepBreakdown, structure, type TraceModel, type OpRow,
} from '../../../engine/src/profile/import/index';
import type {
  DeviceUse, ProfileData, ProfileInfo, ProfileSummary, ProfileOp, ProfileStep, ProfileTimeline, SourceRef, TimelineLane,
} from '../../../webview/src/profiler_protocol';
import { performanceHints } from './hints';

/** The summary and the timeline (tests and the benchmark; the worker sends them apart). */
export function buildProfileData(m: TraceModel, opts: { path: string; importMs: number }): ProfileData {
  return { ...buildProfileSummary(m, opts), timeline: buildTimeline(m) };
}

export function buildProfileSummary(m: TraceModel, opts: { path: string; importMs: number }): ProfileSummary {
  const steps: ProfileStep[] = stepBreakdown(m).map(({ kind: _kind, ...s }) => ({ ...s, ts: s.ts - m.start }));
  const sourceCache = new Map<number, SourceRef | undefined>();
  const ref = (i: number): SourceRef | undefined => {
    if (!sourceCache.has(i)) {
      const loc = sourceOf(m, i).location;
      sourceCache.set(i, loc ? { file: loc.file, line: loc.line } : undefined);
    }
    return sourceCache.get(i);
  };
  const withSource = (r: OpRow): ProfileOp => { const s = ref(r.example); return s ? { ...r, source: s } : r; };
  const ops = opTable(m).map(withSource);
  const devices = deviceUse(m);
  const data: Omit<ProfileSummary, 'hints'> = {
    info: info(m, opts),
    steps,
    ops,
    opsByShapes: opTable(m, { groupByShapes: true }).map(withSource),
    kernels: kernelTable(m),
    // A module's own 'model.py:23' text is replaced by the ref of its longest call.
    modules: moduleTable(m).map(({ source: _text, ...r }) => { const s = ref(r.example); return s ? { ...r, source: s } : r; }),
    memory: memorySeries(m).map((s) => ({ name: s.name, ts: s.ts.map((t) => t - m.start), bytes: s.bytes.slice(), peak: s.peak })),
    devices,
  };
  return { ...data, hints: performanceHints(data) };
}

function info(m: TraceModel, opts: { path: string; importMs: number }): ProfileInfo {
  const meta: Record<string, string> = {};
  const add = (o: Readonly<Record<string, unknown>>): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') meta[k] = String(v);
    }
  };
  add(m.metadata);
  const other = m.metadata.otherData;
  if (other && typeof other === 'object') add(other as Record<string, unknown>);
  const devices = m.metadata.deviceProperties;
  if (Array.isArray(devices)) meta.devices = devices.map((d) => String((d as { name?: unknown }).name ?? '?')).join(', ');
  delete meta.displayTimeUnit;
  return {
    fileName: m.fileName, path: opts.path, source: traceSource(m), events: m.events.count, bytes: m.bytes,
    span: m.end - m.start, warnings: m.warnings, meta, importMs: Math.round(opts.importMs),
  };
}

function traceSource(m: TraceModel): ProfileInfo['source'] {
  if (m.processes.some((p) => p.name === 'tensor-studio train')) return 'tensor-studio';
  if (m.strings.some((s) => s.startsWith('aten::') || s.startsWith('ProfilerStep#'))) return 'pytorch';
  return 'chrome trace';
}

/** Lanes in display order: host processes first, by sort index (then first seen); in a process host lanes before device ones, then sort index and tid. */
function laneOrder(m: TraceModel): number[] {
  const procRank = new Map<string, number>();
  m.processes.forEach((p, k) => procRank.set(String(p.pid), p.sortIndex ?? k));
  const firstSeen = new Map<string, number>();
  m.lanes.forEach((l, k) => { if (!firstSeen.has(String(l.pid))) firstSeen.set(String(l.pid), k); });
  // GPU processes (kineto's 'GPU 0') after the host ones, whatever their sort indices say.
  const hostPids = new Set(m.lanes.filter((l) => !l.device).map((l) => String(l.pid)));
  const rank = (pid: number | string): number => (hostPids.has(String(pid)) ? 0 : 2e9) + (procRank.get(String(pid)) ?? 1e9 + firstSeen.get(String(pid))!);
  const cmpId = (a: number | string, b: number | string): number =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
  return m.lanes.map((_, k) => k).sort((a, b) => {
    const la = m.lanes[a]!, lb = m.lanes[b]!;
    return rank(la.pid) - rank(lb.pid) || cmpId(la.pid, lb.pid) || Number(la.device) - Number(lb.device)
      || (la.sortIndex ?? 0) - (lb.sortIndex ?? 0) || cmpId(la.tid, lb.tid);
  });
}

function processName(m: TraceModel, pid: number | string): string {
  const p = m.processes.find((q) => q.pid === pid);
  return p?.name ? `${p.name}${typeof pid === 'number' ? ` (pid ${pid})` : ''}` : String(pid);
}

export function buildTimeline(m: TraceModel): ProfileTimeline {
  const s = structure(m), e = m.events, n = e.count;
  // Depth on its lane: one more than the span enclosing it (parents come first in lane order).
  const depth = new Uint16Array(n);
  for (let k = 0; k < n; k++) {
    const i = s.laneEvents[k]!, p = s.parent[i]!;
    depth[i] = p >= 0 ? Math.min(depth[p]! + 1, 0xffff) : 0;
  }
  const order = laneOrder(m);
  const lanes: TimelineLane[] = [];
  const rowOfLaneDepth: number[][] = [];
  let rows = 0;
  for (const l of order) {
    let deepest = -1;
    for (let k = s.laneStart[l]!; k < s.laneStart[l + 1]!; k++) deepest = Math.max(deepest, depth[s.laneEvents[k]!]!);
    if (deepest < 0) continue;
    const lane = m.lanes[l]!;
    lanes.push({ name: lane.thread, process: processName(m, lane.pid), device: lane.device, firstRow: rows, rows: deepest + 1 });
    rowOfLaneDepth[l] = Array.from({ length: deepest + 1 }, (_, d) => rows + d);
    rows += deepest + 1;
  }
  // Counting sort by row, keeping lane (start) order inside each row.
  const rowOf = new Uint32Array(n);
  const rowStart = new Uint32Array(rows + 1);
  for (let i = 0; i < n; i++) { rowOf[i] = rowOfLaneDepth[e.lane[i]!]![depth[i]!]!; rowStart[rowOf[i]! + 1]!++; }
  for (let r = 0; r < rows; r++) rowStart[r + 1]! += rowStart[r]!;
  const fill = rowStart.slice(0, rows);
  const ts = new Float64Array(n), dur = new Float64Array(n), name = new Uint32Array(n), cat = new Uint16Array(n), index = new Uint32Array(n);
  const nameIds = new Int32Array(m.strings.length).fill(-1), catIds = new Int32Array(m.strings.length).fill(-1);
  const names: string[] = [], cats: string[] = [];
  const intern = (ids: Int32Array, list: string[], id: number): number => {
    if (ids[id]! < 0) { ids[id] = list.length; list.push(m.strings[id]!); }
    return ids[id]!;
  };
  for (let k = 0; k < n; k++) {
    const i = s.laneEvents[k]!;
    const at = fill[rowOf[i]!]!++;
    ts[at] = e.ts[i]! - m.start;
    dur[at] = e.dur[i]!;
    name[at] = intern(nameIds, names, e.name[i]!);
    cat[at] = Math.min(intern(catIds, cats, e.cat[i]!), 0xffff);
    index[at] = i;
  }
  const flows: number[] = [];
  for (const f of m.flows) {
    const from = spanAt(m, s, f.from.lane, f.from.ts), to = spanAt(m, s, f.to.lane, f.to.ts, !f.enclosing);
    const fr = from >= 0 ? rowOf[from]! : rowOfLaneDepth[f.from.lane]?.[0];
    const tr = to >= 0 ? rowOf[to]! : rowOfLaneDepth[f.to.lane]?.[0];
    if (fr !== undefined && tr !== undefined) flows.push(fr, f.from.ts - m.start, tr, f.to.ts - m.start);
  }
  return { lanes, rowStart, ts, dur, name, cat, index, names, cats, flows: Float64Array.from(flows), span: m.end - m.start };
}

/** Busy share of each device lane: the union of its top-level spans over the trace's span. */
function deviceUse(m: TraceModel): DeviceUse[] {
  const s = structure(m), e = m.events, span = m.end - m.start;
  const out: DeviceUse[] = [];
  m.lanes.forEach((lane, l) => {
    if (!lane.device) return;
    let busy = 0, until = -Infinity;
    for (let k = s.laneStart[l]!; k < s.laneStart[l + 1]!; k++) {
      const i = s.laneEvents[k]!;
      const a = Math.max(e.ts[i]!, until), b = endOf(m, i);
      if (b > a) busy += b - a;
      until = Math.max(until, b);
    }
    out.push({ lane: `${processName(m, lane.pid)} · ${lane.thread}`, busy, span, percent: span > 0 ? (100 * busy) / span : 0 });
  });
  return out;
}
