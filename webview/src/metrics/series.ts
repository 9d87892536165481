// The metrics panel's data, with no DOM (the worker runs it; so do Node tests): every point of a
// series kept in growable typed columns, smoothing, and bucketing onto pixel columns for drawing.
// A series is assumed non-decreasing in x (step and time are monotone per run, epoch too). A point
// that arrives out of order is still kept, but the binary searches may then miss points near it.

export type XAxis = 'step' | 'epoch' | 'time';
export type Smoothing = { readonly kind: 'ema'; readonly weight: number } | { readonly kind: 'mean'; readonly window: number } | { readonly kind: 'none' };

const INITIAL_CAPACITY = 256;

function grown(a: Float64Array, length: number, need: number): Float64Array {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a.subarray(0, length));
  return b;
}

/** One metric of one run: growable columns (Float64Array with capacity doubling), appended in arrival order. */
export class SeriesColumns {
  readonly name: string;
  private n = 0;
  private step: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private epoch: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private time: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private value: Float64Array = new Float64Array(INITIAL_CAPACITY);
  // Kept as points arrive, so stats() and xExtent() cost nothing on a million points.
  private min = Infinity;
  private max = -Infinity;
  private lastFinite = NaN;
  private readonly xLo = { step: Infinity, epoch: Infinity, time: Infinity };
  private readonly xHi = { step: -Infinity, epoch: -Infinity, time: -Infinity };

  constructor(name: string) { this.name = name; }

  get length(): number { return this.n; }

  append(step: number, epoch: number, value: number, time: number): void {
    this.reserve(this.n + 1);
    const i = this.n++;
    this.step[i] = step; this.epoch[i] = epoch; this.value[i] = value; this.time[i] = time;
    this.note(i, i + 1);
  }

  /** Appends the first min(lengths) entries of the four columns. */
  appendMany(step: ArrayLike<number>, epoch: ArrayLike<number>, value: ArrayLike<number>, time: ArrayLike<number>): void {
    const m = Math.min(step.length, epoch.length, value.length, time.length), from = this.n;
    this.reserve(from + m);
    const head = (a: ArrayLike<number>): ArrayLike<number> => (a.length === m ? a : Array.prototype.slice.call(a, 0, m));
    this.step.set(head(step), from); this.epoch.set(head(epoch), from); this.value.set(head(value), from); this.time.set(head(time), from);
    this.n += m;
    this.note(from, this.n);
  }

  /** Views (subarrays) of the filled part; valid until the next append. */
  x(axis: XAxis): Float64Array {
    return (axis === 'step' ? this.step : axis === 'epoch' ? this.epoch : this.time).subarray(0, this.n);
  }
  values(): Float64Array { return this.value.subarray(0, this.n); }

  /** min/max/last of the raw values (NaN/Infinity skipped for min/max; last = last finite value or NaN); count = points. */
  stats(): { min: number; max: number; last: number; count: number } {
    const any = this.min <= this.max;
    return { min: any ? this.min : NaN, max: any ? this.max : NaN, last: this.lastFinite, count: this.n };
  }

  /** [min, max] of the finite x on `axis`, or null when there is none (extent() without the scan). */
  xExtent(axis: XAxis): [number, number] | null {
    return this.xLo[axis] <= this.xHi[axis] ? [this.xLo[axis], this.xHi[axis]] : null;
  }

  private reserve(need: number): void {
    this.step = grown(this.step, this.n, need);
    this.epoch = grown(this.epoch, this.n, need);
    this.time = grown(this.time, this.n, need);
    this.value = grown(this.value, this.n, need);
  }

  /** Folds points [from, to) into the running stats and x extents. */
  private note(from: number, to: number): void {
    const v = this.value;
    let min = this.min, max = this.max, last = this.lastFinite;
    for (let i = from; i < to; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
      last = x;
    }
    this.min = min; this.max = max; this.lastFinite = last;
    for (const axis of ['step', 'epoch', 'time'] as const) {
      const e = extent(this.x(axis).subarray(from, to));
      if (e && e[0] < this.xLo[axis]) this.xLo[axis] = e[0];
      if (e && e[1] > this.xHi[axis]) this.xHi[axis] = e[1];
    }
  }
}

/**
 * Smoothing that resumes where it stopped: extend() smooths only the points appended since the
 * last call, so a live series at 10 Hz costs its new points, not its million old ones.
 * EMA is TensorBoard's (vz_line_chart2): last = last*w + (1-w)*v; numAccum++; v' = last / (1 - w^numAccum);
 * non-finite values pass through and leave the accumulator alone; a series whose values are all
 * equal passes through unchanged. The weight is clamped to [0, 0.999] (w = 1 would freeze the
 * average at its zero start). 'mean': the mean of the last `window` finite values (window ≥ 1),
 * non-finite values passed through.
 */
