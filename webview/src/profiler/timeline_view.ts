// The timeline's geometry, pure (tested in Node): the time camera (the visible window, zoom and
// pan with their bounds), where each row sits vertically, the culling and level-of-detail walk
// over one row's events, the ruler's ticks, how times read, and span colours.
import type { TimelineLane } from '../profiler_protocol.js';

/** Height of one row (one nesting depth of a lane), CSS px. */
export const ROW_H = 18;
/** Space above and below a lane's rows. */
export const LANE_PAD = 4;
/** A lane is at least this tall, so its label fits. */
export const LANE_MIN_H = 26;
/** The band naming a process, above its first lane. */
export const PROCESS_H = 22;
/** The time ruler on top. */
export const RULER_H = 26;
/** The finest zoom: 1 ns per pixel (times are µs). */
export const MIN_US_PER_PX = 1e-3;

// ---- the camera ----

/**
 * The visible time window [t0, t1] (µs from the trace's start) over a track `width` px wide.
 * The window, not a scale, is the state: a resize keeps what is shown, and a window set while the
 * timeline is hidden (width 0) is still right once it is shown.
 */
export class TimeCamera {
  t0 = 0;
  t1 = 1;
  /** The trace's length (µs), at least 1 ns. */
  span = 1;
  /** Track width, CSS px. */
  width = 0;

  setSpan(span: number): void {
    this.span = Math.max(span, MIN_US_PER_PX);
    this.fit();
  }

  /** µs per pixel. */
  get upp(): number { return (this.t1 - this.t0) / Math.max(1, this.width); }

  /** Track x (0 at the track's left edge) of time `t`. */
  x(t: number): number { return ((t - this.t0) / (this.t1 - this.t0)) * Math.max(1, this.width); }

  /** Time at track x. */
  time(x: number): number { return this.t0 + (x / Math.max(1, this.width)) * (this.t1 - this.t0); }

  /** The whole trace with a little margin each side. */
  fit(): void {
    const m = this.span * 0.02;
    this.t0 = -m;
    this.t1 = this.span + m;
  }

  /** The widest window: the span and a margin; zooming out stops there. */
  maxWindow(): number { return this.span * 1.25; }

  /** The narrowest window: 1 ns per pixel. */
  minWindow(): number { return MIN_US_PER_PX * Math.max(1, this.width); }

  /** Shows [a, b] (clamped to the zoom bounds, centred on it when it is narrower than they allow). */
  setWindow(a: number, b: number): void {
    const c = (a + b) / 2;
    const w = Math.min(this.maxWindow(), Math.max(this.minWindow(), b - a));
    this.t0 = c - w / 2;
    this.t1 = c + w / 2;
    this.clampPan();
  }

  /** Scales the window by `factor` (< 1 zooms in) keeping the time under track x `at` in place. */
  zoomAt(factor: number, at = this.width / 2): void {
    const w = this.t1 - this.t0;
    const nw = Math.min(this.maxWindow(), Math.max(this.minWindow(), w * factor));
    const f = Math.min(1, Math.max(0, at / Math.max(1, this.width)));
    const t = this.t0 + f * w;
    this.t0 = t - f * nw;
    this.t1 = this.t0 + nw;
    this.clampPan();
  }

  /** Moves the window by `dx` pixels (positive: later times come into view). */
  panBy(dx: number): void {
    const d = dx * this.upp;
    this.t0 += d;
    this.t1 += d;
    this.clampPan();
  }

  /** The window may leave the trace only by a margin (at most half the view): a pan cannot lose the trace off screen. */
  clampPan(): void {
    const w = this.t1 - this.t0;
    const pad = Math.min(this.span * 0.02 + w * 0.1, w * 0.5);
    const lo = -pad, hi = this.span + pad - w;
    const t0 = hi < lo ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, this.t0));
    this.t0 = t0;
    this.t1 = t0 + w;
  }
}

// ---- rows ----

export interface LaneBox {
  /** Index into the timeline's lanes. */
  readonly lane: number;
  /** Top of the lane (content px: 0 is the top of the first process band) and its height. */
  readonly top: number;
  readonly height: number;
}

export interface ProcessBox {
  readonly name: string;
  readonly top: number;
  /** Its lanes: lanes[first] .. lanes[first + count - 1]. */
  readonly first: number;
  readonly count: number;
}

