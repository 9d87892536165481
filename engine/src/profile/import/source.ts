// The source location an event carries: ours `source: 'model.py:23'`; torch with_stack=True
// either encloses ops in `python_function` spans named 'path/model.py(23): forward' (kineto) or
// puts a 'Call stack' arg on them ('path(23): fn;...', older kineto). The frames are returned
// innermost first so the caller can pick the user's (userFrame), resolved against its workspace.
import { argsAt, catOf, nameOf, sourceLineOf, type TraceModel } from './events.js';
import { structure } from './structure.js';

export interface Frame {
  readonly file: string;
  readonly line: number;
  readonly function?: string;
}

export interface SourceInfo {
  /** The user's frame: ours the op's own line; torch the innermost frame outside torch and site-packages. */
  readonly location?: Frame;
  /** Innermost first. */
  readonly frames: readonly Frame[];
}

const OURS = /^(.*):(\d+)$/;
const PY_FRAME = /^(.*)\((\d+)\): (.*)$/;
const LIBRARY = /(^|[\\/])(site-packages|dist-packages|torch|lib[\\/]python\d[.\d]*)[\\/]|^<|^built-in/;

/** 'model.py(23): forward' → frame. */
export function parseFrame(s: string): Frame | undefined {
  const m = PY_FRAME.exec(s.trim());
  return m ? { file: m[1]!, line: Number(m[2]), function: m[3]! } : undefined;
}

/** The first frame that is not library code (or that `isUser` accepts). */
export function userFrame(frames: readonly Frame[], isUser: (f: Frame) => boolean = (f) => !LIBRARY.test(f.file)): Frame | undefined {
  return frames.find(isUser);
}

export function sourceOf(m: TraceModel, i: number): SourceInfo {
  const s = structure(m);
  const own = sourceLineOf(m, i);
  if (own !== undefined) {
    const mm = OURS.exec(own);
    const f: Frame | undefined = mm ? { file: mm[1]!, line: Number(mm[2]) } : undefined;
    return f ? { location: f, frames: [f] } : { frames: [] };
  }
  // A kernel: its launching op's source.
  if (s.isKernel[i] && s.launcher[i]! >= 0) return sourceOf(m, s.launcher[i]!);
  const frames: Frame[] = [];
  const stack = argsAt(m, i)?.['Call stack'];
  if (typeof stack === 'string') for (const part of stack.split(';')) { const f = parseFrame(part); if (f) frames.push(f); }
  // kineto's python_function spans enclose the op: walk them outwards.
  if (frames.length === 0) {
    for (let q = s.parent[i]!; q >= 0; q = s.parent[q]!) {
      const f = catOf(m, q) === 'python_function' ? parseFrame(nameOf(m, q)) : undefined;
      if (f) frames.push(f);
    }
  }
  const location = userFrame(frames);
  return location ? { location, frames } : { frames };
}
