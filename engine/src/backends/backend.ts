// The Backend interface: where tensor data lives and how it moves. Tensor, autograd, nn and the
// trainer only talk to storages through this interface, so a WebGPU backend slots in beside the
// CPU one. Kernels are not methods here: they are registered per (op, backend) in
// kernel_registry.ts, so adding an op never touches this file.

/**
 * Element types the engine stores. int64 data from files is read into int32; 'bool' (comparison
 * results, masks) is stored like int32 with values 0/1.
 */
export type EngineDType = 'float32' | 'int32' | 'bool';

/** Opaque handle to a backend's buffer. Only its backend looks inside. */
export interface Storage {
  readonly backend: Backend;
  readonly numel: number;
  readonly dtype: EngineDType;
}

export interface Backend {
  /** 'cpu', 'webgpu'. Kernels are registered under this name. */
  readonly name: string;
  /** A new zero-filled storage (or filled with `fill`). */
  allocate(numel: number, dtype: EngineDType, fill?: number): Storage;
  /** Upload host data (converted to `dtype`). */
  fromArray(data: ArrayLike<number>, dtype: EngineDType): Storage;
  /** A host copy of the data (synchronous on CPU; a GPU backend may stage). */
  read(storage: Storage): Float32Array | Int32Array;
  /** Overwrite `dst` with `src` (same numel), converting dtype. */
  copyInto(dst: Storage, src: Storage): void;
  /** Bytes currently held by live storages, and the peak since start / the last reset. */
  memory(): { liveBytes: number; peakBytes: number };
  resetPeak(): void;
}
