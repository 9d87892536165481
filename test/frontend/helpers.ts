// Small helpers for frontend tests: find facts by the source line they are on.
import type { AnalysisResult, ShapeFact, Value } from '../../engine/src/frontend/index.js';
import { dimToString, shapeToString } from '../../engine/src/shape/dim.js';

export function show(v: Value): string {
  if (v.kind === 'tensor') return shapeToString(v.shape);
  if (v.kind === 'int') return dimToString(v.value);
  if (v.kind === 'tuple') return `(${v.items.map(show).join(', ')})`;
  return v.kind;
}

/** 0-based line of the first line containing `needle`. */
export function lineOf(src: string, needle: string): number {
  const i = src.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line contains ${needle}`);
  return i;
}

/** Values (as strings) of the facts of `kind` on the line containing `needle`, optionally for the given text. */
export function factsAt(r: AnalysisResult, src: string, needle: string, kind: ShapeFact['kind'] = 'assign', text?: string): string[][] {
  const line = lineOf(src, needle);
  return r.facts
    .filter((f) => f.kind === kind && f.range.start.line === line && (text === undefined || f.text === text))
    .map((f) => f.values.map(show));
}

/** The single shape assigned on the line containing `needle`. */
export function shapeAt(r: AnalysisResult, src: string, needle: string): string {
  const fs = factsAt(r, src, needle);
  if (fs.length !== 1 || fs[0]!.length !== 1) throw new Error(`expected one assign fact with one value at '${needle}', got ${JSON.stringify(fs)}`);
  return fs[0]![0]!;
}

export function errors(r: AnalysisResult) {
  return r.diagnostics.filter((d) => d.severity === 'error');
}
