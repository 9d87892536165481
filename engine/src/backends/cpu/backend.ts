// The CPU backend: storages are plain typed arrays. Kernels reach the array through cpuData().
import type { Backend, EngineDType, Storage } from '../backend.js';

export class CpuStorage implements Storage {
  constructor(readonly backend: Backend, readonly data: Float32Array | Int32Array, readonly dtype: EngineDType) {}
  get numel(): number { return this.data.length; }
}

let liveBytes = 0;
let peakBytes = 0;
// Live-byte accounting: a storage's bytes are released when the GC collects it.
const released = new FinalizationRegistry<number>((bytes) => { liveBytes -= bytes; });

/** A tensor would take the process past the memory limit it was given (setMemoryLimit). */
export class OutOfMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutOfMemoryError';
  }
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/**
 * An optional cap on the bytes of tensor data. The exact figure needs a collection (storages are
 * released only when the GC finds them), so the check is amortised like a GC trigger: bytes
 * allocated since the last measurement are counted as held, and only when that estimate passes
 * the limit is the garbage collected and the real figure read.
 */
const limit = { bytes: Infinity, measured: 0, since: 0, collect: undefined as (() => void) | undefined };

/** Caps tensor memory at `bytes` (Infinity: no cap). `collect` runs a full GC (node --expose-gc's gc). */
export function setMemoryLimit(bytes: number, collect?: () => void): void {
  limit.bytes = bytes;
  limit.collect = collect;
  limit.measured = process.memoryUsage().arrayBuffers;
  limit.since = 0;
}

function reserve(bytes: number): void {
  limit.since += bytes;
  if (limit.measured + limit.since <= limit.bytes) return;
  limit.collect?.();
  limit.measured = process.memoryUsage().arrayBuffers;
  limit.since = bytes;
  if (limit.measured + bytes > limit.bytes) {
    throw new OutOfMemoryError(`out of memory: a ${mb(bytes)} tensor would bring tensor memory to ${mb(limit.measured + bytes)}, over the limit of ${mb(limit.bytes)} (${mb(limit.measured)} already held)`);
  }
}

function track(s: CpuStorage): CpuStorage {
  const bytes = s.data.byteLength;
  if (bytes === 0) return s;
  if (limit.bytes !== Infinity) reserve(bytes);
  liveBytes += bytes;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  released.register(s, bytes);
  return s;
}

function makeArray(numel: number, dtype: EngineDType): Float32Array | Int32Array {
  // Refused before the array exists: a model far over the limit must not take the machine's memory first.
  if (limit.bytes !== Infinity && numel * 4 > limit.bytes) reserve(numel * 4);
  return dtype === 'float32' ? new Float32Array(numel) : new Int32Array(numel);
}

class CpuBackend implements Backend {
  readonly name = 'cpu';
  allocate(numel: number, dtype: EngineDType, fill?: number): Storage {
    const a = makeArray(numel, dtype);
    if (fill !== undefined && fill !== 0) a.fill(fill);
    return track(new CpuStorage(this, a, dtype));
  }
  fromArray(data: ArrayLike<number>, dtype: EngineDType): Storage {
    const a = makeArray(data.length, dtype);
    if (dtype !== 'float32') for (let i = 0; i < data.length; i++) a[i] = Math.trunc(data[i]!);
    else a.set(data as ArrayLike<number>);
    return track(new CpuStorage(this, a, dtype));
  }
  /** Wrap an array the caller gives up (kernel outputs): no copy. */
  adopt(data: Float32Array | Int32Array, dtype?: EngineDType): CpuStorage {
    return track(new CpuStorage(this, data, dtype ?? (data instanceof Float32Array ? 'float32' : 'int32')));
  }
  read(storage: Storage): Float32Array | Int32Array {
    return (storage as CpuStorage).data.slice();
  }
  copyInto(dst: Storage, src: Storage): void {
    const d = (dst as CpuStorage).data;
    const s = src.backend === this ? (src as CpuStorage).data : src.backend.read(src);
    if (d instanceof Int32Array && s instanceof Float32Array) for (let i = 0; i < d.length; i++) d[i] = Math.trunc(s[i]!);
    else d.set(s);
  }
  memory(): { liveBytes: number; peakBytes: number } { return { liveBytes, peakBytes }; }
  resetPeak(): void { peakBytes = liveBytes; }
}

export const cpuBackend = new CpuBackend();
