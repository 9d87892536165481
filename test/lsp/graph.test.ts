// The graph request over real analyses: the module tree against PyTorch's named_modules(), the
// fingerprints that fold repeated blocks, node groups, and the partial graph of a broken forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../engine/src/frontend/index.js';
import { graphFor } from '../../server/src/graph.js';
import type { GraphModule, GraphResponse, GraphResult } from '../../server/src/protocol.js';
// @ts-expect-error: a plain .mjs helper shared with the benchmark
import { largeModelSource } from '../fixtures/graph/gen_large.mjs';

const dir = join(__dirname, '../fixtures/graph');
// Written by test/fixtures/graph/make_golden.py from torch: named_modules() with type and trainable parameter count.
const golden = JSON.parse(readFileSync(join(dir, 'modules_golden.json'), 'utf8')) as Record<string, { className: string; modules: [string, string, number][] }>;

const graphOf = (file: string, className?: string): GraphResponse => {
  const src = readFileSync(join(dir, file), 'utf8');
  return graphFor(analyze(src, { fileName: file }), className);
};
const asGraph = (g: GraphResponse): GraphResult => {
  assert.equal(g.kind, 'graph', g.kind === 'error' ? g.message : '');
  return g as GraphResult;
};
const byPath = (g: GraphResult): Map<string, GraphModule> => new Map(g.modules.map((m) => [m.path, m]));

/** What every graph must satisfy whatever the model: ids unique, edges between nodes, groups are modules, parents first. */
function assertWellFormed(g: GraphResult): void {
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.equal(ids.size, g.nodes.length, 'node ids are unique');
  for (const e of g.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `edge ${e.from} -> ${e.to}`);
  const seen = new Set<string>();
  for (const m of g.modules) {
    assert.ok(m.parent === null ? m.path === '' : seen.has(m.parent), `${m.path}'s parent comes first`);
    seen.add(m.path);
  }
  for (const n of g.nodes) assert.ok(seen.has(n.group), `node ${n.id}'s group '${n.group}' is a module`);
}

for (const [file, want] of Object.entries(golden)) {
  test(`graph of ${file}: the module tree is PyTorch's, with its parameter counts`, () => {
    const g = asGraph(graphOf(file));
    assert.equal(g.className, want.className);
    assert.deepEqual(g.modules.map((m) => [m.path, m.type, m.params]), want.modules);
    assertWellFormed(g);
  });
}

test('graph of resnet18: blocks fold only when they are the same block', () => {
  const g = asGraph(graphOf('resnet18.py'));
  const m = byPath(g);
  const fp = (p: string): string => m.get(p)!.fingerprint;
  assert.equal(fp('layer1.0'), fp('layer1.1'));
  assert.notEqual(fp('layer2.0'), fp('layer2.1'), 'layer2.0 has a downsample and stride 2');
  assert.notEqual(fp('layer1.1'), fp('layer2.1'), 'other channel counts');
  assert.equal(fp('layer1.0.conv1'), fp('layer1.1.conv2'));
  assert.equal(m.get('layer2.0.downsample')!.category, 'container');
  assert.equal(m.get('layer2.0.conv1')!.category, 'layer');
  assert.deepEqual(m.get('layer2.0.conv1')!.attributes, ['in_channels=64', 'out_channels=128', 'kernel_size=3', 'stride=2', 'padding=1', 'bias=False']);
  // A layer is drawn inside its parent; the residual add inside the block whose forward does it.
  const conv = g.nodes.find((n) => n.modulePath === 'layer2.0.downsample.0')!;
  assert.equal(conv.group, 'layer2.0.downsample');
  const add = g.nodes.find((n) => n.op === 'add' && n.modulePath === 'layer2.0')!;
  assert.equal(add.group, 'layer2.0');
  assert.deepEqual(g.available, ['ResNet', 'ResNet18']);
  assert.equal(g.error, null);
  assert.deepEqual(g.outputs, [{ name: 'output', shape: 'Tensor[2, 1000]', dtype: 'float32' }]);
});

test('graph of gpt12: the twelve blocks share one fingerprint; matmul is an op', () => {
  const g = asGraph(graphOf('gpt12.py'));
  const blocks = g.modules.filter((m) => m.parent === 'blocks');
  assert.equal(blocks.length, 12);
  assert.equal(new Set(blocks.map((b) => b.fingerprint)).size, 1);
  assert.notEqual(blocks[0]!.fingerprint, byPath(g).get('blocks.0.attn')!.fingerprint);
  const matmul = g.nodes.find((n) => n.op === 'matmul')!;
  assert.equal(matmul.category, 'op');
  assert.equal(matmul.group, 'blocks.0.attn');
  assert.equal(g.nodes.filter((n) => n.group.startsWith('blocks.11')).length, g.nodes.filter((n) => n.group.startsWith('blocks.0')).length);
});

test('graph of a forward that breaks at a shape error: the calls before it, then the error node', () => {
  const g = asGraph(graphOf('broken.py'));
  assert.deepEqual(g.nodes.map((n) => n.op), ['input', 'Conv2d', 'relu', 'MaxPool2d', 'Conv2d', 'relu', 'MaxPool2d', 'flatten', 'error']);
  const err = g.nodes.at(-1)!;
  assert.equal(err.id, 'error');
  assert.equal(err.category, 'error');
  assert.equal(err.label, 'self.fc1(x)');
  assert.match(err.message!, /in_features 2048 .* 1568/);
  assert.deepEqual(g.edges.at(-1), { from: 'n6', to: 'error', shape: 'Tensor[4, 1568]', dtype: 'float32' });
  assert.deepEqual(g.outputs, []);
  assert.equal(g.error!.message, err.message);
  assert.deepEqual(g.error!.range, { start: { line: 19, character: 19 }, end: { line: 19, character: 30 } });
  assert.deepEqual(g.available, ['SmallCNN']);
  assertWellFormed(g);
});

test('graph: the default class is the top-level model, broken or not; unknown classes list the available ones', () => {
  const src = readFileSync(join(dir, 'broken.py'), 'utf8').replace('if __name__', `class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


head = Head()(torch.randn(3, 4))


if __name__`);
  const result = analyze(src);
  assert.equal(asGraph(graphFor(result)).className, 'Head', 'the last top-level class');
  assert.equal(asGraph(graphFor(result, 'SmallCNN')).error?.range?.start.line, 19);
  const missing = graphFor(result, 'Nope');
  assert.equal(missing.kind, 'error');
  assert.deepEqual(missing.available, ['SmallCNN', 'Head']);
});

test('graph of a generated 5,000-node model: well formed, and no two sibling blocks have one fingerprint', () => {
  const g = asGraph(graphFor(analyze(largeModelSource(5000) as string)));
  assert.equal(g.nodes.length, 102 * 49 + 3, '102 blocks, input, head, output');
  assertWellFormed(g);
  const siblings = new Map<string, string[]>();
  // Only containers fold (a layer is one node already): up and down may well be the same Linear.
  for (const m of g.modules) if (m.parent !== null && m.category === 'container') siblings.set(m.parent, [...siblings.get(m.parent) ?? [], m.fingerprint]);
  for (const [parent, fps] of siblings) {
    for (let i = 1; i < fps.length; i++) assert.notEqual(fps[i], fps[i - 1], `${parent}: children ${i - 1} and ${i} differ`);
  }
});
