// Every op the op library defines must run on the CPU backend and have a gradient rule (or be
// marked non-differentiable, or be a composite whose gradient is its primitives'). The list of
// gaps must stay empty; the only exemptions are layer-level ops the nn modules compose
// themselves because their op signatures carry no weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../engine/src/runtime/dispatch.js';
import { allOps } from '../../engine/src/ops/index.js';
import { getKernel } from '../../engine/src/backends/kernel_registry.js';
import { getGrad } from '../../engine/src/autograd/grad_registry.js';
import { getComposite } from '../../engine/src/runtime/composite.js';

// nn.RNN/LSTM/GRU and nn.MultiheadAttention: executed by engine/src/nn (composed from ops), never emitted as op calls.
const LAYER_ONLY = new Set(['rnn', 'lstm', 'gru', 'multi_head_attention']);

test('the op library registers ops', () => {
  assert.ok(allOps().length >= 200, `only ${allOps().length} ops registered`);
});

test('every op has a CPU kernel or a composite definition', () => {
  const missing = allOps().map((o) => o.name).filter((n) => !LAYER_ONLY.has(n) && !getKernel(n, 'cpu') && !getComposite(n));
  assert.deepEqual(missing, []);
});

test('every op has a gradient rule (or is non-differentiable, or composite)', () => {
  const missing = allOps().map((o) => o.name).filter((n) => !LAYER_ONLY.has(n) && !getGrad(n) && !getComposite(n));
  assert.deepEqual(missing, []);
});

test('layer-only exemptions are still layer-only ops', () => {
  for (const n of LAYER_ONLY) {
    const op = allOps().find((o) => o.name === n);
    assert.ok(op, `${n} is not registered any more: drop the exemption`);
    assert.ok(!op.params.some((p) => /(^|_)weight$/.test(p.name)), `${n} now takes weights: it needs a kernel or composite`);
  }
});
