// What the summaries derive from the flat model: which span encloses which (per thread), which
// spans are ops, and which host op launched each GPU kernel. Computed once per model (WeakMap).
import { numAt, type TraceModel } from './events.js';

export interface Structure {
  /** Innermost enclosing span on the same lane, -1 at top level. */
  readonly parent: Int32Array;
  /** Event indices grouped by lane, each group in start order: laneEvents[laneStart[l] .. laneStart[l+1]). */
  readonly laneEvents: Uint32Array;
  readonly laneStart: Uint32Array;
  /** 1 where the span is an operator (cpu_op; torch's legacy un-categorised functions). */
  readonly isOp: Uint8Array;
  /** 1 where the span is GPU work (kernel, memcpy, memset) on a device lane. */
  readonly isKernel: Uint8Array;
  /** For kernels: the op span that launched it, -1 unknown (our traces name the op only: `op`). */
  readonly launcher: Int32Array;
}

const OP_CAT = /^(cpu_op|operator)$/i;
const KERNEL_CAT = /^(kernel|gpu_memcpy|gpu_memset|memcpy|memset)$/i;
/** torch's record_function annotations that its legacy export writes without a category. */
const ANNOTATION = /^(ProfilerStep#|Optimizer\.|enumerate\(DataLoader\)#|## .* ##$|nn\.Module: )/;

const cache = new WeakMap<TraceModel, Structure>();

export function structure(m: TraceModel): Structure {
  let s = cache.get(m);
  if (!s) cache.set(m, (s = build(m)));
  return s;
}

function build(m: TraceModel): Structure {
  const e = m.events, n = e.count, L = m.lanes.length;
  // Group by lane (a counting sort keeps start order inside each lane).
  const laneStart = new Uint32Array(L + 1);
  for (let i = 0; i < n; i++) laneStart[e.lane[i]! + 1]!++;
  for (let l = 0; l < L; l++) laneStart[l + 1]! += laneStart[l]!;
  const fill = laneStart.slice(0, L);
  const laneEvents = new Uint32Array(n);
  for (let i = 0; i < n; i++) laneEvents[fill[e.lane[i]!]!++] = i;
  // Nesting: a span is inside the one open on its lane when it starts before that one ends. A child
  // that ends after its parent stays its child (torch's legacy export rounds to whole µs).
  const parent = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  for (let l = 0; l < L; l++) {
    stack.length = 0;
    for (let k = laneStart[l]!; k < laneStart[l + 1]!; k++) {
      const i = laneEvents[k]!;
      const t = e.ts[i]!;
      while (stack.length && t >= e.ts[stack[stack.length - 1]!]! + e.dur[stack[stack.length - 1]!]!) stack.pop();
      if (stack.length) parent[i] = stack[stack.length - 1]!;
      if (e.dur[i]! > 0) stack.push(i);
    }
  }
  // Ops and kernels, decided once per (name, category) string pair.
  const opCat = m.strings.map((c) => OP_CAT.test(c));
  const kernelCat = m.strings.map((c) => KERNEL_CAT.test(c));
  const annotation = m.strings.map((s) => ANNOTATION.test(s));
  const isOp = new Uint8Array(n), isKernel = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const cat = e.cat[i]!;
    const device = m.lanes[e.lane[i]!]!.device;
    if (device) { if (kernelCat[cat]) isKernel[i] = 1; continue; }
    if (opCat[cat] || (m.strings[cat] === '' && !annotation[e.name[i]!])) isOp[i] = 1;
  }
  return { parent, laneEvents, laneStart, isOp, isKernel, launcher: launchers(m, parent, laneEvents, laneStart, isOp, isKernel) };
}

/** The op itself or its nearest op ancestor. */
export function opAncestor(parent: Int32Array, isOp: Uint8Array, i: number): number {
  while (i >= 0 && !isOp[i]) i = parent[i]!;
  return i;
}

