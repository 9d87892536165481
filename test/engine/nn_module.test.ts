// Module base: PyTorch names and order for parameters/buffers/state_dict, train/eval, and
// loadStateDict's errors (missing, unexpected, shape mismatch) — plus the init functions'
// statistics against PyTorch's documented bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { manualSeed } from '../../engine/src/runtime/rng.js';
import { Module, ModuleList, Sequential, StateDictError, init } from '../../engine/src/nn/index.js';
import type { RuntimeValue } from '../../engine/src/runtime/value.js';

class Leaf extends Module {
  constructor(out: number, inp: number, withBuffer = false) {
    super();
    this.registerParameter('weight', Tensor.zeros([out, inp]));
    this.registerParameter('bias', Tensor.zeros([out]));
    if (withBuffer) {
      this.registerBuffer('running_mean', Tensor.zeros([out]));
      this.registerBuffer('num_batches_tracked', Tensor.zeros([], 'int32'));
      this.registerBuffer('scratch', Tensor.zeros([out]), false);
    }
  }
  forward(x: RuntimeValue): RuntimeValue { return x; }
}

class Net extends Module {
  constructor() {
    super();
    this.registerModule('conv1', new Leaf(4, 3, true));
    this.registerModule('blocks', new ModuleList([new Leaf(2, 4), new Sequential([new Leaf(1, 2)])]));
    this.registerParameter('scale', Tensor.ones([1]));
  }
  forward(x: RuntimeValue): RuntimeValue { return x; }
}

test('state_dict names and order follow PyTorch (own params, own buffers, then children)', () => {
  const net = new Net();
  assert.deepEqual([...net.stateDict().keys()], [
    'scale',
    'conv1.weight', 'conv1.bias', 'conv1.running_mean', 'conv1.num_batches_tracked',
    'blocks.0.weight', 'blocks.0.bias', 'blocks.1.0.weight', 'blocks.1.0.bias',
  ]);
  assert.deepEqual(net.namedParameters().map(([n]) => n), ['scale', 'conv1.weight', 'conv1.bias', 'blocks.0.weight', 'blocks.0.bias', 'blocks.1.0.weight', 'blocks.1.0.bias']);
  assert.deepEqual(net.namedBuffers().map(([n]) => n), ['conv1.running_mean', 'conv1.num_batches_tracked', 'conv1.scratch']);
  assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'conv1', 'blocks', 'blocks.0', 'blocks.1', 'blocks.1.0']);
  assert.equal(net.stateDict().get('conv1.num_batches_tracked')!.dtype, 'int32');
  assert.ok(net.parameters().every((p) => p.requiresGrad));
  assert.equal(net.numParameters(), 1 + 12 + 4 + 8 + 2 + 2 + 1);
});

test('train()/eval() reach every descendant', () => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.getSubmodule('blocks.1.0').training);
  net.getSubmodule('conv1').requiresGrad_(false);
  assert.deepEqual(net.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n), ['scale', 'blocks.0.weight', 'blocks.0.bias', 'blocks.1.0.weight', 'blocks.1.0.bias']);
});

test('loadStateDict copies values and reports problems by key', () => {
  const src = new Net();
  src.getTensor('conv1.weight').copy_(Tensor.fromArray(Array.from({ length: 12 }, (_, i) => i), [4, 3]));
  src.getTensor('conv1.num_batches_tracked').copy_(Tensor.full([], 7, 'int32'));
  const dst = new Net();
  const r = dst.loadStateDict(src.stateDict());
  assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
  assert.deepEqual([...dst.getTensor('conv1.weight').toFloat32Array()], Array.from({ length: 12 }, (_, i) => i));
  assert.equal(dst.getTensor('conv1.num_batches_tracked').item(), 7);
  // Loaded into the live tensors: parameters stay the same objects (optimizers hold them).
  assert.ok(dst.parameters().includes(dst.getTensor('conv1.weight')));

  const partial = new Map(src.stateDict());
  partial.delete('scale');
  partial.set('extra.weight', Tensor.zeros([1]));
  assert.throws(() => dst.loadStateDict(partial), (e: unknown) => {
    assert.ok(e instanceof StateDictError);
    assert.match(e.message, /missing keys .*: scale/);
    assert.match(e.message, /unexpected keys .*: extra\.weight/);
    return true;
  });
  const loose = dst.loadStateDict(partial, { strict: false });
  assert.deepEqual(loose, { missingKeys: ['scale'], unexpectedKeys: ['extra.weight'] });

  const wrong = new Map(src.stateDict());
  wrong.set('conv1.weight', Tensor.zeros([32, 1, 3, 3]));
  assert.throws(() => dst.loadStateDict(wrong, { strict: false }), /conv1\.weight: checkpoint has \[32, 1, 3, 3\], model has \[4, 3\]/);
});

