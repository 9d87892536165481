// Shape arithmetic shared by several families: broadcasting, the sliding-window size formula
// of conv and pooling, and message formatting.

import { add, dimEquals, dimToString, floordiv, isConcrete, mul, shapeToString, sub, type Dim } from '../../shape/dim.js';
import { ShapeError } from '../types.js';

/** `[64, 9000]` (a Python-ish list, for messages about requested shapes). */
export function listToString(dims: readonly Dim[]): string {
  return `[${dims.map(dimToString).join(', ')}]`;
}

/**
 * Broadcast two shapes (NumPy rules, aligned from the right). A definite mismatch is an error
 * naming the output dim; when unsure, prefer the dim that is known not to be 1.
 */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], who: string, arg?: string): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i];
    const y = b[b.length - n + i];
    if (x === undefined) { out.push(y!); continue; }
    if (y === undefined) { out.push(x); continue; }
    if (x === 1) { out.push(y); continue; }
    if (y === 1) { out.push(x); continue; }
    const eq = dimEquals(x, y);
    if (eq === false) {
      throw new ShapeError(`${who}cannot broadcast ${shapeToString(a)} and ${shapeToString(b)}: dim ${i} is ${dimToString(x)} vs ${dimToString(y)}`, arg);
    }
    // Unknown: a concrete size other than 1 is what the result must be (the symbol is 1 or equal).
    out.push(eq === true ? x : isConcrete(x) ? x : isConcrete(y) ? y : x);
  }
  return out;
}

/** Whether `from` can be broadcast to exactly `to` (expand, masked_fill's mask, in-place ops). */
export function checkBroadcastTo(from: readonly Dim[], to: readonly Dim[], who: string, arg?: string): void {
  if (from.length > to.length) {
    throw new ShapeError(`${who} ${shapeToString(from)} cannot be broadcast to ${shapeToString(to)} (more dims)`, arg);
  }
  const off = to.length - from.length;
  from.forEach((d, i) => {
    if (d !== 1 && dimEquals(d, to[off + i]!) === false) {
      throw new ShapeError(`${who} ${shapeToString(from)} cannot be broadcast to ${shapeToString(to)}: dim ${off + i} is ${dimToString(d)} vs ${dimToString(to[off + i]!)}`, arg);
    }
  });
}

/** Ceil division for sizes. */
export function ceildiv(a: Dim, b: Dim): Dim {
  return floordiv(add(a, sub(b, 1)), b);
}

/**
 * Output size of a sliding window: floor((L + 2p - d*(k-1) - 1) / s) + 1, or ceil with
 * ceil_mode (then the last window must start inside the input or left padding).
 */
export function windowOut(L: Dim, k: Dim, s: Dim, pad: Dim, dil: Dim, ceil = false): Dim {
  const span = sub(add(L, mul(2, pad)), add(mul(dil, sub(k, 1)), 1));
  let out = add(ceil ? ceildiv(span, s) : floordiv(span, s), 1);
  if (ceil && typeof out === 'number' && typeof L === 'number' && typeof s === 'number' && typeof pad === 'number') {
    if ((out - 1) * s >= L + pad) out -= 1;
  }
  return out;
}

/** `3x3` for spatial sizes in messages. */
export function spatialToString(dims: readonly Dim[]): string {
  return dims.map(dimToString).join('x');
}

/** After a successful (not definitely wrong) check: a layer's concrete declared size beats a symbolic input dim. */
export function preferDeclared(declared: Dim, input: Dim): Dim {
  return isConcrete(declared) ? declared : input;
}
