// Values that flow through callOp: tensors, Python scalars, strings, None, tuples/lists (arrays),
// and the indexing pieces (slices, Ellipsis) and dtypes that Python code passes to ops.
import type { DType } from '../ops/types.js';
import { Tensor } from '../tensor.js';

export interface RuntimeSlice { readonly kind: 'slice'; readonly start: number | null; readonly stop: number | null; readonly step: number | null }
export interface RuntimeEllipsis { readonly kind: 'ellipsis' }
export interface RuntimeDTypeValue { readonly kind: 'dtype'; readonly dtype: DType }

export type RuntimeValue =
  | Tensor
  | number
  | boolean
  | string
  | null
  | RuntimeSlice
  | RuntimeEllipsis
  | RuntimeDTypeValue
  | readonly RuntimeValue[];

export type OpArgs = Readonly<Record<string, RuntimeValue>>;

export function slice(start: number | null = null, stop: number | null = null, step: number | null = null): RuntimeSlice {
  return { kind: 'slice', start, stop, step };
}
export const ellipsis: RuntimeEllipsis = { kind: 'ellipsis' };

export function isTensor(v: unknown): v is Tensor {
  return v instanceof Tensor;
}

/** All tensors inside a value, depth-first. */
export function tensorsIn(v: RuntimeValue, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v as readonly RuntimeValue[]) tensorsIn(x, out);
  return out;
}

export function describe(v: RuntimeValue): string {
  if (v instanceof Tensor) return `Tensor[${v.shape.join(', ')}]${v.dtype === 'float32' ? '' : ` ${v.dtype}`}`;
  if (Array.isArray(v)) return `(${(v as readonly RuntimeValue[]).map(describe).join(', ')})`;
  if (v === null) return 'None';
  if (typeof v === 'object') {
    const o = v as RuntimeSlice | RuntimeEllipsis | RuntimeDTypeValue;
    if (o.kind === 'slice') return `${o.start ?? ''}:${o.stop ?? ''}${o.step !== null ? `:${o.step}` : ''}`;
    if (o.kind === 'ellipsis') return '...';
    return `torch.${o.dtype}`;
  }
  return typeof v === 'string' ? `'${v}'` : String(v);
}