export class Smoother {
  private out: Float64Array = new Float64Array(0);
  private n = 0;
  // EMA state.
  private readonly weight: number;
  private constant = true;
  private first = NaN;
  private last = 0;
  private numAccum = 0;
  private debias = 0;
  // Mean state: a ring of the last `window` finite values, summed with Neumaier's compensation
  // and re-summed once per window (so a 1e17 spike leaving the window leaves no residue behind).
  private readonly window: number;
  private ring: Float64Array = new Float64Array(0);
  private filled = 0;
  private head = 0;
  private sum = 0;
  private comp = 0;
  private sinceResum = 0;

  constructor(readonly smoothing: Smoothing) {
    this.weight = smoothing.kind === 'ema' ? Math.min(0.999, Math.max(0, smoothing.weight || 0)) : 0;
    this.window = smoothing.kind === 'mean' ? Math.max(1, Math.floor(smoothing.window) || 1) : 1;
  }

  /** The smoothed values of `values`, whose first points must be those of earlier calls. 'none': `values` itself. */
  extend(values: Float64Array): Float64Array {
    if (this.smoothing.kind === 'none') return values;
    const n = values.length;
    if (n > this.n) {
      this.out = grown(this.out, this.n, n);
      if (this.smoothing.kind === 'ema') this.extendEma(values, this.n, n);
      else this.extendMean(values, this.n, n);
      this.n = n;
    }
    return this.out.subarray(0, n);
  }

  private extendEma(v: Float64Array, from: number, n: number): void {
    const out = this.out;
    if (this.constant) {
      if (from === 0) this.first = v[0]!;
      let i = from;
      while (i < n && v[i] === this.first) i++; // NaN !== NaN: a NaN ends constancy, as in TensorBoard
      if (i === n) { out.set(v.subarray(from, n), from); return; }
      // No longer constant: TensorBoard would have smoothed every point, so start again from 0.
      this.constant = false;
      from = 0;
    }
    const w = this.weight;
    let last = this.last, k = this.numAccum, debias = this.debias;
    for (let i = from; i < n; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x)) { out[i] = x; continue; }
      last = last * w + (1 - w) * x;
      k++;
      // Once 1 - w^k rounds to 1 it stays 1 (w^k only shrinks), so Math.pow can stop: same numbers, less work.
      if (debias !== 1) debias = 1 - Math.pow(w, k);
      out[i] = last / debias;
    }
    this.last = last; this.numAccum = k; this.debias = debias;
  }

  private extendMean(v: Float64Array, from: number, n: number): void {
    const out = this.out, window = this.window;
    let ring = this.ring, filled = this.filled, head = this.head, sum = this.sum, comp = this.comp, since = this.sinceResum;
    for (let i = from; i < n; i++) {
      const x = v[i]!;
      if (!Number.isFinite(x)) { out[i] = x; continue; }
      // Neumaier's compensated sum += x (and below, -= the value leaving the window).
      let t = sum + x;
      comp += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
      sum = t;
      if (filled < window) {
        // Filling: the ring grows (by doubling, up to `window`) and nothing wraps yet.
        if (filled === ring.length) {
          const bigger = new Float64Array(Math.min(window, Math.max(16, filled * 2)));
          bigger.set(ring);
          ring = bigger;
        }
        ring[filled++] = x;
      } else {
        const old = -ring[head]!;
        t = sum + old;
        comp += Math.abs(sum) >= Math.abs(old) ? (sum - t) + old : (old - t) + sum;
        sum = t;
        ring[head] = x;
        if (++head === window) head = 0;
        if (++since === window) {
          since = 0; sum = 0; comp = 0;
          for (let j = 0; j < filled; j++) {
            const y = ring[j]!;
            t = sum + y;
            comp += Math.abs(sum) >= Math.abs(y) ? (sum - t) + y : (y - t) + sum;
            sum = t;
          }
        }
      }
      out[i] = (sum + comp) / filled;
    }
    this.ring = ring; this.filled = filled; this.head = head; this.sum = sum; this.comp = comp; this.sinceResum = since;
  }
}

/** Smoothed copy of `values` (same length); 'none' returns the input. See Smoother for the rules. */
export function smooth(values: Float64Array, s: Smoothing): Float64Array {
  return new Smoother(s).extend(values);
}

