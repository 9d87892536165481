// What the streaming reader (json_stream.ts) hands out, and its error.

export type RawEvent = Record<string, unknown>;

export interface RawBatch {
  readonly events: readonly RawEvent[];
  /** Byte offset of each event in the (decompressed) stream. */
  readonly offsets: readonly number[];
  /** Each event's top-level "args" value as a key (its bytes read as latin1: equal keys, equal args), when asked. */
  readonly argsKey?: readonly (string | undefined)[];
  /** Index of events[0] in the events array. */
  readonly first: number;
}

export interface StreamInfo {
  readonly form: 'array' | 'object';
  /** The object form's top-level fields other than traceEvents. */
  readonly metadata: Record<string, unknown>;
  readonly warnings: string[];
  readonly events: number;
  readonly bytes: number;
  readonly truncated: boolean;
}

export interface StreamOptions {
  /** Named in errors and warnings. */
  readonly fileName?: string;
  /** A truncated trace: 'warn' (default: keep the events before the cut) or 'error'. */
  readonly truncated?: 'warn' | 'error';
  /** Report each event's args bytes as a key in RawBatch.argsKey (to share identical args). */
  readonly argsKey?: boolean;
  /** Stop after this many events, ignoring the rest of the input (re-reading one event). */
  readonly maxEvents?: number;
}

export class TraceJsonError extends Error {
  constructor(message: string, readonly offset: number, readonly event?: number) {
    super(message);
    this.name = 'TraceJsonError';
  }
}

/** 1234567 → '1,234,567' (offsets and counts in messages). */
export const fmt = (n: number): string => n.toLocaleString('en-US');
