// Where each training step's time goes: data loading / forward / backward / optimizer / other.
//
// Steps: our `step N` spans (cat 'step'), or torch's `ProfilerStep#N` annotations, on host lanes.
// Category ranges inside a step:
// - ours: the step's phase spans `data`, `forward`, `backward`, `optimizer` (a WebGPU `compiled
//   step` replays the whole step as one submission: it cannot be split, and counts as other);
// - torch: data = `enumerate(DataLoader)#...`; optimizer = `Optimizer.step#...` and
//   `Optimizer.zero_grad#...`; backward = from the first to the last autograd range
//   (`autograd::engine::evaluate_function: ...`, or a `## backward ##` annotation) on any host
//   thread of the process (CUDA runs backward on its own thread); forward = `## forward ##`
//   annotations when present, else from the first top-level op of the step after its data
//   loading up to where backward begins (without backward: to the end of the last top-level op
//   before the optimizer step).
// Each instant of the step goes to one category, by priority data > optimizer > backward >
// forward; other is the rest (Python between ops, the loss's .item(), profiler overhead). The sums
// are computed in integer nanoseconds from the step's start, so the five parts add up exactly to
// the step's duration (rounded to ns, the precision traces are written with).
import { catOf, endOf, nameOf, type TraceModel } from './events.js';
import { structure } from './structure.js';

export interface StepBreakdown {
  /** N of `step N` / `ProfilerStep#N`. */
  readonly step: number;
  readonly name: string;
  /** The step's span. */
  readonly index: number;
  readonly ts: number;
  readonly dur: number;
  readonly data: number;
  readonly forward: number;
  readonly backward: number;
  readonly optimizer: number;
  readonly other: number;
  readonly kind: 'ours' | 'torch';
}

const DATA = 0, OPT = 1, BWD = 2, FWD = 3; // priority order
const OUR_STEP = /^step (\d+)$/;
const TORCH_STEP = /^ProfilerStep#(\d+)$/;
const OUR_PHASE: Record<string, number> = { data: DATA, forward: FWD, backward: BWD, optimizer: OPT };
const T_DATA = /^enumerate\(DataLoader\)#/;
const T_OPT = /^Optimizer\.(step|zero_grad)#/;
const T_OPT_STEP = /^Optimizer\.step#/;
const T_BWD = /^(autograd::engine::evaluate_function: |##\s*backward\s*##$)/i;
const T_FWD = /^##\s*forward\s*##$/i;

type Range = [cat: number, from: number, to: number];

export function stepBreakdown(m: TraceModel): StepBreakdown[] {
  const s = structure(m);
  const e = m.events;
  const out: StepBreakdown[] = [];
  const stepName = m.strings.map((n) => OUR_STEP.exec(n) ?? TORCH_STEP.exec(n));
  for (let i = 0; i < e.count; i++) {
    const match = stepName[e.name[i]!];
    if (!match || m.lanes[e.lane[i]!]!.device) continue;
    const ours = match[0].startsWith('step ');
    if (ours && catOf(m, i) !== 'step') continue;
    const ranges = ours ? ourRanges(m, i) : torchRanges(m, s.parent, i);
    out.push({ step: Number(match[1]), name: match[0], index: i, ts: e.ts[i]!, dur: e.dur[i]!, ...split(e.ts[i]!, e.dur[i]!, ranges), kind: ours ? 'ours' : 'torch' });
  }
  return out;
}

/** Host spans of the step's process that start inside [t0, t1), in start order. */
function inside(m: TraceModel, step: number, sameLane: boolean): number[] {
  const e = m.events, s = structure(m);
  const t0 = e.ts[step]!, t1 = endOf(m, step);
  const pid = m.lanes[e.lane[step]!]!.pid;
  const out: number[] = [];
  m.lanes.forEach((lane, l) => {
    if (lane.device || lane.pid !== pid || (sameLane && l !== e.lane[step])) return;
    let lo = s.laneStart[l]!, hi = s.laneStart[l + 1]!;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (e.ts[s.laneEvents[mid]!]! < t0) lo = mid + 1; else hi = mid; }
    for (let k = lo; k < s.laneStart[l + 1]! && e.ts[s.laneEvents[k]!]! < t1; k++) if (s.laneEvents[k] !== step) out.push(s.laneEvents[k]!);
  });
  return out.sort((a, b) => a - b);
}

function ourRanges(m: TraceModel, step: number): Range[] {
  const out: Range[] = [];
  for (const i of inside(m, step, true)) {
    const c = OUR_PHASE[nameOf(m, i)];
    if (c !== undefined && catOf(m, i) === 'step') out.push([c, m.events.ts[i]!, endOf(m, i)]);
  }
  return out;
}

function torchRanges(m: TraceModel, parent: Int32Array, step: number): Range[] {
  const out: Range[] = [];
  const ts = m.events.ts;
  let b0 = Infinity, b1 = -Infinity;
  const top: number[] = [];
  let sawFwd = false;
  let optStep = Infinity;
  for (const i of inside(m, step, false)) {
    const n = nameOf(m, i);
    if (T_DATA.test(n)) out.push([DATA, ts[i]!, endOf(m, i)]);
    else if (T_OPT.test(n)) { out.push([OPT, ts[i]!, endOf(m, i)]); if (T_OPT_STEP.test(n)) optStep = Math.min(optStep, ts[i]!); }
    else if (T_BWD.test(n)) { b0 = Math.min(b0, ts[i]!); b1 = Math.max(b1, endOf(m, i)); }
    else if (T_FWD.test(n)) { out.push([FWD, ts[i]!, endOf(m, i)]); sawFwd = true; }
    else if (parent[i] === step) top.push(i);
  }
  if (b1 > b0) out.push([BWD, b0, b1]);
  if (sawFwd) return out;
  const limit = b1 > b0 ? b0 : optStep;
  const dataEnd = Math.max(-Infinity, ...out.filter((r) => r[0] === DATA && r[1] < limit).map((r) => r[2]));
  const fwd = top.filter((i) => ts[i]! >= dataEnd && ts[i]! < limit);
  if (fwd.length) out.push([FWD, ts[fwd[0]!]!, b1 > b0 ? b0 : Math.max(...fwd.map((i) => endOf(m, i)))]);
  return out;
}

/** The step's time split by priority, in integer ns from its start (exact sums). */
function split(t0: number, dur: number, ranges: readonly Range[]): Record<'data' | 'forward' | 'backward' | 'optimizer' | 'other', number> {
  const D = Math.round(dur * 1000);
  const q = (t: number): number => Math.min(D, Math.max(0, Math.round((t - t0) * 1000)));
  const rs = ranges.map(([c, a, b]) => [c, q(a), q(b)] as const).filter(([, a, b]) => b > a);
  const cuts = [...new Set([0, D, ...rs.flatMap(([, a, b]) => [a, b])])].sort((x, y) => x - y);
  const ns = [0, 0, 0, 0];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!, b = cuts[k + 1]!;
    let best = -1;
    for (const [c, ra, rb] of rs) if (ra <= a && rb >= b && (best < 0 || c < best)) best = c;
    if (best >= 0) ns[best]! += b - a;
  }
  const other = D - ns[0]! - ns[1]! - ns[2]! - ns[3]!;
  return { data: ns[DATA]! / 1000, optimizer: ns[OPT]! / 1000, backward: ns[BWD]! / 1000, forward: ns[FWD]! / 1000, other: other / 1000 };
}
