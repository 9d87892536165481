// Text shown to the user for analysis values. Shared by hover, inlay hints, code lens and graph
// so one value reads the same everywhere.
import { dimToString, shapeToString, type Dim } from '../../engine/src/shape/dim.js';
import type { Value } from '../../engine/src/ops/types.js';
import type { Position, Range } from '../../engine/src/frontend/index.js';

/** `Tensor[64, 16, 13, 13]`, `(Tensor[..], Tensor[..])`, `int = 64`, ... ; '?' when nothing is known. */
export function formatValue(v: Value): string {
  switch (v.kind) {
    case 'tensor': return shapeToString(v.shape);
    case 'int': return `int = ${dimToString(v.value)}`;
    case 'float': return v.value === null ? 'float' : `float = ${v.value}`;
    case 'bool': return v.value === null ? 'bool' : `bool = ${v.value ? 'True' : 'False'}`;
    case 'str': return v.value === null ? 'str' : `str = ${JSON.stringify(v.value)}`;
    case 'none': return 'None';
    case 'tuple': case 'list': return formatLiteral(v);
    case 'dtype': return `torch.${v.dtype}`;
    case 'slice': return [v.start, v.stop, v.step].map((d) => (d === null ? '' : dimToString(d))).join(':');
    case 'ellipsis': return '...';
    case 'unknown': return '?';
  }
}

/** Python-literal style (`3`, `(3, 3)`, `True`, `'same'`), tensors as their shapes: for attributes and containers. */
export function formatLiteral(v: Value): string {
  switch (v.kind) {
    case 'int': return dimToString(v.value);
    case 'float': return v.value === null ? 'float' : String(v.value);
    case 'bool': return v.value === null ? 'bool' : v.value ? 'True' : 'False';
    case 'str': return v.value === null ? 'str' : `'${v.value}'`;
    case 'tuple': return `(${v.items.map(formatLiteral).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    case 'list': return v.items === null ? 'list' : `[${v.items.map(formatLiteral).join(', ')}]`;
    default: return formatValue(v);
  }
}

/** Tensor dtypes inside a value, in order, without repeats. */
export function dtypesOf(v: Value): string[] {
  const out = new Set<string>();
  const walk = (x: Value): void => {
    if (x.kind === 'tensor') out.add(x.dtype);
    else if (x.kind === 'tuple') x.items.forEach(walk);
    else if (x.kind === 'list' && x.items) x.items.forEach(walk);
  };
  walk(v);
  return [...out];
}

/** True when the value is or contains a tensor (the things worth a hint). */
export function hasTensor(v: Value): boolean {
  if (v.kind === 'tensor') return true;
  if (v.kind === 'tuple') return v.items.some(hasTensor);
  if (v.kind === 'list') return v.items !== null && v.items.some(hasTensor);
  return false;
}

/** 1234567 -> '1,234,567' (locale-independent, so tests and CLIs read the same everywhere). */
export function formatCount(d: Dim | null): string {
  if (d === null) return '?';
  if (typeof d !== 'number') return dimToString(d);
  const sign = d < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(d)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes as B/KB/MB/GB with 1024 steps (as torchsummary does); symbolic sizes print as expressions. */
export function formatBytes(d: Dim | null): string {
  if (d === null) return '? MB';
  if (typeof d !== 'number') return `${dimToString(d)} B`;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = d;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}

export function comparePos(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function rangeContains(r: Range, p: Position): boolean {
  return comparePos(r.start, p) <= 0 && comparePos(p, r.end) <= 0;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return comparePos(a.start, b.end) <= 0 && comparePos(b.start, a.end) <= 0;
}

/** A size to compare ranges by: fewer lines first, then fewer characters. */
export function rangeSize(r: Range): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}
