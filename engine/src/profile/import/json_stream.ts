// A streaming reader of Chrome Trace Event JSON: bytes in, event objects out, never the whole
// file as one string (V8 strings stop near 512 MB; traces pass 1 GB). A byte-level tokenizer
// tracks nesting depth and string/escape state to find each event object's span inside the
// events array; the complete events of one chunk are then JSON.parse'd together as one small
// array (one call per ~64 KB instead of one per event: ~1.5x faster), falling back to one
// JSON.parse per event to name the event that is not valid JSON.
//
// Forms: the bare array `[{...}, ...]` (torch's legacy export_chrome_trace; may end with a
// trailing comma) and the object `{"traceEvents": [...], ...}` whose other top-level fields are
// kept as metadata. A trace cut short (a killed process) keeps every complete event before the
// cut and reports a warning; it is an error only when no event came before the cut.

import { TraceJsonError, fmt, type RawBatch, type RawEvent, type StreamInfo, type StreamOptions } from './json_types.js';

export { TraceJsonError, fmt, type RawBatch, type RawEvent, type StreamInfo, type StreamOptions } from './json_types.js';

const enum M { Start, ObjKey, Key, Colon, ObjValue, Value, Events, Event, End, Done }
const QUOTE = 34, BSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACK = 91, RBRACK = 93, COMMA = 44, COLON = 58;
const isWs = (b: number): boolean => b === 32 || b === 10 || b === 13 || b === 9;
const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts);
const SLICE = 256 * 1024;

export class TraceJsonReader {
  private mode = M.Start;
  private form: 'array' | 'object' = 'array';
  private base = 0; // absolute offset of the current buffer
  private count = 0; // events seen
  private readonly metadata: Record<string, unknown> = {};
  private readonly warnings: string[] = [];
  private readonly file: string;
  // Inside an event or a metadata value (state carried across chunks).
  private depth = 0;
  private inStr = false;
  private esc = false;
  private hi = false; // a byte >= 0x80 seen in this span (decode as UTF-8, else latin1)
  private start = 0; // absolute start of the event/value/key
  private pieces: Uint8Array[] = []; // bytes of a span that began in an earlier chunk
  private needComma = false; // in the events array: an event was just read
  private sawEvents = false;
  private key = '';
  // The event's "args" value: 0 none, 1 key candidate, 2 after ':', 3 value started; abs offsets.
  private argsSt = 0;
  private argsFrom = -1;
  private argsTo = -1;
  private strAt = -1;
  // Complete events of the current buffer: [start, end, argsFrom, argsTo] relative to it.
  private spans: number[] = [];
  private spansHi = false;

  constructor(private readonly onBatch: (b: RawBatch) => void, private readonly opts: StreamOptions = {}) {
    this.file = opts.fileName ?? 'trace';
  }

  private fail(msg: string, offset: number, event?: number): never {
    throw new TraceJsonError(`${this.file}: ${msg}`, offset, event);
  }

