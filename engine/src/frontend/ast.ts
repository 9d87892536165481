// A small Python AST built from the @lezer/python tree. Lezer's tree is flat in places
// (tuple targets, subscript slices, call arguments are sibling tokens); converting once into
// explicit nodes keeps the interpreter free of grammar details. Positions are offsets into
// the source text. Anything the converter does not understand becomes `unknown`/`other`,
// never an exception.

import type { SyntaxNode, Tree } from '@lezer/common';
import { fastParseChunk } from './fastparse.js';
import { parseNumber } from './literals.js';

export interface Span { readonly from: number; readonly to: number }

export type Expr = Span & (
  | { k: 'name'; id: string }
  | { k: 'num'; v: number; int: boolean }
  | { k: 'str'; v: string }
  | { k: 'fstr' }
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'ellipsis' }
  | { k: 'attr'; obj: Expr; name: string; nameFrom: number }
  | { k: 'call'; fn: Expr; args: Arg[] }
  | { k: 'index'; obj: Expr; index: Expr }
  | { k: 'slice'; lo?: Expr; hi?: Expr; step?: Expr }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr }
  | { k: 'tuple'; items: Expr[] }
  | { k: 'list'; items: Expr[] }
  | { k: 'set'; items: Expr[] }
  | { k: 'dict'; entries: { key?: Expr; value: Expr }[] }
  | { k: 'comp'; kind: 'list' | 'gen' | 'set' | 'dict'; elt: Expr; key?: Expr; fors: CompFor[] }
  | { k: 'star'; e: Expr }
  | { k: 'lambda'; params: Param[]; body: Expr }
  | { k: 'unknown' }
);

export interface CompFor { target: Expr; iter: Expr; ifs: Expr[] }

export interface Arg extends Span {
  kind: 'pos' | 'star' | 'kw' | 'dstar';
  name?: string;
  value: Expr;
}

export interface Param extends Span {
  name: string;
  kind: 'normal' | 'star' | 'dstar' | 'kwonly';
  default?: Expr;
  ann?: Expr;
}

export type Stmt = Span & (
  | { k: 'assign'; targets: Expr[]; value: Expr | null; ann?: Expr }
  | { k: 'aug'; target: Expr; op: string; value: Expr }
  | { k: 'expr'; e: Expr }
  | { k: 'return'; e?: Expr }
  | { k: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[] }
  | { k: 'for'; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[] }
  | { k: 'while'; test: Expr; body: Stmt[] }
  | { k: 'with'; items: { e: Expr; as?: Expr }[]; body: Stmt[] }
  | { k: 'try'; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; final: Stmt[] }
  | { k: 'def'; name: string; nameFrom: number; nameTo: number; params: Param[]; body: Stmt[]; decorators: Expr[]; returns?: Expr }
  | { k: 'class'; name: string; nameFrom: number; nameTo: number; bases: Arg[]; body: Stmt[] }
  | { k: 'import'; names: { mod: string; as?: string }[] }
  | { k: 'from'; mod: string; names: { name: string; as?: string }[] }
  | { k: 'pass' | 'break' | 'continue' | 'assert' | 'raise' | 'other' | 'error' }
);

export function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'Comment') out.push(c);
  return out;
}

/** Convert a whole parse tree into module-level statements. */
export function convertModule(tree: Tree, src: string): Stmt[] {
  return new Converter(src).stmts(children(tree.topNode));
}

interface ChunkEntry { from: number; stmts: Stmt[]; spans?: Spans }

/** Every node of a chunk's statements with offsets (`from`/`to`, `nameFrom`/`nameTo`), flat: moved in one loop. */
interface Spans { plain: { from: number; to: number }[]; named: { nameFrom: number; nameTo?: number }[] }

function collectSpans(stmts: readonly Stmt[]): Spans {
  const plain: Spans['plain'] = [];
  const named: Spans['named'] = [];
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) { for (const x of v) visit(x); return; }
    const o = v as Record<string, unknown>;
    if (typeof o.from === 'number' && typeof o.to === 'number') plain.push(o as { from: number; to: number });
    if (typeof o.nameFrom === 'number') named.push(o as { nameFrom: number; nameTo?: number });
    for (const k in o) visit(o[k]);
  };
  visit(stmts);
  return { plain, named };
}

