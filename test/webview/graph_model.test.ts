// The graph panel's pure logic over real analyses: the module tree, folding, what is visible for a
// given expansion, and the message validation on both sides of the panel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../engine/src/frontend/index.js';
import { graphFor } from '../../server/src/graph.js';
import type { GraphResult } from '../../server/src/protocol.js';
import { buildTree, defaultExpanded, DEFAULT_VISIBLE_BUDGET, isOpen, itemText, keysOnLines, visibleGraph, formatCount } from '../../webview/src/graph/model.js';
// @ts-expect-error: a plain .mjs helper shared with the benchmark
import { largeModelSource } from '../fixtures/graph/gen_large.mjs';
import { parseGraphHostMessage, parseGraphPanelMessage, parseGraphPanelState, PANEL_PROTOCOL_VERSION } from '../../webview/src/protocol.js';

const fixture = (file: string): GraphResult => {
  const g = graphFor(analyze(readFileSync(join(__dirname, '../fixtures/graph', file), 'utf8'), { fileName: file }));
  assert.equal(g.kind, 'graph');
  return g as GraphResult;
};
const gpt = fixture('gpt12.py');
const resnet = fixture('resnet18.py');

test('buildTree folds the twelve GPT blocks into one item, members in order', () => {
  const tree = buildTree(gpt);
  const blocks = tree.byKey.get('m:blocks');
  assert.equal(blocks?.kind, 'module');
  const kids = blocks.kind === 'module' ? blocks.children : [];
  assert.deepEqual(kids.map((c) => c.key), ['f:blocks.0*12']);
  const fold = kids[0]!;
  assert.equal(fold.kind, 'fold');
  assert.deepEqual(fold.kind === 'fold' ? fold.members.map((m) => m.mod.path) : [], Array.from({ length: 12 }, (_, i) => `blocks.${i}`));
  assert.deepEqual(itemText(fold, gpt), { title: 'Block ×12', name: 'blocks.0–11', detail: '599.8K params', category: 'container', expandable: true });
  // Every node is a leaf of exactly one module.
  assert.equal(tree.leafOf.size, gpt.nodes.length);
});

test('buildTree folds equal ResNet blocks only: layer1.0–1 fold, layer2.0 (downsample) does not', () => {
  const tree = buildTree(resnet);
  const childKeys = (k: string): string[] => { const m = tree.byKey.get(k); return m?.kind === 'module' ? m.children.map((c) => c.key) : []; };
  assert.deepEqual(childKeys('m:layer1'), ['f:layer1.0*2']);
  assert.deepEqual(childKeys('m:layer2'), ['m:layer2.0', 'm:layer2.1']);
});

test('the default view opens modules breadth-first within the budget and leaves folds folded', () => {
  const tree = buildTree(gpt);
  const defaults = defaultExpanded(tree);
  const v = visibleGraph(gpt, tree, (k) => isOpen(k, defaults, { expanded: new Set(), collapsed: new Set() }));
  assert.ok(v.leaves.size <= DEFAULT_VISIBLE_BUDGET);
  assert.deepEqual([...v.leaves.values()].map((l) => itemText(l.item, gpt).title),
    ['input', 'arange', 'Embedding', 'Embedding', 'add', 'Block ×12', 'LayerNorm', 'Linear', 'output']);
  // Edges into and out of the fold carry the block's input and output shape.
  const fold = 'f:blocks.0*12';
  assert.deepEqual(v.edges.filter((e) => e.to === fold || e.from === fold).map((e) => e.shape), ['Tensor[2, 16, 64]', 'Tensor[2, 16, 64]']);
});

