// The WebGPU backend. The device lives in a worker thread (worker_source.ts explains why); this
// side keeps the buffer pool, batches commands and posts them, and blocks only when data is read.
//
// Memory: buffers come from a pool with size classes (4 per octave, >= 256 bytes). A storage
// returns its buffer to the pool when the GC collects it; after warm-up a training step reuses
// buffers instead of allocating. When the pool has grown past a budget the GC is asked to run,
// so dead tensors come back at the next turn of the event loop.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { Backend, EngineDType, Storage } from '../backend.js';
import { WORKER_SOURCE } from './worker_source.js';
import { kernelParamsFor, type KernelParams } from './tuning.js';
import type { AdapterReport } from './adapter.js';

/** What compiled mode's capture (compiled.ts) is told about each command while a step runs. */
export interface CommandRecorder {
  alloc(s: GpuStorage): void;
  zero(s: GpuStorage): void;
  write(s: GpuStorage, data: ArrayBuffer): void;
  copy(src: GpuStorage, dst: GpuStorage, bytes: number): void;
  read(s: GpuStorage, lastLabel: string): void;
  dispatch(spec: DispatchSpec, groups: readonly [number, number, number]): void;
}

export interface GpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

export class GpuStorage implements Storage {
  constructor(readonly backend: WebGPUBackend, readonly numel: number, readonly dtype: EngineDType, readonly id: number, readonly classBytes: number) {}
  get bytes(): number { return this.numel * 4; }
}

/** A buffer binding: a whole storage or a byte range of it (for tiling past the binding limit). */
export type GpuBinding = GpuStorage | { readonly storage: GpuStorage; readonly offset: number; readonly size: number };

export interface DispatchSpec {
  /** Op name and sizes, for error messages. */
  readonly label: string;
  /** Pipeline cache key: must identify the WGSL exactly. */
  readonly key: string;
  readonly wgsl: () => string;
  readonly bindings: readonly GpuBinding[];
  /** Uniform words (u32; floats as their bits via f32Bits), at most 64. */
  readonly uniforms: readonly number[];
  readonly groups: readonly [number, number?, number?];
  /** Set by contiguous elementwise maps, so compiled mode can fuse chains of them (compiled.ts). */
  readonly map?: MapMeta;
}

/** An elementwise map O[i] = expr(...) over contiguous operands (bindings = inputs then O). */
export interface MapMeta {
  readonly n: number;
  readonly expr: string;
  /** Names the expression uses for the tensor bindings, in binding order, and their WGSL types. */
  readonly inputs: readonly { readonly name: string; readonly ty: 'f32' | 'i32' }[];
  /** Names bound to uniform floats: op parameters and Python-number operands, with their bits. */
  readonly consts: readonly { readonly name: string; readonly bits: number }[];
  readonly out: 'f32' | 'i32';
}

const f32v = new Float32Array(1);
const u32v = new Uint32Array(f32v.buffer);
export function f32Bits(x: number): number { f32v[0] = x; return u32v[0]!; }

function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

export class GpuError extends Error {
  constructor(message: string) { super(message); this.name = 'GpuError'; }
}

