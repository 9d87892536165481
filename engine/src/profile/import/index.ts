// Trace import: a file (plain or gzip, told apart by its magic bytes) or a stream of chunks →
// TraceModel. Runs in the extension host or a worker; nothing here touches VS Code.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { constants as zc, createGunzip } from 'node:zlib';
import { ModelBuilder } from './build.js';
import { TraceJsonError, TraceJsonReader, fmt, readTraceJson, type RawEvent } from './json_stream.js';
import type { TraceModel } from './events.js';

export * from './events.js';
export { TraceJsonError, TraceJsonReader, readTraceJson, traceEvents, type RawBatch, type RawEvent, type StreamInfo, type StreamOptions } from './json_stream.js';
export { ModelBuilder, type BuildOptions } from './build.js';
export { structure, spanAt, type Structure } from './structure.js';
export { stepBreakdown, opTable, kernelTable, moduleTable, memorySeries, diffOps, sourceOf, userFrame, parseFrame } from './summary.js';
export type { StepBreakdown, OpRow, KernelRow, ModuleRow, MemorySeries, OpDiff, SourceInfo, Frame } from './summary.js';

export interface ImportOptions {
  /** Named in errors and warnings (default: the path's base name, else 'trace'). */
  readonly fileName?: string;
  /** A truncated trace: 'warn' (default: keep the events before the cut) or 'error'. */
  readonly truncated?: 'warn' | 'error';
  /** Bytes of distinct args text kept whole (events.ts); default 64 MB. */
  readonly argsBudget?: number;
  /** Called as the input is read, with its bytes so far (the file's, before gunzip), at most every 64 KB. */
  readonly onProgress?: (bytesRead: number) => void;
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** 64 KB reads: measured fastest here (bigger batches parse slower: their strings leave the young generation). */
const READ_SIZE = 64 * 1024;

/** The chunks, gunzipped when they start with gzip's magic bytes 1f 8b. */
export async function* decompressed(chunks: Chunks, fileName = 'trace'): AsyncGenerator<Uint8Array> {
  const it = (Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : (chunks as Iterable<Uint8Array>)[Symbol.iterator]()) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  const head: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    head.push(r.value);
    headLen += r.value.length;
  }
  const first = head[0];
  const gzip = headLen >= 2 && first !== undefined && first[0] === 0x1f && (first.length > 1 ? first[1] : head[1]![0]) === 0x8b;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  if (!gzip) { yield* all(); return; }
  // Z_SYNC_FLUSH at the end: a cut .gz gives what it holds (the JSON reader reports the cut).
  const gz = createGunzip({ finishFlush: zc.Z_SYNC_FLUSH, chunkSize: READ_SIZE });
  const src = Readable.from(all());
  src.on('error', (e) => gz.destroy(e));
  src.pipe(gz);
  try {
    for await (const c of gz) yield c as Buffer;
  } catch (e) {
    if (e instanceof TraceJsonError) throw e;
    throw new Error(`${fileName}: not valid gzip data (${(e as Error).message}) after ${fmt(gz.bytesWritten)} compressed bytes`, { cause: e });
  }
}

/** Import a Chrome Trace Event file (a path: plain or .gz) or a stream of its bytes. */
export async function importTrace(input: string | Chunks, opts: ImportOptions = {}): Promise<TraceModel> {
  const path = typeof input === 'string' ? input : undefined;
  const fileName = opts.fileName ?? (path ? basename(path) : 'trace');
  const raw = path ? createReadStream(path, { highWaterMark: READ_SIZE }) : (input as Chunks);
  const chunks = opts.onProgress ? counted(raw, opts.onProgress) : raw;
  const b = new ModelBuilder({ fileName, ...(path ? { path } : {}), ...(opts.argsBudget !== undefined ? { argsBudget: opts.argsBudget } : {}) });
  const info = await readTraceJson(decompressed(chunks, fileName), (batch) => b.add(batch), { fileName, argsKey: true, ...(opts.truncated ? { truncated: opts.truncated } : {}) });
  return b.finish(info);
}

async function* counted(chunks: Chunks, onProgress: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of chunks) { n += c.length; onProgress(n); yield c; }
}

/** Re-read the one event that starts at byte `offset` (TraceModel.events.offset) of a trace file. */
export async function readEventAt(path: string, offset: number): Promise<RawEvent> {
  const name = basename(path);
  const magic = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try { readSync(fd, magic, 0, 2, 0); } finally { closeSync(fd); }
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  // A plain file is read from the event on; a gzip one is decompressed up to it.
  const src = gzip ? decompressed(createReadStream(path, { highWaterMark: READ_SIZE }), name) : createReadStream(path, { start: offset, highWaterMark: READ_SIZE });
  let skip = gzip ? offset : 0;
  let got: RawEvent | undefined;
  const r = new TraceJsonReader((b) => { got ??= b.events[0]; }, { fileName: name, maxEvents: 1 });
  r.push(Buffer.from('['));
  for await (const c of src as AsyncIterable<Uint8Array>) {
    if (skip >= c.length) { skip -= c.length; continue; }
    r.push(skip ? c.subarray(skip) : c);
    skip = 0;
    if (got) break;
  }
  if (!got) throw new Error(`${name}: no event at byte ${fmt(offset)}`);
  return got;
}