export interface RowLayout {
  /** Top of each row, content px. */
  readonly rowY: Float64Array;
  readonly lanes: readonly LaneBox[];
  readonly processes: readonly ProcessBox[];
  /** Content height. */
  readonly height: number;
}

/** Lanes stacked in order, a process band above each process's first lane. O(lanes + rows). */
export function layoutRows(lanes: readonly TimelineLane[], rows: number): RowLayout {
  const rowY = new Float64Array(rows).fill(-1);
  const boxes: LaneBox[] = [];
  const processes: ProcessBox[] = [];
  let y = 0;
  lanes.forEach((l, k) => {
    if (k === 0 || lanes[k - 1]!.process !== l.process) {
      processes.push({ name: l.process, top: y, first: k, count: 0 });
      y += PROCESS_H;
    }
    (processes[processes.length - 1] as { count: number }).count++;
    const h = Math.max(LANE_MIN_H, l.rows * ROW_H + 2 * LANE_PAD);
    for (let d = 0; d < l.rows && l.firstRow + d < rows; d++) rowY[l.firstRow + d] = y + LANE_PAD + d * ROW_H;
    boxes.push({ lane: k, top: y, height: h });
    y += h;
  });
  // Rows no lane names (none should be): stacked after the rest, so nothing is lost.
  for (let r = 0; r < rows; r++) if (rowY[r]! < 0) { rowY[r] = y; y += ROW_H; }
  return { rowY, lanes: boxes, processes, height: y };
}

/** The row at content y, or -1. */
export function rowAt(layout: RowLayout, lanes: readonly TimelineLane[], y: number): number {
  const boxes = layout.lanes;
  let lo = 0, hi = boxes.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (boxes[m]!.top <= y) lo = m + 1; else hi = m; }
  const b = boxes[lo - 1];
  if (!b || y >= b.top + b.height) return -1;
  const l = lanes[b.lane]!;
  const d = Math.floor((y - b.top - LANE_PAD) / ROW_H);
  return d >= 0 && d < l.rows ? l.firstRow + d : -1;
}

/** The index of the first lane box that reaches below content y. */
export function firstLaneBelow(layout: RowLayout, y: number): number {
  const boxes = layout.lanes;
  let lo = 0, hi = boxes.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (boxes[m]!.top + boxes[m]!.height <= y) lo = m + 1; else hi = m; }
  return lo;
}

// ---- searching a row ----

/** First k in [lo, hi) with a[k] >= v (hi when none). */
export function lowerBound(a: ArrayLike<number>, lo: number, hi: number, v: number): number {
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m]! < v) lo = m + 1; else hi = m; }
  return lo;
}

/** First k in [lo, hi) with a[k] > v (hi when none). */
export function upperBound(a: ArrayLike<number>, lo: number, hi: number, v: number): number {
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m]! <= v) lo = m + 1; else hi = m; }
  return lo;
}

/**
 * The first event of a row [lo, hi) that ends after t: the first one starting at t or later, or
 * the one before it when it straddles t (events of a row do not overlap, so only that one can).
 */
export function firstEndingAfter(ts: ArrayLike<number>, dur: ArrayLike<number>, lo: number, hi: number, t: number): number {
  const i = lowerBound(ts, lo, hi, t);
  return i > lo && ts[i - 1]! + dur[i - 1]! > t ? i - 1 : i;
}

/** The row holding event position `pos` (rowStart is the row offsets, length rows + 1). */
export function rowOf(rowStart: ArrayLike<number>, pos: number): number {
  return upperBound(rowStart, 0, rowStart.length, pos) - 1;
}

/** The event of a row [lo, hi) under time t, else the nearest one within `slack` µs; -1 if none. */
export function eventNear(ts: ArrayLike<number>, dur: ArrayLike<number>, lo: number, hi: number, t: number, slack: number): number {
  const i = upperBound(ts, lo, hi, t) - 1;
  if (i >= lo && t <= ts[i]! + dur[i]!) return i;
  let best = -1, bestD = slack;
  if (i >= lo) { const d = t - (ts[i]! + dur[i]!); if (d <= bestD) { best = i; bestD = d; } }
  if (i + 1 < hi) { const d = ts[i + 1]! - t; if (d < bestD) best = i + 1; }
  return best;
}

// ---- level of detail ----

