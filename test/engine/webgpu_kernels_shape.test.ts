// WGSL kernels of the shape family that copy (cat/stack/hstack/vstack, split/chunk/unbind,
// narrow/select/flip/movedim, getitem with slices and integer tensors, index_select,
// repeat_interleave, gather, tril/triu, cumsum/cumprod) and the view gradient with broadcast
// dims, against the CPU backend, with no CPU fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import { fallbackOps } from '../../engine/src/backends/webgpu/index.js';
import { checkCases, close, device, makeData, op, withSmallDispatchRows, type Case } from '../helpers/webgpu_parity.js';

const sl = (start: number | null, stop: number | null, step: number | null = null) => ({ kind: 'slice', start, stop, step });
const cases: Case[] = [
  { name: 'cat dim 0', inputs: [{ shape: [2, 3] }, { shape: [5, 3] }, { shape: [1, 3] }], run: ([a, b, c]) => op('cat', { tensors: [a, b, c], dim: 0 }) },
  { name: 'cat dim -1', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 7] }], run: ([a, b]) => op('cat', { tensors: [a, b], dim: -1 }) },
  { name: 'cat dim 1 large', inputs: [{ shape: [30, 71] }, { shape: [30, 300] }], run: ([a, b]) => op('cat', { tensors: [a, b], dim: 1 }) },
  { name: 'cat int', inputs: [{ shape: [3], int: 9 }, { shape: [4], int: 9 }], run: ([a, b]) => op('cat', { tensors: [a, b] }), noGrad: true },
  { name: 'stack dim 1', inputs: [{ shape: [4, 5] }, { shape: [4, 5] }, { shape: [4, 5] }], run: ([a, b, c]) => op('stack', { tensors: [a, b, c], dim: 1 }) },
  { name: 'hstack', inputs: [{ shape: [3, 2] }, { shape: [3, 5] }], run: ([a, b]) => op('hstack', { tensors: [a, b] }) },
  { name: 'vstack 1-d', inputs: [{ shape: [6] }, { shape: [6] }], run: ([a, b]) => op('vstack', { tensors: [a, b] }) },
  { name: 'split sizes', inputs: [{ shape: [4, 9] }], run: ([x]) => op('split', { tensor: x, split_size_or_sections: [2, 3, 4], dim: 1 }) as unknown as Tensor[] },
  { name: 'split uneven', inputs: [{ shape: [7, 3] }], run: ([x]) => op('split', { tensor: x, split_size_or_sections: 3 }) as unknown as Tensor[] },
  { name: 'chunk', inputs: [{ shape: [2, 10, 3] }], run: ([x]) => op('chunk', { input: x, chunks: 3, dim: 1 }) as unknown as Tensor[] },
  { name: 'unbind', inputs: [{ shape: [3, 4, 2] }], run: ([x]) => op('unbind', { input: x, dim: 1 }) as unknown as Tensor[] },
  { name: 'narrow', inputs: [{ shape: [5, 8] }], run: ([x]) => op('narrow', { input: x, dim: 1, start: -5, length: 3 }) },
  { name: 'select', inputs: [{ shape: [3, 4, 5] }], run: ([x]) => op('select', { input: x, dim: 1, index: -1 }) },
  { name: 'flip', inputs: [{ shape: [3, 4, 5] }], run: ([x]) => op('flip', { input: x, dims: [0, 2] }) },
  { name: 'movedim', inputs: [{ shape: [2, 3, 4, 5] }], run: ([x]) => op('movedim', { input: x, source: [0, 1], destination: [3, 0] }) },
  { name: 'getitem slices', inputs: [{ shape: [6, 7, 5] }], run: ([x]) => op('getitem', { input: x, index: [1, sl(1, null, 2), null, sl(null, -1)] }) },
  { name: 'getitem ellipsis', inputs: [{ shape: [3, 4, 5] }], run: ([x]) => op('getitem', { input: x, index: [{ kind: 'ellipsis' }, 2] }) },
  { name: 'getitem tensor index (repeats)', inputs: [{ shape: [6, 5] }, { shape: [9], int: 6 }], run: ([x, i]) => op('getitem', { input: x, index: [i, sl(1, 4)] }) },
  { name: 'getitem list index', inputs: [{ shape: [4, 6] }], run: ([x]) => op('getitem', { input: x, index: [sl(null, null), [5, 0, 0, -1]] }) },
  { name: 'index_select', inputs: [{ shape: [3, 7, 4] }, { shape: [11], int: 7 }], run: ([x, i]) => op('index_select', { input: x, dim: 1, index: i }) },
  { name: 'index_select int data', inputs: [{ shape: [5, 3], int: 50 }, { shape: [4], int: 5 }], run: ([x, i]) => op('index_select', { input: x, dim: 0, index: i }), noGrad: true },
  { name: 'repeat_interleave scalar', inputs: [{ shape: [3, 4] }], run: ([x]) => op('repeat_interleave', { input: x, repeats: 3, dim: 1 }) },
  { name: 'repeat_interleave list, flat', inputs: [{ shape: [2, 2] }], run: ([x]) => op('repeat_interleave', { input: x, repeats: [1, 0, 3, 2] }) },
  { name: 'gather dim 1', inputs: [{ shape: [4, 6] }, { shape: [4, 9], int: 6 }], run: ([x, i]) => op('gather', { input: x, dim: 1, index: i }) },
  { name: 'gather dim 0 3-d', inputs: [{ shape: [5, 3, 2] }, { shape: [7, 3, 2], int: 5 }], run: ([x, i]) => op('gather', { input: x, dim: 0, index: i }) },
  { name: 'tril', inputs: [{ shape: [2, 5, 7] }], run: ([x]) => op('tril', { input: x, diagonal: -1 }) },
  { name: 'triu', inputs: [{ shape: [6, 4] }], run: ([x]) => op('triu', { input: x, diagonal: 1 }) },
  { name: 'cumsum', inputs: [{ shape: [3, 9, 4] }], run: ([x]) => op('cumsum', { input: x, dim: 1 }) },
  { name: 'cumprod', inputs: [{ shape: [5, 6], lo: 0.5, hi: 1.5 }], run: ([x]) => op('cumprod', { input: x, dim: -1 }) },
  { name: 'expand backward (sum over broadcast dims)', inputs: [{ shape: [3, 1, 5] }], run: ([x]) => op('expand', { input: x, size: [2, 3, 4, 5] }) },
  // A composite whose causal mask is built inside (it must be made on the inputs' backend).
  { name: 'scaled_dot_product_attention causal', inputs: [{ shape: [2, 5, 8] }, { shape: [2, 5, 8] }, { shape: [2, 5, 8] }], run: ([q, k, v]) => op('scaled_dot_product_attention', { query: q, key: k, value: v, is_causal: true }) },
  { name: 'repeat backward', inputs: [{ shape: [2, 3] }], run: ([x]) => op('repeat', { input: x, repeats: [3, 2, 2] }) },
];

test('WebGPU shape kernels equal the CPU backend, forward and gradient', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});

test('WebGPU getitem with a boolean mask: forward reads the mask back (CPU), the gradient is a GPU scatter', async (t) => {
  const b = await device(t);
  if (!b) return;
  const run = (be: Backend): Float32Array[] => {
    const x = Tensor.fromArray(makeData({ shape: [5, 7] }, 3), [5, 7], 'float32', be).setRequiresGrad();
    const y = op('getitem', { input: x, index: op('gt', { input: x, other: 0.3 }) });
    op('sum', { input: op('mul', { input: y, other: y }) }).backward();
    return [y.toFloat32Array(), x.grad!.toFloat32Array()];
  };
  const want = run(cpuBackend), got = run(b);
  close(want[0]!, got[0]!, 'masked values');
  close(want[1]!, got[1]!, 'gradient');
  assert.ok(!fallbackOps().includes('_mask_grad'), '_mask_grad runs in WGSL');
});

test('WebGPU shape kernels: more workgroups than one dispatch row (2-D grid)', async (t) => {
  const b = await device(t);
  if (!b) return;
  withSmallDispatchRows(b, 20, () => checkCases(b, [cases[2]!, cases[19]!, cases[23]!]));
});