function shiftSpans(sp: Spans, d: number): void {
  for (const o of sp.plain) { o.from += d; o.to += d; }
  for (const o of sp.named) { o.nameFrom += d; if (o.nameTo !== undefined) o.nameTo += d; }
}
/**
 * Parses a module chunk by chunk (see topLevelChunks), keeping each chunk's statements by text:
 * an edit re-parses and re-converts only the chunk it is in; the others are shifted in place.
 */
export class ChunkedParser {
  private entries = new Map<string, ChunkEntry[]>();
  /** The previous version's chunk texts in order. */
  private keys: string[] = [];

  /**
   * `same` (from prepareEdit): how many leading and trailing chunks are known to have the previous
   * version's text; their keys are taken without comparing any text.
   */
  parse(text: string, chunks: readonly { from: number; to: number }[], parse: (chunk: string) => Tree, same?: { before: number; after: number }): Stmt[] {
    const out: Stmt[] = [];
    const next = new Map<string, ChunkEntry[]>();
    const prev = this.keys;
    const keys: string[] = [];
    const known = same && same.before + same.after <= Math.min(prev.length, chunks.length) ? same : { before: 0, after: 0 };
    for (let i = 0; i < chunks.length; i++) {
      const ch = chunks[i]!;
      // Try the previous version's chunk at the same index, counted from the start or from the
      // end (an edit adding or removing chunks moves the ones after it): an equal old text is
      // used as the key, whose hash is kept (a fresh slice is hashed whole: the file per edit).
      const len = ch.to - ch.from;
      const a = prev[i];
      const b = prev[i + prev.length - chunks.length];
      const key = i < known.before ? a!
        : i >= chunks.length - known.after ? b!
        : a !== undefined && a.length === len && text.startsWith(a, ch.from) ? a
        : b !== undefined && b.length === len && text.startsWith(b, ch.from) ? b
        : text.slice(ch.from, ch.to);
      keys.push(key);
      let entry = this.entries.get(key)?.shift();
      if (entry) {
        if (entry.from !== ch.from) {
          // Collected once per chunk (on its first move), then reused on every later edit.
          shiftSpans((entry.spans ??= collectSpans(entry.stmts)), ch.from - entry.from);
          entry.from = ch.from;
        }
      } else {
        // The hand-written parser for what it fully understands (fastparse.ts), Lezer for the rest.
        const stmts = fastParseChunk(key, ch.from) ?? new Converter(key, ch.from).stmts(children(parse(key).topNode));
        entry = { from: ch.from, stmts };
      }
      for (const st of entry.stmts) out.push(st);
      const l = next.get(key);
      if (l) l.push(entry);
      else next.set(key, [entry]);
    }
    this.entries = next;
    this.keys = keys;
    return out;
  }
}

const EXPR_TOKENS = new Set([',', '(', ')', '[', ']', '{', '}', ':', '*', '**', 'AssignOp', 'for', 'in', 'if', 'async']);

export class Converter {
  /** `src` is the chunk's text; `off` its offset in the document (added to every position). */
  constructor(private readonly src: string, private readonly off = 0) {}

  span(n: SyntaxNode): Span {
    return { from: n.from + this.off, to: n.to + this.off };
  }

  text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  stmts(nodes: SyntaxNode[]): Stmt[] {
    const out: Stmt[] = [];
    for (const n of nodes) {
      if (n.name === 'StatementGroup') out.push(...this.stmts(children(n).filter((c) => c.name !== ';')));
      else if (n.name === ':' || n.name === ';') continue;
      else {
        const s = this.stmt(n);
        if (s) out.push(s);
      }
    }
    return out;
  }

  body(n: SyntaxNode | undefined): Stmt[] {
    if (!n) return [];
    return this.stmts(children(n));
  }

