// WebGPU einsum (common forms, broadcasting, ellipsis, an implicit output) and bilinear against
// the CPU backend: forward and the gradients (which run einsum again), with no CPU fallback.
import { test } from 'node:test';
import { checkCases, device, op, type Case } from '../helpers/webgpu_parity.js';

const es = (equation: string) => ([...ts]: Parameters<Case['run']>[0]) => op('einsum', { equation, operands: ts });
const cases: Case[] = [
  { name: 'matmul ij,jk->ik', inputs: [{ shape: [5, 7] }, { shape: [7, 3] }], run: es('ij,jk->ik') },
  { name: 'batched bij,bjk->bik', inputs: [{ shape: [2, 4, 6] }, { shape: [2, 6, 5] }], run: es('bij,bjk->bik') },
  { name: 'attention scores bhqd,bhkd->bhqk', inputs: [{ shape: [2, 3, 4, 8] }, { shape: [2, 3, 5, 8] }], run: es('bhqd,bhkd->bhqk') },
  { name: 'trace-like sum ij->', inputs: [{ shape: [6, 9] }], run: es('ij->') },
  { name: 'transpose ij->ji', inputs: [{ shape: [4, 7] }], run: es('ij->ji') },
  { name: 'outer i,j->ij', inputs: [{ shape: [5] }, { shape: [6] }], run: es('i,j->ij') },
  { name: 'implicit output ij,jk', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }], run: es('ij,jk') },
  { name: 'ellipsis ...ij,...jk->...ik', inputs: [{ shape: [2, 3, 4, 5] }, { shape: [2, 3, 5, 2] }], run: es('...ij,...jk->...ik') },
  { name: 'three operands i,ij,j->', inputs: [{ shape: [4] }, { shape: [4, 6] }, { shape: [6] }], run: es('i,ij,j->') },
  { name: 'bilinear', inputs: [{ shape: [5, 3] }, { shape: [5, 4] }, { shape: [6, 3, 4] }, { shape: [6] }], run: ([a, b, w, c]) => op('bilinear', { input1: a, input2: b, weight: w, bias: c }) },
  { name: 'bilinear with leading dims', inputs: [{ shape: [2, 3, 3] }, { shape: [2, 3, 4] }, { shape: [2, 3, 4] }], run: ([a, b, w]) => op('bilinear', { input1: a, input2: b, weight: w }) },
];

test('WebGPU einsum and bilinear equal the CPU backend, forward and gradients', async (t) => {
  const b = await device(t);
  if (!b) return;
  checkCases(b, cases);
});
