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
  let out: string[] | null = null;
  const n = src.length;
  let depth = 0;
  let openLineStart = -1; // line start of the outermost open bracket
  let openIndent = 0;
  let lineStart = 0;
  let i = 0;
  const indentAt = (ls: number): number => {
    let k = ls;
    while (k < n && (src.charCodeAt(k) === 32 || src.charCodeAt(k) === 9)) k++;
    return k - ls;
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
        const first = src[lineStart + ind];
        const blank = first === undefined || first === '\n' || first === '\r' || first === '#';
        if (!blank && ind <= openIndent && first !== ')' && first !== ']' && first !== '}' && src[lineStart - 2] !== '\\') {
          out ??= src.split('');
          for (let k = openLineStart; k < lineStart - 1; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
          depth = 0;
        }
      }
      continue;
    }
    if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc;
      const q = triple ? c.repeat(3) : c;
      i += q.length;
      while (i < n) {
        const k = src.charCodeAt(i);
        if (k === 92) { i += 2; continue; } // backslash
        if (!triple && k === 10) break;
        if (k === cc && (!triple || (src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc))) { i += q.length; break; }
        if (k === 10) lineStart = i + 1;
        i++;
      }
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
    out ??= src.split('');
    for (let k = openLineStart; k < n; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  }
  return out ? out.join('') : src;
}


/**
 * Split a (blanked) source into top-level chunks: a chunk starts at a line that begins in column
 * 0 outside brackets and strings, except `else`/`elif`/`except`/`finally` and lines after a
 * decorator or a backslash. Each chunk is parsed on its own, so an edit re-parses one chunk and a
 * syntax error cannot spill into the next class.
 */
export function topLevelChunks(src: string): { from: number; to: number }[] {
  const starts: number[] = [];
  const n = src.length;
  let depth = 0;
  let i = 0;
  let atLineStart = true;
  let prevDecorator = false;
  let prevBackslash = false;
  while (i < n) {
    if (atLineStart) {
      atLineStart = false;
      const c = src[i]!;
      if (depth === 0 && !prevBackslash && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '#') {
        const word = /^[A-Za-z_]+/.exec(src.slice(i, i + 8))?.[0] ?? '';
        const cont = word === 'else' || word === 'elif' || word === 'except' || word === 'finally';
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
      i = nl < 0 ? n : nl;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc;
      i += triple ? 3 : 1;
      while (i < n) {
        const k = src.charCodeAt(i);
        if (k === 92) { i += 2; continue; } // backslash
        if (!triple && k === 10) break;
        if (k === cc && (!triple || (src.charCodeAt(i + 1) === cc && src.charCodeAt(i + 2) === cc))) { i += triple ? 3 : 1; break; }
        i++;
      }
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    i++;
  }
  if (starts.length === 0 || starts[0] !== 0) starts.unshift(0);
  return starts.map((from, k) => ({ from, to: k + 1 < starts.length ? starts[k + 1]! : n }));
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
