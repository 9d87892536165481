// GPU kernel times for the profiler on the WebGPU backend. With the adapter's `timestamp-query`
// feature the worker writes timestamps around each dispatch (its own compute pass); without it
// each dispatch is its own submission, timed from submit to onSubmittedWorkDone (slower, and only
// while profiling). Either way the times come back once, at the end of the profiled step.
import type { DispatchSpec, WebGPUBackend } from '../backends/webgpu/backend.js';
import { GPU_TID, PID, type TraceEvent } from './trace.js';
import type { KernelTimer, OpFrame } from './profiler.js';

interface Launch {
  readonly spec: DispatchSpec;
  /** performance.now() when the host queued it: the kernel cannot have started earlier. */
  readonly hostMs: number;
  readonly op?: OpFrame;
}

export type KernelTiming = 'timestamp-query' | 'submission';

export class WebGPUKernelTimer implements KernelTimer {
  readonly timing: KernelTiming;
  private launches: Launch[] = [];

  /** `force` picks the timing method (tests cover both on one adapter). */
  constructor(private readonly backend: WebGPUBackend, force?: KernelTiming) {
    this.timing = force ?? (backend.adapter.features.includes('timestamp-query') ? 'timestamp-query' : 'submission');
  }

  begin(current: () => OpFrame | undefined): void {
    this.launches = [];
    this.backend.setProfileMode(this.timing === 'timestamp-query' ? 1 : 2);
    this.backend.onDispatch = (spec) => { this.launches.push({ spec, hostMs: performance.now(), op: current() }); };
  }

  end(toUs: (perfMs: number) => number): TraceEvent[] {
    const b = this.backend;
    b.onDispatch = null;
    const launches = this.launches;
    this.launches = [];
    const times = b.readProfile(launches.length);
    b.setProfileMode(0);
    const n = Math.min(launches.length, times.length / 2);
    // Map both clocks to the host's performance.now() milliseconds.
    let shift: number;
    let scale: number;
    if (this.timing === 'timestamp-query') {
      // GPU ns on the GPU's own clock: align so that no kernel starts before the host queued it
      // (the tightest shift that respects causality).
      scale = 1e-6;
      shift = -Infinity;
      for (let i = 0; i < n; i++) shift = Math.max(shift, launches[i]!.hostMs - times[2 * i]! * scale);
    } else {
      // Wall-clock ms from the worker (epoch based): the main thread's origin maps them.
      scale = 1;
      shift = -performance.timeOrigin;
    }
    const out: TraceEvent[] = [];
    let prevEnd = -Infinity;
    for (let i = 0; i < n; i++) {
      const l = launches[i]!;
      // One queue runs kernels in order: clamp clock jitter so events on the GPU row never overlap.
      const ts = Math.max(toUs(times[2 * i]! * scale + shift), prevEnd);
      const end = Math.max(toUs(times[2 * i + 1]! * scale + shift), ts);
      prevEnd = end;
      const label = l.spec.label;
      // Labels are 'conv2d im2col [32, 1, 28, 28]', 'fill(64)': the name drops the sizes.
      const name = label.replace(/\s*[[(].*$/, '') || label;
      const args: Record<string, unknown> = { label, workgroups: [...l.spec.groups], timing: this.timing };
      if (l.op) {
        args.op = l.op.name;
        for (const k of ['module', 'source', 'backward_of'] as const) if (l.op.args[k] !== undefined) args[k] = l.op.args[k];
      }
      out.push({ name, cat: 'kernel', ph: 'X', ts, dur: Math.round((end - ts) * 1000) / 1000, pid: PID, tid: GPU_TID, args });
    }
    return out;
  }

  sync(): void { this.backend.sync(); }

  abort(): void {
    this.backend.onDispatch = null;
    this.launches = [];
    this.backend.setProfileMode(0);
  }
}
