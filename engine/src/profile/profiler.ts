// The profiler behind `tensor-studio train --profile`: while a profiled step runs it records one
// event per op call (host time, input shapes, module path and source line from the call site),
// each layer call ('module', named by its path) and gradient rule ('backward', e.g. 'linear
// (backward)') enclosing the ops they run, the step and its phases (data, forward, backward,
// optimizer), and, through a KernelTimer, one event per GPU kernel. The result is a Chrome Trace Event file (trace.ts).
//
// Forward ops with a FLOP rule (OpDef.flops: matmul, linear, conv, elementwise) carry
// `args.flops`, counted like PyTorch's `with_flops` (a multiply-add is 2); gradient-rule ops carry
// none, as in PyTorch. A counter ('C') named 'memory' samples the backend's live tensor bytes
// (Backend.memory(); on WebGPU also `reserved`, the buffer pool's bytes) when a step starts and
// after every op that changed them. Backends release a storage's bytes when the GC collects it,
// so the figure also holds garbage not yet collected (it drops at a collection).
//
// On the CPU backend kernels are synchronous, so an op's host time is its kernel time. On WebGPU
// host ops only enqueue work; the kernel events carry the GPU's own times, and phase boundaries
// wait for the GPU (KernelTimer.sync) so each phase owns the GPU work it queued.
import { setOpObserver, type OpArgs, type OpObserver } from '../runtime/dispatch.js';
import type { RuntimeValue } from '../runtime/value.js';
import type { WebGPUBackend } from '../backends/webgpu/backend.js';
import { tensorsIn } from '../runtime/value.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Backend } from '../backends/backend.js';
import { getDefaultBackend } from '../tensor.js';
import { opFlops } from './flops.js';
import { GPU_TID, HOST_TID, PID, orderEvents, parseSite, threadNames, type TraceEvent, type TraceFile } from './trace.js';

/** The op running now (innermost), as the profiler recorded it. */
export interface OpFrame {
  readonly name: string;
  /** 'cpu_op', or 'module' (a layer call) / 'backward' (one gradient rule) for call-site spans. */
  readonly cat: 'cpu_op' | 'module' | 'backward';
  readonly t0: number;
  readonly args: Record<string, unknown>;
}

/** Times GPU kernels for the profiler (engine/src/profile/webgpu.ts). */
export interface KernelTimer {
  /** How kernels are timed: 'timestamp-query' (GPU clock) or 'submission' (one submission each). */
  readonly timing: string;
  /** Start timing kernels; `current` names the host op that launches one. */
  begin(current: () => OpFrame | undefined): void;
  /** Stop, wait for the GPU, and return one event per kernel launched since begin(). */
  end(toUs: (perfMs: number) => number): TraceEvent[];
  /** Wait until queued GPU work has run. */
  sync(): void;
  /** Stop timing without collecting (a step cut short by an error). */
  abort(): void;
}

/** end - start in us, rounded to ns (no float noise in the file). */
const span = (ts: number, end: number): number => Math.round((end - ts) * 1000) / 1000;

export type Phase = 'data' | 'forward' | 'backward' | 'optimizer' | 'compiled step';

export class Profiler implements OpObserver {
  private readonly events: TraceEvent[] = [];
  private readonly stack: OpFrame[] = [];
  private readonly base = performance.now();
  private recording = false;
  private stepT0 = 0;
  private stepNo = 0;
  private installed = false;
  /** The backend whose memory the 'memory' counter samples (the default one when a step starts). */
  private backend: Backend | undefined;
  private lastMem = '';
  /** Steps recorded so far. */
  steps = 0;

  constructor(private readonly gpu?: KernelTimer, private readonly meta: Record<string, unknown> = {}) {}

  /** Microseconds since the profiler started, for a performance.now() value (ns resolution). */
  readonly us = (perfMs: number): number => Math.round((perfMs - this.base) * 1e6) / 1000;

