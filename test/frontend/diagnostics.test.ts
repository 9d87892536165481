// Diagnostics: where a shape error is reported, what it points at, and that it is reported once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../engine/src/frontend/index.js';
import { errors, lineOf } from './helpers.js';

const HEAD = `import torch
import torch.nn as nn
from torch import Tensor
from jaxtyping import Float
`;

test('a failing layer call is reported on the forward line, related to its constructor; nothing cascades', () => {
  const src = `${HEAD}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: Float[Tensor, "2 9126"]):
        h = self.fc1(x)
        y = self.fc2(h)
        return y + 1
`;
  const r = analyze(src);
  const errs = errors(r);
  assert.equal(errs.length, 1, JSON.stringify(r.diagnostics));
  const e = errs[0]!;
  assert.equal(e.code, 'shape-mismatch');
  assert.equal(e.range.start.line, lineOf(src, 'h = self.fc1(x)'));
  assert.equal(src.split('\n')[e.range.start.line]!.slice(e.range.start.character, e.range.end.character), 'self.fc1(x)');
  assert.match(e.message, /9216/);
  assert.match(e.message, /9126/);
  assert.equal(e.related?.[0]?.range.start.line, lineOf(src, 'self.fc1 = nn.Linear'));
});

test('a layer inside nn.Sequential is reported on its own line, related to the call in forward', () => {
  const src = `${HEAD}
def mlp(a, b):
    return nn.Sequential(
        nn.Linear(a, 64),
        nn.ReLU(),
        nn.Linear(46, b),
    )

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = mlp(8, 4)

    def forward(self, x: Float[Tensor, "2 8"]):
        return self.body(x)
`;
  const r = analyze(src);
  const errs = errors(r);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.range.start.line, lineOf(src, 'nn.Linear(46, b)'));
  assert.equal(errs[0]!.related?.[0]?.range.start.line, lineOf(src, 'return self.body(x)'));
});

test('operator errors are reported at the expression; the same root cause in two contexts is reported once', () => {
  const src = `${HEAD}
class Add(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 6)

    def forward(self, x):
        return self.fc(x) + x

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Add()
        self.b = Add()

    def forward(self, x: Float[Tensor, "2 8"]):
        return self.b(self.a(x))
`;
  const r = analyze(src);
  const errs = errors(r);
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.equal(errs[0]!.range.start.line, lineOf(src, 'return self.fc(x) + x'));
});

test('unknown libraries and dynamic code never produce errors', () => {
  const src = `${HEAD}
import numpy as np
from mylib import Thing

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.thing = Thing(3)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: Float[Tensor, "2 8"]):
        x = self.thing(x)
        y = np.zeros(3)
        x = self.fc(x)
        return getattr(self, "fc")(x)
`;
  const r = analyze(src);
  assert.deepEqual(errors(r), []);
});

test('never throws on broken or hostile input', () => {
  const inputs = ['', 'class', 'def f(:\n', 'x = (((((', 'class A(nn.Module):\n    def forward(self, x):\n        return self.f(x', '\u0000\u{1F600}', 'for x in y:\n  while 1:\n    pass',
    'class A(A):\n  pass\nA()', 'def f(): return f()\nf()', 'import torch\nx = torch.randn(*[1]*1000)'];
  for (const s of inputs) assert.doesNotThrow(() => analyze(s));
});