export interface RowSink {
  /** Event i, from track x0 to x1 (x1 - x0 may be under a pixel when it is alone in its pixel column). */
  span(i: number, x0: number, x1: number): void;
  /** Event i with no duration, alone in its pixel column. */
  instant(i: number, x: number): void;
  /**
   * Events first .. first + count - 1 (two or more) that share pixel columns, as one sliver from x0
   * to x1: consecutive crowded columns come as one sliver.
   */
  merged(x0: number, x1: number, first: number, count: number): void;
}

/**
 * Walks the events of one row [lo, hi) that are in the camera's window, in order, with level of
 * detail: an event at least `minPx` wide is a span; narrower ones that start in the same pixel
 * column are one merged sliver (the next column's first event found by binary search: starts and
 * ends are both sorted). At most ~3 steps per pixel column whatever the row holds, each a binary
 * search: O(width · log n) per row.
 */
export function walkRow(ts: ArrayLike<number>, dur: ArrayLike<number>, lo: number, hi: number, cam: TimeCamera, sink: RowSink, minPx = 1): void {
  const t0 = cam.t0, t1 = cam.t1, w = Math.max(1, cam.width), k = w / (t1 - t0), upp = 1 / k;
  let i = firstEndingAfter(ts, dur, lo, hi, t0);
  let runX0 = 0, runX1 = -Infinity, runFirst = -1, runCount = 0;
  const flush = (): void => {
    if (runCount > 0) sink.merged(runX0, runX1, runFirst, runCount);
    runCount = 0; runX1 = -Infinity;
  };
  while (i < hi) {
    const s = ts[i]!;
    if (s > t1) break;
    const d = dur[i]!;
    const x0 = (s - t0) * k, x1 = (s + d - t0) * k;
    if (x1 - x0 >= minPx) { flush(); sink.span(i, x0, x1); i++; continue; }
    const col = Math.floor(x0);
    let j = lowerBound(ts, i + 1, hi, t0 + (col + 1) * upp);
    // Of the events starting in this column only the last can be wide: it is drawn as a span.
    if (j - 1 > i && dur[j - 1]! * k >= minPx) j--;
    if (j - i === 1) {
      flush();
      if (d === 0) sink.instant(i, x0); else sink.span(i, x0, x1);
    } else {
      const end = Math.max(col + 1, (ts[j - 1]! + dur[j - 1]! - t0) * k);
      if (runCount > 0 && col <= runX1 + 0.5) { runX1 = Math.max(runX1, end); runCount += j - i; }
      else { flush(); runX0 = x0; runX1 = end; runFirst = i; runCount = j - i; }
    }
    i = j;
  }
  flush();
}

// ---- the ruler ----

/** A tick step (µs) from 1, 2, 5 × 10^k with ticks at least `minPx` apart. */
export function tickStep(windowUs: number, widthPx: number, minPx = 90): number {
  const raw = (windowUs / Math.max(1, widthPx)) * minPx;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/** Multiples of `step` in [t0, t1]. */
export function ticksIn(t0: number, t1: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(t0 / step); k * step <= t1 && out.length < 1000; k++) out.push(k * step + 0);
  return out;
}

export interface Unit { readonly name: string; readonly us: number }
const UNITS: readonly Unit[] = [{ name: 'ns', us: 1e-3 }, { name: 'µs', us: 1 }, { name: 'ms', us: 1e3 }, { name: 's', us: 1e6 }];

/** The unit a step reads in: the largest one the step is at least one of. */
function unitFor(us: number): Unit {
  let u = UNITS[0]!;
  for (const c of UNITS) if (Math.abs(us) >= c.us * (1 - 1e-9)) u = c;
  return u;
}

/** Decimals that show multiples of `step` exactly in `unit`. */
function decimalsFor(step: number, unit: Unit): number {
  const v = step / unit.us;
  for (let d = 0; d < 9; d++) {
    const x = v * 10 ** d;
    if (Math.round(x) >= 1 && Math.abs(Math.round(x) - x) < 1e-6 * x) return d;
  }
  return 9;
}

/** A tick's label: `t` in `unit` with the decimals the step needs ('1.5 ms', '250 µs'). */
export function formatTick(t: number, step: number, unit: Unit = unitFor(step)): string {
  const d = decimalsFor(step, unit);
  const v = t / unit.us;
  return `${Math.abs(v) < 0.5 * 10 ** -d ? '0' : v.toFixed(d)} ${unit.name}`;
}

