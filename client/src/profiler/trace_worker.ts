// The trace worker (dist/trace-worker.js): one worker thread per open profiler panel. It imports
// the trace (streamed: a trace larger than one string opens), keeps the model, and answers what
// the panel asks by event index. Importing off the extension host's thread keeps VS Code
// responsive while a 600 MB trace is read; ending the worker frees the whole model at once.
// Its messages are typed here, by the side that serves them; trace_session.ts is the client.
import { parentPort } from 'node:worker_threads';
import { statSync } from 'node:fs';
import { diffOps, eventAt, importTrace, sourceOf, stepBreakdown, structure, type TraceModel } from '../../../engine/src/profile/import/index';
import type { ProfileComparison, ProfileEventDetails, ProfileSummary, ProfileTimeline } from '../../../webview/src/profiler_protocol';
import { buildProfileSummary, buildTimeline } from './profile_data';

export type TraceWorkerRequest =
  | { readonly id: number; readonly type: 'open'; readonly path: string }
  | { readonly id: number; readonly type: 'details'; readonly path: string; readonly index: number }
  /** Opens `b` too when needed (it stays open for the next comparison). */
  | { readonly id: number; readonly type: 'compare'; readonly a: string; readonly b: string };

export type TraceWorkerReply =
  | { readonly id: number; readonly type: 'progress'; readonly bytes: number; readonly total: number }
  /** The summaries of an 'open', before its timeline is laid out (the panel paints them first). */
  | { readonly id: number; readonly type: 'summary'; readonly summary: ProfileSummary }
  | { readonly id: number; readonly type: 'opened'; readonly timeline: ProfileTimeline }
  | { readonly id: number; readonly type: 'details'; readonly details: ProfileEventDetails }
  | { readonly id: number; readonly type: 'compared'; readonly comparison: ProfileComparison }
  | { readonly id: number; readonly type: 'failed'; readonly message: string };

const models = new Map<string, TraceModel>();
const port = parentPort!;
const reply = (r: TraceWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(r, transfer);

async function load(id: number, path: string): Promise<TraceModel> {
  const have = models.get(path);
  if (have) return have;
  const total = statSync(path).size;
  let last = 0;
  const m = await importTrace(path, {
    // Progress every 1% (or 8 MB), not every 64 KB read.
    onProgress: (bytes) => { if (bytes - last >= Math.min(8 << 20, total / 100)) { last = bytes; reply({ id, type: 'progress', bytes, total }); } },
  });
  models.set(path, m);
  return m;
}

function details(m: TraceModel, index: number): ProfileEventDetails {
  if (index >= m.events.count) throw new Error(`${m.fileName} has no event ${index} (it has ${m.events.count})`);
  const ev = eventAt(m, index);
  const src = sourceOf(m, index);
  const launcher = structure(m).launcher[index]!;
  return {
    index, name: ev.name, cat: ev.cat, ts: ev.ts - m.start, dur: ev.dur, pid: ev.pid, tid: ev.tid,
    ...(ev.args ? { args: ev.args } : {}),
    ...(src.location ? { source: { file: src.location.file, line: src.location.line } } : {}),
    frames: src.frames.map((f) => ({ file: f.file, line: f.line })),
    ...(launcher >= 0 ? { launcher } : {}),
  };
}

function compare(a: TraceModel, b: TraceModel): ProfileComparison {
  const sa = stepBreakdown(a), sb = stepBreakdown(b);
  const perStep = sa.length > 0 && sb.length > 0;
  const mean = (s: readonly { dur: number }[], m: TraceModel): number => (s.length ? s.reduce((x, y) => x + y.dur, 0) / s.length : m.end - m.start);
  return { a: a.fileName, b: b.fileName, perStep, aStep: mean(sa, a), bStep: mean(sb, b), rows: diffOps(a, b, { perStep }) };
}

/** The typed arrays' buffers, to move rather than copy (each array has its own buffer). */
const buffers = (arrays: readonly ArrayBufferView[]): ArrayBuffer[] => arrays.map((a) => a.buffer as ArrayBuffer);

async function handle(q: TraceWorkerRequest): Promise<void> {
  switch (q.type) {
    case 'open': {
      const t0 = performance.now();
      const m = await load(q.id, q.path);
      const summary = buildProfileSummary(m, { path: q.path, importMs: performance.now() - t0 });
      reply({ id: q.id, type: 'summary', summary }, buffers(summary.memory.flatMap((s) => [s.ts, s.bytes])));
      const t = buildTimeline(m);
      reply({ id: q.id, type: 'opened', timeline: t }, buffers([t.rowStart, t.ts, t.dur, t.name, t.cat, t.index, t.flows]));
      return;
    }
    case 'details': {
      const m = models.get(q.path);
      if (!m) throw new Error(`${q.path} is not open`);
      reply({ id: q.id, type: 'details', details: details(m, q.index) });
      return;
    }
    case 'compare': {
      const a = models.get(q.a);
      if (!a) throw new Error(`${q.a} is not open`);
      reply({ id: q.id, type: 'compared', comparison: compare(a, await load(q.id, q.b)) });
      return;
    }
  }
}

port.on('message', (q: TraceWorkerRequest) => {
  handle(q).catch((e: unknown) => reply({ id: q.id, type: 'failed', message: e instanceof Error ? e.message : String(e) }));
});
