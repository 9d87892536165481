// The WebGPU GEMM kernels (ops/linear/webgpu.ts), each configuration the tuning table or the
// device autotune can pick, against the CPU backend's GEMM: odd sizes, sizes across tile edges,
// both transpose flags, batches (one operand shared with stride 0), the fused bias (per column
// or per row), B with padded rows (the conv layouts), split-K.
// Within 1e-4 relative (+1e-5 absolute): the summation order differs between kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callOp } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { WebGPUBackend } from '../../engine/src/backends/webgpu/index.js';
import { gemmConfigProblem, gemmGpu, type GemmConfig } from '../../engine/src/ops/linear/webgpu.js';
import { lcg } from '../../bench/webgpu_models.js';
import { device } from '../helpers/webgpu_parity.js';

const base: GemmConfig = { kind: 'tiled', BM: 64, BN: 64, BK: 16, TM: 4, TN: 4, RM: 8, RN: 2, WX: 32 };
const CONFIGS: [string, GemmConfig][] = [
  ['rows 8/2/32 (lavapipe default)', { ...base, kind: 'rows' }],
  ['rows 16/1/8', { ...base, kind: 'rows', RM: 16, RN: 1, WX: 8 }],
  ['direct 32x32, 4x4', { ...base, kind: 'direct', BM: 32, BN: 32 }],
  ['tiled 64x64, 4x4, BK 16', base],
  ['tiled 128x128, 8x8, BK 8 (NVIDIA default)', { ...base, BM: 128, BN: 128, TM: 8, TN: 8, BK: 8 }],
  ['tiled 128x64, 8x4, BK 8', { ...base, BM: 128, BN: 64, TM: 8, TN: 4, BK: 8 }],
];

// [M, N, K, ta, tb, batch, bias, shareB, B's row padding (ldb = N + pad), bias per row]
type Shape = [number, number, number, boolean, boolean, number, boolean, boolean, number?, boolean?];
const SHAPES: Shape[] = [
  [1, 1, 1, false, false, 1, false, false],
  [67, 45, 33, false, false, 1, false, false],
  [67, 48, 36, true, false, 1, false, false],
  [37, 52, 40, false, true, 1, true, false],
  [33, 20, 9, true, true, 1, false, false],
  [130, 132, 70, false, false, 1, true, false],
  [129, 136, 17, false, true, 1, false, false],
  [5, 12, 7, false, false, 3, false, false],
  [9, 16, 12, true, false, 2, false, true],
  [6, 10, 11, false, true, 2, false, true],
  [16, 9, 4096, true, false, 1, false, false], // split-K (weight gradient shape)
  // conv layouts: B rows padded (ldb > N), bias per row (output channel)
  [16, 121, 9, false, false, 3, true, false, 3, true],
  [13, 20, 7, true, false, 2, false, false, 4, false],
  [32, 36, 12, false, false, 2, true, true, 4, true],
];

function expected(ad: Float32Array, bd: Float32Array, bias: Float32Array | null, s: Shape): Float32Array {
  const [M, N, K, ta, tb, batch, , shareB, pad = 0, biasRow = false] = s;
  const cpu = cpuBackend;
  const a = Tensor.fromArray(ad, [batch, ta ? K : M, ta ? M : K], 'float32', cpu);
  let b = Tensor.fromArray(bd, shareB ? [tb ? N : K, tb ? K : N + pad] : [batch, tb ? N : K, tb ? K : N + pad], 'float32', cpu);
  // The padding columns of B are not part of the product.
  if (pad) b = callOp('contiguous', { input: callOp('narrow', { input: b, dim: -1, start: 0, length: N }) }) as Tensor;
  let c = callOp('_gemm', { a, b, ta, tb }) as Tensor;
  if (bias) c = callOp('add', { input: c, other: Tensor.fromArray(bias, biasRow ? [M, 1] : [N], 'float32', cpu) }) as Tensor;
  return c.toFloat32Array();
}

