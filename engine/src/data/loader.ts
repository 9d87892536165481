// DataLoader: seeded per-epoch shuffling, batching, drop_last, normalisation, reshape to the
// model's input shape, and one batch prepared ahead. Batches are plain arrays; the trainer makes
// tensors of them (so data/ can be tested without an engine).
import { DataError, sampleSize, subset, type Dataset } from './dataset.js';
import { mixSeed, permutation } from './rng.js';

export interface Normalize { readonly scale: number; readonly mean: number; readonly std: number }

export interface LoaderOptions {
  readonly batchSize: number;
  readonly shuffle?: boolean;
  readonly dropLast?: boolean;
  readonly seed?: number;
  /** x -> (x * scale - mean) / std. */
  readonly normalize?: Normalize;
  /** Per-sample shape the model takes, e.g. [1, 28, 28]; must hold the same number of values. */
  readonly inputShape?: readonly number[];
}

export interface Batch {
  /** 0-based batch index within the epoch. */
  readonly index: number;
  readonly size: number;
  readonly x: Float32Array;
  /** [size, ...inputShape]. */
  readonly xShape: readonly number[];
  readonly y: Int32Array | Float32Array;
  /** [size, ...labelShape]. */
  readonly yShape: readonly number[];
}

export class DataLoader {
  readonly inputShape: readonly number[];
  private readonly norm: Normalize;

  constructor(readonly dataset: Dataset, readonly options: LoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new DataError(`batch_size must be a positive integer (got ${options.batchSize})`);
    this.norm = options.normalize ?? { scale: 1, mean: 0, std: 1 };
    this.inputShape = options.inputShape ?? dataset.sampleShape;
    const want = sampleSize(this.inputShape);
    const have = sampleSize(dataset.sampleShape);
    if (want !== have) {
      throw new DataError(`data.input_shape [${this.inputShape.join(', ')}] holds ${want} values per sample but ${dataset.name} has ${have} ([${dataset.sampleShape.join(', ')}])`);
    }
  }

  get length(): number {
    const n = this.dataset.length;
    const b = this.options.batchSize;
    return this.options.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /** Sample order of an epoch: a function of (seed, epoch) only, so a resumed run replays it. */
  order(epoch: number): Int32Array {
    if (!this.options.shuffle) return Int32Array.from({ length: this.dataset.length }, (_, i) => i);
    return permutation(this.dataset.length, mixSeed(this.options.seed ?? 0, epoch));
  }

  /** Builds batch `index` of an epoch's order. */
  makeBatch(order: Int32Array, index: number): Batch {
    const { batchSize } = this.options;
    const start = index * batchSize;
    const size = Math.min(batchSize, order.length - start);
    const ds = this.dataset;
    const fs = sampleSize(ds.sampleShape);
    const ls = sampleSize(ds.labelShape);
    const x = new Float32Array(size * fs);
    const y = new (ds.labels.constructor as new (n: number) => Int32Array | Float32Array)(size * ls);
    const { scale, mean, std } = this.norm;
    const a = scale / std;
    const b = -mean / std;
    for (let i = 0; i < size; i++) {
      const j = order[start + i];
      const src = ds.features;
      const so = j * fs;
      const dof = i * fs;
      for (let k = 0; k < fs; k++) x[dof + k] = src[so + k] * a + b;
      for (let k = 0; k < ls; k++) y[i * ls + k] = ds.labels[j * ls + k];
    }
    return { index, size, x, xShape: [size, ...this.inputShape], y, yShape: [size, ...ds.labelShape] };
  }

  /**
   * The batches of one epoch from batch `start` on. The next batch is prepared while the caller
   * works on the current one (it is built in a macrotask queued when the current one is handed
   * out, so it overlaps any await in the training step; with synchronous CPU kernels that gap is
   * small, a worker thread would be the next step).
   */
  async *epoch(epoch: number, start = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const n = this.length;
    const prepare = (i: number) => {
      const p = new Promise<Batch>((res, rej) => setImmediate(() => {
        try { res(this.makeBatch(order, i)); } catch (e) { rej(e as Error); }
      }));
      p.catch(() => { /* surfaced when awaited; a consumer that stops early never awaits it */ });
      return p;
    };
    let next = start < n ? prepare(start) : null;
    for (let i = start; i < n; i++) {
      const cur = await next!;
      next = i + 1 < n ? prepare(i + 1) : null;
      yield cur;
    }
  }
}

/** Holds out `fraction` of a dataset for validation, chosen by a seeded permutation. */
export function trainValSplit(ds: Dataset, fraction: number, seed: number): { train: Dataset; val: Dataset } {
  const nVal = Math.round(ds.length * fraction);
  if (nVal < 1 || nVal >= ds.length) {
    throw new DataError(`data.val_split ${fraction} of ${ds.length} samples leaves ${nVal} for validation and ${ds.length - nVal} for training; give a val source or change val_split`);
  }
  const p = permutation(ds.length, mixSeed(seed, 0x5eed));
  const cut = ds.length - nVal;
  return {
    train: subset(ds, p.subarray(0, cut), `${ds.name}, train part (${cut})`),
    val: subset(ds, p.subarray(cut), `${ds.name}, held-out ${Math.round(fraction * 100)}% (${nVal})`),
  };
}