type Cmd = readonly unknown[];

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  private cmds: Cmd[] = [];
  private flushScheduled = false;
  private nextId = 1;
  private readonly free = new Map<number, number[]>();
  private readonly definedPipelines = new Set<string>();
  private readonly released: FinalizationRegistry<{ id: number; cls: number }>;
  private live = 0;
  private peak = 0;
  /** Bytes of GPU buffers created (the pool's footprint), their count, and creations since resetPeak. */
  private created = 0;
  private createdCount = 0;
  private createdSinceReset = 0;
  private gcBudget = 256 * 1024 * 1024;
  private readonly errView: Int32Array;
  private readonly errBytes: Uint8Array;
  private lastLabel = '';
  /** Set while compiled mode captures a step. */
  recorder: CommandRecorder | null = null;
  /** Set while the profiler (profiler.ts) times kernels: told of every dispatch posted. */
  onDispatch: ((spec: DispatchSpec) => void) | null = null;

  /** The largest storage binding kernels may use (the adapter's limit; lowered by tests). */
  bindingLimit: number;

  constructor(
    private readonly worker: Worker,
    errorSab: SharedArrayBuffer,
    readonly adapter: AdapterReport,
    readonly limits: GpuLimits,
    readonly params: KernelParams,
    readonly paramsWhy: string,
  ) {
    this.bindingLimit = limits.maxStorageBufferBindingSize;
    this.errView = new Int32Array(errorSab, 0, 2);
    this.errBytes = new Uint8Array(errorSab, 8);
    this.released = new FinalizationRegistry(({ id, cls }) => {
      this.live -= cls;
      let l = this.free.get(cls);
      if (!l) { l = []; this.free.set(cls, l); }
      l.push(id);
    });
  }

  // ---- commands ------------------------------------------------------------------------------
  private post(cmd: Cmd, transfer?: ArrayBuffer): void {
    this.cmds.push(cmd);
    if (transfer || this.cmds.length >= 64) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => { this.flushScheduled = false; this.flush(); });
    }
  }
  /** Queue a raw worker command (compiled programs: 'P' define, 'G' run, 'Q' drop). */
  postRaw(cmd: Cmd): void { this.post(cmd); }
  /** Define a pipeline once (compiled mode's fused kernels). */
  definePipeline(key: string, wgsl: () => string): void {
    if (this.definedPipelines.has(key)) return;
    this.definedPipelines.add(key);
    this.post(['p', key, wgsl()]);
  }
  /** Send queued commands to the GPU thread. */
  flush(): void {
    if (this.cmds.length === 0) return;
    const batch = this.cmds;
    this.cmds = [];
    const transfer: ArrayBuffer[] = [];
    for (const c of batch) if (c[0] === 'w') transfer.push(c[3] as ArrayBuffer);
    this.worker.postMessage(batch, transfer);
  }
  private checkError(): void {
    if (Atomics.load(this.errView, 0) === 0) return;
    const n = Atomics.load(this.errView, 1);
    throw new GpuError(`WebGPU: ${new TextDecoder().decode(this.errBytes.slice(0, n))}`);
  }

  // ---- storages --------------------------------------------------------------------------------
  /** A storage whose contents are undefined (kernels that overwrite every element use this). */
  allocateUninit(numel: number, dtype: EngineDType, forOp = 'allocate'): GpuStorage {
    const bytes = numel * 4;
    if (bytes > this.limits.maxBufferSize) {
      throw new GpuError(`${forOp}: a tensor of ${numel} elements (${(bytes / 2 ** 20).toFixed(1)} MiB) exceeds this adapter's maxBufferSize (${(this.limits.maxBufferSize / 2 ** 20).toFixed(0)} MiB)`);
    }
    const cls = Math.min(sizeClass(bytes), Math.max(256, Math.ceil(this.limits.maxBufferSize / 4) * 4));
    const list = this.free.get(cls);
    let id = list?.pop();
    if (id === undefined) {
      id = this.nextId++;
      this.post(['c', id, cls]);
      this.created += cls;
      this.createdCount++;
      this.createdSinceReset++;
      if (this.created > this.gcBudget) { this.gcBudget = this.created * 2; requestGc(); }
    }
    const s = new GpuStorage(this, numel, dtype, id, cls);
    this.live += cls;
    if (this.live > this.peak) this.peak = this.live;
    this.released.register(s, { id, cls });
    this.recorder?.alloc(s);
    return s;
  }
  allocate(numel: number, dtype: EngineDType, fill?: number): Storage {
    const s = this.allocateUninit(numel, dtype);
    if (fill === undefined || fill === 0) { this.post(['z', s.id, s.classBytes]); this.recorder?.zero(s); }
    else fillStorage(this, s, dtype === 'float32' ? fill : Math.trunc(fill));
    return s;
  }
  fromArray(data: ArrayLike<number>, dtype: EngineDType): Storage {
    const s = this.allocateUninit(data.length, dtype);
    this.write(s, data);
    return s;
  }
  /** Overwrite a storage from host data. */
  write(s: GpuStorage, data: ArrayLike<number>): void {
    const arr = s.dtype === 'float32' ? new Float32Array(s.numel) : new Int32Array(s.numel);
    if (arr instanceof Int32Array) for (let i = 0; i < arr.length; i++) arr[i] = Math.trunc(data[i]!);
    else arr.set(data);
    if (arr.byteLength > 0) {
      this.recorder?.write(s, arr.buffer.slice(0));
      this.post(['w', s.id, 0, arr.buffer], arr.buffer);
    }
  }
  read(storage: Storage): Float32Array | Int32Array {
    const s = storage as GpuStorage;
    const bytes = s.numel * 4;
    this.recorder?.read(s, this.lastLabel);
    const sab = new SharedArrayBuffer(8 + bytes);
    const head = new Int32Array(sab, 0, 2);
    this.cmds.push(['r', s.id, bytes, sab]);
    this.flush();
    const r = Atomics.wait(head, 0, 0, 120_000);
    if (r === 'timed-out') throw new GpuError(`WebGPU: reading back ${bytes} bytes timed out after 120 s (last kernel: ${this.lastLabel}); the GPU hung or was lost`);
    this.checkError();
    if (Atomics.load(head, 0) !== 1) throw new GpuError(`WebGPU: reading back ${bytes} bytes failed (last kernel: ${this.lastLabel})`);
    const out = s.dtype === 'float32' ? new Float32Array(s.numel) : new Int32Array(s.numel);
    new Uint8Array(out.buffer).set(new Uint8Array(sab, 8, bytes));
    return out;
  }
  /** A non-blocking read for callers that can await (metrics every N steps). */
  async readAsync(storage: Storage): Promise<Float32Array | Int32Array> {
    await new Promise((r) => setImmediate(r));
    return this.read(storage);
  }
  copyInto(dst: Storage, src: Storage): void {
    const d = dst as GpuStorage;
    if (src.backend === this && src.dtype === dst.dtype) {
      const s = src as GpuStorage;
      if (s.id !== d.id && d.numel > 0) { this.post(['k', s.id, 0, d.id, 0, d.numel * 4]); this.recorder?.copy(s, d, d.numel * 4); }
      return;
    }
    this.write(d, src.backend.read(src));
  }
  memory(): { liveBytes: number; peakBytes: number } { return { liveBytes: this.live, peakBytes: this.peak }; }
  resetPeak(): void { this.peak = this.live; this.createdSinceReset = 0; }
  /** The pool's footprint: bytes and buffers created, and creations since resetPeak (0 after warm-up). */
  pool(): { createdBytes: number; buffers: number; createdSinceReset: number } {
    return { createdBytes: this.created, buffers: this.createdCount, createdSinceReset: this.createdSinceReset };
  }

  // ---- kernels -------------------------------------------------------------------------------
  run(spec: DispatchSpec): void {
    this.checkError();
    this.lastLabel = spec.label;
    this.definePipeline(spec.key, spec.wgsl);
    if (spec.uniforms.length > 64) throw new GpuError(`internal: ${spec.label}: ${spec.uniforms.length} uniform words (max 64)`);
    const binds = spec.bindings.map((b) => {
      if (b instanceof GpuStorage) {
        if (b.classBytes > this.limits.maxStorageBufferBindingSize) throw new GpuError(`${spec.label}: an operand of ${b.numel} elements exceeds this adapter's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize} bytes) and this kernel does not tile it yet`);
        if (b.bytes > this.bindingLimit) throw new GpuError(`${spec.label}: an operand of ${b.numel} elements exceeds the binding limit (${this.bindingLimit} bytes) and this kernel does not tile it yet`);
        return b.id;
      }
      return [b.storage.id, b.offset, b.size];
    });
    const [x, y = 1, z = 1] = spec.groups;
    const maxG = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxG || y > maxG || z > maxG) throw new GpuError(`internal: ${spec.label}: dispatch ${x}x${y}x${z} exceeds ${maxG} workgroups per dimension`);
    if (x === 0 || y === 0 || z === 0) return;
    this.recorder?.dispatch(spec, [x, y, z]);
    this.onDispatch?.(spec);
    this.post(['d', spec.key, binds, Uint32Array.from(spec.uniforms), x, y, z, spec.label]);
  }
  /** Kernel timing in the worker (profiler.ts): 0 off, 1 timestamp queries, 2 one submission per dispatch. */
  setProfileMode(mode: 0 | 1 | 2): void { this.post(['t', mode]); }
  /** Blocks until the worker hands over the [begin, end] pairs of up to n dispatches timed since the last call. */
  readProfile(n: number): Float64Array {
    const sab = new SharedArrayBuffer(8 + 16 * n);
    const head = new Int32Array(sab, 0, 2);
    this.cmds.push(['tr', n, sab]);
    this.flush();
    if (Atomics.wait(head, 0, 0, 120_000) === 'timed-out') throw new GpuError('WebGPU: reading kernel timings timed out after 120 s');
    this.checkError();
    return new Float64Array(sab, 8, 2 * Atomics.load(head, 1)).slice();
  }
  /** Workgroup counts for n threads in groups of wg: [x, y] with x <= the per-dimension limit. */
  grid(n: number, wg: number): [number, number] {
    const groups = Math.ceil(n / wg);
    const maxG = this.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= maxG) return [Math.max(groups, 0), 1];
    const y = Math.ceil(groups / maxG);
    return [Math.ceil(groups / y), y];
  }
  /** Wait until every queued command has run (timing). */
  sync(): void {
    const s = this.allocateUninit(1, 'float32');
    this.read(s);
  }
  destroy(): void {
    this.cmds.push(['x']);
    this.flush();
  }
}