test('getSubmodule / getTensor name what is missing', () => {
  const net = new Net();
  assert.throws(() => net.getSubmodule('blocks.7'), /no submodule 'blocks\.7'.*children: 0, 1/);
  assert.throws(() => net.getTensor('conv1.nope'), /no parameter or buffer 'conv1\.nope'/);
});

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = t.toFloat32Array();
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of d) { s += v; s2 += v * v; min = Math.min(min, v); max = Math.max(max, v); }
  const mean = s / d.length;
  return { mean, std: Math.sqrt(s2 / d.length - mean * mean), min, max };
}

test('default Linear/Conv init is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) like PyTorch', () => {
  manualSeed(0);
  // Linear(400, 300): fan_in 400 -> bound 0.05, std bound/sqrt(3).
  const w = Tensor.zeros([300, 400]);
  const b = Tensor.zeros([300]);
  init.defaultLinearInit(w, b);
  const sw = stats(w);
  const bound = 1 / Math.sqrt(400);
  assert.ok(Math.abs(sw.mean) < 0.01 * bound * 10, `mean ${sw.mean}`);
  assert.ok(Math.abs(sw.std - bound / Math.sqrt(3)) < 0.01 * bound, `std ${sw.std} vs ${bound / Math.sqrt(3)}`);
  assert.ok(sw.min >= -bound && sw.max <= bound && sw.max > 0.99 * bound);
  const sb = stats(b);
  assert.ok(sb.min >= -bound && sb.max <= bound);
  // Conv2d(64, 128, 3): weight [128, 64, 3, 3], fan_in 576.
  const cw = Tensor.zeros([128, 64, 3, 3]);
  init.defaultLinearInit(cw, null);
  const sc = stats(cw);
  const cb = 1 / Math.sqrt(576);
  assert.ok(Math.abs(sc.std - cb / Math.sqrt(3)) < 0.01 * cb, `conv std ${sc.std}`);
  assert.ok(sc.min >= -cb && sc.max <= cb);
  // ConvTranspose2d(64, 32, 4): weight [64, 32, 4, 4], fan_in from dim 1: 32*16.
  assert.equal(init.fanInOut([64, 32, 4, 4]).fanIn, 512);
  // xavier_uniform on [3E, E]: bound sqrt(6 / (E + 3E)).
  const x = Tensor.zeros([96, 32]);
  init.xavierUniform_(x);
  const sx = stats(x);
  assert.ok(Math.abs(sx.std - Math.sqrt(6 / 128) / Math.sqrt(3)) < 0.03 * Math.sqrt(6 / 128));
  // normal_: N(0, 1)
  const n = init.normal_(Tensor.zeros([200, 100]));
  const sn = stats(n);
  assert.ok(Math.abs(sn.mean) < 0.02 && Math.abs(sn.std - 1) < 0.02, `normal ${sn.mean} ${sn.std}`);
});

test('the same seed gives the same init', () => {
  manualSeed(42);
  const a = init.kaimingUniform_(Tensor.zeros([10, 10]), Math.sqrt(5)).toFloat32Array();
  manualSeed(42);
  const b = init.kaimingUniform_(Tensor.zeros([10, 10]), Math.sqrt(5)).toFloat32Array();
  assert.deepEqual(a, b);
});
