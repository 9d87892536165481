// Server features as pure functions over hand-built analysis results (independent of how far
// the frontend has come): exact hover Markdown, hints, lenses, graph, LSP diagnostics, edit folding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sym, mul } from '../../engine/src/shape/dim.js';
import type { AnalysisResult, ModelIR, ShapeFact, LayerInfo, ModuleClassInfo } from '../../engine/src/frontend/index.js';
import type { TensorType } from '../../engine/src/ops/types.js';
import { hoverAt } from '../../server/src/hover.js';
import { inlayHintsFor } from '../../server/src/inlay_hints.js';
import { codeLensesFor } from '../../server/src/code_lens.js';
import { graphFor } from '../../server/src/graph.js';
import { diagnosticsFor } from '../../server/src/diagnostics.js';
import { composeEdits } from '../../server/src/documents.js';
import { formatBytes, formatCount } from '../../server/src/format.js';
import type { GraphResult } from '../../server/src/protocol.js';

const r = (l0: number, c0: number, l1: number, c1: number) => ({ start: { line: l0, character: c0 }, end: { line: l1, character: c1 } });
const t = (...shape: (number | ReturnType<typeof sym>)[]): TensorType => ({ kind: 'tensor', shape, dtype: 'float32' });

const N = sym('N');
const facts: ShapeFact[] = [
  { range: r(5, 8, 5, 9), text: 'x', kind: 'assign', hintAt: { line: 5, character: 40 }, values: [t(64, 16, 13, 13)], contexts: [] },
  { range: r(5, 12, 5, 39), text: 'self.pool(F.relu(self.conv1(x)))', kind: 'expr', values: [t(64, 16, 13, 13)], contexts: [] },
  { range: r(6, 8, 6, 9), text: 'a', kind: 'assign', hintAt: { line: 6, character: 30 }, values: [t(N, 8)], contexts: [] },
  { range: r(6, 11, 6, 12), text: 'b', kind: 'assign', hintAt: { line: 6, character: 30 }, values: [t(N, 4)], contexts: [] },
  { range: r(9, 8, 9, 9), text: 'h', kind: 'assign', hintAt: { line: 9, character: 20 },
    values: [t(64, 32), t(64, 128)], contexts: ['Net.forward via self.block1', 'Net.forward via self.block2'] },
  { range: r(10, 8, 10, 9), text: 'n', kind: 'assign', hintAt: { line: 10, character: 20 }, values: [{ kind: 'int', value: 64 }], contexts: [] },
];
const layers: LayerInfo[] = [{
  owner: 'Net', path: 'conv1', type: 'Conv2d', summary: 'Conv2d(1, 16, kernel_size=3)', range: r(2, 21, 2, 50),
  refs: [r(2, 8, 2, 18), r(5, 32, 5, 42)],
  params: [{ name: 'weight', shape: [16, 1, 3, 3] }, { name: 'bias', shape: [16] }], paramCount: 160,
}];
const classes: ModuleClassInfo[] = [{
  name: 'Net', range: r(0, 0, 11, 0), nameRange: r(0, 6, 0, 9), paramCount: 1234567, paramBytes: 1234567 * 4,
  inputs: [{ name: 'x', value: t(64, 1, 28, 28) }], output: t(64, 10), inputSource: 'example-call',
}];
const ir: ModelIR = {
  className: 'Net',
  root: { path: '', type: 'Net', builtin: false, attrs: {}, params: [], range: r(0, 0, 11, 0), children: [
    { path: 'conv1', type: 'Conv2d', builtin: true, attrs: { in_channels: { kind: 'int', value: 1 }, kernel_size: { kind: 'tuple', items: [{ kind: 'int', value: 3 }, { kind: 'int', value: 3 }] } }, params: [], children: [], range: r(2, 21, 2, 50) },
  ] },
  inputs: [{ name: 'x', type: t(N, 1, 28, 28) }],
  nodes: [
    { id: 0, call: 'layer', target: 'conv1', args: { input: { kind: 'input', index: 0 } }, output: t(N, 16, 26, 26), scope: '', range: r(5, 32, 5, 45) },
    { id: 1, call: 'op', target: 'relu', args: { input: { kind: 'node', id: 0 }, inplace: { kind: 'const', value: { kind: 'bool', value: true } } }, output: t(N, 16, 26, 26), scope: '', range: r(5, 25, 5, 46) },
    { id: 2, call: 'op', target: 'add', args: { input: { kind: 'node', id: 1 }, other: { kind: 'node', id: 1 } }, output: t(N, 16, 26, 26), scope: '', range: r(6, 0, 6, 5) },
  ],
  output: { kind: 'tuple', items: [{ kind: 'node', id: 2 }, { kind: 'node', id: 0 }] },
  symbols: ['N'],
};
const result: AnalysisResult = {
  diagnostics: [{ range: r(7, 12, 7, 25), severity: 'error', code: 'shape-mismatch', message: 'fc1 expects 800 features, got 512',
    related: [{ range: r(3, 19, 3, 40), message: 'fc1 defined here' }] }],
  facts, layers, classes, models: new Map([['Net', ir]]), brokenModels: new Map(),
};

