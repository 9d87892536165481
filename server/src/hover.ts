// Hover: the shape of a tensor, a layer's parameters, or a whole model's summary, in Markdown.
import type { Hover, Position } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { dimToString } from '../../engine/src/shape/dim.js';
import type { AnalysisResult, LayerInfo, ModuleClassInfo, Range, ShapeFact } from '../../engine/src/frontend/index.js';
import { dtypesOf, formatBytes, formatCount, formatValue, rangeContains, rangeSize } from './format.js';

type Candidate =
  | { kind: 'fact'; range: Range; fact: ShapeFact }
  | { kind: 'layer'; range: Range; layer: LayerInfo }
  | { kind: 'class'; range: Range; cls: ModuleClassInfo };

/** The innermost thing under the cursor wins: `self.conv1` inside `self.conv1(x)` shows the layer. */
export function hoverAt(result: AnalysisResult, pos: Position): Hover | null {
  const found: Candidate[] = [];
  for (const fact of result.facts) {
    if (rangeContains(fact.range, pos) && fact.values.some((v) => v.kind !== 'unknown')) found.push({ kind: 'fact', range: fact.range, fact });
  }
  for (const layer of result.layers) {
    for (const r of layer.refs) if (rangeContains(r, pos)) found.push({ kind: 'layer', range: r, layer });
  }
  for (const cls of result.classes) {
    if (rangeContains(cls.nameRange, pos)) found.push({ kind: 'class', range: cls.nameRange, cls });
  }
  // The constructor expression itself (`nn.Conv2d(...)`) is the widest fallback for a layer.
  if (found.length === 0) {
    for (const layer of result.layers) if (rangeContains(layer.range, pos)) found.push({ kind: 'layer', range: layer.range, layer });
  }
  if (found.length === 0) return null;
  // Narrowest first; on a tie a layer or class beats a fact (they say more).
  found.sort((a, b) => rangeSize(a.range) - rangeSize(b.range) || (a.kind === 'fact' ? 1 : 0) - (b.kind === 'fact' ? 1 : 0));
  const best = found[0]!;
  const value = best.kind === 'fact' ? factMarkdown(best.fact) : best.kind === 'layer' ? layerMarkdown(best.layer) : classMarkdown(best.cls, result);
  return { contents: { kind: MarkupKind.Markdown, value }, range: { start: best.range.start, end: best.range.end } };
}

export function factMarkdown(fact: ShapeFact): string {
  const rows = fact.values.map((v, i) => ({ text: formatValue(v), dtypes: dtypesOf(v), context: fact.contexts[i] }));
  const distinct = new Set(rows.map((r) => `${r.text} ${r.dtypes.join(',')}`));
  if (rows.length <= 1 || distinct.size === 1) {
    const r = rows[0]!;
    const head = codeBlock(`${fact.text}: ${r.text}`);
    const dtype = r.dtypes.length ? `\n\ndtype: \`${r.dtypes.join(', ')}\`` : '';
    const ctx = rows.length > 1 ? `\n\nSame in ${rows.length} call contexts.` : '';
    return head + dtype + ctx;
  }
  const lines = rows.map((r) => `- \`${r.text}\`${r.dtypes.length ? ` ${r.dtypes.join(', ')}` : ''} — ${r.context ?? 'unnamed context'}`);
  return `${codeBlock(fact.text)}\n\nDiffers by call context (${rows.length}):\n\n${lines.join('\n')}`;
}

export function layerMarkdown(layer: LayerInfo): string {
  const out = [codeBlock(`self.${layer.path} = ${layer.summary}`)];
  out.push(`**${layer.type}** in \`${layer.owner}\` — ${formatCount(layer.paramCount)} parameters`);
  if (layer.params.length) {
    const rows = layer.params.map((p) => `| ${p.name}${p.buffer ? ' (buffer)' : ''} | \`[${p.shape.map(dimToString).join(', ')}]\` |`);
    out.push(['| parameter | shape |', '|---|---|', ...rows].join('\n'));
  }
  return out.join('\n\n');
}

const sourceText: Record<ModuleClassInfo['inputSource'], string> = {
  annotation: 'from the type annotations of forward',
  'example-call': 'from an example call in this file',
  config: 'from the run configuration',
  symbolic: 'symbolic, derived from the first layer (no example input found)',
  none: 'unknown (no example input found)',
};

export function classMarkdown(cls: ModuleClassInfo, result?: AnalysisResult): string {
  const out = [codeBlock(`class ${cls.name}(nn.Module)`)];
  out.push(`**${formatCount(cls.paramCount)} parameters** (${formatBytes(cls.paramBytes)} as float32)`);
  if (cls.inputs.length || cls.output) {
    const ins = cls.inputs.map((i) => `${i.name}: ${formatValue(i.value)}`).join(', ');
    out.push(`\`(${ins}) -> ${cls.output ? formatValue(cls.output) : '?'}\``);
  }
  out.push(`Input shapes: ${sourceText[cls.inputSource]}.`);
  const layers = result?.layers.filter((l) => l.owner === cls.name) ?? [];
  if (layers.length) out.push(layers.map((l) => `- \`${l.path}\`: ${l.summary} — ${formatCount(l.paramCount)}`).join('\n'));
  return out.join('\n\n');
}

function codeBlock(text: string): string {
  return '```python\n' + text + '\n```';
}
