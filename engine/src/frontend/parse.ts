// Error-tolerant, incremental parsing. Lezer recovers from most errors locally, but an unclosed
// bracket (the typical half-typed line `x = self.conv1(x`) swallows every following line into one
// broken call. Before parsing we blank such a statement (same length, so offsets stay true): the
// half-typed line loses only itself. The text is then cut into top-level chunks parsed one by one
// (see ChunkedParser): lezer's own fragment reuse gave trees that differ from a fresh parse
// (a class body left open across a reused fragment), chunks cannot.

import type { Position } from './types.js';

/** Character codes the scanners below stop at: newline, #, quotes, brackets. */
const SPECIAL = new Uint8Array(128);
for (const c of '\n#"\'()[]{}') SPECIAL[c.charCodeAt(0)] = 1;

/** Replace statements with an unclosed bracket by spaces; returns the text unchanged when there is none. */
export function blankUnclosed(src: string): string {
  return blankRegion(src, 0, src.length).text;
}

/**
 * blankUnclosed over `src[from, to)`, starting in a clean state at `from` (a line start outside
 * brackets and strings). `clean` says the scan also ended outside brackets and strings, so text
 * after `to` is blanked as it would be in a scan of the whole file. `to` short of the end of the
 * text is not the end of the file: a bracket still open there makes the region unclean.
 */
function blankRegion(src: string, from: number, to: number): { text: string; clean: boolean } {
  let out: string[] | null = null;
  const n = to;
  const eof = to === src.length;
  let depth = 0;
  let openLineStart = -1; // line start of the outermost open bracket
  let openIndent = 0;
  let lineStart = from;
  let i = from;
  let clean = true;
  const indentAt = (ls: number): number => {
    let k = ls;
    while (k < n && (src.charCodeAt(k) === 32 || src.charCodeAt(k) === 9)) k++;
    return k - ls;
  };
  const blank = (a: number, b: number): void => {
    out ??= src.slice(from, to).split('');
    for (let k = a; k < b; k++) if (out[k - from] !== '\n' && out[k - from] !== '\r') out[k - from] = ' ';
  };
  while (i < n) {
    const cc = src.charCodeAt(i);
    // Fast path: characters that are none of newline, #, quotes, brackets.
    if (!SPECIAL[cc]) { i++; continue; }
    const c = src[i]!;
    if (c === '\n') {
      lineStart = i + 1;
      i++;
      if (depth > 0) {
        // A new line inside brackets: a line that starts a statement at or left of the opener's
        // indentation means the bracket was never closed.
        const ind = indentAt(lineStart);
        const first = lineStart + ind < n ? src[lineStart + ind] : undefined;
        const isBlank = first === undefined || first === '\n' || first === '\r' || first === '#';
        if (!isBlank && ind <= openIndent && first !== ')' && first !== ']' && first !== '}' && src[lineStart - 2] !== '\\') {
          blank(openLineStart, lineStart - 1);
          depth = 0;
        }
      }
      continue;
    }
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 || nl > n ? n : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc;
      const q = triple ? 3 : 1;
      i += q;
      let closed = false;
      while (i < n) {
        const k = src.charCodeAt(i);
        if (k === 92) { i += 2; continue; } // backslash
        if (!triple && k === 10) { closed = true; break; }
        if (k === cc && (!triple || (src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc))) { i += q; closed = true; break; }
        if (k === 10) lineStart = i + 1;
        i++;
      }
      if (!closed) clean = false;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) { openLineStart = lineStart; openIndent = indentAt(lineStart); }
      depth++;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) {
      depth--;
    }
    i++;
  }
  if (depth > 0 && openLineStart >= 0) {
    if (eof) blank(openLineStart, n);
    else clean = false;
  }
  if (i > n) clean = false; // a backslash escape ran over the end
  return { text: out ? (out as string[]).join('') : src.slice(from, to), clean };
}

