// WGSL kernels of embedding (gather, scatter-add gradient with padding_idx and
// scale_grad_by_freq) and one_hot, against the CPU backend, with no CPU fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { checkCases, device, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const cases: Case[] = [
  { name: 'embedding', inputs: [{ shape: [5, 7], int: 11 }, { shape: [11, 6] }], run: ([i, w]) => op('embedding', { input: i, weight: w }) },
  { name: 'embedding padding_idx', inputs: [{ shape: [4, 9], int: 5 }, { shape: [5, 3] }], run: ([i, w]) => op('embedding', { input: i, weight: w, padding_idx: 2 }) },
  { name: 'embedding negative padding_idx + scale_grad_by_freq', inputs: [{ shape: [33], int: 7 }, { shape: [7, 5] }], run: ([i, w]) => op('embedding', { input: i, weight: w, padding_idx: -1, scale_grad_by_freq: true }) },
  { name: 'embedding many repeats, wide rows', inputs: [{ shape: [300], int: 13 }, { shape: [13, 70] }], run: ([i, w]) => op('embedding', { input: i, weight: w }) },
  { name: 'one_hot', inputs: [{ shape: [3, 5], int: 6 }], run: ([i]) => op('one_hot', { tensor: i, num_classes: 7 }), noGrad: true },
];

test('WebGPU embedding kernels equal the CPU backend, forward and gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
  withSmallDispatchRows(b, 20, () => checkCases(b, [cases[3]!]));
});

test('WebGPU embedding: an index out of range gives NaN rows (no read back to check it)', async (t) => {
  const b = await device(t);
  if (!b) return;
  const w = Tensor.fromArray([1, 2, 3, 4], [2, 2], 'float32', b);
  const y = op('embedding', { input: Tensor.fromArray([1, 5], [2], 'int32', b), weight: w }).toFloat32Array();
  assert.deepEqual(Array.from(y.slice(0, 2)), [3, 4]);
  assert.ok(Number.isNaN(y[2]) && Number.isNaN(y[3]));
});