  stmt(n: SyntaxNode): Stmt | null {
    const sp = this.span(n);
    const cs = children(n);
    switch (n.name) {
      case 'AssignStatement': {
        const groups = splitBy(cs, (c) => c.name === 'AssignOp');
        let ann: Expr | undefined;
        const targets: Expr[] = [];
        for (let i = 0; i < groups.length - 1; i++) {
          const g = groups[i]!.filter((c) => {
            if (c.name === 'TypeDef') { ann = this.typeDef(c); return false; }
            return true;
          });
          targets.push(this.exprList(g, sp));
        }
        if (groups.length === 1) {
          // Bare annotation `x: int`.
          const g = groups[0]!.filter((c) => c.name !== 'TypeDef');
          return { from: sp.from, to: sp.to, k: 'assign', targets: [this.exprList(g, sp)], value: null };
        }
        return { from: sp.from, to: sp.to, k: 'assign', targets, value: this.exprList(groups[groups.length - 1]!, sp), ann };
      }
      case 'UpdateStatement': {
        const i = cs.findIndex((c) => c.name === 'UpdateOp');
        if (i < 0) return { from: sp.from, to: sp.to, k: 'other' };
        const op = this.text(cs[i]!).slice(0, -1);
        return { from: sp.from, to: sp.to, k: 'aug', target: this.exprList(cs.slice(0, i), sp), op, value: this.exprList(cs.slice(i + 1), sp) };
      }
      case 'ExpressionStatement':
        return { from: sp.from, to: sp.to, k: 'expr', e: this.exprList(cs, sp) };
      case 'ReturnStatement': {
        const rest = cs.slice(1);
        return rest.length ? { from: sp.from, to: sp.to, k: 'return', e: this.exprList(rest, sp) } : { from: sp.from, to: sp.to, k: 'return' };
      }
      case 'IfStatement':
        return this.ifChain(cs, 0, sp);
      case 'ForStatement': {
        const iIn = cs.findIndex((c) => c.name === 'in');
        const bodies = cs.filter((c) => c.name === 'Body');
        const iBody = cs.indexOf(bodies[0]!);
        if (iIn < 0 || iBody < 0) return { from: sp.from, to: sp.to, k: 'other' };
        const start = cs[0]!.name === 'async' ? 2 : 1;
        return {
          from: sp.from, to: sp.to, k: 'for', target: this.exprList(cs.slice(start, iIn), sp), iter: this.exprList(cs.slice(iIn + 1, iBody), sp),
          body: this.body(bodies[0]), orelse: this.body(bodies[1]),
        };
      }
      case 'WhileStatement': {
        const bodies = cs.filter((c) => c.name === 'Body');
        const iBody = cs.indexOf(bodies[0]!);
        return { from: sp.from, to: sp.to, k: 'while', test: this.exprList(cs.slice(1, iBody < 0 ? cs.length : iBody), sp), body: this.body(bodies[0]) };
      }
      case 'WithStatement': {
        const iBody = cs.findIndex((c) => c.name === 'Body');
        const start = cs[0]!.name === 'async' ? 2 : 1;
        const items: { e: Expr; as?: Expr }[] = [];
        for (const g of splitBy(cs.slice(start, iBody < 0 ? cs.length : iBody), (c) => c.name === ',')) {
          const ia = g.findIndex((c) => c.name === 'as');
          if (g.length === 0) continue;
          if (ia < 0) items.push({ e: this.exprList(g, sp) });
          else items.push({ e: this.exprList(g.slice(0, ia), sp), as: this.exprList(g.slice(ia + 1), sp) });
        }
        return { from: sp.from, to: sp.to, k: 'with', items, body: iBody < 0 ? [] : this.body(cs[iBody]) };
      }
      case 'TryStatement': {
        const bodies: { kw: string; body: SyntaxNode }[] = [];
        let kw = 'try';
        for (const c of cs) {
          if (c.name === 'try' || c.name === 'except' || c.name === 'else' || c.name === 'finally') kw = c.name;
          else if (c.name === 'Body') bodies.push({ kw, body: c });
        }
        return {
          from: sp.from, to: sp.to, k: 'try',
          body: this.body(bodies.find((b) => b.kw === 'try')?.body),
          handlers: bodies.filter((b) => b.kw === 'except').map((b) => this.body(b.body)),
          orelse: this.body(bodies.find((b) => b.kw === 'else')?.body),
          final: this.body(bodies.find((b) => b.kw === 'finally')?.body),
        };
      }
      case 'DecoratedStatement': {
        const decos = cs.filter((c) => c.name === 'Decorator').map((d) => {
          const dc = children(d).filter((c) => c.name !== 'At');
          return this.dottedCall(dc, d);
        });
        const inner = cs.find((c) => c.name === 'FunctionDefinition' || c.name === 'ClassDefinition');
        if (!inner) return { from: sp.from, to: sp.to, k: 'other' };
        const s = this.stmt(inner);
        if (s && s.k === 'def') return { ...s, decorators: decos };
        return s;
      }
      case 'FunctionDefinition': {
        const nameNode = cs.find((c) => c.name === 'VariableName');
        const pl = cs.find((c) => c.name === 'ParamList');
        const td = cs.find((c) => c.name === 'TypeDef');
        const body = cs.find((c) => c.name === 'Body');
        if (!nameNode) return { from: sp.from, to: sp.to, k: 'error' };
        return {
          from: sp.from, to: sp.to, k: 'def', name: this.text(nameNode), nameFrom: nameNode.from + this.off, nameTo: nameNode.to + this.off,
          params: pl ? this.params(children(pl)) : [], body: this.body(body), decorators: [], returns: td ? this.typeDef(td) : undefined,
        };
      }
      case 'ClassDefinition': {
        const nameNode = cs.find((c) => c.name === 'VariableName');
        const al = cs.find((c) => c.name === 'ArgList');
        const body = cs.find((c) => c.name === 'Body');
        if (!nameNode) return { from: sp.from, to: sp.to, k: 'error' };
        return {
          from: sp.from, to: sp.to, k: 'class', name: this.text(nameNode), nameFrom: nameNode.from + this.off, nameTo: nameNode.to + this.off,
          bases: al ? this.args(al) : [], body: this.body(body),
        };
      }
      case 'ImportStatement':
        return this.importStmt(cs, sp);
      case 'PassStatement':
        return { from: sp.from, to: sp.to, k: 'pass' };
      case 'BreakStatement':
        return { from: sp.from, to: sp.to, k: 'break' };
      case 'ContinueStatement':
        return { from: sp.from, to: sp.to, k: 'continue' };
      case 'AssertStatement':
        return { from: sp.from, to: sp.to, k: 'assert' };
      case 'RaiseStatement':
        return { from: sp.from, to: sp.to, k: 'raise' };
      case '⚠':
        return { from: sp.from, to: sp.to, k: 'error' };
      default:
        return { from: sp.from, to: sp.to, k: 'other' };
    }
  }

