// Shared by the test/engine/webgpu_kernels_*.test.ts suites: run a case on the CPU backend and
// on WebGPU, compare forward and every input gradient within 1e-4 relative (+1e-5 absolute), and
// check that the WebGPU run went through WGSL kernels only (no new CPU fallback).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { callOp } from '../../engine/src/runtime/dispatch.js';
import { Tensor } from '../../engine/src/tensor.js';
import { cpuBackend } from '../../engine/src/backends/cpu/backend.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import { initWebGPU, fallbackOps, type WebGPUBackend } from '../../engine/src/backends/webgpu/index.js';
import { lcg } from '../../bench/webgpu_models.js';
import { missing } from './require_env.js';

let gpu: WebGPUBackend | null = null;
let why = '';
export async function device(t: TestContext): Promise<WebGPUBackend | null> {
  if (!gpu && !why) {
    try { gpu = await initWebGPU(); } catch (e) { why = (e as Error).message; }
  }
  if (!gpu) missing(t, 'WebGPU adapter', why);
  return gpu;
}

export interface Input { shape: number[]; lo?: number; hi?: number; int?: number; noGrad?: boolean }
export interface Case { name: string; inputs: Input[]; run: (t: Tensor[], b: Backend) => Tensor | Tensor[]; noGrad?: boolean }

export function makeData(inp: Input, seed: number): number[] {
  const n = inp.shape.reduce((a, b) => a * b, 1);
  const u = lcg(n, 1, seed);
  if (inp.int !== undefined) return Array.from(u, (v) => Math.floor((v + 1) / 2 * inp.int!) % inp.int!);
  const lo = inp.lo ?? -2, hi = inp.hi ?? 2;
  return Array.from(u, (v) => lo + (v + 1) / 2 * (hi - lo));
}

export const op = (name: string, args: Record<string, unknown>): Tensor => callOp(name, args as never) as Tensor;

/** Outputs (every tensor the case returns) and the gradient of sum(out_k * w_k) per input. */
export function runOn(b: Backend, c: Case): { outs: Float32Array[]; grads: (Float32Array | null)[] } {
  const ts = c.inputs.map((inp, i) => {
    const t = Tensor.fromArray(makeData(inp, 100 + i * 7), inp.shape, inp.int !== undefined ? 'int32' : 'float32', b);
    if (!c.noGrad && !inp.noGrad && inp.int === undefined) t.setRequiresGrad();
    return t;
  });
  const r = c.run(ts, b);
  const outs = Array.isArray(r) ? r : [r];
  const res = { outs: outs.map((o) => o.toFloat32Array()), grads: [] as (Float32Array | null)[] };
  const diff = outs.filter((o) => o.requiresGrad);
  if (!c.noGrad && diff.length > 0) {
    // A non-uniform upstream gradient, so every output element's gradient is checked.
    let loss: Tensor | null = null;
    diff.forEach((o, k) => {
      const w = Tensor.fromArray(lcg(o.numel, 1, 5 + k), o.shape, 'float32', b);
      const s = op('sum', { input: op('mul', { input: o, other: w }) });
      loss = loss ? op('add', { input: loss, other: s }) : s;
    });
    loss!.backward();
    res.grads = ts.map((t) => (t.grad ? t.grad.toFloat32Array() : null));
  }
  return res;
}

export function close(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    const tol = 1e-4 * Math.max(Math.abs(x), Math.abs(y)) + 1e-5;
    assert.ok(Math.abs(x - y) <= tol, `${what}[${i}]: cpu ${x} vs webgpu ${y}`);
  }
}

/** Run every case on both backends; failures (and any op that fell back) are reported together. */
export function checkCases(b: WebGPUBackend, cases: readonly Case[]): void {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const want = runOn(cpuBackend, c);
      const before = new Set(fallbackOps());
      const got = runOn(b, c);
      const fellBack = fallbackOps().filter((o) => !before.has(o));
      assert.deepEqual(fellBack, [], `${c.name}: ran through the CPU fallback`);
      assert.equal(got.outs.length, want.outs.length, `${c.name}: output count`);
      want.outs.forEach((w, i) => close(w, got.outs[i]!, `${c.name} output ${i}`));
      assert.equal(got.grads.length, want.grads.length, `${c.name}: gradient count`);
      want.grads.forEach((g, i) => {
        if (g === null) { assert.equal(got.grads[i], null, `${c.name}: grad ${i} should be absent`); return; }
        assert.ok(got.grads[i], `${c.name}: grad ${i} missing on WebGPU`);
        close(g, got.grads[i]!, `${c.name} grad of input ${i}`);
      });
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases differ`);
}

/**
 * Run fn with the adapter's workgroups-per-dimension limit lowered, so kernels take their 2-D
 * dispatch path (more workgroups than one dispatch row) at test sizes.
 */
export function withSmallDispatchRows<T>(b: WebGPUBackend, maxPerDim: number, fn: () => T): T {
  const lim = b.limits as { maxComputeWorkgroupsPerDimension: number };
  const saved = lim.maxComputeWorkgroupsPerDimension;
  lim.maxComputeWorkgroupsPerDimension = maxPerDim;
  try { return fn(); } finally { lim.maxComputeWorkgroupsPerDimension = saved; }
}