test('formatCount and formatBytes', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(null), '?');
  assert.equal(formatCount(mul(N, 3)), '3*N');
  assert.equal(formatBytes(4 * 1234567), '4.71 MB');
  assert.equal(formatBytes(640), '640 B');
  assert.equal(formatBytes(1536), '1.50 KB');
});

test('hover on a tensor variable shows its shape and dtype', () => {
  const h = hoverAt(result, { line: 5, character: 8 });
  assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents);
  assert.equal(h.contents.value, '```python\nx: Tensor[64, 16, 13, 13]\n```\n\ndtype: `float32`');
  assert.deepEqual(h.range, r(5, 8, 5, 9));
});

test('hover picks the innermost thing: a layer ref inside a call expression', () => {
  const h = hoverAt(result, { line: 5, character: 35 });
  const v = (h!.contents as { value: string }).value;
  assert.match(v, /self\.conv1 = Conv2d\(1, 16, kernel_size=3\)/);
  assert.match(v, /160 parameters/);
  assert.match(v, /\| weight \| `\[16, 1, 3, 3\]` \|/);
  assert.match(v, /\| bias \| `\[16\]` \|/);
  // Outside the ref but inside the expression: the expression's shape.
  const e = hoverAt(result, { line: 5, character: 14 });
  assert.match((e!.contents as { value: string }).value, /Tensor\[64, 16, 13, 13\]/);
});

test('hover lists every call context when shapes differ', () => {
  const v = (hoverAt(result, { line: 9, character: 8 })!.contents as { value: string }).value;
  assert.match(v, /Differs by call context \(2\)/);
  assert.match(v, /- `Tensor\[64, 32\]` float32 — Net.forward via self.block1/);
  assert.match(v, /- `Tensor\[64, 128\]` float32 — Net.forward via self.block2/);
});

test('hover on a class name: parameters, size, signature and input source', () => {
  const v = (hoverAt(result, { line: 0, character: 7 })!.contents as { value: string }).value;
  assert.match(v, /\*\*1,234,567 parameters\*\* \(4\.71 MB as float32\)/);
  assert.match(v, /`\(x: Tensor\[64, 1, 28, 28\]\) -> Tensor\[64, 10\]`/);
  assert.match(v, /from an example call in this file/);
  assert.match(v, /`conv1`: Conv2d\(1, 16, kernel_size=3\) — 160/);
});

test('no hover on empty space', () => {
  assert.equal(hoverAt(result, { line: 20, character: 0 }), null);
});

test('inlay hints: one per statement, targets joined, symbolic dims by name, non-tensors skipped', () => {
  const hints = inlayHintsFor(result);
  assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, h.label]), [
    [5, 40, '  Tensor[64, 16, 13, 13]'],
    [6, 30, '  a: Tensor[N, 8], b: Tensor[N, 4]'],
    [9, 20, '  Tensor[64, 32] | Tensor[64, 128]'],
  ]);
  assert.equal(inlayHintsFor(result, r(6, 0, 7, 0)).length, 1);
});

