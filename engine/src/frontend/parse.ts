// Incremental, error-tolerant parsing. Lezer recovers from most errors locally, but an
// unclosed bracket (the typical half-typed line `x = self.conv1(x`) swallows every following
// line into one broken call. Before parsing we blank such a statement (same length, so offsets
// stay true): the half-typed line loses only itself. Between versions we keep lezer's tree
// fragments, so a one-character edit re-parses only around the edit.

import { TreeFragment, type Tree } from '@lezer/common';
import { parser } from '@lezer/python';
import type { Position } from './types.js';

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
    while (k < n && (src[k] === ' ' || src[k] === '\t')) k++;
    return k - ls;
  };
  while (i < n) {
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
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      i += q.length;
      while (i < n) {
        if (src[i] === '\\') { i += 2; continue; }
        if (!triple && src[i] === '\n') break;
        if (src.startsWith(q, i)) { i += q.length; break; }
        if (src[i] === '\n') lineStart = i + 1;
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

/** Keeps the last tree so the next parse reuses unchanged fragments. */
export class IncrementalParser {
  private text = '';
  private fragments: readonly TreeFragment[] = [];
  tree: Tree | null = null;

  parse(source: string): { tree: Tree; text: string } {
    const text = blankUnclosed(source);
    if (this.tree && text === this.text) return { tree: this.tree, text };
    let fragments: readonly TreeFragment[] = [];
    if (this.tree) {
      // One changed range found by common prefix/suffix: robust whatever edits the caller reports.
      const a = this.text;
      let pre = 0;
      const max = Math.min(a.length, text.length);
      while (pre < max && a.charCodeAt(pre) === text.charCodeAt(pre)) pre++;
      let suf = 0;
      while (suf < max - pre && a.charCodeAt(a.length - 1 - suf) === text.charCodeAt(text.length - 1 - suf)) suf++;
      fragments = TreeFragment.applyChanges(this.fragments, [{ fromA: pre, toA: a.length - suf, fromB: pre, toB: text.length - suf }]);
    }
    const tree = parser.parse(text, fragments);
    this.tree = tree;
    this.text = text;
    this.fragments = TreeFragment.addTree(tree, fragments);
    return { tree, text };
  }
}

/** Offset <-> LSP position (0-based line, UTF-16 character). */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo]! };
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
