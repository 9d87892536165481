// Plain n-dimensional arrays as they come out of files. io/ sits below the tensor layer (it is
// used by data loaders, checkpoints and tests), so it speaks typed arrays, not Tensors.

/** Element types the engine computes in. Wider file types are converted on read (see `stored`). */
export type ArrayDType = 'float32' | 'int32' | 'uint8' | 'bool';

export type ArrayData = Float32Array | Int32Array | Uint8Array;

/** File-level dtype names (numpy spelling) so a writer can put back what a reader saw. */
export type StoredDType = 'float16' | 'bfloat16' | 'float32' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

export interface NdArray {
  readonly dtype: ArrayDType;
  readonly shape: readonly number[];
  /** C order. Float32Array for float32, Int32Array for int32, Uint8Array for uint8 and bool (0/1). */
  readonly data: ArrayData;
  /** The dtype in the file this came from, when it differs from `dtype` or matters on write (int64). */
  readonly stored?: StoredDType;
}

/** Every io failure: the message names the file (and the entry/tensor) and what is wrong. */
export class IoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IoError';
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function makeArray(dtype: ArrayDType, shape: readonly number[], data?: ArrayData, stored?: StoredDType): NdArray {
  const n = numel(shape);
  const d = data ?? (dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n));
  if (d.length !== n) throw new IoError(`array of shape ${shapeText(shape)} needs ${n} elements, got ${d.length}`);
  return stored ? { dtype, shape: [...shape], data: d, stored } : { dtype, shape: [...shape], data: d };
}

/** Converts an int64 read as a little-endian pair into a JS integer, failing when it does not fit int32. */
export function int64ToInt32(view: DataView, byteOffset: number, littleEndian: boolean, where: () => string): number {
  const v = view.getBigInt64(byteOffset, littleEndian);
  if (v > 2147483647n || v < -2147483648n) {
    throw new IoError(`${where()}: int64 value ${v} does not fit in int32 (the engine stores integers as int32)`);
  }
  return Number(v);
}

/** IEEE half -> float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
