// Inlay hints: the shape after each assignment statement (`x = self.conv1(x)  Tensor[64, 16, 26, 26]`).
import { InlayHintKind, type InlayHint } from 'vscode-languageserver';
import type { AnalysisResult, Position, Range, ShapeFact } from '../../engine/src/frontend/index.js';
import { comparePos, dtypesOf, formatValue, hasTensor } from './format.js';

/** One hint per statement; several targets (`a, b = ...`) are joined as `a: T, b: T`. */
export function inlayHintsFor(result: AnalysisResult, range?: Range): InlayHint[] {
  const byPos = new Map<string, { at: Position; facts: ShapeFact[] }>();
  for (const fact of result.facts) {
    if (fact.kind !== 'assign' || !fact.hintAt) continue;
    if (!fact.values.some(hasTensor)) continue;
    if (range && (comparePos(fact.hintAt, range.start) < 0 || comparePos(fact.hintAt, range.end) > 0)) continue;
    const key = `${fact.hintAt.line}:${fact.hintAt.character}`;
    let slot = byPos.get(key);
    if (!slot) byPos.set(key, (slot = { at: fact.hintAt, facts: [] }));
    if (!slot.facts.some((f) => f.text === fact.text && comparePos(f.range.start, fact.range.start) === 0)) slot.facts.push(fact);
  }
  const hints: InlayHint[] = [];
  for (const { at, facts } of byPos.values()) {
    facts.sort((a, b) => comparePos(a.range.start, b.range.start));
    const label = facts.length === 1 ? shapes(facts[0]!) : facts.map((f) => `${f.text}: ${shapes(f)}`).join(', ');
    const dtypes = [...new Set(facts.flatMap((f) => f.values.flatMap(dtypesOf)))];
    hints.push({
      position: { line: at.line, character: at.character },
      label: `  ${label}`,
      kind: InlayHintKind.Type,
      ...(dtypes.length ? { tooltip: `dtype: ${dtypes.join(', ')}` } : {}),
    });
  }
  hints.sort((a, b) => comparePos(a.position, b.position));
  return hints;
}

/** Distinct shapes over the call contexts, `A | B` when contexts disagree. */
function shapes(fact: ShapeFact): string {
  return [...new Set(fact.values.map(formatValue))].join(' | ');
}
