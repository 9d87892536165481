// Coverage of forward code: for every assignment target inside a `forward` method (and inside the
// functions and methods forward calls), whether the analysis gave it a shape of known rank, a
// fully concrete one, or nothing, and why not. Off unless asked for (AnalyzeOptions.coverage): the
// benchmark and CI tests read it; the editor never pays for it.

import { isConcrete } from '../shape/dim.js';
import type { Expr, Span, Stmt } from './ast.js';
import type { Interp } from './interp.js';
import type { LineIndex } from './parse.js';
import type { CoverageEntry, CoverageStatus } from './types.js';
import { whyOf } from './unknowns.js';
import type { ClassV, FV } from './values.js';

/** One assignment seen while forward code ran (recorded by the interpreter when coverage is on). */
export interface CoverageAcc { from: number; to: number; value: FV }

interface DefInfo { def: Stmt & { k: 'def' }; owner: string | null; targets: Expr[] }

const RANK: Record<CoverageStatus, number> = { concrete: 4, rank: 3, unknown: 2, 'not-tensor': 1, 'not-reached': 0 };

export function buildCoverage(interp: Interp, stmts: readonly Stmt[], lines: LineIndex): CoverageEntry[] {
  const defs: DefInfo[] = [];
  collectDefs(stmts, null, defs);
  const byKey = new Map<string, { status: CoverageStatus; why?: string }>();
  for (const r of interp.coverage ?? []) {
    const key = `${r.from}:${r.to}`;
    const c = classify(r.value);
    const old = byKey.get(key);
    if (!old || RANK[c.status] > RANK[old.status]) byKey.set(key, c);
  }
  const classes = new Map<Stmt, ClassV>();
  for (const c of interp.classes) classes.set(c.def, c);
  const out: CoverageEntry[] = [];
  for (const d of defs) {
    const reached = d.targets.some((t) => byKey.has(`${t.from}:${t.to}`));
    if (d.def.name !== 'forward' && !reached) continue; // a helper forward never calls
    for (const t of d.targets) {
      const seen = byKey.get(`${t.from}:${t.to}`);
      const entry = seen ?? { status: 'not-reached' as const, why: reached ? 'not reached (branch not taken, or after a return)' : notRunWhy(interp, d, classes) };
      out.push({
        range: { start: lines.position(t.from), end: lines.position(t.to) },
        text: interp.src.slice(t.from, t.to),
        func: d.owner ? `${d.owner}.${d.def.name}` : d.def.name,
        status: entry.status,
        ...(entry.why && entry.status !== 'rank' && entry.status !== 'concrete' ? { why: entry.why } : {}),
      });
    }
  }
  return out;
}

function notRunWhy(interp: Interp, d: DefInfo, classes: Map<Stmt, ClassV>): string {
  const cls = [...classes.values()].find((c) => c.name === d.owner);
  if (cls && !cls.isModule) return 'forward not run: base class not known as nn.Module (defined in another file)';
  if (cls && !interp.called.has(cls)) return 'forward not run: no instance could be built';
  return 'forward not run';
}

function classify(v: FV): { status: CoverageStatus; why?: string } {
  switch (v.kind) {
    case 'tensor':
      if (!v.shape) return { status: 'unknown', why: whyOf(v) ?? 'unknown tensor' };
      return { status: v.shape.every(isConcrete) ? 'concrete' : 'rank' };
    case 'unknown':
      return { status: 'unknown', why: v.why ?? 'unknown value' };
    case 'tuple': case 'list': {
      if (!v.items) return { status: 'unknown', why: 'list of unknown length' };
      const parts = v.items.map(classify).filter((c) => c.status !== 'not-tensor');
      if (parts.length === 0) return { status: 'not-tensor' };
      const worst = parts.reduce((a, b) => (RANK[b.status] < RANK[a.status] ? b : a));
      return worst;
    }
    case 'dict': {
      const parts = [...v.entries.values()].map(classify).filter((c) => c.status !== 'not-tensor');
      if (parts.length === 0) return { status: 'not-tensor' };
      return parts.reduce((a, b) => (RANK[b.status] < RANK[a.status] ? b : a));
    }
    default:
      return { status: 'not-tensor' };
  }
}

function collectDefs(stmts: readonly Stmt[], owner: string | null, out: DefInfo[]): void {
  for (const s of stmts) {
    if (s.k === 'class') collectDefs(s.body, s.name, out);
    else if (s.k === 'def') {
      const targets: Expr[] = [];
      collectTargets(s.body, targets);
      out.push({ def: s, owner, targets });
      collectDefs(s.body, null, out);
    } else if (s.k === 'if') { collectDefs(s.body, owner, out); collectDefs(s.orelse, owner, out); }
    else if (s.k === 'try') { collectDefs(s.body, owner, out); for (const h of s.handlers) collectDefs(h, owner, out); }
  }
}

/** Leaf targets of the assignments in a function body (nested functions and classes are their own). */
function collectTargets(stmts: readonly Stmt[], out: Expr[]): void {
  const leaf = (e: Expr): void => {
    if (e.k === 'tuple' || e.k === 'list') for (const x of e.items) leaf(x);
    else if (e.k === 'star') leaf(e.e);
    else if (e.k === 'name' || e.k === 'attr' || e.k === 'index') out.push(e);
  };
  for (const s of stmts) {
    switch (s.k) {
      case 'assign': if (s.value) for (const t of s.targets) leaf(t); break;
      case 'aug': leaf(s.target); break;
      case 'if': collectTargets(s.body, out); collectTargets(s.orelse, out); break;
      case 'for': collectTargets(s.body, out); collectTargets(s.orelse, out); break;
      case 'while': case 'with': collectTargets(s.body, out); break;
      case 'try': collectTargets(s.body, out); for (const h of s.handlers) collectTargets(h, out); collectTargets(s.orelse, out); collectTargets(s.final, out); break;
      default: break;
    }
  }
}

export type { Span };