/** The innermost span of lane `l` that contains time `t` (or, `next`, the first to start at/after t). */
export function spanAt(m: TraceModel, s: Pick<Structure, 'parent' | 'laneEvents' | 'laneStart'>, l: number, t: number, next = false): number {
  const ts = m.events.ts, dur = m.events.dur;
  let lo = s.laneStart[l]!, hi = s.laneStart[l + 1]!;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (ts[s.laneEvents[mid]!]! <= t) lo = mid + 1; else hi = mid; }
  if (next) {
    // The first span starting at or after t (a flow's end binds to the next slice).
    let k = lo;
    while (k > s.laneStart[l]! && ts[s.laneEvents[k - 1]!] === t) k--;
    return k < s.laneStart[l + 1]! ? s.laneEvents[k]! : -1;
  }
  let i = lo > s.laneStart[l]! ? s.laneEvents[lo - 1]! : -1;
  while (i >= 0 && !(t < ts[i]! + dur[i]! || (dur[i] === 0 && t === ts[i]))) i = s.parent[i]!;
  return i;
}

/**
 * Kernel → launching op, by the strongest link the trace has: the runtime call with the same
 * correlation id (kineto), a flow arrow from the launch to the kernel, then the op with the same
 * External id. Our kernels name their op, module path and source line (args op/module/source):
 * the launcher is the latest host op with those three that started before the kernel (kernels
 * run in launch order, and a phase waits for its GPU work, so that is the launching call unless
 * one line calls the same op twice in one phase).
 */
function launchers(m: TraceModel, parent: Int32Array, laneEvents: Uint32Array, laneStart: Uint32Array, isOp: Uint8Array, isKernel: Uint8Array): Int32Array {
  const e = m.events, n = e.count;
  const out = new Int32Array(n).fill(-1);
  let any = false;
  for (let i = 0; i < n && !any; i++) any = isKernel[i] === 1;
  if (!any) return out;
  const byCorr = new Map<number, number>(), byExt = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (isKernel[i] || m.lanes[e.lane[i]!]!.device) continue;
    const c = numAt(e.corr, i);
    if (!Number.isNaN(c)) byCorr.set(c, i);
    const x = numAt(e.extId, i);
    if (!Number.isNaN(x) && isOp[i] && !byExt.has(x)) byExt.set(x, i);
  }
  const s = { parent, laneEvents, laneStart };
  for (const f of m.flows) {
    if (!m.lanes[f.to.lane]?.device || m.lanes[f.from.lane]?.device) continue;
    const k = spanAt(m, s, f.to.lane, f.to.ts, !f.enclosing);
    const h = spanAt(m, s, f.from.lane, f.from.ts);
    if (k >= 0 && isKernel[k] && h >= 0) out[k] = opAncestor(parent, isOp, h);
  }
  const ours = oursByKey(m, isOp);
  for (let i = 0; i < n; i++) {
    if (!isKernel[i]) continue;
    if (ours && e.op![i]! >= 0) { out[i] = ours(i); continue; }
    const rt = byCorr.get(numAt(e.corr, i));
    if (rt !== undefined) { const op = opAncestor(parent, isOp, rt); if (op >= 0) { out[i] = op; continue; } }
    if (out[i]! >= 0) continue;
    const op = byExt.get(numAt(e.extId, i));
    if (op !== undefined) out[i] = op;
  }
  return out;
}

/** Ours: kernel → the latest host op with its (op, module, source) that started at or before it. */
function oursByKey(m: TraceModel, isOp: Uint8Array): ((k: number) => number) | undefined {
  const e = m.events, op = e.op;
  if (!op) return undefined;
  const key = (name: number, i: number): string => `${name} ${e.module?.[i] ?? -1} ${e.source?.[i] ?? -1}`;
  const ops = new Map<string, number[]>();
  for (let i = 0; i < e.count; i++) {
    if (!isOp[i]) continue;
    const k = key(e.name[i]!, i);
    let list = ops.get(k);
    if (!list) ops.set(k, (list = []));
    list.push(i); // start order
  }
  return (k) => {
    const list = ops.get(key(op[k]!, k));
    if (!list) return -1;
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (e.ts[list[mid]!]! <= e.ts[k]!) lo = mid + 1; else hi = mid; }
    return list[Math.max(0, lo - 1)]!;
  };
}
