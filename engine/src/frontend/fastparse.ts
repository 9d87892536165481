// A hand-written recursive-descent parser for one top-level chunk (see topLevelChunks), going
// straight from text to the AST of ast.ts. It is a fast path: it must give exactly what
// @lezer/python + Converter give, or null. Anything it does not handle exactly like that (every
// syntax error; rare constructs: match statements, `print x`, `type X = ...`, type parameters,
// async comprehensions, a generator argument beside others, CRLF, form feeds; lezer's give-ups
// on very long chains) makes it bail out with null, and the caller falls back to lezer.
//
// Spans imitate lezer's tree: a node spans its first to its last token (parentheses included, so
// `f((a))`'s argument spans `(a)` while its value spans `a`); a simple statement ends at its last
// token; a Body (and so a compound statement) ends at the end of the newline token that ends its
// last simple statement (comments and blank lines after it are not part of it), or at its last
// token when the chunk ends without one. Other lezer behaviours imitated: `not` takes a whole
// or/and/comparison to its right (`not a and b` is `not (a and b)`), `await` a whole arithmetic
// expression; `1.` is no number (`1.e5` is an attribute); the top level takes indented lines as
// statements; strings keep their escapes; see also end(), BIG, LONG_BLOCK.

import type { Arg, CompFor, Expr, Param, Stmt } from './ast.js';
import { parseNumber } from './literals.js';

// Token types (typed `number`: TypeScript would otherwise narrow `this.t` across `this.adv()`).
const T_EOF: number = 0, T_NL: number = 1, T_NAME: number = 2, T_NUM: number = 3, T_STR: number = 4, T_LPAR: number = 5,
  T_RPAR: number = 6, T_LSQB: number = 7, T_RSQB: number = 8, T_LBRACE: number = 9, T_RBRACE: number = 10, T_COMMA: number = 11,
  T_SEMI: number = 12, T_DOT: number = 13, T_ELLIPSIS: number = 14, T_COLON: number = 15, T_WALRUS: number = 16, T_ASSIGN: number = 17,
  T_ARROW: number = 18, T_STAR: number = 19, T_DSTAR: number = 20, T_AT: number = 21, T_TILDE: number = 22, T_BANG: number = 23,
  T_AUG: number = 24, T_CMP: number = 25, T_BIN: number = 26;

// Keywords (lezer's kw<...>: an identifier with this text is always the keyword).
const K_AND: number = 1, K_AS: number = 2, K_ASSERT: number = 3, K_ASYNC: number = 4, K_AWAIT: number = 5, K_BREAK: number = 6,
  K_CLASS: number = 7, K_CONTINUE: number = 8, K_DEF: number = 9, K_DEL: number = 10, K_ELIF: number = 11, K_ELSE: number = 12,
  K_EXCEPT: number = 13, K_FALSE: number = 14, K_FINALLY: number = 15, K_FOR: number = 16, K_FROM: number = 17, K_GLOBAL: number = 18,
  K_IF: number = 19, K_IMPORT: number = 20, K_IN: number = 21, K_IS: number = 22, K_LAMBDA: number = 23, K_NONE: number = 24,
  K_NONLOCAL: number = 25, K_NOT: number = 26, K_OR: number = 27, K_PASS: number = 28, K_RAISE: number = 29, K_RETURN: number = 30,
  K_TRUE: number = 31, K_TRY: number = 32, K_WHILE: number = 33, K_WITH: number = 34, K_YIELD: number = 35;

const KEYWORDS: [string, number][] = [
  ['and', K_AND], ['as', K_AS], ['assert', K_ASSERT], ['async', K_ASYNC], ['await', K_AWAIT], ['break', K_BREAK],
  ['class', K_CLASS], ['continue', K_CONTINUE], ['def', K_DEF], ['del', K_DEL], ['elif', K_ELIF], ['else', K_ELSE],
  ['except', K_EXCEPT], ['False', K_FALSE], ['finally', K_FINALLY], ['for', K_FOR], ['from', K_FROM],
  ['global', K_GLOBAL], ['if', K_IF], ['import', K_IMPORT], ['in', K_IN], ['is', K_IS], ['lambda', K_LAMBDA],
  ['None', K_NONE], ['nonlocal', K_NONLOCAL], ['not', K_NOT], ['or', K_OR], ['pass', K_PASS], ['raise', K_RAISE],
  ['return', K_RETURN], ['True', K_TRUE], ['try', K_TRY], ['while', K_WHILE], ['with', K_WITH], ['yield', K_YIELD],
];
/** Keywords by first character code (all ASCII letters). */
const KW_BY_CHAR: [string, number][][] = [];
for (let i = 0; i < 128; i++) KW_BY_CHAR.push([]);
for (const kw of KEYWORDS) KW_BY_CHAR[kw[0].charCodeAt(0)]!.push(kw);

/** Character classes: 1 identifier start, 2 digit. */
const CC = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) CC[c] = 1;
  else if (c >= 48 && c <= 57) CC[c] = 2;
}

/**
 * Lezer forces its way out of a left-associative chain (a + b + ..., a.b().c...) after 300 big
 * (2000+ characters) reductions at one start (Rec.MaxLeftAssociativeReductionCount), which changes
 * its tree; we count the links of chains that long and leave such chunks to it.
 */
const BIG = 100;
/** Statements of a block after its first 2000 characters handled (see block()). */
const LONG_BLOCK = 250;

/** Thrown (one shared object) to give up; caught in fastParseChunk. */
const BAIL: { bail: true } = { bail: true };
function bail(): never {
  throw BAIL;
}

