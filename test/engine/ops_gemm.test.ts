// The GEMM kernels against a plain float64 triple loop: the WebAssembly SIMD kernel (odd sizes
// exercise its padding; offsets, ldc and accumulate its packing) and the JS fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdAvailable, simdGemmNT } from '../../engine/src/backends/cpu/simd_gemm.js';
import { gemm, gemmNT } from '../../engine/src/backends/cpu/gemm.js';
import { missing } from '../helpers/require_env.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648 - 0.5; });
}
function refNT(A: Float32Array, aOff: number, B: Float32Array, bOff: number, M: number, N: number, K: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += A[aOff + i * K + k]! * B[bOff + j * K + k]!;
    C[i * N + j] = s;
  }
  return C;
}
const SIZES: [number, number, number][] = [[1, 1, 4], [3, 5, 7], [2, 4, 4], [17, 13, 33], [64, 70, 129], [130, 9, 200]];

test('SIMD GEMM matches a float64 reference (padding, offsets, ldc, accumulate)', (t) => {
  if (!simdAvailable()) { if (missing(t, 'WebAssembly SIMD', 'WebAssembly.validate rejected the kernel')) return; }
  for (const [M, N, K] of SIZES) {
    const A = rand(M * K + 3, M), B = rand(N * K + 5, N + 1);
    const ref = refNT(A, 3, B, 5, M, N, K);
    const ldc = N + 2;
    const C = new Float32Array(M * ldc + 1).fill(1);
    simdGemmNT(A, 3, B, 5, C, 1, M, N, K, true, ldc);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      const got = C[1 + i * ldc + j]!, want = ref[i * N + j]! + 1;
      assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)) * Math.sqrt(K), `[${M}x${N}x${K}] (${i},${j}): ${got} vs ${want}`);
    }
    // padding columns of C (j >= N) untouched
    for (let i = 0; i < M; i++) assert.equal(C[1 + i * ldc + N], 1);
  }
});

test('JS GEMM and the transposed forms match the reference', () => {
  for (const [M, N, K] of SIZES) {
    const A = rand(M * K, 7), B = rand(N * K, 9);
    const ref = refNT(A, 0, B, 0, M, N, K);
    const C = new Float32Array(M * N);
    gemmNT(A, 0, B, 0, C, 0, M, N, K);
    ref.forEach((v, i) => assert.ok(Math.abs(C[i]! - v) <= 1e-5 * Math.max(1, Math.abs(v)) * Math.sqrt(K)));
    // gemm with ta/tb: C = Aᵀᵀ · B given as [K, N] (transpose B into the NT form)
    const Bkn = new Float32Array(K * N);
    for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) Bkn[k * N + j] = B[j * K + k]!;
    const C2 = new Float32Array(M * N);
    gemm(A, 0, Bkn, 0, C2, 0, M, N, K, false, false);
    ref.forEach((v, i) => assert.ok(Math.abs(C2[i]! - v) <= 1e-5 * Math.max(1, Math.abs(v)) * Math.sqrt(K)));
  }
});