  ifChain(cs: SyntaxNode[], start: number, sp: Span): Stmt {
    // cs[start] is 'if' or 'elif'; the test runs until the next Body.
    let i = start + 1;
    const testNodes: SyntaxNode[] = [];
    while (i < cs.length && cs[i]!.name !== 'Body') testNodes.push(cs[i++]!);
    const body = this.body(cs[i]);
    i++;
    let orelse: Stmt[] = [];
    if (i < cs.length) {
      if (cs[i]!.name === 'elif') orelse = [this.ifChain(cs, i, { from: cs[i]!.from + this.off, to: sp.to })];
      else if (cs[i]!.name === 'else') orelse = this.body(cs[i + 1]);
    }
    const test = testNodes.length ? this.exprList(testNodes, this.span(cs[start]!)) : this.unknown(sp);
    return { from: sp.from, to: sp.to, k: 'if', test, body, orelse };
  }

  importStmt(cs: SyntaxNode[], sp: Span): Stmt {
    if (cs[0]?.name === 'from') {
      const iImp = cs.findIndex((c) => c.name === 'import');
      if (iImp < 0) return { from: sp.from, to: sp.to, k: 'other' };
      const mod = cs.slice(1, iImp).map((c) => this.text(c)).join('');
      const names: { name: string; as?: string }[] = [];
      for (const g of splitBy(cs.slice(iImp + 1).filter((c) => c.name !== '(' && c.name !== ')'), (c) => c.name === ',')) {
        if (g.length === 0) continue;
        const ia = g.findIndex((c) => c.name === 'as');
        const name = this.text(g[0]!);
        names.push(ia >= 0 && g[ia + 1] ? { name, as: this.text(g[ia + 1]!) } : { name });
      }
      return { from: sp.from, to: sp.to, k: 'from', mod, names };
    }
    const names: { mod: string; as?: string }[] = [];
    for (const g of splitBy(cs.slice(1), (c) => c.name === ',')) {
      if (g.length === 0) continue;
      const ia = g.findIndex((c) => c.name === 'as');
      const mod = g.slice(0, ia < 0 ? g.length : ia).map((c) => this.text(c)).join('');
      names.push(ia >= 0 && g[ia + 1] ? { mod, as: this.text(g[ia + 1]!) } : { mod });
    }
    return { from: sp.from, to: sp.to, k: 'import', names };
  }