for (const [name, config] of CONFIGS) {
  test(`WebGPU GEMM ${name}: odd sizes, transposes, batches, bias, split-K match the CPU backend`, async (t) => {
    const b = await device(t);
    if (!b) return;
    const problem = gemmConfigProblem(config, b.limits);
    assert.equal(problem, null, `config refused on this adapter: ${problem}`);
    for (const s of SHAPES) {
      const [M, N, K, ta, tb, batch, hasBias, shareB, pad = 0, biasRow = false] = s;
      const ad = lcg(batch * M * K, 1, 3), bd = lcg((shareB ? 1 : batch) * (N + pad) * K, 1, 4);
      const bias = hasBias ? lcg(biasRow ? M : N, 1, 5) : null;
      const got = gemmGpu('test', Tensor.fromArray(ad, [ad.length], 'float32', b), Tensor.fromArray(bd, [bd.length], 'float32', b), M, N, K, batch, M * K, shareB ? 0 : (N + pad) * K, ta, tb,
        bias ? Tensor.fromArray(bias, [bias.length], 'float32', b) : null, [batch, M, N], config, { ldb: N + pad, biasPerRow: biasRow }).toFloat32Array();
      const want = expected(ad, bd, bias, s);
      assert.equal(got.length, want.length);
      for (let i = 0; i < got.length; i++) {
        const tol = 1e-4 * Math.abs(want[i]!) + 1e-5 * Math.sqrt(K);
        assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${JSON.stringify(s)} [${i}]: cpu ${want[i]} vs webgpu ${got[i]}`);
      }
    }
  });
}

// conv2d through the batched GEMMs (forward W·colsT per image with the bias per row, input
// gradient dyᵀ·W then col2im, weight gradient summed over images): output sizes that are not
// multiples of 4 (padded column rows), stride, padding, dilation, a batch of one.
const CONVS: [string, number[], number[], Record<string, unknown>][] = [
  ['13x13 -> 11x11 (P = 121)', [3, 5, 13, 13], [7, 5, 3, 3], {}],
  ['stride, padding, dilation', [2, 3, 11, 9], [4, 3, 3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }],
  ['batch of one, 5x5 kernel', [1, 2, 7, 7], [3, 2, 5, 5], { padding: 2 }],
];

for (const [name, xs, ws, opts] of CONVS) {
  test(`WebGPU conv2d (im2col + batched GEMM) ${name}: forward and gradients match the CPU backend`, async (t) => {
    const b = await device(t);
    if (!b) return;
    const run = (be: typeof cpuBackend | WebGPUBackend): Float32Array[] => {
      const x = Tensor.fromArray(lcg(xs.reduce((p, q) => p * q, 1), 1, 1), xs, 'float32', be).setRequiresGrad();
      const w = Tensor.fromArray(lcg(ws.reduce((p, q) => p * q, 1), 1, 2), ws, 'float32', be).setRequiresGrad();
      const bias = Tensor.fromArray(lcg(ws[0]!, 1, 3), [ws[0]!], 'float32', be).setRequiresGrad();
      const y = callOp('conv2d', { input: x, weight: w, bias, ...opts } as never) as Tensor;
      const g = Tensor.fromArray(lcg(y.numel, 1, 4), y.shape, 'float32', be);
      (callOp('sum', { input: callOp('mul', { input: y, other: g }) }) as Tensor).backward();
      return [y.toFloat32Array(), x.grad!.toFloat32Array(), w.grad!.toFloat32Array(), bias.grad!.toFloat32Array()];
    };
    const want = run(cpuBackend), got = run(b);
    ['output', 'input grad', 'weight grad', 'bias grad'].forEach((what, k) => {
      assert.equal(got[k]!.length, want[k]!.length, what);
      for (let i = 0; i < want[k]!.length; i++) {
        const tol = 1e-4 * Math.abs(want[k]![i]!) + 1e-4;
        assert.ok(Math.abs(got[k]![i]! - want[k]![i]!) <= tol, `${what}[${i}]: cpu ${want[k]![i]} vs webgpu ${got[k]![i]}`);
      }
    });
  });
}
