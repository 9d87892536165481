// Decoding the op goldens (written by make_op_goldens.py) into engine values, and comparing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../../engine/src/tensor.js';
import type { Backend } from '../../../engine/src/backends/backend.js';
import type { RuntimeValue } from '../../../engine/src/runtime/value.js';

export interface EncTensor { shape: number[]; dtype: 'float32' | 'int32' | 'bool'; data: number[] }

/** Non-finite floats are stored as the strings 'nan', 'inf', '-inf'. */
function fixNonFinite(e: unknown): void {
  if (Array.isArray(e)) { e.forEach(fixNonFinite); return; }
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (o.tensor && Array.isArray((o.tensor as { data?: unknown }).data)) { const t = o.tensor as { data: (number | string)[] }; t.data = t.data.map((x) => (typeof x === 'string' ? Number(x.replace('inf', 'Infinity')) : x)); }
    for (const v of Object.values(o)) fixNonFinite(v);
  }
}
export type Enc =
  | { tensor: EncTensor }
  | { list: Enc[] }
  | { slice: [number | null, number | null, number | null] }
  | { ellipsis: true }
  | { value: number | boolean | string | null };

export interface GoldenCase {
  name: string;
  op: string;
  args: Record<string, Enc>;
  outputs: Enc[];
  cotangents: (Enc | null)[];
  grads: Record<string, Enc>;
  after?: Record<string, Enc>;
}

export function loadGoldens(): GoldenCase[] {
  const raw = JSON.parse(readFileSync(join(import.meta.dirname, 'op_goldens.json'), 'utf8')) as { cases: GoldenCase[] };
  fixNonFinite(raw.cases);
  return raw.cases;
}

export function decode(e: Enc, backend: Backend): RuntimeValue {
  if ('tensor' in e) return Tensor.fromArray(e.tensor.data, e.tensor.shape, e.tensor.dtype, backend);
  if ('list' in e) return e.list.map((x) => decode(x, backend));
  if ('slice' in e) return { kind: 'slice', start: e.slice[0], stop: e.slice[1], step: e.slice[2] };
  if ('ellipsis' in e) return { kind: 'ellipsis' };
  return e.value;
}

/** max|a-b| <= tol * max(1, max|b|); returns a message when not. */
export function compare(what: string, got: Tensor, want: EncTensor, tol = 1e-5): string | null {
  if (got.shape.join(',') !== want.shape.join(',')) return `${what}: shape [${got.shape.join(', ')}] != expected [${want.shape.join(', ')}]`;
  const a = got.toFloat32Array();
  let maxB = 0, maxErr = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    const b = want.data[i]!;
    maxB = Math.max(maxB, Math.abs(b));
    if (Number.isNaN(b) && Number.isNaN(a[i]!)) continue;
    const d = Math.abs(a[i]! - b);
    if (d > maxErr || Number.isNaN(d)) { maxErr = Number.isNaN(d) ? Infinity : d; at = i; }
  }
  const bound = tol * Math.max(1, maxB);
  if (maxErr > bound) return `${what}: max |diff| ${maxErr.toExponential(3)} > ${bound.toExponential(3)} at flat index ${at} (got ${a[at]}, expected ${want.data[at]})`;
  return null;
}
