// Helpers for op-library tests: build Values tersely, call spellings the way the frontend does.
import assert from 'node:assert/strict';
import { add, mul, shapeToString, sub, sym, type Dim } from '../../engine/src/shape/dim.js';
import { setStrictRules } from '../../engine/src/ops/common/define.js';
import {
  applyBinding, applyLayer, bindLayer, getLayer, resolveFunction, resolveMethod,
  type ApplyResult, type BoundArgs, type DType, type TensorType, type Value,
} from '../../engine/src/ops/index.js';

setStrictRules(true);

/** `T('N, 16, H, W')` or `T([8, 3])`; identifiers become symbols. */
export function T(shape: string | readonly (number | string | Dim)[] | null, dtype: DType = 'float32'): TensorType {
  if (shape === null) return { kind: 'tensor', shape: null, dtype };
  const parts = typeof shape === 'string' ? (shape.trim() === '' ? [] : shape.split(',').map((s) => s.trim())) : shape;
  const dims: Dim[] = parts.map((x) => (typeof x !== 'string' ? x : parseDim(x)));
  return { kind: 'tensor', shape: dims, dtype };
}
/** `2*C`, `H-2`, `N+M`: sums of products of ints and symbols. */
export function parseDim(text: string): Dim {
  let total: Dim = 0;
  for (const m of text.replace(/\s+/g, '').matchAll(/([+-]?)([^+-]+)/g)) {
    const term = m[2]!.split('*').reduce<Dim>((acc, f) => mul(acc, /^\d+$/.test(f) ? Number(f) : sym(f)), 1);
    total = m[1] === '-' ? sub(total, term) : add(total, term);
  }
  return total;
}
export const i = (v: number | Dim): Value => ({ kind: 'int', value: v });
export const f = (v: number): Value => ({ kind: 'float', value: v });
export const b = (v: boolean): Value => ({ kind: 'bool', value: v });
export const s = (v: string): Value => ({ kind: 'str', value: v });
export const tup = (...items: Value[]): Value => ({ kind: 'tuple', items });
export const lst = (...items: Value[]): Value => ({ kind: 'list', items });
export const ints = (...xs: number[]): Value => tup(...xs.map(i));
export const none: Value = { kind: 'none' };
export const unknown: Value = { kind: 'unknown' };
export const ell: Value = { kind: 'ellipsis' };
export const sl = (start: Dim | null, stop: Dim | null, step: Dim | null = null): Value => ({ kind: 'slice', start, stop, step });
export const dt = (d: DType): Value => ({ kind: 'dtype', dtype: d });

export function callFn(qualname: string, positional: Value[], keyword: Record<string, Value> = {}): ApplyResult {
  const binding = resolveFunction(qualname);
  assert.ok(binding, `no function binding for ${qualname}`);
  return applyBinding(binding, positional, keyword);
}
export function callMethod(self: Value, name: string, positional: Value[], keyword: Record<string, Value> = {}): ApplyResult {
  const binding = resolveMethod(name);
  assert.ok(binding, `no method binding for ${name}`);
  return applyBinding(binding, positional, keyword, self);
}
export function makeLayer(name: string, positional: Value[], keyword: Record<string, Value> = {}): { name: string; attrs: BoundArgs } {
  const spec = getLayer(name);
  assert.ok(spec, `no layer ${name}`);
  const r = bindLayer(spec, positional, keyword);
  if ('error' in r) throw new Error(r.error);
  return { name, attrs: r.attrs };
}
export function callLayer(layer: { name: string; attrs: BoundArgs }, positional: Value[], keyword: Record<string, Value> = {}): ApplyResult {
  return applyLayer(getLayer(layer.name)!, layer.attrs, positional, keyword);
}

/** Text of a result: `Tensor[N, 16, H-2, W-2]`, `(Tensor[..], Tensor[..])`, `int 5`, `error: ...`. */
export function show(r: ApplyResult | Value): string {
  if ('error' in r) return `error: ${r.error}`;
  const v: Value = 'value' in r && !('kind' in r) ? r.value : (r as Value);
  return showValue(v);
}
export function showValue(v: Value): string {
  switch (v.kind) {
    case 'tensor': return shapeToString(v.shape);
    case 'tuple': return `(${v.items.map(showValue).join(', ')})`;
    case 'int': return `int ${typeof v.value === 'number' ? v.value : v.value.toString()}`;
    case 'none': return 'None';
    default: return v.kind;
  }
}
export function dtypeOf(r: ApplyResult): DType | undefined {
  return 'value' in r && r.value.kind === 'tensor' ? r.value.dtype : undefined;
}
/** Assert an error result whose message contains every fragment. */
export function assertError(r: ApplyResult, ...fragments: string[]): void {
  assert.ok('error' in r, `expected an error, got ${show(r)}`);
  for (const fr of fragments) assert.ok(r.error.includes(fr), `error "${r.error}" lacks "${fr}"`);
}