function isIdentStart(c: number): boolean {
  return c < 128 ? CC[c] === 1 : c >= 0xa1;
}
function isIdentChar(c: number): boolean {
  return c < 128 ? CC[c] !== 0 : c >= 0xa1;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isDigitU(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 95;
}
function isHexU(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 95;
}

class FastParser {
  private readonly n: number;
  /** Scan position (just after the current token). */
  private pos = 0;
  /** Current token: type, start, end, keyword id (names), binary precedence (T_BIN). */
  private t = T_EOF;
  private ts = 0;
  private te = 0;
  private kw = 0;
  private bp = 0;
  /** Current string token: body start/end and whether it is a format string. */
  private sbs = 0;
  private sbe = 0;
  private sfmt = false;
  /** Bracket depth (newlines inside brackets are skipped). */
  private depth = 0;
  /** End of the last consumed token. */
  private lastEnd = 0;
  /** Indentation of the line the current token starts (valid after a newline). */
  private lineIndent = 0;
  /** Start of the line the current token starts (valid after a newline). */
  private lineBegin = 0;
  /** Links of 2000+ character chains seen (see BIG). */
  private big = 0;

  constructor(private readonly src: string, private readonly off: number) {
    this.n = src.length;
  }

  // ---------------------------------------------------------------- tokenizer

  private c(p: number): number {
    return p < this.n ? this.src.charCodeAt(p) : -1;
  }

  /** Consume the current token and scan the next. */
  private adv(): void {
    this.lastEnd = this.te;
    this.scan();
  }

  private expect(t: number): void {
    if (this.t !== t) bail();
    this.adv();
  }

  private expectKw(k: number): void {
    if (this.t !== T_NAME || this.kw !== k) bail();
    this.adv();
  }

  /** Consume a newline token, skip blank and comment lines, measure the next line's indentation. */
  private advNL(): void {
    this.lastEnd = this.te;
    this.lineStart(this.te);
  }

  private lineStart(p: number): void {
    const src = this.src;
    const n = this.n;
    for (;;) {
      const begin = p;
      let ind = 0;
      let c = p < n ? src.charCodeAt(p) : -1;
      while (c === 32 || c === 9) {
        ind = c === 9 ? ind + 8 - (ind % 8) : ind + 1;
        p++;
        c = p < n ? src.charCodeAt(p) : -1;
      }
      if (c < 0) {
        // Whitespace before the end: lezer may see an indent there.
        if (ind > 0) bail();
        this.pos = n; this.t = T_EOF; this.ts = this.te = n;
        return;
      }
      if (c === 10) { p++; continue; }
      if (c === 35) {
        const nl = src.indexOf('\n', p);
        if (nl < 0) { this.pos = n; this.t = T_EOF; this.ts = this.te = n; return; }
        p = nl + 1;
        continue;
      }
      if (c === 92 || c === 12) bail();
      this.lineIndent = ind;
      this.lineBegin = begin;
      this.pos = p;
      this.scan();
      return;
    }
  }

  private scan(): void {
    const src = this.src;
    const n = this.n;
    let p = this.pos;
    for (;;) {
      if (p >= n) {
        this.pos = n; this.t = T_EOF; this.ts = this.te = n;
        return;
      }
      const c = src.charCodeAt(p);
      if (c === 32 || c === 9) { p++; continue; }
      if (c === 10) {
        if (this.depth > 0) { p++; continue; }
        this.t = T_NL; this.ts = p; this.te = this.pos = p + 1;
        return;
      }
      if (c === 35) {
        const nl = src.indexOf('\n', p);
        p = nl < 0 ? n : nl;
        continue;
      }
      if (c === 92) {
        // Line continuation: only a backslash right before a newline, followed by a line with content.
        if (p + 1 >= n || src.charCodeAt(p + 1) !== 10) bail();
        p += 2;
        let q = p;
        while (q < n && (src.charCodeAt(q) === 32 || src.charCodeAt(q) === 9)) q++;
        if (q >= n || src.charCodeAt(q) === 10 || src.charCodeAt(q) === 35 || src.charCodeAt(q) === 92) bail();
        continue;
      }
      this.ts = p;
      if (c < 128 ? CC[c] === 1 : c >= 0xa1) {
        let q = p + 1;
        while (q < n && isIdentChar(src.charCodeAt(q))) q++;
        const len = q - p;
        if (len <= 2 && q < n) {
          const d = src.charCodeAt(q);
          if (d === 39 || d === 34) {
            const pf = this.stringPrefix(p, len);
            if (pf >= 0) { this.scanString(p, q, pf); return; }
          }
        }
        this.t = T_NAME; this.te = this.pos = q;
        this.kw = c < 128 ? this.keyword(p, len, c) : 0;
        return;
      }
      if (c < 128 && CC[c] === 2) { this.scanNumber(p); return; }
      switch (c) {
        case 39: case 34: this.scanString(p, p, 0); return;
        case 40: this.depth++; return this.op(T_LPAR, p + 1);
        case 41: this.depth--; return this.op(T_RPAR, p + 1);
        case 91: this.depth++; return this.op(T_LSQB, p + 1);
        case 93: this.depth--; return this.op(T_RSQB, p + 1);
        case 123: this.depth++; return this.op(T_LBRACE, p + 1);
        case 125: this.depth--; return this.op(T_RBRACE, p + 1);
        case 44: return this.op(T_COMMA, p + 1);
        case 59: return this.op(T_SEMI, p + 1);
        case 46: {
          const d = this.c(p + 1);
          if (isDigit(d)) { this.scanNumber(p); return; }
          if (d === 46 && this.c(p + 2) === 46) return this.op(T_ELLIPSIS, p + 3);
          return this.op(T_DOT, p + 1);
        }
        case 58: return this.c(p + 1) === 61 ? this.op(T_WALRUS, p + 2) : this.op(T_COLON, p + 1);
        case 61: return this.c(p + 1) === 61 ? this.op(T_CMP, p + 2) : this.op(T_ASSIGN, p + 1);
        case 33: return this.c(p + 1) === 61 ? this.op(T_CMP, p + 2) : this.op(T_BANG, p + 1);
        case 126: return this.op(T_TILDE, p + 1);
        case 45: // -
          if (this.c(p + 1) === 62) return this.op(T_ARROW, p + 2);
          if (this.c(p + 1) === 61) return this.op(T_AUG, p + 2);
          this.bp = 7; return this.op(T_BIN, p + 1);
        case 43: // +
          if (this.c(p + 1) === 61) return this.op(T_AUG, p + 2);
          this.bp = 7; return this.op(T_BIN, p + 1);
        case 42: // * ** *= **=
          if (this.c(p + 1) === 42) return this.c(p + 2) === 61 ? this.op(T_AUG, p + 3) : this.op(T_DSTAR, p + 2);
          return this.c(p + 1) === 61 ? this.op(T_AUG, p + 2) : this.op(T_STAR, p + 1);
        case 47: // / // /= //=
          if (this.c(p + 1) === 47) {
            if (this.c(p + 2) === 61) return this.op(T_AUG, p + 3);
            this.bp = 8; return this.op(T_BIN, p + 2);
          }
          if (this.c(p + 1) === 61) return this.op(T_AUG, p + 2);
          this.bp = 8; return this.op(T_BIN, p + 1);
        case 37: case 38: case 124: case 94: // % & | ^
          if (this.c(p + 1) === 61) return this.op(T_AUG, p + 2);
          this.bp = c === 37 ? 8 : c === 38 ? 5 : c === 124 ? 3 : 4;
          return this.op(T_BIN, p + 1);
        case 64: // @ @=
          return this.c(p + 1) === 61 ? this.op(T_AUG, p + 2) : this.op(T_AT, p + 1);
        case 60: case 62: { // < > <= >= << >> <<= >>= <>
          const d = this.c(p + 1);
          if (d === c) {
            if (this.c(p + 2) === 61) return this.op(T_AUG, p + 3);
            this.bp = 6; return this.op(T_BIN, p + 2);
          }
          if (d === 61 || (c === 60 && d === 62)) return this.op(T_CMP, p + 2);
          return this.op(T_CMP, p + 1);
        }
        default:
          bail();
      }
    }
  }

  private op(t: number, end: number): void {
    this.t = t; this.te = this.pos = end;
  }

  private keyword(p: number, len: number, c: number): number {
    const list = KW_BY_CHAR[c]!;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]![0];
      if (w.length === len && this.src.startsWith(w, p)) return list[i]![1];
    }
    return 0;
  }

  /** -1: not a string prefix; else bit 1 raw, bit 2 format. */
  private stringPrefix(p: number, len: number): number {
    const a = this.src.charCodeAt(p) | 32;
    if (len === 1) {
      if (a === 117 || a === 98) return 0; // u b
      if (a === 114) return 1; // r
      if (a === 102) return 2; // f
      return -1;
    }
    const b = this.src.charCodeAt(p + 1) | 32;
    if ((a === 114 && b === 98) || (a === 98 && b === 114)) return 1; // rb br
    if ((a === 114 && b === 102) || (a === 102 && b === 114)) return 3; // rf fr
    return -1;
  }

  private scanNumber(p: number): void {
    const src = this.src;
    const n = this.n;
    const start = p;
    let c = src.charCodeAt(p);
    let done = false;
    if (c === 48 && p + 2 < n) {
      const x = src.charCodeAt(p + 1) | 32;
      const d = src.charCodeAt(p + 2);
      if (x === 98 && (d === 48 || d === 49 || d === 95)) {
        p += 3;
        while (p < n && ((c = src.charCodeAt(p)) === 48 || c === 49 || c === 95)) p++;
        done = true;
      } else if (x === 111 && ((d >= 48 && d <= 55) || d === 95)) {
        p += 3;
        while (p < n && (((c = src.charCodeAt(p)) >= 48 && c <= 55) || c === 95)) p++;
        done = true;
      } else if (x === 120 && isHexU(d)) {
        p += 3;
        while (p < n && isHexU(src.charCodeAt(p))) p++;
        done = true;
      }
    }
    if (!done) {
      if (c === 46) {
        p += 2;
        while (p < n && isDigitU(src.charCodeAt(p))) p++;
      } else {
        p++;
        while (p < n && isDigitU(src.charCodeAt(p))) p++;
        if (p + 1 < n && src.charCodeAt(p) === 46 && isDigit(src.charCodeAt(p + 1))) {
          p += 2;
          while (p < n && isDigitU(src.charCodeAt(p))) p++;
        }
      }
      if (p < n && (src.charCodeAt(p) | 32) === 101) {
        let q = p + 1;
        if (q < n && (src.charCodeAt(q) === 43 || src.charCodeAt(q) === 45)) q++;
        if (q < n && isDigit(src.charCodeAt(q))) {
          p = q + 1;
          while (p < n && isDigitU(src.charCodeAt(p))) p++;
        }
      }
      if (p < n && (src.charCodeAt(p) | 32) === 106) p++;
    }
    this.t = T_NUM; this.ts = start; this.te = this.pos = p;
  }

  /** A string starting at `start` (prefix) whose quote is at `q`; `pf` bit 1 raw, bit 2 format. */
  private scanString(start: number, q: number, pf: number): void {
    const src = this.src;
    const n = this.n;
    const quote = src.charCodeAt(q);
    const long = src.charCodeAt(q + 1) === quote && src.charCodeAt(q + 2) === quote;
    const fmt = (pf & 2) !== 0;
    let p = q + (long ? 3 : 1);
    const bs = p;
    for (;;) {
      if (p >= n) bail();
      const c = src.charCodeAt(p);
      if (c === quote) {
        if (!long) break;
        if (src.charCodeAt(p + 1) === quote && src.charCodeAt(p + 2) === quote) break;
        p++;
      } else if (c === 92) {
        // Escapes (and raw strings' backslashes) skip the next character.
        const d = src.charCodeAt(p + 1);
        if (p + 1 >= n || (!long && d === 10) || d === 13) bail();
        p += 2;
      } else if (c === 10) {
        if (!long) bail();
        p++;
      } else if (c === 13) {
        bail();
      } else if (fmt && c === 123) {
        if (src.charCodeAt(p + 1) === 123) { p += 2; continue; }
        p = this.replacement(p + 1, quote, long);
      } else {
        p++;
      }
    }
    this.t = T_STR; this.ts = start; this.sbs = bs; this.sbe = p; this.sfmt = fmt;
    this.te = this.pos = p + (long ? 3 : 1);
  }

  /** A format string's replacement field, after its `{`; returns the position after its `}`. */
  private replacement(p: number, quote: number, long: boolean): number {
    const lastEnd = this.lastEnd;
    const r = this.replacementInner(p, quote, long);
    this.lastEnd = lastEnd;
    return r;
  }

  private replacementInner(p: number, quote: number, long: boolean): number {
    this.depth++;
    this.pos = p;
    this.scan();
    if (this.t === T_RBRACE) bail();
    for (;;) {
      if (this.t === T_STAR) { this.adv(); this.parseBitOr(); }
      else this.parseTest(false);
      if (this.t !== T_COMMA) break;
      this.adv();
      if (this.t === T_RBRACE || this.t === T_ASSIGN || this.t === T_BANG || this.t === T_COLON) break;
    }
    if (this.t === T_ASSIGN) this.adv();
    if (this.t === T_BANG) {
      const d = this.c(this.te);
      if (d !== 115 && d !== 114 && d !== 97) bail();
      this.pos = this.te + 1;
      this.scan();
    }
    if (this.t === T_RBRACE) return this.te;
    if (this.t !== T_COLON) bail();
    // Format spec: raw characters up to `}`, nested replacements.
    const src = this.src;
    let q = this.te;
    for (;;) {
      if (q >= this.n) bail();
      const c = src.charCodeAt(q);
      if (c === 125) { this.depth--; return q + 1; }
      if (c === 123) { q = this.replacement(q + 1, quote, long); continue; }
      if (c === quote || c === 10 || c === 13 || c === 92 || c === 39 || c === 34) bail();
      q++;
    }
  }

  // ---------------------------------------------------------------- statements

  parseChunk(): Stmt[] {
    if (this.src.indexOf('\r') >= 0) bail();
    this.lineStart(0);
    const out: Stmt[] = [];
    if (this.t === T_EOF) return out;
    this.block(-1, out);
    if (this.t !== T_EOF) bail();
    return out;
  }

  /**
   * Whether the current token (at a line start) is at the level of a block at `indent`. -1 is the
   * top level, where lezer takes a line at any indentation (its indentation tokens are not
   * expected there, so not looked for); in a body a deeper line is an error, a shallower one ends it.
   */
  private sameLevel(indent: number): boolean {
    return indent < 0 || this.lineIndent === indent;
  }

  /** Statements of a block at indentation `indent` (-1: the top level; the current token starts a line). */
  private block(indent: number, out: Stmt[]): void {
    const start = this.ts;
    let late = 0;
    for (;;) {
      this.statement(indent, out);
      // Lezer also forces its way out of a block of hundreds of statements in some big files
      // (sympy's generated rules: a 2000+ character first statement, ~600 statements); be safe.
      if (this.lastEnd - start >= 2000 && ++late > LONG_BLOCK) bail();
      if (this.t === T_EOF) return;
      if (this.lineIndent === indent || indent < 0) continue;
      if (this.lineIndent < indent) return;
      bail();
    }
  }

  private atEnd(): boolean {
    const t = this.t;
    return t === T_NL || t === T_SEMI || t === T_EOF;
  }

  private statement(indent: number, out: Stmt[]): void {
    if (this.t === T_NAME) {
      switch (this.kw) {
        case K_IF: out.push(this.ifStmt(indent)); return;
        case K_FOR: out.push(this.forStmt(indent, this.ts)); return;
        case K_WHILE: out.push(this.whileStmt(indent)); return;
        case K_TRY: out.push(this.tryStmt(indent)); return;
        case K_WITH: out.push(this.withStmt(indent, this.ts)); return;
        case K_DEF: out.push(this.defStmt(indent, this.ts)); return;
        case K_CLASS: out.push(this.classStmt(indent)); return;
        case K_ASYNC: {
          const s = this.ts;
          this.adv();
          if (this.t !== T_NAME) bail();
          if (this.kw === K_DEF) out.push(this.defStmt(indent, s));
          else if (this.kw === K_FOR) out.push(this.forStmt(indent, s));
          else if (this.kw === K_WITH) out.push(this.withStmt(indent, s));
          else bail();
          return;
        }
        default: break;
      }
    } else if (this.t === T_AT) {
      out.push(this.decorated(indent));
      return;
    }
    this.simpleLine(out);
  }

  /** Small statements separated by `;`, then a newline (consumed) or the end. */
  private simpleLine(out: Stmt[]): void {
    for (;;) {
      out.push(this.smallStmt());
      if (this.t === T_SEMI) {
        this.adv();
        if (this.t === T_NL || this.t === T_EOF) break;
        continue;
      }
      break;
    }
    if (this.t === T_NL) this.advNL();
    else if (this.t !== T_EOF) bail();
  }

  /** The body after `:`: inline small statements, or an indented block. */
  private body(indent: number): Stmt[] {
    this.expect(T_COLON);
    const out: Stmt[] = [];
    if (this.t !== T_NL) {
      this.simpleLine(out);
      return out;
    }
    this.advNL();
    if (this.t === T_EOF || this.lineIndent <= (indent < 0 ? 0 : indent)) bail();
    this.block(this.lineIndent, out);
    return out;
  }

  private ifStmt(indent: number): Stmt {
    const starts: number[] = [];
    const tests: Expr[] = [];
    const bodies: Stmt[][] = [];
    let orelse: Stmt[] = [];
    starts.push(this.ts);
    this.adv();
    tests.push(this.parseTestNamed());
    bodies.push(this.body(indent));
    while (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_ELIF) {
      starts.push(this.ts);
      this.adv();
      if (this.t === T_COLON) bail();
      tests.push(this.parseTestNamed());
      bodies.push(this.body(indent));
    }
    let open = true;
    if (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_ELSE) {
      this.adv();
      orelse = this.body(indent);
      open = false;
    }
    const to = this.end(indent, open);
    for (let i = tests.length - 1; i >= 0; i--) {
      const s: Stmt = { from: starts[i]! + this.off, to, k: 'if', test: tests[i]!, body: bodies[i]!, orelse };
      orelse = [s];
    }
    return orelse[0]!;
  }

  /** Whether the last elseBody() found an else clause. */
  private hadElse = false;

  private elseBody(indent: number): Stmt[] {
    this.hadElse = false;
    if (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_ELSE) {
      this.adv();
      this.hadElse = true;
      return this.body(indent);
    }
    return [];
  }

  /**
   * End of a compound statement at `indent`. Lezer quirk: a top-level if/for/while/try that could
   * still take a clause (`open`: no else, no finally), followed by an indented line (which the
   * top level takes as a statement), ends at that line's start: over the blank and comment lines
   * before it.
   */
  private end(indent: number, open: boolean): number {
    return (open && indent < 0 && this.t !== T_EOF && this.lineIndent > 0 ? this.lineBegin : this.lastEnd) + this.off;
  }

  private forStmt(indent: number, start: number): Stmt {
    this.adv(); // for
    const target = this.exprList(1);
    this.expectKw(K_IN);
    const iter = this.exprList(0);
    const body = this.body(indent);
    const orelse = this.elseBody(indent);
    return { from: start + this.off, to: this.end(indent, !this.hadElse), k: 'for', target, iter, body, orelse };
  }

  private whileStmt(indent: number): Stmt {
    const start = this.ts;
    this.adv();
    const test = this.parseTestNamed();
    const body = this.body(indent);
    this.elseBody(indent);
    return { from: start + this.off, to: this.end(indent, !this.hadElse), k: 'while', test, body };
  }

  private withStmt(indent: number, start: number): Stmt {
    this.adv(); // with
    const items: { e: Expr; as?: Expr }[] = [];
    for (;;) {
      const e = this.parseTest(false);
      if (this.t === T_NAME && this.kw === K_AS) {
        this.adv();
        items.push({ e, as: this.nameExpr() });
      } else {
        items.push({ e });
      }
      if (this.t !== T_COMMA) break;
      this.adv();
      if (this.t === T_COLON) break;
    }
    const body = this.body(indent);
    return { from: start + this.off, to: this.lastEnd + this.off, k: 'with', items, body };
  }

  private tryStmt(indent: number): Stmt {
    const start = this.ts;
    this.adv();
    const body = this.body(indent);
    const handlers: Stmt[][] = [];
    let orelse: Stmt[] = [];
    let final: Stmt[] = [];
    while (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_EXCEPT) {
      this.adv();
      if (this.t === T_STAR) this.adv();
      if (this.t !== T_COLON) {
        this.parseTest(false);
        if ((this.t === T_NAME && this.kw === K_AS) || this.t === T_COMMA) {
          this.adv();
          this.nameExpr();
        }
      }
      handlers.push(this.body(indent));
    }
    if (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_ELSE) {
      this.adv();
      orelse = this.body(indent);
    }
    let open = true;
    if (this.t === T_NAME && this.lineIndent === (indent < 0 ? 0 : indent) && this.kw === K_FINALLY) {
      this.adv();
      final = this.body(indent);
      open = false;
    }
    return { from: start + this.off, to: this.end(indent, open), k: 'try', body, handlers, orelse, final };
  }

  private defStmt(indent: number, start: number): Stmt {
    this.adv(); // def
    if (this.t !== T_NAME || this.kw !== 0) bail();
    const nameFrom = this.ts;
    const nameTo = this.te;
    const name = this.src.slice(nameFrom, nameTo);
    this.adv();
    this.expect(T_LPAR);
    const params = this.params(false);
    this.expect(T_RPAR);
    let returns: Expr | undefined;
    if (this.t === T_ARROW) {
      this.adv();
      returns = this.parseTest(false);
    }
    const body = this.body(indent);
    return {
      from: start + this.off, to: this.lastEnd + this.off, k: 'def', name, nameFrom: nameFrom + this.off, nameTo: nameTo + this.off,
      params, body, decorators: [], returns,
    };
  }

  private classStmt(indent: number): Stmt {
    const start = this.ts;
    this.adv();
    if (this.t !== T_NAME || this.kw !== 0) bail();
    const nameFrom = this.ts;
    const nameTo = this.te;
    const name = this.src.slice(nameFrom, nameTo);
    this.adv();
    const bases = this.t === T_LPAR ? this.argList() : [];
    const body = this.body(indent);
    return { from: start + this.off, to: this.lastEnd + this.off, k: 'class', name, nameFrom: nameFrom + this.off, nameTo: nameTo + this.off, bases, body };
  }

  private decorated(indent: number): Stmt {
    const decorators: Expr[] = [];
    while (this.t === T_AT) {
      this.adv();
      let e = this.nameExpr();
      while (this.t === T_DOT) {
        this.adv();
        if (this.t !== T_NAME || this.kw !== 0) bail();
        e = { from: e.from, to: this.te + this.off, k: 'attr', obj: e, name: this.src.slice(this.ts, this.te), nameFrom: this.ts + this.off };
        this.adv();
      }
      if (this.t === T_LPAR) {
        const args = this.argList();
        e = { from: e.from, to: this.lastEnd + this.off, k: 'call', fn: e, args };
      }
      decorators.push(e);
      if (this.t !== T_NL) bail();
      this.advNL();
      if (this.t === T_EOF || !this.sameLevel(indent)) bail();
    }
    if (this.t !== T_NAME) bail();
    let s: Stmt;
    if (this.kw === K_DEF) s = this.defStmt(indent, this.ts);
    else if (this.kw === K_CLASS) return this.classStmt(indent);
    else if (this.kw === K_ASYNC) {
      const start = this.ts;
      this.adv();
      if (this.t !== T_NAME || this.kw !== K_DEF) bail();
      s = this.defStmt(indent, start);
    } else bail();
    (s as { decorators: Expr[] }).decorators = decorators;
    return s;
  }

  private smallStmt(): Stmt {
    const start = this.ts;
    const off = this.off;
    if (this.t === T_NAME) {
      switch (this.kw) {
        case 0: this.checkSoftKeyword(); break;
        case K_PASS: this.adv(); return { from: start + off, to: this.lastEnd + off, k: 'pass' };
        case K_BREAK: this.adv(); return { from: start + off, to: this.lastEnd + off, k: 'break' };
        case K_CONTINUE: this.adv(); return { from: start + off, to: this.lastEnd + off, k: 'continue' };
        case K_RETURN: {
          this.adv();
          if (this.atEnd()) return { from: start + off, to: this.lastEnd + off, k: 'return' };
          const e = this.exprList(2);
          return { from: start + off, to: this.lastEnd + off, k: 'return', e };
        }
        case K_DEL:
          this.adv();
          for (;;) {
            this.parseBitOr();
            if (this.t !== T_COMMA) break;
            this.adv();
            if (this.atEnd()) break;
          }
          return { from: start + off, to: this.lastEnd + off, k: 'other' };
        case K_GLOBAL: case K_NONLOCAL:
          this.adv();
          for (;;) {
            if (this.t !== T_NAME || this.kw !== 0) bail();
            this.adv();
            if (this.t !== T_COMMA) break;
            this.adv();
            if (this.atEnd()) break;
          }
          return { from: start + off, to: this.lastEnd + off, k: 'other' };
        case K_ASSERT:
          this.adv();
          for (;;) {
            this.parseTest(false);
            if (this.t !== T_COMMA) break;
            this.adv();
            if (this.atEnd()) break;
          }
          return { from: start + off, to: this.lastEnd + off, k: 'assert' };
        case K_RAISE:
          this.adv();
          if (!this.atEnd()) {
            this.parseTest(false);
            if (this.t === T_NAME && this.kw === K_FROM) { this.adv(); this.parseTest(false); }
            else if (this.t === T_COMMA) {
              this.adv();
              this.parseTest(false);
              if (this.t === T_COMMA) { this.adv(); this.parseTest(false); }
            }
          }
          return { from: start + off, to: this.lastEnd + off, k: 'raise' };
        case K_IMPORT: return this.importStmt(start);
        case K_FROM: return this.fromStmt(start);
        case K_YIELD:
          this.parseYield();
          return { from: start + off, to: this.lastEnd + off, k: 'other' };
        case K_NOT: case K_LAMBDA: case K_TRUE: case K_FALSE: case K_NONE: case K_AWAIT: break;
        default: bail();
      }
    }
    // Expression, assignment or augmented assignment.
    const first = this.exprList(2);
    if (this.t === T_ASSIGN || this.t === T_COLON) {
      let ann: Expr | undefined;
      if (this.t === T_COLON) {
        this.adv();
        ann = this.parseTest(false);
        if (this.t !== T_ASSIGN) return { from: start + off, to: this.lastEnd + off, k: 'assign', targets: [first], value: null };
      }
      const targets: Expr[] = [first];
      let value: Expr = first;
      while (this.t === T_ASSIGN) {
        this.adv();
        value = this.t === T_NAME && this.kw === K_YIELD ? this.parseYield() : this.exprList(2);
        targets.push(value);
      }
      targets.pop();
      return { from: start + off, to: this.lastEnd + off, k: 'assign', targets, value, ann };
    }
    if (this.t === T_AUG) {
      const op = this.src.slice(this.ts, this.te - 1);
      this.adv();
      const value = this.t === T_NAME && this.kw === K_YIELD ? this.parseYield() : this.exprList(0);
      return { from: start + off, to: this.lastEnd + off, k: 'aug', target: first, op, value };
    }
    return { from: start + off, to: this.lastEnd + off, k: 'expr', e: first };
  }

  /** `print x` (legacy print), `match`, `type X = ...`: leave them to lezer. */
  private checkSoftKeyword(): void {
    const src = this.src;
    const p = this.ts;
    const len = this.te - p;
    if (len === 5 && src.startsWith('print', p)) {
      let q = this.te;
      let d = this.c(q);
      while (d === 32 || d === 9) d = this.c(++q);
      if (d !== 40 && d !== 46 && d !== 10 && d !== 35) bail();
    } else if (len === 5 && src.startsWith('match', p)) {
      // `match` is a soft keyword: keep only uses no match statement can start with.
      let q = this.te;
      let d = this.c(q);
      while (d === 32 || d === 9) d = this.c(++q);
      const ok = (d === 61 && this.c(q + 1) !== 61) || (d === 46 && isIdentStart(this.c(q + 1))) ||
        d === 44 || d === 58 || d === 10 || d === 35 || d === 59 || d < 0;
      if (!ok) bail();
    } else if (len === 4 && src.startsWith('type', p)) {
      let q = this.te;
      let d = this.c(q);
      while (d === 32 || d === 9) d = this.c(++q);
      if (d < 0 || isIdentChar(d)) bail();
    } else if (len > 5 && src.startsWith('print', p) && this.c(p + 5) >= 128) {
      bail();
    }
  }

  private dotted(): string {
    // VariableName ("." VariableName)*, joined without spaces.
    if (this.t !== T_NAME || this.kw !== 0) bail();
    let s = this.src.slice(this.ts, this.te);
    this.adv();
    while (this.t === T_DOT) {
      this.adv();
      if (this.t !== T_NAME || this.kw !== 0) bail();
      s += '.' + this.src.slice(this.ts, this.te);
      this.adv();
    }
    return s;
  }

  private importStmt(start: number): Stmt {
    this.adv();
    if (this.t === T_LPAR) bail();
    const names: { mod: string; as?: string }[] = [];
    for (;;) {
      const mod = this.dotted();
      if (this.t === T_NAME && this.kw === K_AS) {
        this.adv();
        if (this.t !== T_NAME || this.kw !== 0) bail();
        names.push({ mod, as: this.src.slice(this.ts, this.te) });
        this.adv();
      } else names.push({ mod });
      if (this.t !== T_COMMA) break;
      this.adv();
      if (this.atEnd()) break;
    }
    return { from: start + this.off, to: this.lastEnd + this.off, k: 'import', names };
  }

  private fromStmt(start: number): Stmt {
    this.adv();
    let mod = '';
    let dots = false;
    while (this.t === T_DOT || this.t === T_ELLIPSIS) {
      mod += this.t === T_DOT ? '.' : '...';
      dots = true;
      this.adv();
    }
    if (!dots || (this.t === T_NAME && this.kw === 0)) mod += this.dotted();
    this.expectKw(K_IMPORT);
    const names: { name: string; as?: string }[] = [];
    if (this.t === T_STAR) {
      this.adv();
      names.push({ name: '*' });
    } else {
      const paren = this.t === T_LPAR;
      if (paren) this.adv();
      for (;;) {
        if (this.t !== T_NAME || this.kw !== 0) bail();
        const name = this.src.slice(this.ts, this.te);
        this.adv();
        if (this.t === T_DOT) bail();
        if (this.t === T_NAME && this.kw === K_AS) {
          this.adv();
          if (this.t !== T_NAME || this.kw !== 0) bail();
          names.push({ name, as: this.src.slice(this.ts, this.te) });
          this.adv();
        } else names.push({ name });
        if (this.t !== T_COMMA) break;
        this.adv();
        if (paren ? this.t === T_RPAR : this.atEnd()) break;
      }
      if (paren) this.expect(T_RPAR);
    }
    return { from: start + this.off, to: this.lastEnd + this.off, k: 'from', mod, names };
  }

  private params(lambda: boolean): Param[] {
    const out: Param[] = [];
    let kwonly = false;
    const end = lambda ? T_COLON : T_RPAR;
    if (this.t === end) return out;
    for (;;) {
      let kind: Param['kind'] = kwonly ? 'kwonly' : 'normal';
      let named = true;
      if (this.t === T_STAR) {
        kind = 'star'; kwonly = true; this.adv();
        if (this.t === T_COMMA || this.t === end) named = false;
      } else if (this.t === T_DSTAR) {
        kind = 'dstar'; this.adv();
      } else if (this.t === T_BIN && !lambda && this.src.charCodeAt(this.ts) === 47 && this.te === this.ts + 1) {
        this.adv();
        named = false;
      }
      if (named) {
        if (this.t !== T_NAME || this.kw !== 0) bail();
        const p: Param = { from: this.ts + this.off, to: this.te + this.off, name: this.src.slice(this.ts, this.te), kind };
        this.adv();
        if (this.t === T_COLON && !lambda) {
          this.adv();
          p.ann = this.parseTest(false);
        }
        if (this.t === T_ASSIGN && (kind === 'normal' || kind === 'kwonly')) {
          this.adv();
          p.default = this.parseTest(false);
        }
        out.push(p);
      }
      if (this.t !== T_COMMA) break;
      this.adv();
      if (this.t === end) {
        if (lambda) bail();
        break;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- expressions

  private nameExpr(): Expr {
    if (this.t !== T_NAME || this.kw !== 0) bail();
    const e: Expr = { from: this.ts + this.off, to: this.te + this.off, k: 'name', id: this.src.slice(this.ts, this.te) };
    this.adv();
    return e;
  }

  /**
   * Comma-separated expressions as Converter.exprList: one, or a tuple spanning its items.
   * mode 0: tests; 1: ["*"] expression (for targets); 2: "*" expression | test; 3: expressions.
   */
  private exprList(mode: number): Expr {
    const first = this.listItem(mode);
    if (this.t !== T_COMMA) return first;
    const items = [first];
    while (this.t === T_COMMA) {
      this.adv();
      if (this.atEnd() || this.t === T_ASSIGN || this.t === T_COLON || this.t === T_AUG || (this.t === T_NAME && this.kw === K_IN)) break;
      items.push(this.listItem(mode));
    }
    return { from: items[0]!.from, to: items[items.length - 1]!.to, k: 'tuple', items };
  }

  private listItem(mode: number): Expr {
    if (this.t === T_STAR && (mode === 1 || mode === 2)) {
      const s = this.ts;
      this.adv();
      const e = this.parseBitOr();
      return { from: s + this.off, to: e.to, k: 'star', e };
    }
    return mode === 1 || mode === 3 ? this.parseBitOr() : this.parseTest(false);
  }

  /** "*" expression | testNamed (list, tuple, parenthesized items). */
  private starOrNamed(): Expr {
    if (this.t === T_STAR) {
      const s = this.ts;
      this.adv();
      const e = this.parseBitOr();
      return { from: s + this.off, to: e.to, k: 'star', e };
    }
    return this.parseTestNamed();
  }

  /** yield (from test | "*" expression | test, ...): Converter knows it as `unknown`. */
  private parseYield(): Expr {
    const s = this.ts;
    this.adv();
    if (this.t === T_NAME && this.kw === K_FROM) {
      this.adv();
      this.parseTest(false);
    } else {
      this.exprList(2);
    }
    return { from: s + this.off, to: this.lastEnd + this.off, k: 'unknown' };
  }

  private parseTestNamed(): Expr {
    const s = this.ts;
    const e = this.parseTest(false);
    if (this.t !== T_WALRUS) return e;
    this.adv();
    this.parseTest(false);
    return { from: s + this.off, to: this.lastEnd + this.off, k: 'unknown' };
  }

  private parseTest(noCond: boolean): Expr {
    if (this.t === T_NAME && this.kw === K_LAMBDA) {
      const s = this.ts;
      this.adv();
      const params = this.params(true);
      this.expect(T_COLON);
      const body = this.parseTest(noCond);
      return { from: s + this.off, to: this.lastEnd + this.off, k: 'lambda', params, body };
    }
    const s = this.ts;
    const e = this.parseOr();
    if (noCond || this.t !== T_NAME || this.kw !== K_IF) return e;
    this.adv();
    const test = this.parseOr();
    this.expectKw(K_ELSE);
    const els = this.parseTest(false);
    return { from: s + this.off, to: this.lastEnd + this.off, k: 'cond', then: e, test, else: els };
  }

  private parseOr(): Expr {
    const s = this.ts;
    let l = this.parseAnd();
    while (this.t === T_NAME && this.kw === K_OR) {
      if (this.lastEnd - s >= 2000 && ++this.big > BIG) bail();
      this.adv();
      const r = this.parseAnd();
      l = { from: s + this.off, to: this.lastEnd + this.off, k: 'bin', op: 'or', l, r };
    }
    return l;
  }

  private parseAnd(): Expr {
    const s = this.ts;
    let l = this.parseCmp();
    while (this.t === T_NAME && this.kw === K_AND) {
      if (this.lastEnd - s >= 2000 && ++this.big > BIG) bail();
      this.adv();
      const r = this.parseCmp();
      l = { from: s + this.off, to: this.lastEnd + this.off, k: 'bin', op: 'and', l, r };
    }
    return l;
  }

  private parseCmp(): Expr {
    const s = this.ts;
    let l = this.parseNotOrBitOr();
    for (;;) {
      if (this.lastEnd - s >= 2000 && ++this.big > BIG) bail();
      let op: string;
      if (this.t === T_CMP) {
        op = this.src.slice(this.ts, this.te);
        this.adv();
      } else if (this.t === T_NAME && this.kw === K_IN) {
        op = 'in';
        this.adv();
      } else if (this.t === T_NAME && this.kw === K_NOT) {
        this.adv();
        this.expectKw(K_IN);
        op = 'not in';
      } else if (this.t === T_NAME && this.kw === K_IS) {
        this.adv();
        if (this.t === T_NAME && this.kw === K_NOT) { this.adv(); op = 'is not'; }
        else op = 'is';
      } else {
        return l;
      }
      const r = this.parseNotOrBitOr();
      l = { from: s + this.off, to: this.lastEnd + this.off, k: 'bin', op, l, r };
    }
  }

  /** Lezer's `not` takes a whole testInner to its right (`not a and b` is `not (a and b)`). */
  private parseNotOrBitOr(): Expr {
    if (this.t === T_NAME && this.kw === K_NOT) {
      const s = this.ts;
      this.adv();
      const e = this.parseOr();
      return { from: s + this.off, to: this.lastEnd + this.off, k: 'unary', op: 'not', e };
    }
    return this.parseBitOr();
  }

  private parseBitOr(): Expr {
    return this.parseBin(3);
  }

  private binPrec(): number {
    const t = this.t;
    if (t === T_BIN) return this.bp;
    if (t === T_STAR || t === T_AT) return 8;
    return 0;
  }

  private parseBin(min: number): Expr {
    const s = this.ts;
    let l = this.parseUnary();
    for (;;) {
      if (this.lastEnd - s >= 2000 && ++this.big > BIG) bail();
      const p = this.binPrec();
      if (p < min) return l;
      const op = this.src.slice(this.ts, this.te);
      this.adv();
      const r = this.parseBin(p + 1);
      l = { from: s + this.off, to: this.lastEnd + this.off, k: 'bin', op, l, r };
    }
  }

  private parseUnary(): Expr {
    if ((this.t === T_BIN && this.bp === 7) || this.t === T_TILDE) {
      const s = this.ts;
      const op = this.src.slice(this.ts, this.te);
      this.adv();
      const e = this.parseUnary();
      return { from: s + this.off, to: this.lastEnd + this.off, k: 'unary', op, e };
    }
    const s = this.ts;
    const b = this.parsePostfix();
    if (this.t !== T_DSTAR) return b;
    this.adv();
    const r = this.parseUnary();
    return { from: s + this.off, to: this.lastEnd + this.off, k: 'bin', op: '**', l: b, r };
  }

  private parsePostfix(): Expr {
    const s = this.ts;
    const off = this.off;
    let e = this.parseAtom();
    for (;;) {
      if (this.lastEnd - s >= 2000 && ++this.big > BIG) bail();
      if (this.t === T_DOT) {
        this.adv();
        if (this.t !== T_NAME) bail();
        e = { from: s + off, to: this.te + off, k: 'attr', obj: e, name: this.src.slice(this.ts, this.te), nameFrom: this.ts + off };
        this.adv();
      } else if (this.t === T_LPAR) {
        const args = this.argList();
        e = { from: s + off, to: this.lastEnd + off, k: 'call', fn: e, args };
      } else if (this.t === T_LSQB) {
        e = this.subscript(e, s);
      } else {
        return e;
      }
    }
  }

  private subscript(obj: Expr, s: number): Expr {
    const off = this.off;
    this.adv(); // [
    const innerFrom = this.ts;
    const items: Expr[] = [];
    let comma = false;
    for (;;) {
      const gs = this.ts;
      let lo: Expr | undefined;
      if (this.t !== T_COLON) {
        lo = this.parseTestNamed();
        if (this.t !== T_COLON) {
          items.push(lo);
        }
      }
      if (this.t === T_COLON) {
        this.adv();
        let hi: Expr | undefined;
        let step: Expr | undefined;
        if (this.t !== T_COLON && this.t !== T_COMMA && this.t !== T_RSQB) hi = this.parseTestNamed();
        if (this.t === T_COLON) {
          this.adv();
          if (this.t !== T_COMMA && this.t !== T_RSQB) step = this.parseTestNamed();
        }
        items.push({ from: gs + off, to: this.lastEnd + off, k: 'slice', lo, hi, step });
      }
      if (this.t !== T_COMMA) break;
      comma = true;
      this.adv();
      if (this.t === T_RSQB) break;
    }
    const innerTo = this.lastEnd;
    this.expect(T_RSQB);
    const index: Expr = comma ? { from: innerFrom + off, to: innerTo + off, k: 'tuple', items } : items[0]!;
    return { from: s + off, to: this.lastEnd + off, k: 'index', obj, index };
  }

  private argList(): Arg[] {
    const off = this.off;
    const open = this.ts;
    this.adv(); // (
    const out: Arg[] = [];
    while (this.t !== T_RPAR) {
      const s = this.ts;
      if (this.t === T_STAR || this.t === T_DSTAR) {
        const kind = this.t === T_STAR ? 'star' : 'dstar';
        this.adv();
        const value = this.parseTest(false);
        out.push({ from: s + off, to: this.lastEnd + off, kind, value });
      } else {
        const value = this.parseTest(false);
        if ((this.t === T_ASSIGN || this.t === T_WALRUS) && value.k === 'name' && value.from === s + off && value.to === this.lastEnd + off) {
          this.adv();
          const v = this.parseTest(false);
          if (this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) bail();
          out.push({ from: s + off, to: this.lastEnd + off, kind: 'kw', name: value.id, value: v });
        } else if (this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) {
          // A generator argument: Converter makes the whole ArgList one comprehension.
          if (out.length) bail();
          const fors = this.compFors();
          if (this.t !== T_RPAR) bail();
          this.adv();
          const comp: Expr = { from: open + off, to: this.lastEnd + off, k: 'comp', kind: 'gen', elt: value, key: undefined, fors };
          return [{ from: comp.from, to: comp.to, kind: 'pos', value: comp }];
        } else {
          out.push({ from: s + off, to: this.lastEnd + off, kind: 'pos', value });
        }
      }
      if (this.t !== T_COMMA) break;
      this.adv();
    }
    this.expect(T_RPAR);
    return out;
  }

  /** compFor (compFor | compIf)*, the current token being `for`. */
  private compFors(): CompFor[] {
    const fors: CompFor[] = [];
    while (this.t === T_NAME && this.kw === K_FOR) {
      this.adv();
      const target = this.exprList(3);
      this.expectKw(K_IN);
      const iter = this.parseOr();
      const ifs: Expr[] = [];
      while (this.t === T_NAME && this.kw === K_IF) {
        this.adv();
        ifs.push(this.parseTest(true));
      }
      fors.push({ target, iter, ifs });
    }
    if (this.t === T_NAME && this.kw === K_ASYNC) bail();
    return fors;
  }

  private parseAtom(): Expr {
    const off = this.off;
    const s = this.ts;
    switch (this.t) {
      case T_NAME: {
        const kw = this.kw;
        if (kw === 0) {
          const e: Expr = { from: s + off, to: this.te + off, k: 'name', id: this.src.slice(s, this.te) };
          this.adv();
          return e;
        }
        if (kw === K_TRUE || kw === K_FALSE) { this.adv(); return { from: s + off, to: this.lastEnd + off, k: 'bool', v: kw === K_TRUE }; }
        if (kw === K_NONE) { this.adv(); return { from: s + off, to: this.lastEnd + off, k: 'none' }; }
        if (kw === K_AWAIT) {
          // AwaitExpression { await expression }: it takes a whole expression (`await a + b` is `await (a + b)`).
          this.adv();
          this.parseBitOr();
          return { from: s + off, to: this.lastEnd + off, k: 'unknown' };
        }
        return bail();
      }
      case T_NUM: {
        const e = this.te;
        let v = 0;
        let int = true;
        let simple = e - s <= 15;
        for (let p = s; p < e && simple; p++) {
          const c = this.src.charCodeAt(p);
          if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
          else simple = false;
        }
        if (!simple) {
          const r = parseNumber(this.src.slice(s, e));
          v = r.v; int = r.int;
        }
        this.adv();
        return { from: s + off, to: e + off, k: 'num', v, int };
      }
      case T_STR: {
        if (this.sfmt) {
          const bs = this.sbs;
          const be = this.sbe;
          this.adv();
          if (this.t !== T_STR) return { from: s + off, to: this.lastEnd + off, k: 'fstr' };
          return this.continued(s, this.src.slice(bs, be));
        }
        const v = this.src.slice(this.sbs, this.sbe);
        this.adv();
        if (this.t !== T_STR) return { from: s + off, to: this.lastEnd + off, k: 'str', v };
        return this.continued(s, v);
      }
      case T_ELLIPSIS:
        this.adv();
        return { from: s + off, to: this.lastEnd + off, k: 'ellipsis' };
      case T_LPAR: {
        this.adv();
        if (this.t === T_RPAR) {
          this.adv();
          return { from: s + off, to: this.lastEnd + off, k: 'tuple', items: [] };
        }
        if (this.t === T_NAME && this.kw === K_YIELD) {
          const y = this.parseYield();
          this.expect(T_RPAR);
          return y;
        }
        const first = this.starOrNamed();
        if (this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) {
          if (first.k === 'star') bail();
          const fors = this.compFors();
          this.expect(T_RPAR);
          return { from: s + off, to: this.lastEnd + off, k: 'comp', kind: 'gen', elt: first, key: undefined, fors };
        }
        if (this.t === T_RPAR) {
          if (first.k === 'star') bail();
          this.adv();
          return first;
        }
        const items = [first];
        while (this.t === T_COMMA) {
          this.adv();
          if (this.t === T_RPAR) break;
          items.push(this.starOrNamed());
        }
        this.expect(T_RPAR);
        return { from: s + off, to: this.lastEnd + off, k: 'tuple', items };
      }
      case T_LSQB: {
        this.adv();
        if (this.t === T_RSQB) {
          this.adv();
          return { from: s + off, to: this.lastEnd + off, k: 'list', items: [] };
        }
        const first = this.starOrNamed();
        if (this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) {
          if (first.k === 'star') bail();
          const fors = this.compFors();
          this.expect(T_RSQB);
          return { from: s + off, to: this.lastEnd + off, k: 'comp', kind: 'list', elt: first, key: undefined, fors };
        }
        const items = [first];
        while (this.t === T_COMMA) {
          this.adv();
          if (this.t === T_RSQB) break;
          items.push(this.starOrNamed());
        }
        this.expect(T_RSQB);
        return { from: s + off, to: this.lastEnd + off, k: 'list', items };
      }
      case T_LBRACE:
        return this.braces();
      default:
        return bail();
    }
  }

  private continued(s: number, v0: string): Expr {
    let v = v0;
    while (this.t === T_STR) {
      v += this.src.slice(this.sbs, this.sbe);
      this.adv();
    }
    return { from: s + this.off, to: this.lastEnd + this.off, k: 'str', v };
  }

  private braces(): Expr {
    const off = this.off;
    const s = this.ts;
    this.adv();
    if (this.t === T_RBRACE) {
      this.adv();
      return { from: s + off, to: this.lastEnd + off, k: 'dict', entries: [] };
    }
    let first: Expr | null = null;
    if (this.t !== T_DSTAR) {
      first = this.listItem(2);
      if (this.t !== T_COLON || first.k === 'star') return this.setRest(s, first);
    }
    const entries: { key?: Expr; value: Expr }[] = [];
    for (let i = 0; ; i++) {
      if (i > 0 || first === null) {
        if (this.t === T_DSTAR) {
          this.adv();
          entries.push({ value: this.parseBitOr() });
          if (i === 0 && this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) bail();
          if (this.t !== T_COMMA) break;
          this.adv();
          if (this.t === T_RBRACE) break;
          continue;
        }
        first = this.parseTest(false);
      }
      const key = first!;
      this.expect(T_COLON);
      const value = this.parseTest(false);
      if (i === 0 && this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) {
        const fors = this.compFors();
        this.expect(T_RBRACE);
        return { from: s + off, to: this.lastEnd + off, k: 'comp', kind: 'dict', elt: value, key, fors };
      }
      entries.push({ key, value });
      if (this.t !== T_COMMA) break;
      this.adv();
      if (this.t === T_RBRACE) break;
    }
    this.expect(T_RBRACE);
    return { from: s + off, to: this.lastEnd + off, k: 'dict', entries };
  }

  private setRest(s: number, first: Expr): Expr {
    const off = this.off;
    if (this.t === T_NAME && (this.kw === K_FOR || this.kw === K_ASYNC)) {
      if (first.k === 'star') bail();
      const fors = this.compFors();
      this.expect(T_RBRACE);
      return { from: s + off, to: this.lastEnd + off, k: 'comp', kind: 'set', elt: first, key: undefined, fors };
    }
    const items: Expr[] = [first];
    while (this.t === T_COMMA) {
      this.adv();
      if (this.t === T_RBRACE) break;
      items.push(this.listItem(2));
    }
    this.expect(T_RBRACE);
    return { from: s + off, to: this.lastEnd + off, k: 'set', items };
  }
}

/**
 * Parse one top-level chunk (offset `off` in the document) into what lezer + Converter give for
 * it, or null where this parser does not handle the chunk exactly like them (syntax errors included).
 */
export function fastParseChunk(src: string, off: number): Stmt[] | null {
  try {
    return new FastParser(src, off).parseChunk();
  } catch {
    // BAIL, or (a bug) anything else: lezer decides.
    return null;
  }
}
