// The profiler's summary views as pure functions of a TraceModel: operators, kernels, modules,
// memory, and the per-op difference between two traces. Times in µs.
import { endOf, moduleOf, nameOf, numAt, opNameOf, shapesOf, sourceLineOf, type TraceModel } from './events.js';
import { opAncestor, structure } from './structure.js';
import { stepBreakdown } from './steps.js';

export { stepBreakdown, type StepBreakdown } from './steps.js';
export { sourceOf, userFrame, parseFrame, type Frame, type SourceInfo } from './source.js';

export interface OpRow {
  readonly name: string;
  /** Input shapes (JSON text) when grouped by shapes. */
  readonly shapes?: string;
  readonly calls: number;
  /** Host time: inclusive, and without the ops nested in it on the same thread. */
  readonly total: number;
  readonly self: number;
  readonly mean: number;
  /** GPU time of the kernels it launched: itself (self) and with its nested ops (total). */
  readonly deviceSelf: number;
  readonly deviceTotal: number;
  /** Share of all ops' host self time, %. */
  readonly percent: number;
  readonly flops?: number;
  /** FLOPs over device time when it ran kernels, else over host time. */
  readonly gflops?: number;
  /** The longest call (to select, or to find its source). */
  readonly example: number;
}

export interface KernelRow {
  readonly name: string;
  readonly calls: number;
  readonly total: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Share of all kernel time, %. */
  readonly percent: number;
  /** The host op that launched the first call, when known. */
  readonly op?: string;
}

export interface ModuleRow {
  /** 'layers.0.attn' (ours) or torch's module names joined by '.' ('FashionCNN_0.Conv2d_0'). */
  readonly path: string;
  readonly calls: number;
  /** Host time of its forward calls (inclusive). */
  readonly host: number;
  /** Host time of the gradient rules run for it (ours; inclusive of submodules). */
  readonly backward: number;
  /** GPU time of the kernels run for it, forward and backward (inclusive of submodules). */
  readonly device: number;
  readonly source?: string;
  readonly example: number;
}

export interface MemorySeries {
  readonly name: string;
  readonly pid: number | string;
  readonly ts: Float64Array;
  readonly bytes: Float64Array;
  readonly peak: number;
}

export interface OpDiff {
  readonly name: string;
  readonly aCalls: number;
  readonly bCalls: number;
  /** Host self + device self time, µs (per step with perStep). */
  readonly a: number;
  readonly b: number;
  /** b - a. */
  readonly delta: number;
}

interface OpAcc { id: number; name: string; shapes?: string; calls: number; total: number; self: number; devSelf: number; devTotal: number; flops: number; hasFlops: boolean; example: number }

export function opTable(m: TraceModel, opts: { groupByShapes?: boolean } = {}): OpRow[] {
  const s = structure(m), e = m.events, n = e.count;
  const childSum = new Float64Array(n), devSelf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!s.isOp[i]) continue;
    const p = s.parent[i]! >= 0 ? opAncestor(s.parent, s.isOp, s.parent[i]!) : -1;
    if (p >= 0) childSum[p]! += Math.max(0, Math.min(endOf(m, i), endOf(m, p)) - e.ts[i]!);
  }
  for (let k = 0; k < n; k++) if (s.isKernel[k] && s.launcher[k]! >= 0) devSelf[s.launcher[k]!]! += e.dur[k]!;
  const rows = new Map<string, OpAcc>();
  const list: OpAcc[] = [];
  const rowOf = new Int32Array(n).fill(-1); // op event → its row in list
  for (let i = 0; i < n; i++) {
    if (!s.isOp[i]) continue;
    const shapes = opts.groupByShapes ? shapesOf(m, i) : undefined;
    const key = shapes === undefined ? String(e.name[i]) : `${e.name[i]} ${shapes}`;
    let r = rows.get(key);
    if (!r) {
      rows.set(key, (r = { id: list.length, name: nameOf(m, i), ...(shapes !== undefined ? { shapes } : {}), calls: 0, total: 0, self: 0, devSelf: 0, devTotal: 0, flops: 0, hasFlops: false, example: i }));
      list.push(r);
    }
    rowOf[i] = r.id;
    r.calls++;
    r.total += e.dur[i]!;
    r.self += Math.max(0, e.dur[i]! - childSum[i]!);
    r.devSelf += devSelf[i]!;
    const f = numAt(e.flops, i);
    if (!Number.isNaN(f)) { r.flops += f; r.hasFlops = true; }
    if (e.dur[i]! > e.dur[r.example]!) r.example = i;
  }
  // Device total: a kernel counts for its launcher and every op enclosing it (each row once).
  for (let i = 0; i < n; i++) {
    if (!(devSelf[i]! > 0)) continue;
    const seen = new Set<number>();
    for (let p = i; p >= 0; p = s.parent[p]! >= 0 ? opAncestor(s.parent, s.isOp, s.parent[p]!) : -1) {
      const r = rowOf[p]!;
      if (!seen.has(r)) { seen.add(r); list[r]!.devTotal += devSelf[i]!; }
    }
  }
  const allSelf = list.reduce((a, r) => a + r.self, 0);
  return list.map((r): OpRow => {
    const time = r.devTotal > 0 ? r.devTotal : r.total;
    return {
      name: r.name, ...(r.shapes !== undefined ? { shapes: r.shapes } : {}), calls: r.calls, total: r.total, self: r.self,
      mean: r.total / r.calls, deviceSelf: r.devSelf, deviceTotal: r.devTotal, percent: allSelf > 0 ? (100 * r.self) / allSelf : 0,
      ...(r.hasFlops ? { flops: r.flops, ...(time > 0 ? { gflops: r.flops / (time * 1e3) } : {}) } : {}), example: r.example,
    };
  }).sort((a, b) => b.self + b.deviceSelf - (a.self + a.deviceSelf) || a.name.localeCompare(b.name));
}