  params(cs: SyntaxNode[]): Param[] {
    const out: Param[] = [];
    let kwonly = false;
    for (const g of splitBy(cs.filter((c) => c.name !== '(' && c.name !== ')'), (c) => c.name === ',')) {
      if (g.length === 0) continue;
      let kind: Param['kind'] = kwonly ? 'kwonly' : 'normal';
      let i = 0;
      if (g[0]!.name === '*') { kind = 'star'; i = 1; kwonly = true; }
      else if (g[0]!.name === '**') { kind = 'dstar'; i = 1; }
      const nameNode = g[i];
      if (!nameNode || nameNode.name !== 'VariableName') continue; // bare `*` or `/`
      const p: Param = { from: nameNode.from + this.off, to: nameNode.to + this.off, name: this.text(nameNode), kind };
      const td = g.find((c) => c.name === 'TypeDef');
      if (td) p.ann = this.typeDef(td);
      const ia = g.findIndex((c) => c.name === 'AssignOp');
      if (ia >= 0 && g[ia + 1]) p.default = this.expr(g[ia + 1]!);
      out.push(p);
    }
    return out;
  }

  typeDef(n: SyntaxNode): Expr {
    const cs = children(n).filter((c) => c.name !== ':' && c.name !== '->');
    return cs.length ? this.expr(cs[0]!) : this.unknown(this.span(n));
  }

  dottedCall(cs: SyntaxNode[], whole: SyntaxNode): Expr {
    // Decorator: VariableName (. VariableName)* ArgList?
    let e: Expr | null = null;
    for (const c of cs) {
      if (c.name === 'VariableName') {
        e = e ? { from: e.from, to: c.to + this.off, k: 'attr', obj: e, name: this.text(c), nameFrom: c.from + this.off } : { from: c.from + this.off, to: c.to + this.off, k: 'name', id: this.text(c) };
      } else if (c.name === 'ArgList' && e) {
        e = { from: e.from, to: c.to + this.off, k: 'call', fn: e, args: this.args(c) };
      }
    }
    return e ?? this.unknown(this.span(whole));
  }

  unknown(sp: Span): Expr {
    return { from: sp.from, to: sp.to, k: 'unknown' };
  }

  /** Comma-separated expressions: one expression, or a tuple when there is a comma. */
  exprList(cs: SyntaxNode[], parent: Span): Expr {
    const groups = splitBy(cs, (c) => c.name === ',');
    const hasComma = groups.length > 1;
    const items = groups.filter((g) => g.length > 0).map((g) => this.starred(g));
    if (items.length === 0) return this.unknown(parent);
    if (!hasComma) return items[0]!;
    return { from: items[0]!.from, to: items[items.length - 1]!.to, k: 'tuple', items };
  }

  starred(g: SyntaxNode[]): Expr {
    if (g[0]!.name === '*' && g[1]) {
      const e = this.expr(g[1]);
      return { from: g[0]!.from + this.off, to: e.to, k: 'star', e };
    }
    return this.expr(g[0]!);
  }

  args(argList: SyntaxNode): Arg[] {
    const cs = children(argList).filter((c) => c.name !== '(' && c.name !== ')');
    if (cs.some((c) => c.name === 'for')) {
      const comp = this.comp(cs, 'gen', this.span(argList));
      return [{ from: comp.from, to: comp.to, kind: 'pos', value: comp }];
    }
    const out: Arg[] = [];
    for (const g of splitBy(cs, (c) => c.name === ',')) {
      if (g.length === 0) continue;
      const first = g[0]!;
      if (first.name === '*' && g[1]) out.push({ from: first.from + this.off, to: g[1].to + this.off, kind: 'star', value: this.expr(g[1]) });
      else if (first.name === '**' && g[1]) out.push({ from: first.from + this.off, to: g[1].to + this.off, kind: 'dstar', value: this.expr(g[1]) });
      else if (g[1]?.name === 'AssignOp' && g[2]) out.push({ from: first.from + this.off, to: g[2].to + this.off, kind: 'kw', name: this.text(first), value: this.expr(g[2]) });
      else out.push({ from: first.from + this.off, to: first.to + this.off, kind: 'pos', value: this.expr(first) });
    }
    return out;
  }

