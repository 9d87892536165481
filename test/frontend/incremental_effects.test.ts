// Incremental analysis with side effects: a construction or forward run that changes state made
// before it is not replayed, and a module-level statement that changes state (`model.fc = ...`,
// `CFG['d'] = 6`) is a dependency of what runs after it. Each case: incremental equals fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, DocumentAnalyzer } from '../../engine/src/frontend/index.js';
import { shapeAt } from './helpers.js';

const ser = (r: ReturnType<typeof analyze>): string => JSON.stringify(r, (_k, v) => (v instanceof Map ? [...v] : v));

/** Apply `from->to` replacements one by one; after each, incremental must equal fresh. */
function replay(src: string, edits: string[]): string {
  const da = new DocumentAnalyzer();
  let text = src;
  assert.equal(ser(da.update(text)), ser(analyze(text)));
  for (const e of edits) {
    const [from, to] = e.split('->') as [string, string];
    assert.ok(text.includes(from), `edit ${e} does not apply`);
    text = text.replace(from, to);
    assert.equal(ser(da.update(text)), ser(analyze(text)), `after ${e}`);
  }
  return text;
}

const HEAD = 'import torch\nimport torch.nn as nn\n';

test('a module-level attribute assignment is a dependency of the run after it', () => {
  const src = `${HEAD}class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)

    def forward(self, x):
        return self.fc(x)

model = Net()
model.fc = nn.Linear(4, 3)
y = model(torch.randn(2, 4))
`;
  const end = replay(src, ['nn.Linear(4, 3)->nn.Linear(4, 5)', 'nn.Linear(4, 5)->nn.Linear(4, 3)', 'model.fc = nn.Linear(4, 3)\n->\n']);
  assert.equal(shapeAt(analyze(end), end, 'y = model'), 'Tensor[2, 8]');
});

test('a forward that sets attributes of its module is run again, not replayed', () => {
  const src = `${HEAD}class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.k = 4

    def forward(self, x):
        self.fc = nn.Linear(self.k, 2)
        return self.fc(x)

model = Net()
y = model(torch.randn(2, 4))
z = 1
`;
  replay(src, ['z = 1->z = 2', 'z = 2->z = 3', 'self.k = 4->self.k = 4  ']);
});

test('a module-level dict changed by a later statement is a dependency of constructions', () => {
  const src = `${HEAD}CFG = {'d': 4}
CFG['d'] = 6

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(CFG['d'], 8)

    def forward(self, x):
        return self.fc(x)

model = Net()
y = model(torch.randn(2, 6))
`;
  replay(src, ["CFG['d'] = 6->CFG['d'] = 7", "CFG['d'] = 7->CFG['d'] = 6", "CFG['d'] = 6\n->CFG.update({'d': 5})\n"]);
});

test('constructions that keep functions or shared modules are built again', () => {
  const src = `${HEAD}def act(x):
    return x * 2

shared = nn.Linear(8, 8)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 8)
        self.act = act
        self.shared = shared

    def forward(self, x):
        return self.shared(self.act(self.fc(x)))

model = Net()
y = model(torch.randn(2, 4))


`;
  replay(src, ['y = model->y  = model', 'return x * 2->return x.sum(0)', 'nn.Linear(8, 8)->nn.Linear(8, 3)']);
});

test('a blank line removed and restored between classes: reused constructions use this version\'s classes', () => {
  const src = `${HEAD}class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.fc = nn.Linear(c, c // 2)

    def forward(self, x):
        return self.fc(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1 = Block(32)
        self.b2 = Block(16)

    def forward(self, x):
        return self.b2(self.b1(x))


model = Net()
y = model(torch.randn(2, 32))
`;
  const end = replay(src, ['        return self.fc(x)\n\n\n->        return self.fc(x)\n\n', '        return self.fc(x)\n\n->        return self.fc(x)\n\n\n']);
  const r = new DocumentAnalyzer();
  r.update(end);
  const block = analyze(end).classes.find((c) => c.name === 'Block');
  assert.equal(block?.paramCount, 32 * 16 + 16);
});

test('a list appended to by a module-level loop is a dependency of the construction that reads it', () => {
  const src = `${HEAD}SIZES = []
for s in (4, 8):
    SIZES.append(s)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(SIZES[-1], 2)

    def forward(self, x):
        return self.fc(x)

model = Net()
y = model(torch.randn(2, 8))
`;
  replay(src, ['for s in (4, 8):->for s in (4, 9):', 'for s in (4, 9):->for s in (4, 8):']);
});

test('a class attribute list appended to in __init__ makes the construction impure', () => {
  const src = `${HEAD}class Net(nn.Module):
    sizes = []

    def __init__(self):
        super().__init__()
        self.sizes.append(4)
        self.fc = nn.Linear(len(self.sizes) * 4, 2)

    def forward(self, x):
        return self.fc(x)

a = Net()
b = Net()
y = b(torch.randn(2, 8))
z = 0
`;
  // A construction added later sees the list as the earlier constructions left it.
  const end = replay(src, ['z = 0->z = 1', 'z = 1->c = Net()\nw = c(torch.randn(2, 12))']);
  assert.equal(shapeAt(analyze(end), end, 'w = c('), 'Tensor[2, 2]');
});