/** First index in [lo, hi) with xs[i] >= x, else hi (xs non-decreasing). */
export function lowerBound(xs: Float64Array, x: number, lo = 0, hi = xs.length): number {
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** First index with xs[i] > x (xs non-decreasing). */
export function upperBound(xs: Float64Array, x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid]! <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

/** A point just outside a bucketed range: where a line continues to the edge of the chart. */
export interface EdgePoint {
  readonly index: number;
  readonly x: number;
  readonly raw: number;
  readonly line: number;
}

export interface Buckets {
  readonly x: Float64Array;      // column centre x (length = columns)
  readonly lo: Float64Array;     // min of the finite raw values in the column
  readonly hi: Float64Array;     // max of the finite raw values in the column
  readonly line: Float64Array;   // last finite smoothed (or raw) value in the column
  readonly first: Float64Array;  // x of the column's first point
  readonly last: Float64Array;   // x of the column's last point
  readonly count: Uint32Array;   // points per column
  readonly points: number;       // points in range (the sum of count)
  readonly before: EdgePoint | null;
  readonly after: EdgePoint | null;
}

/**
 * Buckets points with x in [x0, x1] onto `columns` equal-width columns (column i covers
 * [x0 + i*w, x0 + (i+1)*w), the last one closed; x0 = x1 puts everything in column 0). Per column:
 * min and max of the finite raw values (the band: a single spike shows in its column), `line` =
 * the last finite value of `line` (or of the raw values when null), and the first/last x seen.
 * Columns with no point get NaN (count 0). xs must be non-decreasing (binary search for the range).
 * `before`/`after`: the nearest point just outside each end, or null.
 */
export function bucket(xs: Float64Array, raw: Float64Array, line: Float64Array | null, x0: number, x1: number, columns: number): Buckets {
  const c = Math.max(0, Math.floor(columns) || 0);
  const x = new Float64Array(c), lo = new Float64Array(c).fill(NaN), hi = new Float64Array(c).fill(NaN);
  const ln = new Float64Array(c).fill(NaN), first = new Float64Array(c).fill(NaN), last = new Float64Array(c).fill(NaN);
  const count = new Uint32Array(c);
  const w = c > 0 && x1 > x0 ? (x1 - x0) / c : 0;
  const src = line ?? raw;
  const start = lowerBound(xs, x0), end = Math.max(start, upperBound(xs, x1));
  // Each column's end by binary search, then a tight loop over its points: no per-point division.
  for (let col = 0, s = start; col < c; col++) {
    x[col] = x0 + (col + 0.5) * w;
    const e = col === c - 1 || w === 0 ? end : Math.max(s, lowerBound(xs, x0 + (col + 1) * w, s, end));
    if (e === s) continue;
    count[col] = e - s;
    first[col] = xs[s]!;
    last[col] = xs[e - 1]!;
    let mn = Infinity, mx = -Infinity;
    for (let i = s; i < e; i++) {
      const v = raw[i]!;
      if (v < mn && v !== -Infinity) mn = v; // NaN fails every comparison: skipped
      if (v > mx && v !== Infinity) mx = v;
    }
    if (mn <= mx) { lo[col] = mn; hi[col] = mx; }
    for (let i = e - 1; i >= s; i--) if (Number.isFinite(src[i]!)) { ln[col] = src[i]!; break; }
    s = e;
  }
  const edge = (i: number): EdgePoint | null => (i >= 0 && i < xs.length ? { index: i, x: xs[i]!, raw: raw[i]!, line: src[i]! } : null);
  return { x, lo, hi, line: ln, first, last, count, points: c > 0 ? end - start : 0, before: edge(start - 1), after: edge(end) };
}

/** [min, max] of the finite xs (for the full range of a chart); null when there is none. */
export function extent(xs: Float64Array): [number, number] | null {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Index of the point whose x is nearest to `x` (binary search; a tie goes left), or -1 when empty or x is NaN. */
export function nearest(xs: Float64Array, x: number): number {
  const n = xs.length;
  if (n === 0 || Number.isNaN(x)) return -1;
  const i = lowerBound(xs, x);
  if (i === 0) return 0;
  if (i === n) return n - 1;
  return x - xs[i - 1]! <= xs[i]! - x ? i - 1 : i;
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV of every raw point with x in [x0, x1] of the given series: header `run,metric,step,epoch,time,value`,
 * one row per point ('\n' line ends), numbers with full precision (String(number): they parse back
 * to the same double). `rows` yields [runLabel, SeriesColumns].
 */
export function toCsv(rows: Iterable<readonly [string, SeriesColumns]>, axis: XAxis, x0: number, x1: number): string {
  const lines = ['run,metric,step,epoch,time,value'];
  for (const [label, s] of rows) {
    const xs = s.x(axis), step = s.x('step'), epoch = s.x('epoch'), time = s.x('time'), value = s.values();
    const prefix = `${csvField(label)},${csvField(s.name)},`;
    for (let i = lowerBound(xs, x0), end = upperBound(xs, x1); i < end; i++) {
      const xi = xs[i]!;
      if (xi >= x0 && xi <= x1) lines.push(`${prefix}${step[i]!},${epoch[i]!},${time[i]!},${value[i]!}`);
    }
  }
  return lines.join('\n') + '\n';
}