export function kernelTable(m: TraceModel): KernelRow[] {
  const s = structure(m), e = m.events;
  const rows = new Map<number, { calls: number; total: number; min: number; max: number; first: number }>();
  let all = 0;
  for (let i = 0; i < e.count; i++) {
    if (!s.isKernel[i]) continue;
    const d = e.dur[i]!;
    all += d;
    const r = rows.get(e.name[i]!);
    if (!r) rows.set(e.name[i]!, { calls: 1, total: d, min: d, max: d, first: i });
    else { r.calls++; r.total += d; r.min = Math.min(r.min, d); r.max = Math.max(r.max, d); }
  }
  return [...rows].map(([name, r]): KernelRow => {
    const l = s.launcher[r.first]!;
    const op = l >= 0 ? nameOf(m, l) : opNameOf(m, r.first);
    return { name: m.strings[name]!, calls: r.calls, total: r.total, mean: r.total / r.calls, min: r.min, max: r.max, percent: all > 0 ? (100 * r.total) / all : 0, ...(op !== undefined ? { op } : {}) };
  }).sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}

const TORCH_MODULE = /^nn\.Module: (.+)$/;

export function moduleTable(m: TraceModel): ModuleRow[] {
  const s = structure(m), e = m.events;
  const rows = new Map<string, { calls: number; host: number; backward: number; device: number; source?: string; example: number }>();
  const pathOf = new Map<number, string>(); // torch module span → its path
  const torchPath = (i: number): string | undefined => {
    if (pathOf.has(i)) return pathOf.get(i);
    const mm = TORCH_MODULE.exec(nameOf(m, i));
    if (!mm) return undefined;
    let p = s.parent[i]!;
    while (p >= 0 && !TORCH_MODULE.test(nameOf(m, p))) p = s.parent[p]!;
    const path = p >= 0 ? `${torchPath(p)!}.${mm[1]!}` : mm[1]!;
    pathOf.set(i, path);
    return path;
  };
  for (let i = 0; i < e.count; i++) {
    const cat = m.strings[e.cat[i]!];
    const path = cat === 'module' ? (moduleOf(m, i) ?? nameOf(m, i)) : torchPath(i);
    if (path === undefined || path === '') continue;
    const r = rows.get(path);
    if (!r) { const src = sourceLineOf(m, i); rows.set(path, { calls: 1, host: e.dur[i]!, backward: 0, device: 0, ...(src ? { source: src } : {}), example: i }); }
    else { r.calls++; r.host += e.dur[i]!; if (e.dur[i]! > e.dur[r.example]!) r.example = i; }
  }
  // A module's path and those of the modules enclosing it (only the ones that have rows).
  const up = (path: string, add: (r: { backward: number; device: number }) => void): void => {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf('.'))) {
      const r = rows.get(p);
      if (r) add(r);
      if (!p.includes('.')) return;
    }
  };
  for (let i = 0; i < e.count; i++) {
    if (s.isKernel[i]) {
      const l = s.launcher[i]!;
      const own = moduleOf(m, i) ?? (l >= 0 ? moduleOf(m, l) : undefined);
      if (own) { up(own, (r) => { r.device += e.dur[i]!; }); continue; }
      const seen = new Set<string>();
      for (let p = l >= 0 ? s.parent[l]! : -1; p >= 0; p = s.parent[p]!) {
        const tp = torchPath(p);
        if (tp !== undefined && !seen.has(tp)) { seen.add(tp); const r = rows.get(tp); if (r) r.device += e.dur[i]!; }
      }
    } else if (m.strings[e.cat[i]!] === 'backward') {
      const own = moduleOf(m, i);
      if (own) up(own, (r) => { r.backward += e.dur[i]!; });
    }
  }
  return [...rows].map(([path, r]): ModuleRow => ({ path, ...r })).sort((a, b) => b.host - a.host || a.path.localeCompare(b.path));
}

const MEMORY = /mem|alloc|reserved|bytes/i;

/** Allocated bytes over time: torch's '[memory]' totals, and counters that look like memory. */
export function memorySeries(m: TraceModel): MemorySeries[] {
  return m.counters
    .filter((c) => (c.name.startsWith('[memory]') ? c.key === 'Total Allocated' : MEMORY.test(c.name) || MEMORY.test(c.key)))
    .map((c) => ({ name: c.name.startsWith('[memory]') ? `${c.name} allocated` : `${c.name} ${c.key}`, pid: c.pid, ts: c.ts, bytes: c.values, peak: c.values.reduce((a, v) => Math.max(a, v), 0) }));
}

/** Per op name: time in a and in b (host self + device self) and b - a, largest change first. */
export function diffOps(a: TraceModel, b: TraceModel, opts: { perStep?: boolean } = {}): OpDiff[] {
  const per = (m: TraceModel): number => (opts.perStep ? Math.max(1, stepBreakdown(m).length) : 1);
  const ta = opTable(a), tb = opTable(b), na = per(a), nb = per(b);
  const names = new Map<string, { aCalls: number; bCalls: number; a: number; b: number }>();
  const get = (name: string) => { let r = names.get(name); if (!r) names.set(name, (r = { aCalls: 0, bCalls: 0, a: 0, b: 0 })); return r; };
  for (const r of ta) { const d = get(r.name); d.aCalls = r.calls; d.a = (r.self + r.deviceSelf) / na; }
  for (const r of tb) { const d = get(r.name); d.bCalls = r.calls; d.b = (r.self + r.deviceSelf) / nb; }
  return [...names].map(([name, d]) => ({ name, ...d, delta: d.b - d.a }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.name.localeCompare(y.name));
}
