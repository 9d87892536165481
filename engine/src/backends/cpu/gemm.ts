// The CPU matrix-multiply core. Every product is brought to one form, C = A · Bᵀ with both A
// [M, K] and B [N, K] row-major, so the k-loop is innermost and contiguous in both operands;
// a 4x4 register tile (16 accumulators, doubles in V8) does 16 multiply-adds per 8 loads.
// K is processed in blocks so the 4 rows of A and B being combined stay in L1.
// Transposed operands are copied into this form first (O(size) against O(size·K) of work).
// Large products go to the WebAssembly SIMD kernel (simd_gemm.ts, ~3-4x faster); this JS
// kernel covers small ones and runtimes without SIMD (TS_NO_SIMD=1 forces it).

import { simdAvailable, simdGemmNT } from './simd_gemm.js';

const KB = 256;
/** Below this many multiply-adds the operand copies of the SIMD path cost more than they save. */
const SIMD_MIN_WORK = 8192;
const useSimd = simdAvailable();
/** Rows of B per panel: a 64 x 256 float panel (64 KB) stays in L2 while every row block of A passes over it. */
const NB = 64;

/** C[cOff + i*ldc + j] (+)= sum_k A[aOff + i*K + k] * B[bOff + j*K + k]. */
export function gemmNT(
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  M: number, N: number, K: number, accumulate = false, ldc = N,
): void {
  if (useSimd && M * N * K >= SIMD_MIN_WORK && K >= 4) {
    simdGemmNT(A, aOff, B, bOff, C, cOff, M, N, K, accumulate, ldc);
    return;
  }
  if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
  for (let k0 = 0; k0 < K; k0 += KB) {
    const k1 = Math.min(K, k0 + KB);
    for (let j0 = 0; j0 < N; j0 += NB) {
      const j1 = Math.min(N, j0 + NB);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const a0 = aOff + i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          const b0 = bOff + j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          for (let k = k0; k < k1; k++) {
            const x0 = A[a0 + k]!, x1 = A[a1 + k]!, x2 = A[a2 + k]!, x3 = A[a3 + k]!;
            const y0 = B[b0 + k]!, y1 = B[b1 + k]!, y2 = B[b2 + k]!, y3 = B[b3 + k]!;
            c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
            c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
            c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
            c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
          }
          let c = cOff + i * ldc + j;
          C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; C[c + 3] += c03; c += ldc;
          C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; C[c + 3] += c13; c += ldc;
          C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; C[c + 3] += c23; c += ldc;
          C[c] += c30; C[c + 1] += c31; C[c + 2] += c32; C[c + 3] += c33;
        }
        for (; j < j1; j++) {
          const b0 = bOff + j * K;
          let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
          for (let k = k0; k < k1; k++) {
            const y = B[b0 + k]!;
            c0 += A[a0 + k]! * y; c1 += A[a1 + k]! * y; c2 += A[a2 + k]! * y; c3 += A[a3 + k]! * y;
          }
          const c = cOff + i * ldc + j;
          C[c] += c0; C[c + ldc] += c1; C[c + 2 * ldc] += c2; C[c + 3 * ldc] += c3;
        }
      }
      for (; i < M; i++) {
        const a0 = aOff + i * K;
        for (let j = j0; j < j1; j++) {
          const b0 = bOff + j * K;
          let s = 0;
          for (let k = k0; k < k1; k++) s += A[a0 + k]! * B[b0 + k]!;
          C[cOff + i * ldc + j] += s;
        }
      }
    }
  }
}

/** out[j*rows + i] = src[off + i*cols + j]: transpose one [rows, cols] matrix. */
export function transpose2d(src: Float32Array, off: number, rows: number, cols: number, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(rows * cols);
  const T = 32;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) o[j * rows + i] = src[off + i * cols + j]!;
    }
  }
  return o;
}

/**
 * C [M, N] = op(A) · op(B) for one matrix pair, op = transpose when the flag is set.
 * A is [M, K] (or [K, M] with ta); B is [K, N] (or [N, K] with tb).
 */
export function gemm(
  A: Float32Array, aOff: number, B: Float32Array, bOff: number, C: Float32Array, cOff: number,
  M: number, N: number, K: number, ta: boolean, tb: boolean, accumulate = false,
): void {
  const a = ta ? transpose2d(A, aOff, K, M) : A;
  const b = tb ? B : transpose2d(B, bOff, K, N);
  gemmNT(a, ta ? 0 : aOff, b, tb ? bOff : 0, C, cOff, M, N, K, accumulate);
}
