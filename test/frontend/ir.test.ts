// The model IR the engine executes: module tree with PyTorch state_dict paths, nodes in order,
// op args bound by name, symbolic sizes over the input symbols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildModel } from '../../engine/src/frontend/index.js';
import type { ModuleNode } from '../../engine/src/frontend/index.js';
import { dimToString, sym } from '../../engine/src/shape/dim.js';

function stateDict(n: ModuleNode, out: string[] = []): string[] {
  for (const p of n.params) out.push(n.path ? `${n.path}.${p.name}` : p.name);
  for (const c of n.children) stateDict(c, out);
  return out;
}

test('buildModel on the example model with a symbolic batch', () => {
  const src = readFileSync('examples/fashion/model.py', 'utf8');
  const { ir, diagnostics } = buildModel(src, { className: 'FashionCNN', inputs: [{ kind: 'tensor', shape: [sym('N'), 1, 28, 28], dtype: 'float32' }] });
  assert.deepEqual(diagnostics, []);
  assert.ok(ir);
  assert.deepEqual(stateDict(ir.root), ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  assert.deepEqual(ir.nodes.map((n) => `${n.call}:${n.target}`), [
    'layer:conv1', 'op:relu', 'layer:pool', 'layer:conv2', 'op:relu', 'layer:pool', 'op:flatten', 'layer:fc1', 'op:relu', 'layer:fc2',
  ]);
  assert.deepEqual(ir.symbols, ['N']);
  assert.deepEqual(ir.inputs.map((i) => i.name), ['x']);
  // Every node reads the previous one (or the input), by name.
  assert.deepEqual(ir.nodes[0]!.args.input, { kind: 'input', index: 0 });
  assert.deepEqual(ir.nodes[1]!.args.input, { kind: 'node', id: 0 });
  assert.deepEqual(ir.nodes[6]!.args.start_dim, { kind: 'const', value: { kind: 'int', value: 1 } });
  const last = ir.nodes[ir.nodes.length - 1]!;
  assert.deepEqual(ir.output, { kind: 'node', id: last.id });
  assert.equal(last.output.kind === 'tensor' && last.output.shape!.map(dimToString).join(','), 'N,10');
  const conv1 = ir.root.children.find((c) => c.path === 'conv1')!;
  assert.equal(conv1.type, 'Conv2d');
  assert.equal(conv1.attrs.in_channels?.kind === 'int' && conv1.attrs.in_channels.value, 1);
});

test('IR of nested user modules: scopes, state_dict paths through containers, symbolic sizes in args', () => {
  const src = `import torch.nn as nn

class Attn(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.c_attn = nn.Linear(d, 3 * d)

    def forward(self, x):
        B, T, C = x.size()
        q = self.c_attn(x)
        return q.view(B, T, self.h, 3 * C // self.h)

class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.attn = Attn(d, 2)

    def forward(self, x):
        return self.attn(x)

class GPT(nn.Module):
    def __init__(self, d=8, n=2):
        super().__init__()
        self.layers = nn.ModuleList([Block(d) for _ in range(n)])

    def forward(self, x):
        for b in self.layers:
            y = b(x)
        return y
`;
  const { ir, diagnostics } = buildModel(src, { className: 'GPT', inputs: [{ kind: 'tensor', shape: [sym('B'), sym('T'), 8], dtype: 'float32' }] });
  assert.deepEqual(diagnostics, []);
  assert.ok(ir);
  assert.deepEqual(stateDict(ir.root), ['layers.0.attn.c_attn.weight', 'layers.0.attn.c_attn.bias', 'layers.1.attn.c_attn.weight', 'layers.1.attn.c_attn.bias']);
  assert.deepEqual(ir.nodes.map((n) => `${n.target}@${n.scope}`), ['layers.0.attn.c_attn@layers.0.attn', 'view@layers.0.attn', 'layers.1.attn.c_attn@layers.1.attn', 'view@layers.1.attn']);
  const view = ir.nodes[1]!;
  const size = view.args.shape;
  assert.ok(size && size.kind === 'tuple');
  assert.deepEqual(size.items.map((a) => (a.kind === 'const' && a.value.kind === 'int' ? dimToString(a.value.value) : '?')), ['B', 'T', '2', '12']);
});

test('buildModel explains why there is no IR', () => {
  const bad = buildModel('import torch.nn as nn\n', { className: 'Nope' });
  assert.equal(bad.ir, null);
  assert.match(bad.diagnostics[0]!.message, /Nope/);
  const src = `import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
    def forward(self, x):
        while x.sum() > 0:
            x = self.fc(x)
        return x
`;
  const r = buildModel(src, { className: 'Net', inputs: [{ kind: 'tensor', shape: [2, 4], dtype: 'float32' }] });
  assert.equal(r.ir, null);
  assert.match(r.diagnostics.map((d) => d.message).join('\n'), /while loop/);
});