function requestGc(): void {
  // Dead tensors hand their buffers back only when collected; ask for a collection when the
  // pool has grown a lot (no-op when gc cannot be exposed).
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (() => void) | undefined;
    gc?.();
  } catch { /* best effort */ }
}

// The fill kernel lives here (allocate() needs it); other kernels are in the op families.
function fillStorage(b: WebGPUBackend, s: GpuStorage, value: number): void {
  const wg = b.params.elementwiseWorkgroup;
  const ty = s.dtype === 'float32' ? 'f32' : 'i32';
  const [gx, gy] = b.grid(s.numel, wg);
  b.run({
    label: `fill(${s.numel})`, key: `fill_${ty}_${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read_write> o: array<${ty}>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  o[i] = bitcast<${ty}>(P(1u));
}`,
    bindings: [s], uniforms: [s.numel, s.dtype === 'float32' ? f32Bits(value) : value >>> 0], groups: [gx, gy],
  });
}

/** Every kernel starts with this: uniform words P(k) (and F(k) as f32), binding 0. */
export const UNIFORM_HEADER = `struct Uni { p: array<vec4<u32>, 16> }
@group(0) @binding(0) var<uniform> uni: Uni;
fn P(k: u32) -> u32 { return uni.p[k / 4u][k % 4u]; }
fn F(k: u32) -> f32 { return bitcast<f32>(P(k)); }`;