test('expanding the fold shows the twelve blocks; expanding one block shows its calls', () => {
  const tree = buildTree(gpt);
  const defaults = defaultExpanded(tree);
  const open = (expanded: string[]) => visibleGraph(gpt, tree, (k) => isOpen(k, defaults, { expanded: new Set(expanded), collapsed: new Set() }));
  const one = open(['f:blocks.0*12']);
  assert.equal([...one.leaves.values()].filter((l) => l.item.kind === 'module' && l.item.mod.type === 'Block').length, 12);
  const two = open(['f:blocks.0*12', 'm:blocks.3']);
  const inBlock3 = [...two.leaves.values()].filter((l) => l.parent?.key === 'm:blocks.3').map((l) => itemText(l.item, gpt).title);
  assert.deepEqual(inBlock3, ['LayerNorm', 'CausalSelfAttention', 'add', 'LayerNorm', 'Sequential', 'add']);
  // Every graph edge between two visible items is drawn once, and nodes inside closed modules map to them.
  for (const n of gpt.nodes) assert.ok(two.shownAs.has(n.id), n.id);
  const ids = new Set(two.edges.map((e) => `${e.from}>${e.to}`));
  assert.equal(ids.size, two.edges.length);
});

test('collapsing a default-open module hides it; the cursor lights the item that holds the line', () => {
  const tree = buildTree(resnet);
  const defaults = defaultExpanded(tree);
  assert.ok(defaults.has('m:layer2'));
  const v = visibleGraph(resnet, tree, (k) => isOpen(k, defaults, { expanded: new Set(), collapsed: new Set(['m:layer2']) }));
  assert.ok(v.leaves.has('m:layer2'));
  assert.ok(![...v.leaves.keys()].some((k) => k.includes('layer2.0')));
  // The BasicBlock's forward line `out = self.conv1(x)` runs inside every block: all fold into their visible items.
  const conv1 = resnet.nodes.find((n) => n.modulePath === 'layer1.0.conv1')!;
  const keys = keysOnLines(v, tree, [conv1.range!.start.line]);
  assert.ok(keys.includes('f:layer1.0*2') && keys.includes('m:layer2'), keys.join(' '));
});

test('formatCount is compact for labels', () => {
  assert.deepEqual([999, 1234, 56_789, 11_689_512, 2.5e9].map(formatCount), ['999', '1.23K', '56.8K', '11.7M', '2.50B']);
});

test('panel messages: well-formed ones pass, anything else is dropped', () => {
  const graphMsg = { type: 'graph', uri: 'file:///m.py', fileName: 'm.py', graph: gpt, classes: ['GPT'] };
  assert.equal(parseGraphHostMessage(graphMsg), graphMsg);
  assert.equal(parseGraphHostMessage({ ...graphMsg, graph: { ...gpt, nodes: [{ id: 1 }] } }), null);
  assert.equal(parseGraphHostMessage({ type: 'cursor', uri: 'file:///m.py', lines: ['3'] }), null);
  assert.equal(parseGraphHostMessage({ type: 'nope' }), null);
  assert.equal(parseGraphHostMessage(null), null);
  const range = { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } };
  assert.ok(parseGraphPanelMessage({ type: 'reveal', uri: 'file:///m.py', range }));
  assert.equal(parseGraphPanelMessage({ type: 'reveal', uri: 'file:///m.py', range: { start: 1 } }), null);
  assert.equal(parseGraphPanelMessage({ type: 'export', format: 'gif', suggestedName: 'a', data: '' }), null);
  const state = { version: PANEL_PROTOCOL_VERSION, uri: 'file:///m.py', className: 'GPT', expanded: ['m:blocks'], collapsed: [] };
  assert.equal(parseGraphPanelState(state), state);
  assert.equal(parseGraphPanelState({ ...state, version: PANEL_PROTOCOL_VERSION + 1 }), null, 'a state from another version is not trusted');
});

test('a model that is one big list of distinct blocks opens that list at first sight', () => {
  const g = graphFor(analyze(largeModelSource(5000) as string)) as GraphResult;
  const tree = buildTree(g);
  const defaults = defaultExpanded(tree);
  assert.ok(defaults.has('m:blocks'));
  const v = visibleGraph(g, tree, (k) => isOpen(k, defaults, { expanded: new Set(), collapsed: new Set() }));
  assert.equal(v.leaves.size, 105, 'input, 102 blocks, head, output');
});