/** One top-level chunk of a (blanked) source: offsets into it. */
export interface Chunk { readonly from: number; readonly to: number }

/**
 * Split a (blanked) source into top-level chunks: a chunk starts at a line that begins in column
 * 0 outside brackets and strings, except `else`/`elif`/`except`/`finally` and lines after a
 * decorator or a backslash. Each chunk is parsed on its own, so an edit re-parses one chunk and a
 * syntax error cannot spill into the next class.
 */
export function topLevelChunks(src: string): Chunk[] {
  const { starts } = chunkStarts(src, 0, src.length);
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0);
  return toChunks(starts, src.length);
}

function toChunks(starts: readonly number[], end: number): Chunk[] {
  return starts.map((from, k) => ({ from, to: k + 1 < starts.length ? starts[k + 1]! : end }));
}

const CONTINUATIONS = new Set(['else', 'elif', 'except', 'finally']);

/**
 * Chunk starts in `src[from, to)`, scanning from a clean state at `from` (a line start outside
 * brackets and strings). `clean`: the scan ended in that state too, so a line at `to` starts a
 * chunk exactly as in a scan of the whole text.
 */
function chunkStarts(src: string, from: number, to: number): { starts: number[]; clean: boolean } {
  const starts: number[] = [];
  const n = to;
  let depth = 0;
  let i = from;
  let atLineStart = true;
  let prevDecorator = false;
  let prevBackslash = false;
  let clean = true;
  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      const c = src[i]!;
      if (depth === 0 && !prevBackslash && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '#') {
        let e = i;
        while (e < i + 8 && e < n) {
          const k = src.charCodeAt(e);
          if (!((k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95)) break;
          e++;
        }
        const cont = e > i + 3 && e < i + 8 && CONTINUATIONS.has(src.slice(i, e));
        if (!cont && !prevDecorator) starts.push(i);
        prevDecorator = c === '@';
      }
    }
    const cc = src.charCodeAt(i);
    if (!SPECIAL[cc]) { i++; continue; }
    const c = src[i]!;
    if (c === '\n') {
      prevBackslash = i > 0 && src[i - 1] === '\\';
      atLineStart = true;
      i++;
      continue;
    }
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 || nl > n ? n : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc;
      i += triple ? 3 : 1;
      let closed = false;
      while (i < n) {
        const k = src.charCodeAt(i);
        if (k === 92) { i += 2; continue; } // backslash
        if (!triple && k === 10) { closed = true; break; }
        if (k === cc && (!triple || (src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc))) { i += triple ? 3 : 1; closed = true; break; }
        i++;
      }
      if (!closed) clean = false;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    i++;
  }
  if (depth > 0 || prevDecorator || prevBackslash || !atLineStart || i > n) clean = false;
  return { starts, clean };
}

/** A text change in offsets of the previous text. */
export interface TextEdit { readonly from: number; readonly to: number; readonly insertLength: number }

/** A source made ready for chunked parsing: unclosed statements blanked, cut into top-level chunks. */
export interface Prepared {
  readonly source: string;
  /** `source` with half-typed statements blanked (same length). */
  readonly text: string;
  readonly chunks: readonly Chunk[];
  /** With an edit: how many leading chunks are unchanged (same text, same place) and how many trailing ones (same text, moved). */
  readonly same?: { readonly before: number; readonly after: number };
}

export function prepare(source: string): Prepared {
  const text = blankUnclosed(source);
  return { source, text, chunks: topLevelChunks(text) };
}

/**
 * `prepare` after one edit, scanning only the chunks around it: the scanners start clean at a
 * chunk start, and once a scan ends clean at an old chunk start past the edit, the rest is the
 * old result moved. Null when the edit does not describe the change (then scan the whole text).
 */
