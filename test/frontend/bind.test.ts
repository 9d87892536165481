// Binding: torch under every import form, module constants, user base classes, jaxtyping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../engine/src/frontend/index.js';
import { shapeAt } from './helpers.js';

const BODY = (imports: string, conv: string, relu: string, base: string) => `${imports}
from jaxtyping import Float
from torch import Tensor
C = 4

class Net(${base}):
    def __init__(self):
        super().__init__()
        self.conv = ${conv}(3, C * 2, 3)

    def forward(self, x: Float[Tensor, "b 3 10 10"]):
        y = ${relu}(self.conv(x))
        return y
`;

const FORMS: [string, string, string, string][] = [
  ['import torch', 'torch.nn.Conv2d', 'torch.relu', 'torch.nn.Module'],
  ['import torch\nimport torch.nn as nn\nimport torch.nn.functional as F', 'nn.Conv2d', 'F.relu', 'nn.Module'],
  ['from torch import nn\nfrom torch.nn import functional as F', 'nn.Conv2d', 'F.relu', 'nn.Module'],
  ['from torch.nn import Conv2d, Module\nimport torch.nn.functional as F', 'Conv2d', 'F.relu', 'Module'],
  ['import torch.nn\nimport torch.nn.functional', 'torch.nn.Conv2d', 'torch.nn.functional.relu', 'torch.nn.Module'],
];

for (const [imports, conv, relu, base] of FORMS) {
  test(`binds torch through: ${imports.replace(/\n/g, '; ')}`, () => {
    const src = BODY(imports, conv, relu, base);
    const r = analyze(src);
    assert.equal(shapeAt(r, src, 'y = '), 'Tensor[b, 8, 8, 8]');
    const cls = r.classes.find((c) => c.name === 'Net');
    assert.equal(cls?.inputSource, 'annotation');
    assert.equal(cls?.paramCount, 3 * 8 * 9 + 8);
    assert.equal(cls?.paramBytes, (3 * 8 * 9 + 8) * 4);
  });
}

test('a user base class deriving nn.Module makes its subclasses modules', () => {
  const src = `import torch.nn as nn
from jaxtyping import Float
from torch import Tensor

class Base(nn.Module):
    def act(self, x):
        return x.relu()

class Net(Base):
    def __init__(self, hidden=16):
        super(Net, self).__init__()
        self.fc = nn.Linear(8, hidden * 2)

    def forward(self, x: Float[Tensor, "4 8"]):
        h = self.act(self.fc(x))
        return h
`;
  const r = analyze(src);
  assert.equal(shapeAt(r, src, 'h = '), 'Tensor[4, 32]');
  assert.deepEqual(r.classes.map((c) => c.name).sort(), ['Base', 'Net']);
});

test('jaxtyping Int gives an int64 input', () => {
  const src = `import torch.nn as nn
from jaxtyping import Int
from torch import Tensor

class Emb(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 12)

    def forward(self, idx: Int[Tensor, "B T"]):
        e = self.emb(idx)
        return e
`;
  const r = analyze(src);
  const cls = r.classes.find((c) => c.name === 'Emb')!;
  assert.equal(cls.inputs[0]!.value.kind === 'tensor' && cls.inputs[0]!.value.dtype, 'int64');
});