  comp(cs: SyntaxNode[], kind: 'list' | 'gen' | 'set' | 'dict', whole: Span): Expr {
    // elt [':' value] (for targets in iter (if cond)*)+
    const iFor = cs.findIndex((c) => c.name === 'for');
    const head = cs.slice(0, iFor);
    let elt: Expr;
    let key: Expr | undefined;
    if (kind === 'dict') {
      const ic = head.findIndex((c) => c.name === ':');
      key = head[0] ? this.expr(head[0]) : this.unknown(whole);
      elt = head[ic + 1] ? this.expr(head[ic + 1]!) : this.unknown(whole);
    } else {
      elt = head[0] ? this.expr(head[0]) : this.unknown(whole);
    }
    const fors: CompFor[] = [];
    let i = iFor;
    while (i >= 0 && i < cs.length) {
      if (cs[i]!.name === 'async') { i++; continue; }
      if (cs[i]!.name !== 'for') break;
      const iIn = cs.findIndex((c, j) => j > i && c.name === 'in');
      if (iIn < 0) break;
      const target = this.exprList(cs.slice(i + 1, iIn), whole);
      let j = iIn + 1;
      const iterNodes: SyntaxNode[] = [];
      while (j < cs.length && cs[j]!.name !== 'for' && cs[j]!.name !== 'if' && cs[j]!.name !== 'async') iterNodes.push(cs[j++]!);
      const ifs: Expr[] = [];
      while (j < cs.length && cs[j]!.name === 'if') {
        if (cs[j + 1]) ifs.push(this.expr(cs[j + 1]!));
        j += 2;
      }
      fors.push({ target, iter: this.exprList(iterNodes, whole), ifs });
      i = j;
    }
    return { from: whole.from, to: whole.to, k: 'comp', kind, elt, key, fors };
  }

  subscript(obj: Expr, inner: SyntaxNode[], whole: SyntaxNode): Expr {
    const groups = splitBy(inner, (c) => c.name === ',');
    const items: Expr[] = [];
    for (const g of groups) {
      if (g.length === 0) continue;
      if (g.some((c) => c.name === ':')) {
        const parts = splitBy(g, (c) => c.name === ':');
        const part = (k: number): Expr | undefined => (parts[k] && parts[k]!.length ? this.expr(parts[k]![0]!) : undefined);
        const from = g[0]!.from + this.off;
        const to = g[g.length - 1]!.to + this.off;
        items.push({ from, to, k: 'slice', lo: part(0), hi: part(1), step: part(2) });
      } else {
        items.push(this.starred(g));
      }
    }
    const index: Expr = groups.length > 1
      ? { from: (inner[0]?.from ?? whole.from) + this.off, to: (inner[inner.length - 1]?.to ?? whole.to) + this.off, k: 'tuple', items }
      : items[0] ?? this.unknown(this.span(whole));
    return { from: whole.from + this.off, to: whole.to + this.off, k: 'index', obj, index };
  }

