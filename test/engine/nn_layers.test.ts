// Builtin layers built from the op library's LayerSpecs: constructor binding and errors, default
// init through the spec path, BatchNorm's running statistics against PyTorch
// (goldens/layer_goldens.json from make_model_goldens.py), Dropout modes, Sequential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../../engine/src/tensor.js';
import { callOp, manualSeed, noGrad } from '../../engine/src/runtime/dispatch.js';
import { Layer, Sequential, createLayer, supportedLayers } from '../../engine/src/nn/index.js';
import { allLayers } from '../../engine/src/ops/index.js';
import { GOLDENS, relError } from './models/goldens.js';

const LG = JSON.parse(readFileSync(join(GOLDENS, 'layer_goldens.json'), 'utf8'));

test('createLayer binds PyTorch constructor signatures and names parameters like PyTorch', () => {
  const conv = createLayer('Conv2d', [3, 8, 3], { padding: 1, bias: false });
  assert.deepEqual(conv.namedParameters().map(([n, t]) => [n, [...t.shape]]), [['weight', [8, 3, 3, 3]]]);
  const lstm = createLayer('LSTM', [4, 5], { num_layers: 2, bidirectional: true });
  assert.deepEqual(lstm.namedParameters().map(([n]) => n).slice(0, 5), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']);
  const bn = createLayer('BatchNorm1d', [6]);
  assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  assert.equal(bn.stateDict().get('num_batches_tracked')!.dtype, 'int32');
  assert.deepEqual([...bn.stateDict().get('running_var')!.toFloat32Array()], [1, 1, 1, 1, 1, 1]);
  const mha = createLayer('MultiheadAttention', [8, 2]);
  assert.deepEqual([...mha.stateDict().keys()], ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
  assert.equal(conv.toString(), 'Conv2d(3, 8, 3, padding=1, bias=False)');
  assert.equal(createLayer('AdaptiveAvgPool2d', [[1, 1]]).toString(), 'AdaptiveAvgPool2d((1, 1))');
});

test('constructor mistakes are clear errors', () => {
  assert.throws(() => createLayer('Conv2d', [1, 16]), /missing required argument 'kernel_size'/);
  assert.throws(() => createLayer('Linear', [4, 3], { bais: false }), /unexpected keyword argument 'bais'/);
  assert.throws(() => createLayer('NoSuchLayer', []), /unknown layer nn\.NoSuchLayer/);
});

test('default init through the spec path: Linear bound 1/sqrt(in), Embedding N(0,1) with the padding row zero', () => {
  manualSeed(1);
  const lin = createLayer('Linear', [256, 512]);
  const w = lin.tensor('weight')!.toFloat32Array();
  const bound = 1 / Math.sqrt(256);
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.02 * bound, `std ${std}`);
  assert.ok(w.every((v) => Math.abs(v) <= bound));
  assert.ok(lin.tensor('bias')!.toFloat32Array().every((v) => Math.abs(v) <= bound));
  const emb = createLayer('Embedding', [50, 40], { padding_idx: 3 });
  const e = emb.tensor('weight')!.toFloat32Array();
  assert.ok(e.subarray(120, 160).every((v) => v === 0), 'padding row is zero');
  const rest = [...e.subarray(0, 120), ...e.subarray(160)];
  const m = rest.reduce((a, b) => a + b, 0) / rest.length;
  const s = Math.sqrt(rest.reduce((a, b) => a + (b - m) ** 2, 0) / rest.length);
  assert.ok(Math.abs(m) < 0.06 && Math.abs(s - 1) < 0.06, `embedding mean ${m} std ${s}`);
  const gru = createLayer('GRU', [10, 16]);
  assert.ok(gru.parameters().every((p) => p.toFloat32Array().every((v) => Math.abs(v) <= 0.25)));
});

for (const key of ['bn_momentum', 'bn_cumulative']) {
  test(`BatchNorm2d running statistics match PyTorch (${key})`, () => {
    const g = LG[key];
    const bn = createLayer('BatchNorm2d', [3], { momentum: g.momentum });
    bn.tensor('weight')!.copy_(Tensor.fromArray([1, 0.5, -2], [3]));
    bn.tensor('bias')!.copy_(Tensor.fromArray([0, 0.25, 1], [3]));
    const xs = g.inputs.map((d: number[]) => Tensor.fromArray(d, g.shape));
    bn.train();
    noGrad(() => bn.forward(xs[0]));
    const y = noGrad(() => bn.forward(xs[1])) as Tensor;
    assert.ok(relError(y.toFloat32Array(), g.train_output) < 1e-5, 'train-mode output uses batch statistics');
    assert.ok(relError(bn.tensor('running_mean')!.toFloat32Array(), g.running_mean) < 1e-5, 'running_mean');
    assert.ok(relError(bn.tensor('running_var')!.toFloat32Array(), g.running_var) < 1e-5, 'running_var (unbiased)');
    assert.equal(bn.tensor('num_batches_tracked')!.item(), g.num_batches_tracked);
    bn.eval();
    const ye = noGrad(() => bn.forward(xs[0])) as Tensor;
    assert.ok(relError(ye.toFloat32Array(), g.eval_output) < 1e-5, 'eval-mode output uses running statistics');
  });
}

test('Dropout: identity in eval; in train zeroes about p and scales the rest by 1/(1-p)', () => {
  const drop = createLayer('Dropout', [], { p: 0.25 });
  const x = Tensor.ones([100, 100]);
  drop.eval();
  assert.equal(drop.forward(x), x);
  drop.train();
  const y = (noGrad(() => drop.forward(x)) as Tensor).toFloat32Array();
  const zeros = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.03, `zero fraction ${zeros}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
});

test('Sequential chains its layers; Linear matches x @ W.T + b', () => {
  const lin = createLayer('Linear', [3, 2]);
  lin.tensor('weight')!.copy_(Tensor.fromArray([1, 2, 3, -1, 0, 1], [2, 3]));
  lin.tensor('bias')!.copy_(Tensor.fromArray([0.5, -0.5], [2]));
  const seq = new Sequential([lin, createLayer('ReLU')]);
  const y = seq.forward(Tensor.fromArray([1, 1, 1, -1, 0, 2], [2, 3])) as Tensor;
  assert.deepEqual([...y.toFloat32Array()], [6.5, 0, 5.5, 2.5]);
  assert.deepEqual([...seq.stateDict().keys()], ['0.weight', '0.bias']);
  assert.ok(seq.at(0) instanceof Layer);
});

test('an LSTM step is differentiable end to end (gradients reach every parameter)', () => {
  manualSeed(3);
  const lstm = createLayer('LSTM', [3, 4], { batch_first: true });
  const out = lstm.forward(Tensor.fromArray(Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 3])) as unknown as [Tensor, [Tensor, Tensor]];
  assert.deepEqual([...out[0].shape], [2, 5, 4]);
  assert.deepEqual([...out[1][0].shape], [1, 2, 4]);
  const loss = callOp('sum', { input: out[0] }) as Tensor;
  loss.backward();
  for (const [name, p] of lstm.namedParameters()) {
    assert.ok(p.grad, `${name} has a gradient`);
    assert.ok(p.grad.toFloat32Array().some((v) => v !== 0), `${name} gradient is not all zero`);
  }
});

test('every layer the op library specifies has an engine implementation', () => {
  const supported = new Set(supportedLayers());
  const missingImpl = allLayers().map((l) => l.name).filter((n) => !supported.has(n));
  assert.deepEqual(missingImpl, []);
});

const RECURRENT: [string, string, unknown[], Record<string, unknown>][] = [
  ['rnn_relu_bidir', 'RNN', [3, 4], { num_layers: 2, nonlinearity: 'relu', bidirectional: true }],
  ['lstm_unbatched', 'LSTM', [3, 4], {}],
  ['rnn_cell', 'RNNCell', [3, 4], {}],
  ['gru_cell', 'GRUCell', [3, 4], {}],
  ['lstm_cell', 'LSTMCell', [3, 4], {}],
];
for (const [key, type, pos, kw] of RECURRENT) {
  test(`${type} (${key}) matches PyTorch with its weights`, () => {
    const g = LG[key];
    const layer = createLayer(type, pos, kw);
    const state = new Map(Object.entries(g.state as Record<string, [number[], number[]]>).map(([k, [shape, data]]) => [k, Tensor.fromArray(data, shape)]));
    layer.loadStateDict(state);
    const x = Tensor.fromArray(g.input[1], g.input[0]);
    const hx = g.hx === null ? null : g.hx.length === 1 ? Tensor.fromArray(g.hx[0], g.hx_shape) : g.hx.map((d: number[]) => Tensor.fromArray(d, g.hx_shape));
    const out = noGrad(() => (hx === null ? layer.forward(x) : layer.forward(x, hx)));
    const flat: Tensor[] = [];
    const walk = (v: unknown): void => { if (v instanceof Tensor) flat.push(v); else if (Array.isArray(v)) v.forEach(walk); };
    walk(out);
    assert.equal(flat.length, g.outputs.length);
    g.outputs.forEach(([shape, data]: [number[], number[]], i: number) => {
      assert.deepEqual([...flat[i]!.shape], shape, `output ${i} shape`);
      assert.ok(relError(flat[i]!.toFloat32Array(), data) < 1e-5, `output ${i}: ${relError(flat[i]!.toFloat32Array(), data)}`);
    });
  });
}

test('MultiheadAttention with a causal bool mask and a key padding mask matches PyTorch (output and averaged weights)', () => {
  const g = LG.mha_masks;
  const mha = createLayer('MultiheadAttention', [6, 2]);
  mha.loadStateDict(new Map(Object.entries(g.state as Record<string, [number[], number[]]>).map(([k, [shape, data]]) => [k, Tensor.fromArray(data, shape)])));
  mha.eval();
  const q = Tensor.fromArray(g.input[1], g.input[0]);
  const out = noGrad(() => mha.call({ query: q, key: q, value: q, attn_mask: Tensor.fromArray(g.attn_mask, [4, 4], 'int32'), key_padding_mask: Tensor.fromArray(g.key_padding_mask, [2, 4], 'int32') })) as Tensor[];
  g.outputs.forEach(([shape, data]: [number[], number[]], i: number) => {
    assert.deepEqual([...out[i]!.shape], shape);
    assert.ok(relError(out[i]!.toFloat32Array(), data) < 1e-5, `output ${i}`);
  });
});