export function prepareEdit(prev: Prepared, source: string, edit: TextEdit): Prepared | null {
  const old = prev.source;
  const { from, to, insertLength } = edit;
  const delta = insertLength - (to - from);
  if (from < 0 || to < from || to > old.length || source.length !== old.length + delta) return null;
  // The edit must be the whole change: compare what it says is untouched (native compares).
  if (source.slice(0, from) !== old.slice(0, from) || source.slice(from + insertLength) !== old.slice(to)) return null;
  const chunks = prev.chunks;
  // The chunk holding the edit's start, and the first chunk starting after its end.
  let k = 0;
  while (k + 1 < chunks.length && chunks[k + 1]!.from <= from) k++;
  let j = k + 1;
  while (j < chunks.length && chunks[j]!.from <= to) j++;
  // Blanking a statement can change what the scan of the raw text sees after it (a blanked
  // quote): the raw scan is only known to be clean at chunk starts before the first blanking.
  // So the region starts there at the latest, and the old text's scan must end clean as well.
  const blanks = prev.text !== old;
  if (blanks) {
    for (let m = 0; m < k; m++) {
      const c = chunks[m]!;
      if (prev.text.slice(c.from, c.to) !== old.slice(c.from, c.to)) { k = m; break; }
    }
  }
  for (let tries = 0; tries < 6; tries++) {
    const rFrom = chunks[k]!.from;
    const rToOld = j < chunks.length ? chunks[j]!.from : old.length;
    const rTo = rToOld + delta;
    const blanked = blankRegion(source, rFrom, rTo);
    const text = prev.text.slice(0, rFrom) + blanked.text + prev.text.slice(rToOld);
    const scan = chunkStarts(text, rFrom, rTo);
    const startsAtFrom = scan.starts.length > 0 && scan.starts[0] === rFrom;
    if (!startsAtFrom && k > 0) { k--; continue; } // the first line joined the chunk before
    if (j < chunks.length && (!blanked.clean || !scan.clean || (blanks && !blankRegion(old, rFrom, rToOld).clean))) { j++; continue; }
    const starts = scan.starts;
    if (!startsAtFrom) starts.unshift(0); // k === 0: the file's first chunk starts at 0
    const mid = toChunks(starts, rTo);
    const out: Chunk[] = chunks.slice(0, k);
    for (const c of mid) out.push(c);
    for (let m = j; m < chunks.length; m++) out.push({ from: chunks[m]!.from + delta, to: chunks[m]!.to + delta });
    return { source, text, chunks: out, same: { before: k, after: chunks.length - j } };
  }
  return null;
}

/** Offset <-> LSP position (0-based line, UTF-16 character). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** Line of the last lookup: results come in offset order, mostly on the same or the next line. */
  private last = 0;
  position(offset: number): Position {
    const line = this.line(offset);
    return { line, character: offset - this.starts[line]! };
  }
  /** Line of an offset without allocating (results reuse unchanged positions: see buildResult). */
  line(offset: number): number {
    const st = this.starts;
    const l = this.last;
    if (st[l]! <= offset) {
      if (l + 1 >= st.length || offset < st[l + 1]!) return l;
      if (l + 2 >= st.length || offset < st[l + 2]!) return (this.last = l + 1);
    }
    let lo = 0;
    let hi = st.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (st[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return (this.last = lo);
  }
  /** Whether `offset` is at (line, character): O(1), no search (checking a kept position). */
  isAt(offset: number, line: number, character: number): boolean {
    const st = this.starts;
    if (line < 0 || line >= st.length || st[line]! + character !== offset || character < 0) return false;
    return line + 1 >= st.length || offset < st[line + 1]!;
  }
  lineOf(offset: number): number {
    return this.position(offset).line;
  }
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))]!;
  }
  /** End of the line's content (before the newline and any trailing comment is NOT stripped). */
  lineEnd(line: number): number {
    const next = line + 1 < this.starts.length ? this.starts[line + 1]! - 1 : this.text.length;
    return next > 0 && this.text[next - 1] === '\r' ? next - 1 : next;
  }
  get lineCount(): number {
    return this.starts.length;
  }
}
