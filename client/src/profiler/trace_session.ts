// The client of one trace worker (trace_worker.ts): a profiler panel's trace, and the traces it is
// compared with, live in it until the panel closes. No VS Code API: tests and the benchmark drive
// it directly. A worker that dies (out of memory on a huge trace) fails what was asked, with why.
import { Worker } from 'node:worker_threads';
import type { ProfileComparison, ProfileData, ProfileEventDetails, ProfileSummary } from '../../../webview/src/profiler_protocol';
import type { TraceWorkerReply, TraceWorkerRequest } from './trace_worker';

type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(r: TraceWorkerReply): void;
  reject(e: Error): void;
  onProgress?: (bytes: number, total: number) => void;
  onSummary?: (summary: ProfileSummary) => void;
}

export interface TraceSessionOptions {
  /** dist/trace-worker.js. */
  readonly script: string;
  /** The worker's JS heap cap (MB): a trace past it fails with a clear message, VS Code stays up. */
  readonly heapMB?: number;
}

export class TraceSession {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;

  constructor(opts: TraceSessionOptions) {
    // A 64 MB young generation: the import allocates many short-lived strings (1.6x faster than the default).
    this.worker = new Worker(opts.script, { resourceLimits: { maxOldGenerationSizeMb: opts.heapMB ?? 4096, maxYoungGenerationSizeMb: 64 } });
    this.worker.on('message', (r: TraceWorkerReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      if (r.type === 'progress') { p.onProgress?.(r.bytes, r.total); return; }
      if (r.type === 'summary') { p.onSummary?.(r.summary); return; }
      this.pending.delete(r.id);
      if (r.type === 'failed') p.reject(new Error(r.message)); else p.resolve(r);
    });
    this.worker.on('error', (e: Error & { code?: string }) => this.fail(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new Error(`the trace needs more than the ${opts.heapMB ?? 4096} MB the profiler may use (tensorStudio.profiler.memoryLimitMB)`)
      : e));
    this.worker.on('exit', (code) => this.fail(new Error(`the trace worker stopped (exit code ${code})`)));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.values()) p.reject(this.dead);
    this.pending.clear();
  }

  private ask(q: Body<TraceWorkerRequest>, on: Pick<Pending, 'onProgress' | 'onSummary'> = {}): Promise<TraceWorkerReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...on });
      this.worker.postMessage({ ...q, id });
    });
  }

  /** Imports a trace: its summary as soon as it is ready (`onSummary`), then the whole profile. */
  async open(path: string, onProgress?: (bytes: number, total: number) => void, onSummary?: (s: ProfileSummary) => void): Promise<ProfileData> {
    let summary: ProfileSummary | undefined;
    const r = await this.ask({ type: 'open', path }, { ...(onProgress ? { onProgress } : {}), onSummary: (s) => { summary = s; onSummary?.(s); } });
    if (r.type !== 'opened' || !summary) throw new Error(`unexpected answer ${r.type}`);
    return { ...summary, timeline: r.timeline };
  }

  async details(path: string, index: number): Promise<ProfileEventDetails> {
    const r = await this.ask({ type: 'details', path, index });
    if (r.type !== 'details') throw new Error(`unexpected answer ${r.type}`);
    return r.details;
  }

  async compare(a: string, b: string, onProgress?: (bytes: number, total: number) => void): Promise<ProfileComparison> {
    const r = await this.ask({ type: 'compare', a, b }, onProgress ? { onProgress } : {});
    if (r.type !== 'compared') throw new Error(`unexpected answer ${r.type}`);
    return r.comparison;
  }

  dispose(): void {
    this.fail(new Error('the profiler panel was closed'));
    void this.worker.terminate();
  }
}