// ---- acquisition -------------------------------------------------------------------------------
let instance: WebGPUBackend | null = null;
let pending: Promise<WebGPUBackend> | null = null;

function dawnPath(): string {
  const env = process.env.TENSOR_STUDIO_DAWN_NODE;
  if (env) return env;
  const req = createRequire(__filename);
  const pkg = dirname(req.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return join(pkg, 'dist', `${process.platform}-${arch}`, 'dawn.node');
}

/**
 * The process's WebGPU backend (one device, created on first call). Rejects with the reason
 * when there is no adapter; callers that have a CPU fallback say which they picked.
 */
export function getWebGPUBackend(): Promise<WebGPUBackend> {
  if (instance) return Promise.resolve(instance);
  if (pending) return pending;
  pending = (async () => {
    let path: string;
    try { path = dawnPath(); } catch (e) { throw new GpuError(`WebGPU unavailable: cannot find the 'webgpu' package (${(e as Error).message})`); }
    if (!existsSync(path)) throw new GpuError(`WebGPU unavailable: ${path} is missing`);
    const errorSab = new SharedArrayBuffer(8 + 4096);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dawnPath: path, errorSab } });
    worker.unref();
    const msg = await new Promise<{ error?: string; info?: AdapterReport; limits?: GpuLimits }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', (e) => reject(new GpuError(`WebGPU worker failed: ${e.message}`)));
      worker.postMessage({ type: 'init' });
    });
    if (msg.error || !msg.info || !msg.limits) { void worker.terminate(); throw new GpuError(`WebGPU unavailable: ${msg.error ?? 'no device'}`); }
    worker.on('error', (e) => { process.stderr.write(`WebGPU worker error: ${e.message}\n`); });
    const { params, why } = kernelParamsFor(msg.info.vendor, msg.info.architecture, msg.limits);
    instance = new WebGPUBackend(worker, errorSab, msg.info, msg.limits, params, why);
    return instance;
  })();
  pending.catch(() => { pending = null; });
  return pending;
}

/** The backend if it has been created (kernels use this; they only run on its tensors). */
export function webgpuBackend(): WebGPUBackend {
  if (!instance) throw new GpuError('WebGPU backend not initialised: await getWebGPUBackend() first');
  return instance;
}
