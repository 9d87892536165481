// How numbers read on the profiler panel: durations (the trace's µs) in ns/µs/ms/s with 3
// significant digits, counts with thousands separators, percentages with 1 decimal, bytes in
// KB/MB/GB (1024-based, as PyTorch's memory view counts). Pure (tested in Node).
import type { SourceRef } from '../profiler_protocol.js';

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 3 significant digits without an exponent ('1.23', '12.3', '123'); bigger values are rounded ('1,234'). */
function sig3(a: number): string {
  return a >= 1000 ? COUNT.format(a) : a.toPrecision(3);
}

/**
 * 'value unit' for `v` (≥ 0, counted in `units[first]`), moved up `units` (each `base` times the
 * last) while it rounds to 1000 or more: so 999.7 µs reads '1.00 ms', not '1.00e+3 µs'.
 */
function scaled(v: number, units: readonly string[], base: number, first: number): string {
  let k = first;
  while (k < units.length - 1 && Number(v.toPrecision(3)) >= 1000) { k++; v /= base; }
  return `${sig3(v)} ${units[k]}`;
}

const TIME_UNITS = ['ns', 'µs', 'ms', 's'];

/** Microseconds as '1.23 ms', '456 µs', '12.0 s', '500 ns' (0 → '0 µs'). */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return '–';
  if (us === 0) return '0 µs';
  const a = Math.abs(us);
  const text = a < 1 ? scaled(a * 1000, TIME_UNITS, 1000, 0) : scaled(a, TIME_UNITS, 1000, 1);
  return us < 0 ? `−${text}` : text;
}

/** A signed duration: '+1.23 ms', '−456 µs', '0 µs'. */
export function formatDelta(us: number): string {
  if (!Number.isFinite(us)) return '–';
  return us > 0 ? `+${formatDuration(us)}` : formatDuration(us);
}

/** An axis label without the zeros 3 significant digits pad with: '50.0 µs' → '50 µs', '1.50 MB' → '1.5 MB'. */
export function trimZeros(text: string): string {
  return text.replace(/\.(\d*?)0+(?=\s)/, (_m, d: string) => (d ? `.${d}` : ''));
}

/** 12345 → '12,345'. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? COUNT.format(n) : '–';
}

/** A percentage already in percent units: 12.345 → '12.3%'. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  // -0.04 rounds to '-0.0': show it as 0.
  const t = p.toFixed(1);
  return `${t === '-0.0' ? '0.0' : t}%`;
}

/** `part` as a percentage of `whole` ('–' when whole is 0). */
export function formatShare(part: number, whole: number): string {
  return whole > 0 ? formatPercent((100 * part) / whole) : '–';
}

/**
 * The change from a to b, signed: '+12.3%', '−4.0%'; from twice as long on, a ratio ('4.94×'),
 * which reads better than '+394.0%' ('–' when a is 0).
 */
export function formatChange(a: number, b: number): string {
  if (!(a > 0) || !Number.isFinite(b)) return '–';
  if (b >= 2 * a) return `${sig3(b / a)}×`;
  const p = (100 * (b - a)) / a;
  const t = formatPercent(Math.abs(p));
  return t === '0.0%' ? t : p > 0 ? `+${t}` : `−${t}`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes as '512 B', '1.50 KB', '120 MB', '4.00 GB'. */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return '–';
  const a = Math.abs(b);
  // Whole bytes below 1000; above, 3 significant digits in the next unit that keeps them under 1000.
  const text = a < 1000 ? `${COUNT.format(a)} B` : scaled(a / 1024, BYTE_UNITS, 1024, 1);
  return b < 0 ? `−${text}` : text;
}

/** GFLOP/s with 3 significant digits ('218', '1,234'). */
export function formatGflops(g: number | undefined): string {
  return g === undefined || !Number.isFinite(g) ? '' : sig3(Math.abs(g));
}

/** 'model.py:23' for a source reference (the file's base name; the full path goes in the title). */
export function formatSource(s: SourceRef | undefined): string {
  if (!s) return '';
  const base = s.file.split(/[\\/]/).pop() || s.file;
  return `${base}:${s.line}`;
}

/**
 * Input shapes as kineto writes them ('[[32,1,28,28],[16],[],[]]') made readable:
 * '[32, 1, 28, 28], [16]' — the trailing empty lists are the op's non-tensor arguments.
 */
export function formatShapes(json: string | undefined): string {
  if (!json) return '';
  let v: unknown;
  try { v = JSON.parse(json); } catch { return json; }
  if (!Array.isArray(v)) return json;
  const parts = v.map((s) => JSON.stringify(s).replace(/,/g, ', '));
  while (parts.length > 1 && parts[parts.length - 1] === '[]') parts.pop();
  return parts.join(', ');
}
