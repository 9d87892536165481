// loadModel: picking the class, clear errors for what the engine cannot run (with the line),
// input checking against the IR's symbolic shapes, and training-mode use through the Module API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, ModelBuildError, ModelRunError } from '../../engine/src/model/index.js';
import { callOp, noGrad } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';

const MLP = `
import torch
import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return F.relu(self.fc(x)) + x

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.blocks = nn.ModuleList([Block(8), Block(8)])
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = b(h)
        return self.out(h)

class Other(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return self.fc(x)
`;

test('className picks the class; ModuleList and user blocks give PyTorch state_dict names', () => {
  const m = loadModel(MLP, { className: 'MLP' });
  assert.deepEqual([...m.module.stateDict().keys()], [
    'inp.weight', 'inp.bias', 'blocks.0.fc.weight', 'blocks.0.fc.bias', 'blocks.1.fc.weight', 'blocks.1.fc.bias', 'out.weight', 'out.bias',
  ]);
  assert.equal(m.module.typeName, 'MLP');
  const y = noGrad(() => m.forwardTensor(Tensor.ones([5, 4])));
  assert.deepEqual([...y.shape], [5, 3]);
  // The batch size is symbolic in the IR: another N works too.
  assert.deepEqual([...noGrad(() => m.forwardTensor(Tensor.ones([2, 4]))).shape], [2, 3]);
});

test('several root classes and no className: the error lists them', () => {
  assert.throws(() => loadModel(MLP, { fileName: 'mlp.py' }), (e: unknown) => {
    assert.ok(e instanceof ModelBuildError);
    assert.match(e.message, /mlp\.py: several model classes \(MLP, Other\); choose one with --class NAME/);
    return true;
  });
  assert.throws(() => loadModel(MLP, { className: 'Nope', fileName: 'mlp.py' }), /Nope/);
});

test('data-dependent control flow is refused with its line', () => {
  const src = `
import torch.nn as nn

class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        if x.sum() > 0:
            return self.fc(x)
        return x
`;
  assert.throws(() => loadModel(src, { fileName: 'gate.py' }), (e: unknown) => {
    assert.ok(e instanceof ModelBuildError);
    assert.match(e.message, /gate\.py:10: .*not supported by the embedded engine/);
    return true;
  });
});

test('inputs that do not fit the model name the input and the dim', () => {
  const m = loadModel(MLP, { className: 'MLP', fileName: 'mlp.py' });
  assert.throws(() => m.forward(Tensor.ones([5, 5])), (e: unknown) => {
    assert.ok(e instanceof ModelRunError);
    assert.match(e.message, /mlp\.py: input 'x': dim 1 must be 4/);
    return true;
  });
  assert.throws(() => m.forward(Tensor.ones([4])), /input 'x': expected 2 dims/);
  assert.throws(() => m.forward(), /takes 1 input/);
});

test('train mode: gradients flow from the IR run into the module parameters', () => {
  const m = loadModel(MLP, { className: 'MLP' });
  m.module.train();
  const y = m.forwardTensor(Tensor.fromArray(Array.from({ length: 12 }, (_, i) => i / 12), [3, 4]));
  const loss = callOp('sum', { input: y }) as Tensor;
  loss.backward();
  for (const [name, p] of m.module.namedParameters()) assert.ok(p.grad, `${name} has a gradient`);
  // The module itself is callable (forward goes through the IR).
  assert.deepEqual([...(m.module.forward(Tensor.ones([1, 4])) as Tensor).shape], [1, 3]);
});

test("the file's example call fixes the shapes but not the batch size", () => {
  const src = `
import torch
import torch.nn as nn

class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        b = x.size(0)
        return self.fc(x.view(b, -1))

if __name__ == "__main__":
    Head()(torch.randn(64, 2, 3))
`;
  const m = loadModel(src, { fileName: 'head.py' });
  assert.equal(m.ir.inputs[0]!.type.shape!.map(String).join(','), 'N,2,3');
  assert.deepEqual([...noGrad(() => m.forwardTensor(Tensor.ones([5, 2, 3]))).shape], [5, 2]);
  assert.throws(() => m.forward(Tensor.ones([5, 3, 2])), /head\.py: input 'x': dim 1 must be 2/);
});

test("a user class's own nn.Parameter and buffers are in its state_dict in PyTorch order and feed forward", () => {
  const src = `
import torch
import torch.nn as nn

class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(4))
        self.fc = nn.Linear(4, 4)
        self.register_buffer("offset", torch.zeros(4))
        self.shift = nn.Parameter(torch.zeros(4))

    def forward(self, x):
        return self.fc(x) * self.scale + self.offset + self.shift
`;
  const m = loadModel(src, { fileName: 'scaled.py' });
  assert.deepEqual([...m.module.stateDict().keys()], ['scale', 'shift', 'offset', 'fc.weight', 'fc.bias']);
  assert.deepEqual(m.module.namedParameters().map(([k]) => k), ['scale', 'shift', 'fc.weight', 'fc.bias']);
  const state = m.module.stateDict();
  m.module.loadStateDict(new Map([...state].map(([k, t]) => [k, k === 'fc.weight' ? Tensor.fromArray([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], [4, 4]) : k === 'scale' ? Tensor.fromArray([2, 2, 2, 2], [4]) : k === 'offset' ? Tensor.fromArray([1, 1, 1, 1], [4]) : Tensor.zeros(t.shape)])));
  const y = noGrad(() => m.forwardTensor(Tensor.fromArray([1, 2, 3, 4], [1, 4])));
  assert.deepEqual([...y.toFloat32Array()], [3, 5, 7, 9]);
});

test('a shape error in forward is reported with its line and the mismatch', () => {
  const src = `
import torch.nn as nn

class Bad(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.fc1(x))
`;
  assert.throws(() => loadModel(src, { fileName: 'bad.py' }), (e: unknown) => {
    assert.ok(e instanceof ModelBuildError);
    assert.match(e.message, /bad\.py:11: .*in_features 6 .* 8/);
    assert.doesNotMatch(e.message, /not supported by the embedded engine/);
    return true;
  });
});