export interface TickFormat {
  /** Ticks read as offsets from this time (0: they read as themselves). */
  readonly base: number;
  /** The base, for the ruler's corner ('' when 0). */
  readonly baseLabel: string;
  label(t: number): string;
}

/**
 * How the ruler labels ticks of `step` in [t0, t1]: in the unit of the times shown, with the
 * decimals the step needs ('500.05 ms'); when that would take more than 7 digits (deep zoom far
 * into a trace: '30.000000001 s') they read from a base shown once ('30.0000 s +'), the ticks
 * as offsets from it ('+20 ns').
 */
export function tickFormat(t0: number, t1: number, step: number): TickFormat {
  const far = Math.max(Math.abs(t0), Math.abs(t1), step);
  const unit = unitFor(far);
  const digits = Math.floor(Math.log10(far / unit.us)) + 1 + decimalsFor(step, unit);
  if (digits <= 7) return { base: 0, baseLabel: '', label: (t) => formatTick(t, step, unit) };
  const base = Math.floor(t0 / (step * 10)) * step * 10;
  const u = unitFor(step);
  const [num, name] = formatTick(base, step * 10, unitFor(base)).split(' ');
  const trimmed = num!.includes('.') ? num!.replace(/\.?0+$/, '') : num!;
  return { base, baseLabel: `${trimmed} ${name} +`, label: (t) => `+${formatTick(t - base, step, u)}` };
}

/** A duration with 3 significant digits in the unit that suits it ('1.23 ms', '850 ns', '2.50 s'). */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '—';
  if (us === 0) return '0';
  const a = Math.abs(us);
  const u = a < 1 ? UNITS[0]! : a < 1e3 ? UNITS[1]! : a < 1e6 ? UNITS[2]! : UNITS[3]!;
  const v = us / u.us;
  const av = Math.abs(v);
  const s = av >= 100 ? v.toFixed(0) : av >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${s} ${u.name}`;
}

/** A point in time with the precision the current zoom can show ('12.3456 ms'). */
export function formatTimeAt(t: number, uppUs: number): string {
  const u = unitFor(Math.max(Math.abs(t), uppUs));
  const d = Math.min(9, Math.max(0, Math.ceil(-Math.log10(Math.max(uppUs, 1e-9) / u.us))));
  return `${(t / u.us).toFixed(d)} ${u.name}`;
}

// ---- colours ----

/** FNV-1a of the name with its digits left out: 'step 6' and 'step 7', 'ProfilerStep#1' and '#2' share a colour. */
export function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** '#rgb', '#rrggbb', '#rrggbbaa', 'rgb(…)' / 'rgba(…)' → [r, g, b] (0-255); null when unknown. */
export function parseColor(c: string): [number, number, number] | null {
  const s = c.trim();
  let m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m) { const v = parseInt(m[1]!, 16); return [(v >> 16) & 255, (v >> 8) & 255, v & 255]; }
  m = /^#([0-9a-f])([0-9a-f])([0-9a-f])([0-9a-f])?$/i.exec(s);
  if (m) return [parseInt(m[1]! + m[1]!, 16), parseInt(m[2]! + m[2]!, 16), parseInt(m[3]! + m[3]!, 16)];
  m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return null;
}

export const toHex = (c: readonly [number, number, number]): string =>
  `#${c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;

/** a mixed with b: `f` of b. */
export function mix(a: string, b: string, f: number): string {
  const x = parseColor(a), y = parseColor(b);
  if (!x || !y) return a;
  return toHex([x[0] + (y[0] - x[0]) * f, x[1] + (y[1] - x[1]) * f, x[2] + (y[2] - x[2]) * f]);
}

/** WCAG relative luminance (0 black … 1 white). */
export function luminance(c: string): number {
  const x = parseColor(c);
  if (!x) return 0.5;
  const lin = (v: number): number => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(x[0]) + 0.7152 * lin(x[1]) + 0.0722 * lin(x[2]);
}

/** The WCAG contrast ratio of two colours (1 … 21). */
export function contrast(a: string, b: string): number {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Of `dark` and `light`, the text colour that reads better on `fill`. */
export function textOn(fill: string, dark: string, light: string): string {
  return contrast(fill, dark) >= contrast(fill, light) ? dark : light;
}