  push(chunk: Uint8Array): void {
    const buf = asBuffer(chunk);
    // Big chunks in slices: each slice's events become one string to parse (small ones parse faster).
    if (buf.length > SLICE) { for (let o = 0; o < buf.length; o += SLICE) this.push(buf.subarray(o, o + SLICE)); return; }
    const n = buf.length;
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case M.Event: i = this.scanEvent(buf, i); break;
        case M.Events: i = this.between(buf, i); break;
        case M.Start: {
          const b = buf[i]!;
          if (isWs(b) || (this.base + i < 3 && (b === 0xef || b === 0xbb || b === 0xbf))) { i++; break; }
          if (b === LBRACK) { this.mode = M.Events; this.sawEvents = true; }
          else if (b === LBRACE) { this.mode = M.ObjKey; this.form = 'object'; this.needComma = false; }
          else this.fail(`not a Chrome trace: expected '[' or '{' at byte ${fmt(this.base + i)}`, this.base + i);
          i++;
          break;
        }
        case M.ObjKey: {
          const b = buf[i]!;
          if (isWs(b)) { i++; break; }
          if (b === RBRACE) { this.mode = M.End; i++; break; }
          if (this.needComma) {
            if (b !== COMMA) this.fail(`expected ',' or '}' in the top-level object at byte ${fmt(this.base + i)}`, this.base + i);
            this.needComma = false; i++; break;
          }
          if (b !== QUOTE) this.fail(`expected a field name in the top-level object at byte ${fmt(this.base + i)}`, this.base + i);
          this.mode = M.Key; this.start = this.base + i; this.pieces = []; this.esc = false;
          i++;
          break;
        }
        case M.Key: i = this.scanKey(buf, i); break;
        case M.Colon: {
          const b = buf[i]!;
          if (isWs(b)) { i++; break; }
          if (b !== COLON) this.fail(`expected ':' after "${this.key}" at byte ${fmt(this.base + i)}`, this.base + i);
          this.mode = M.ObjValue; i++;
          break;
        }
        case M.ObjValue: {
          const b = buf[i]!;
          if (isWs(b)) { i++; break; }
          if (this.key === 'traceEvents') {
            if (b !== LBRACK) this.fail(`"traceEvents" is not an array (byte ${fmt(this.base + i)})`, this.base + i);
            this.mode = M.Events; this.sawEvents = true; this.needComma = false; i++;
            break;
          }
          this.mode = M.Value; this.start = this.base + i; this.pieces = [];
          this.depth = 0; this.inStr = false; this.esc = false; this.hi = false;
          break;
        }
        case M.Value: i = this.scanValue(buf, i); break;
        case M.Done: i = n; break;
        case M.End: {
          if (!isWs(buf[i]!)) this.fail(`unexpected data after the trace at byte ${fmt(this.base + i)}`, this.base + i);
          i++;
          break;
        }
      }
    }
    this.flush(buf);
    // A span still open at the end of this buffer keeps its bytes for the next one.
    if (this.mode === M.Event || this.mode === M.Value || this.mode === M.Key) {
      const from = Math.max(0, this.start - this.base);
      this.pieces.push(Buffer.from(buf.subarray(from))); // a copy: the caller may reuse its chunk
    }
    this.base += n;
  }

  /** In the events array, between events: whitespace, one comma, '{' or ']'. */
  private between(buf: Buffer, i: number): number {
    const n = buf.length;
    for (; i < n; i++) {
      const b = buf[i]!;
      if (isWs(b)) continue;
      if (b === RBRACK) { // a trailing comma before ']' is accepted (some writers leave one)
        this.mode = this.form === 'array' ? M.End : M.ObjKey;
        this.needComma = this.form === 'object';
        return i + 1;
      }
      if (this.needComma) {
        if (b !== COMMA) this.fail(`expected ',' or ']' after event ${fmt(this.count - 1)} at byte ${fmt(this.base + i)}`, this.base + i, this.count - 1);
        this.needComma = false;
        continue;
      }
      if (b !== LBRACE) this.fail(`event ${fmt(this.count)} at byte ${fmt(this.base + i)} is not an object (found '${String.fromCharCode(b)}')`, this.base + i, this.count);
      this.mode = M.Event; this.start = this.base + i; this.pieces = [];
      this.depth = 0; this.inStr = false; this.esc = false; this.hi = false;
      this.argsSt = 0; this.argsFrom = -1; this.argsTo = -1;
      return i;
    }
    return i;
  }

  /** The hot loop: one event object, from `i` (its '{' or where the last chunk stopped). */
  private scanEvent(buf: Buffer, i: number): number {
    const n = buf.length, base = this.base;
    // Locals for the loop; positions relative to this buffer (negative: in an earlier chunk).
    let d = this.depth, s = this.inStr, hi = this.hi, st = this.argsSt, strAt = this.strAt - base;
    if (this.esc) { this.esc = false; i++; }
    for (; i < n; i++) {
      const b = buf[i]!;
      if (s) {
        if (b === QUOTE) {
          s = false;
          if (d === 1 && st === 0 && i - strAt === 5 && this.isArgs(buf, i)) st = 1;
        } else if (b === BSLASH) {
          if (i + 1 < n) i++; else this.esc = true;
        } else if (b >= 0x80) hi = true;
        continue;
      }
      if (b === QUOTE) {
        s = true;
        if (d === 1) { strAt = i; if (st === 2) { st = 3; this.argsFrom = base + i; } }
      } else if (b === LBRACE || b === LBRACK) {
        if (d === 1 && st === 2) { st = 3; this.argsFrom = base + i; }
        d++;
      } else if (b === RBRACE || b === RBRACK) {
        if (--d === 0) {
          if (st === 3) this.argsTo = base + i;
          this.depth = 0; this.inStr = false; this.hi = hi; this.argsSt = 4;
          this.eventEnd(buf, i + 1);
          return i + 1;
        }
      } else if (d === 1 && st !== 0 && st !== 4) {
        if (b === COLON) { if (st === 1) st = 2; }
        else if (b === COMMA) {
          if (st === 3) { this.argsTo = base + i; st = 4; } else if (st === 1) st = 0;
        } else if (st === 2 && !isWs(b)) { st = 3; this.argsFrom = base + i; }
      }
    }
    this.depth = d; this.inStr = s; this.hi = hi; this.argsSt = st; this.strAt = base + strAt;
    return i;
  }

  /** The string that closed at buf[i] is "args" (its first bytes may lie in an earlier chunk). */
  private isArgs(buf: Buffer, i: number): boolean {
    return this.byteAt(buf, i - 4) === 97 && this.byteAt(buf, i - 3) === 114 && this.byteAt(buf, i - 2) === 103 && this.byteAt(buf, i - 1) === 115;
  }

  private byteAt(buf: Buffer, k: number): number | undefined {
    if (k >= 0) return buf[k];
    for (let p = this.pieces.length - 1; p >= 0; p--) {
      const piece = this.pieces[p]!;
      k += piece.length;
      if (k >= 0) return piece[k];
    }
    return undefined;
  }

  private eventEnd(buf: Buffer, endRel: number): void {
    this.mode = this.count + 1 === this.opts.maxEvents ? M.Done : M.Events;
    this.needComma = true;
    const startRel = this.start - this.base;
    if (startRel >= 0) {
      this.spans.push(startRel, endRel, this.argsFrom - this.base, this.argsTo - this.base);
      if (this.hi) this.spansHi = true;
      this.count++;
      return;
    }
    // Began in an earlier chunk: parse it alone (it is the first event of this buffer).
    const bytes = concat([...this.pieces, buf.subarray(0, endRel)]);
    this.pieces = [];
    const idx = this.count++;
    const ev = this.parseOne(bytes.toString(this.hi ? 'utf8' : 'latin1'), idx, this.start);
    const argsKey = this.opts.argsKey && this.argsFrom >= 0 && this.argsTo > this.argsFrom
      ? bytes.toString('latin1', this.argsFrom - this.start, this.argsTo - this.start).trimEnd() : undefined;
    this.onBatch({ events: [ev], offsets: [this.start], first: idx, ...(this.opts.argsKey ? { argsKey: [argsKey] } : {}) });
  }

  private parseOne(text: string, idx: number, offset: number): RawEvent {
    try {
      return JSON.parse(text) as RawEvent;
    } catch (e) {
      this.fail(`event ${fmt(idx)} at byte ${fmt(offset)} is not valid JSON: ${(e as Error).message}`, offset, idx);
    }
  }

  /** Parse the complete events of this buffer as one array. */
  private flush(buf: Buffer): void {
    const sp = this.spans;
    const k = sp.length / 4;
    if (k === 0) return;
    const first = this.count - k;
    const enc = this.spansHi ? 'utf8' : 'latin1';
    let events: RawEvent[];
    try {
      events = JSON.parse(`[${buf.toString(enc, sp[0]!, sp[sp.length - 3]!)}]`) as RawEvent[];
    } catch {
      events = [];
      for (let j = 0; j < k; j++) events.push(this.parseOne(buf.toString(enc, sp[4 * j]!, sp[4 * j + 1]!), first + j, this.base + sp[4 * j]!));
    }
    const offsets = new Array<number>(k);
    for (let j = 0; j < k; j++) offsets[j] = this.base + sp[4 * j]!;
    let argsKey: (string | undefined)[] | undefined;
    if (this.opts.argsKey) {
      argsKey = new Array<string | undefined>(k);
      for (let j = 0; j < k; j++) {
        const a = sp[4 * j + 2]!, b = sp[4 * j + 3]!;
        argsKey[j] = a >= 0 && b > a ? buf.toString('latin1', a, b).trimEnd() : undefined;
      }
    }
    this.spans = [];
    this.spansHi = false;
    this.onBatch({ events, offsets, first, ...(argsKey ? { argsKey } : {}) });
  }

  private scanKey(buf: Buffer, i: number): number {
    const n = buf.length;
    for (; i < n; i++) {
      const b = buf[i]!;
      if (this.esc) { this.esc = false; continue; }
      if (b === BSLASH) { this.esc = true; continue; }
      if (b !== QUOTE) continue;
      const from = this.start - this.base;
      const bytes = from >= 0 ? buf.subarray(from, i + 1) : concat([...this.pieces, buf.subarray(0, i + 1)]);
      this.pieces = [];
      this.key = JSON.parse(bytes.toString('utf8')) as string;
      this.mode = M.Colon;
      return i + 1;
    }
    return i;
  }

  /** A top-level metadata value (any JSON value), kept parsed in `metadata`. */
  private scanValue(buf: Buffer, i: number): number {
    const n = buf.length;
    for (; i < n; i++) {
      const b = buf[i]!;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (b === BSLASH) this.esc = true;
        else if (b === QUOTE) this.inStr = false;
        continue;
      }
      if (b === QUOTE) { this.inStr = true; continue; }
      if (b === LBRACE || b === LBRACK) { this.depth++; continue; }
      const closes = b === RBRACE || b === RBRACK;
      if (this.depth > 0) { if (closes) this.depth--; continue; }
      if (b !== COMMA && !closes) continue;
      const from = this.start - this.base;
      const bytes = from >= 0 ? buf.subarray(from, i) : concat([...this.pieces, buf.subarray(0, i)]);
      this.pieces = [];
      try {
        this.metadata[this.key] = JSON.parse(bytes.toString('utf8'));
      } catch (e) {
        this.fail(`the value of "${this.key}" at byte ${fmt(this.start)} is not valid JSON: ${(e as Error).message}`, this.start);
      }
      this.mode = M.ObjKey;
      this.needComma = true;
      return i; // the ',' or '}' is the object's
    }
    return i;
  }

  /** The input has ended: the stream's shape, metadata and warnings. */
  end(): StreamInfo {
    const at = this.base;
    const truncated = this.mode !== M.End && this.mode !== M.Done;
    if (truncated) {
      if (this.mode === M.Start) this.fail(at === 0 ? 'the file is empty: not a Chrome trace' : `not a Chrome trace: only whitespace in ${fmt(at)} bytes`, at);
      if (!this.sawEvents) this.fail(`unexpected end of file at byte ${fmt(at)} before the "traceEvents" array: the trace is truncated`, at);
      let msg: string;
      if (this.mode === M.Event) msg = `unexpected end of file inside event ${fmt(this.count)} (byte ${fmt(this.start)}): the trace is truncated`;
      else if (this.mode === M.Events) msg = `the events array is not closed (end of file at byte ${fmt(at)}): the trace is truncated`;
      else msg = `unexpected end of file in the top-level object at byte ${fmt(at)}, after the events: the trace is truncated`;
      if (this.count === 0 || this.opts.truncated === 'error') this.fail(msg, at, this.mode === M.Event ? this.count : undefined);
      this.warnings.push(`${this.file}: ${msg}; kept the ${fmt(this.count)} complete events before the cut`);
    } else if (!this.sawEvents) this.fail('no "traceEvents" array in the top-level object: not a Chrome trace', at);
    return { form: this.form, metadata: this.metadata, warnings: this.warnings, events: this.count, bytes: at, truncated };
  }
}

type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Read a whole stream, handing each batch of events to `onBatch` (the fast path). */
export async function readTraceJson(chunks: Chunks, onBatch: (b: RawBatch) => void, opts: StreamOptions = {}): Promise<StreamInfo> {
  const r = new TraceJsonReader(onBatch, opts);
  for await (const c of chunks) r.push(c);
  return r.end();
}

/** The events one by one; the generator's return value is the StreamInfo. */
export async function* traceEvents(chunks: Chunks, opts: StreamOptions = {}): AsyncGenerator<RawEvent, StreamInfo, undefined> {
  let queue: RawEvent[] = [];
  const r = new TraceJsonReader((b) => { for (const e of b.events) queue.push(e); }, opts);
  for await (const c of chunks) {
    r.push(c);
    const q = queue;
    queue = [];
    yield* q;
  }
  const info = r.end();
  yield* queue;
  return info;
}