  expr(n: SyntaxNode): Expr {
    const sp = this.span(n);
    switch (n.name) {
      case 'VariableName':
        return { from: sp.from, to: sp.to, k: 'name', id: this.text(n) };
      case 'Number':
        {
        const num = parseNumber(this.text(n));
        return { from: sp.from, to: sp.to, k: 'num', v: num.v, int: num.int };
      }
      case 'String':
        return { from: sp.from, to: sp.to, k: 'str', v: parseString(this.text(n)) };
      case 'ContinuedString':
        return { from: sp.from, to: sp.to, k: 'str', v: children(n).map((c) => parseString(this.text(c))).join('') };
      case 'FormatString':
        return { from: sp.from, to: sp.to, k: 'fstr' };
      case 'Boolean':
        return { from: sp.from, to: sp.to, k: 'bool', v: this.text(n) === 'True' };
      case 'None':
        return { from: sp.from, to: sp.to, k: 'none' };
      case 'Ellipsis':
        return { from: sp.from, to: sp.to, k: 'ellipsis' };
      case 'ParenthesizedExpression': {
        const cs = children(n).filter((c) => c.name !== '(' && c.name !== ')');
        return cs[0] ? this.expr(cs[0]) : this.unknown(sp);
      }
      case 'TupleExpression': {
        const cs = children(n).filter((c) => c.name !== '(' && c.name !== ')');
        const items = splitBy(cs, (c) => c.name === ',').filter((g) => g.length).map((g) => this.starred(g));
        return { from: sp.from, to: sp.to, k: 'tuple', items };
      }
      case 'ArrayExpression':
      case 'SetExpression': {
        const cs = children(n).slice(1, -1);
        const items = splitBy(cs, (c) => c.name === ',').filter((g) => g.length).map((g) => this.starred(g));
        return { from: sp.from, to: sp.to, k: n.name === 'ArrayExpression' ? 'list' : 'set', items };
      }
      case 'ArrayComprehensionExpression':
        return this.comp(children(n).slice(1, -1), 'list', sp);
      case 'SetComprehensionExpression':
        return this.comp(children(n).slice(1, -1), 'set', sp);
      case 'DictionaryComprehensionExpression':
        return this.comp(children(n).slice(1, -1), 'dict', sp);
      case 'ComprehensionExpression':
        return this.comp(children(n).slice(1, -1), 'gen', sp);
      case 'DictionaryExpression': {
        const entries: { key?: Expr; value: Expr }[] = [];
        for (const g of splitBy(children(n).slice(1, -1), (c) => c.name === ',')) {
          if (g.length === 0) continue;
          if (g[0]!.name === '**' && g[1]) entries.push({ value: this.expr(g[1]) });
          else if (g[1]?.name === ':' && g[2]) entries.push({ key: this.expr(g[0]!), value: this.expr(g[2]) });
        }
        return { from: sp.from, to: sp.to, k: 'dict', entries };
      }
      case 'MemberExpression': {
        const cs = children(n);
        const obj = cs[0] ? this.expr(cs[0]) : this.unknown(sp);
        if (cs[1]?.name === '.') {
          const prop = cs[2];
          if (!prop) return this.unknown(sp);
          return { from: sp.from, to: sp.to, k: 'attr', obj, name: this.text(prop), nameFrom: prop.from + this.off };
        }
        if (cs[1]?.name === '[') {
          const close = cs[cs.length - 1]?.name === ']' ? cs.length - 1 : cs.length;
          return this.subscript(obj, cs.slice(2, close), n);
        }
        return this.unknown(sp);
      }
      case 'CallExpression': {
        const cs = children(n);
        const al = cs.find((c) => c.name === 'ArgList');
        if (!cs[0] || !al) return this.unknown(sp);
        return { from: sp.from, to: sp.to, k: 'call', fn: this.expr(cs[0]), args: this.args(al) };
      }
      case 'BinaryExpression': {
        const cs = children(n);
        if (cs.length < 3) return this.unknown(sp);
        const l = this.expr(cs[0]!);
        const r = this.expr(cs[cs.length - 1]!);
        const op = cs.slice(1, -1).map((c) => this.text(c)).join(' ');
        return { from: sp.from, to: sp.to, k: 'bin', op, l, r };
      }
      case 'UnaryExpression': {
        const cs = children(n);
        if (cs.length < 2) return this.unknown(sp);
        return { from: sp.from, to: sp.to, k: 'unary', op: this.text(cs[0]!), e: this.expr(cs[1]!) };
      }
      case 'ConditionalExpression': {
        const cs = children(n);
        const ii = cs.findIndex((c) => c.name === 'if');
        const ie = cs.findIndex((c) => c.name === 'else');
        if (ii < 1 || ie < 0 || !cs[ie + 1]) return this.unknown(sp);
        return { from: sp.from, to: sp.to, k: 'cond', then: this.expr(cs[0]!), test: this.expr(cs[ii + 1]!), else: this.expr(cs[ie + 1]!) };
      }
      case 'LambdaExpression': {
        const cs = children(n);
        const pl = cs.find((c) => c.name === 'ParamList');
        const ic = cs.findIndex((c) => c.name === ':');
        const body = cs[ic + 1];
        return { from: sp.from, to: sp.to, k: 'lambda', params: pl ? this.params(children(pl)) : [], body: body ? this.expr(body) : this.unknown(sp) };
      }
      default:
        if (EXPR_TOKENS.has(n.name)) return this.unknown(sp);
        return this.unknown(sp);
    }
  }
}

function splitBy<T>(xs: T[], sep: (x: T) => boolean): T[][] {
  const out: T[][] = [[]];
  for (const x of xs) {
    if (sep(x)) out.push([]);
    else out[out.length - 1]!.push(x);
  }
  return out;
}

function parseString(t: string): string {
  const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(t);
  if (!m) return t;
  const q = m[2]!;
  const body = t.slice(m[0].length, t.endsWith(q) && t.length >= m[0].length + q.length ? t.length - q.length : t.length);
  return body;
}