  // ---- OpObserver (runtime/dispatch.ts calls these around every op) ---------------------------
  begin(name: string, args: OpArgs, site: string | undefined): number {
    if (!this.recording) return -1;
    const a: Record<string, unknown> = { input_shapes: tensorsIn(Object.values(args) as RuntimeValue[]).map((t) => [...t.shape]) };
    const s = parseSite(site);
    if (s.module !== undefined) a.module = s.module;
    if (s.source) a.source = s.source;
    if (s.backwardOf) a.backward_of = s.backwardOf;
    else {
      const flops = opFlops(name, args);
      if (flops !== undefined) a.flops = flops;
    }
    this.stack.push({ name, cat: 'cpu_op', t0: performance.now(), args: a });
    return this.stack.length;
  }
  beginSite(site: string): number {
    if (!this.recording) return -1;
    const s = parseSite(site);
    const a: Record<string, unknown> = {};
    if (s.module !== undefined) a.module = s.module;
    if (s.source) a.source = s.source;
    if (s.backwardOf) a.backward_of = s.backwardOf;
    const name = s.backwardOf ? `${s.backwardOf} (backward)` : s.module ? s.module : site;
    this.stack.push({ name, cat: s.backwardOf ? 'backward' : 'module', t0: performance.now(), args: a });
    return this.stack.length;
  }
  /** The innermost op running now (kernels are attributed to it). */
  currentOp(): OpFrame | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) if (this.stack[i]!.cat === 'cpu_op') return this.stack[i];
    return undefined;
  }
  end(token: number): void {
    if (token < 0) return;
    const f = this.stack.pop();
    if (!f) return;
    const ts = this.us(f.t0);
    const t1 = this.us(performance.now());
    this.events.push({ name: f.name, cat: f.cat, ph: 'X', ts, dur: span(ts, t1), pid: PID, tid: HOST_TID, args: f.args });
    if (f.cat === 'cpu_op') this.sampleMemory(t1);
  }

  /** A 'memory' counter point at `ts` (us), unless nothing changed since the last one (`force`: always). */
  private sampleMemory(ts: number, force = false): void {
    const b = this.backend;
    if (!b) return;
    const args: Record<string, number> = { allocated: b.memory().liveBytes };
    const pool = (b as Partial<WebGPUBackend>).pool?.();
    if (pool) args.reserved = pool.createdBytes;
    const key = JSON.stringify(args);
    if (!force && key === this.lastMem) return;
    this.lastMem = key;
    this.events.push({ name: 'memory', cat: 'memory', ph: 'C', ts, pid: PID, tid: HOST_TID, args });
  }

  // ---- steps ----------------------------------------------------------------------------------
  /** A profiled step starts (`step` 0-based); `t0` (performance.now()) when its data loading began. */
  beginStep(step: number, t0 = performance.now()): void {
    if (!this.installed) { setOpObserver(this); this.installed = true; }
    this.stepNo = step;
    this.stepT0 = t0;
    this.recording = true;
    this.backend = getDefaultBackend();
    this.sampleMemory(this.us(t0), true);
    this.gpu?.begin(() => this.currentOp());
  }
  /**
   * A phase of the current step ends now (it began at `t0`, a performance.now() value); on the
   * GPU it ends once the work it queued has run. Returns the end time (the next phase's start).
   */
  phaseEnd(name: Phase, t0: number): number {
    if (!this.recording) return performance.now();
    this.gpu?.sync();
    const t1 = performance.now();
    const ts = this.us(t0);
    this.events.push({ name, cat: 'step', ph: 'X', ts, dur: span(ts, this.us(t1)), pid: PID, tid: HOST_TID, args: { step: this.stepNo + 1 } });
    this.sampleMemory(this.us(t1)); // the optimizer allocates outside ops
    return t1;
  }
  /** Before the first profiled step's data phase: let earlier GPU work finish so it is not billed to it. */
  syncGpu(): void { this.gpu?.sync(); }

  endStep(): void {
    if (!this.recording) return;
    this.gpu?.sync();
    const t1 = performance.now();
    this.recording = false;
    const ts = this.us(this.stepT0);
    this.events.push({ name: `step ${this.stepNo + 1}`, cat: 'step', ph: 'X', ts, dur: span(ts, this.us(t1)), pid: PID, tid: HOST_TID, args: { step: this.stepNo + 1 } });
    if (this.gpu) this.events.push(...this.gpu.end(this.us));
    this.steps++;
  }

  /** Stop observing ops (a step cut short by an error is closed, without its GPU kernels). */
  close(): void {
    if (this.recording) {
      this.recording = false;
      this.stack.length = 0;
      this.gpu?.abort();
    }
    if (this.installed) { setOpObserver(null); this.installed = false; }
  }

  trace(): TraceFile {
    const names: Record<number, string> = { [HOST_TID]: 'host' };
    if (this.gpu) names[GPU_TID] = 'GPU';
    return {
      traceEvents: [...threadNames(names, 'tensor-studio train'), ...orderEvents(this.events)],
      displayTimeUnit: 'ms',
      otherData: { ...this.meta, steps: this.steps, ...(this.gpu ? { kernel_timing: this.gpu.timing } : {}) },
    };
  }

  /** Write the trace: one event per line, so large traces stay readable and diffable. */
  write(path: string): void {
    const t = this.trace();
    const lines = t.traceEvents.map((e) => JSON.stringify(e));
    writeFileAtomic(path, `{"displayTimeUnit":"${t.displayTimeUnit}","otherData":${JSON.stringify(t.otherData ?? {})},"traceEvents":[\n${lines.join(',\n')}\n]}\n`);
  }
}