test('code lens: size, Train, Profile and Show Graph with [uri, className]', () => {
  const lenses = codeLensesFor(result, 'file:///m.py');
  assert.deepEqual(lenses.map((l) => l.command!.title), ['1,234,567 parameters (4.71 MB)', 'Train', 'Profile', 'Show Graph']);
  assert.equal(lenses[1]!.command!.command, 'tensorStudio.runTraining');
  assert.equal(lenses[2]!.command!.command, 'tensorStudio.profileTraining');
  assert.deepEqual(lenses[2]!.command!.arguments, ['file:///m.py', 'Net']);
  assert.deepEqual(lenses[3]!.command!.arguments, ['file:///m.py', 'Net']);
  assert.deepEqual(lenses[0]!.range, r(0, 0, 0, 0));
});

test('graph: nodes for inputs, layers, ops and outputs; edges carry producer shapes', () => {
  const g = graphFor(result) as GraphResult;
  assert.equal(g.kind, 'graph');
  assert.equal(g.className, 'Net');
  assert.deepEqual(g.nodes.map((n) => [n.id, n.op]), [['input:0', 'input'], ['n0', 'Conv2d'], ['n1', 'relu'], ['n2', 'add'], ['output:0', 'output'], ['output:1', 'output']]);
  assert.deepEqual(g.nodes[1]!.attributes, ['in_channels=1', 'kernel_size=(3, 3)']);
  assert.deepEqual(g.nodes[2]!.attributes, ['inplace=True']); // defaults (inplace=False) are left out
  assert.equal(g.nodes[2]!.category, 'activation');
  assert.deepEqual(g.edges.map((e) => [e.from, e.to, e.shape]), [
    ['input:0', 'n0', 'Tensor[N, 1, 28, 28]'],
    ['n0', 'n1', 'Tensor[N, 16, 26, 26]'],
    ['n1', 'n2', 'Tensor[N, 16, 26, 26]'], // both operands are n1: one edge
    ['n2', 'output:0', 'Tensor[N, 16, 26, 26]'],
    ['n0', 'output:1', 'Tensor[N, 16, 26, 26]'],
  ]);
  assert.deepEqual(g.inputs, [{ name: 'x', shape: 'Tensor[N, 1, 28, 28]', dtype: 'float32' }]);
  assert.equal(g.outputs.length, 2);
  assert.deepEqual(g.nodes.map((n) => n.group), ['', '', '', '', '', '']);
  assert.deepEqual(g.modules.map((m) => [m.path, m.parent, m.category]), [['', null, 'container'], ['conv1', '', 'layer']]);
  assert.deepEqual(g.available, ['Net']);
  assert.equal(g.error, null);
  const missing = graphFor(result, 'Nope');
  assert.equal(missing.kind, 'error');
  assert.match(missing.kind === 'error' ? missing.message : '', /No nn.Module class named 'Nope'/);
  assert.equal(graphFor(undefined).kind, 'error');
});

test('diagnostics map to LSP with source, code and related information', () => {
  const [d] = diagnosticsFor(result, 'file:///m.py');
  assert.equal(d!.severity, 1);
  assert.equal(d!.source, 'tensor-studio');
  assert.equal(d!.code, 'shape-mismatch');
  assert.deepEqual(d!.relatedInformation, [{ location: { uri: 'file:///m.py', range: r(3, 19, 3, 40) }, message: 'fc1 defined here' }]);
});

test('composeEdits folds a sequence of edits into one edit of the original text', () => {
  const apply = (s: string, e: { from: number; to: number; insertLength: number }, ins: string) => s.slice(0, e.from) + ins + s.slice(e.to);
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let trial = 0; trial < 2000; trial++) {
    const t0 = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let cur = t0;
    let acc: { from: number; to: number; insertLength: number } | undefined;
    for (let k = 0; k < 1 + rnd(4); k++) {
      const from = rnd(cur.length + 1);
      const to = from + rnd(cur.length - from + 1);
      const ins = 'XYZ'.slice(0, rnd(4));
      const e = { from, to, insertLength: ins.length };
      cur = apply(cur, e, ins);
      acc = acc ? composeEdits(acc, e) : e;
    }
    // The composed edit's inserted text is the matching slice of the final text.
    const rebuilt = apply(t0, acc!, cur.slice(acc!.from, acc!.from + acc!.insertLength));
    assert.equal(rebuilt, cur);
    assert.equal(t0.length - (acc!.to - acc!.from) + acc!.insertLength, cur.length);
  }
});
