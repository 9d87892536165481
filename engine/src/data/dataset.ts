// An in-memory labelled dataset. Features stay in their file dtype (uint8 images stay bytes:
// Fashion-MNIST is 47 MB as bytes, 188 MB as float32) and become float32 one batch at a time.
import type { ArrayData } from '../io/array.js';

export interface Dataset {
  /** Where it came from, for messages ('train-images-idx3-ubyte.gz (60000 samples)'). */
  readonly name: string;
  readonly length: number;
  /** Shape of one sample's features, e.g. [28, 28] or [4]. */
  readonly sampleShape: readonly number[];
  /** length * numel(sampleShape) values, C order. */
  readonly features: ArrayData;
  /** Per-sample label shape: [] for class indices / scalar targets, [k] for vector targets. */
  readonly labelShape: readonly number[];
  /** Integer labels are class indices; float labels are regression/BCE targets. */
  readonly labels: Int32Array | Float32Array;
}

/** Errors about data: the message names the file (and line/index) and the fix. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The samples at `indices`, copied (in that order). */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const fs = sampleSize(ds.sampleShape);
  const ls = sampleSize(ds.labelShape);
  const features = new (ds.features.constructor as new (n: number) => ArrayData)(indices.length * fs);
  const labels = new (ds.labels.constructor as new (n: number) => Int32Array | Float32Array)(indices.length * ls);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    features.set(ds.features.subarray(j * fs, (j + 1) * fs), i * fs);
    labels.set(ds.labels.subarray(j * ls, (j + 1) * ls), i * ls);
  }
  return { ...ds, name, length: indices.length, features, labels };
}

/** The first `n` samples (no copy). */
export function take(ds: Dataset, n: number): Dataset {
  if (n >= ds.length) return ds;
  const fs = sampleSize(ds.sampleShape);
  const ls = sampleSize(ds.labelShape);
  return { ...ds, name: `${ds.name}, first ${n}`, length: n, features: ds.features.subarray(0, n * fs), labels: ds.labels.subarray(0, n * ls) };
}
