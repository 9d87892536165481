// Compiled mode (engine/src/backends/webgpu/compiled.ts): a captured-and-replayed training step
// gives the same losses and weights as eager steps, uses fewer bytes, fuses elementwise chains,
// recaptures when the batch shape changes, and refuses (eager, with a reason) a step that reads
// data back mid-step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../engine/src/tensor.js';
import { callOp } from '../../engine/src/runtime/dispatch.js';
import type { WebGPUBackend } from '../../engine/src/backends/webgpu/index.js';
import { StepCompiler } from '../../engine/src/backends/webgpu/compiled.js';
import { batch, cnn, mlp, trainStep, type Model } from '../../bench/webgpu_models.js';
import type { Backend } from '../../engine/src/backends/backend.js';
import { device } from '../helpers/webgpu_parity.js';


/** Batches that differ per step (so a replay that ignored its inputs would show). */
function batches(b: Backend, sizes: readonly number[]): { x: Tensor; y: Tensor }[] {
  return sizes.map((n, i) => batch(n, b, 100 + (i % 3)));
}

function run(make: (b: Backend) => Model, b: WebGPUBackend, sizes: readonly number[], compiled: StepCompiler | null): { losses: number[]; weights: Float32Array[] } {
  const m = make(b);
  const losses: number[] = [];
  for (const { x, y } of batches(b, sizes)) {
    const step = (): Tensor[] => [trainStep(m, x, y, 0.05)];
    const [loss] = compiled ? compiled.run([x, y], step) : step();
    losses.push(loss!.item());
  }
  return { losses, weights: m.params.map((p) => p.toFloat32Array()) };
}

function assertClose(name: string, want: ReturnType<typeof run>, got: ReturnType<typeof run>, tol: number): void {
  want.losses.forEach((l, i) => assert.ok(Math.abs(l - got.losses[i]!) <= tol * Math.abs(l) + 1e-6, `${name} loss at step ${i + 1}: eager ${l} vs compiled ${got.losses[i]}`));
  want.weights.forEach((w, j) => {
    const g = got.weights[j]!;
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(w[i]! - g[i]!) <= tol * Math.abs(w[i]!) + 1e-6, `${name} param ${j}[${i}]: eager ${w[i]} vs compiled ${g[i]}`);
  });
}

test('compiled mode: MLP, 20 steps replayed equal 20 eager steps', async (t) => {
  const b = await device(t);
  if (!b) return;
  const sizes = new Array<number>(20).fill(32);
  const eager = run(mlp, b, sizes, null);
  const logs: string[] = [];
  const sc = new StepCompiler(b, (m) => logs.push(m));
  const compiled = run(mlp, b, sizes, sc);
  t.diagnostic(logs.join('\n'));
  assert.equal(sc.programs().length, 1, `one program (logs: ${logs.join(' / ')})`);
  assert.deepEqual(sc.eagerReasons(), []);
  assertClose('mlp', eager, compiled, 1e-5);
  assert.ok(eager.losses[19]! < eager.losses[0]!, 'the loss goes down');
  const s = sc.programs()[0]!.stats;
  assert.ok(s.plannedBytes < s.eagerTempBytes, `memory planning saves bytes (${s.eagerTempBytes} -> ${s.plannedBytes})`);
  sc.dispose();
});

/** An MLP whose hidden layer is an elementwise chain (x*0.5 -> tanh -> +), as in GELU-style activations. */
function chainMlp(b: Backend): Model {
  const m = mlp(b);
  const [w1, b1, w2, b2] = m.params as [Tensor, Tensor, Tensor, Tensor];
  const op = (name: string, args: Record<string, unknown>): Tensor => callOp(name, args as never) as Tensor;
  return {
    params: m.params,
    forward(x) {
      const h = op('linear', { input: x.withShape([x.shape[0]!, 784]), weight: w1, bias: b1 });
      // tanh(h/2) twice, as code often recomputes a value: the captured step computes it once.
      const a = op('add', { input: op('tanh', { input: op('mul', { input: h, other: 0.5 }) }), other: op('tanh', { input: op('mul', { input: h, other: 0.5 }) }) });
      return op('linear', { input: op('sigmoid', { input: a }), weight: w2, bias: b2 });
    },
  };
}

test('compiled mode: recomputations are dropped, elementwise chains fused, the result unchanged', async (t) => {
  const b = await device(t);
  if (!b) return;
  const sizes = new Array<number>(8).fill(16);
  const eager = run(chainMlp, b, sizes, null);
  const sc = new StepCompiler(b);
  const compiled = run(chainMlp, b, sizes, sc);
  const s = sc.programs()[0]!.stats;
  t.diagnostic(`kernels ${s.kernelsBeforeFusion} -> ${s.kernels}; temporaries ${s.eagerTempBytes} -> ${s.plannedBytes} bytes`);
  assert.ok(s.kernels <= s.kernelsBeforeFusion - 2, `elementwise chains fused (${s.kernelsBeforeFusion} -> ${s.kernels} kernels)`);
  assert.ok(s.common >= 2, `recomputed kernels removed: ${s.common}`);
  assertClose('chain mlp', eager, compiled, 1e-5);
  sc.dispose();
});

test('compiled mode: CNN, a smaller last batch is captured separately and stays exact', async (t) => {
  const b = await device(t);
  if (!b) return;
  const sizes = [8, 8, 8, 8, 8, 8, 5, 8, 8, 5, 5, 5, 5];
  const eager = run(cnn, b, sizes, null);
  const sc = new StepCompiler(b);
  const compiled = run(cnn, b, sizes, sc);
  assert.equal(sc.programs().length, 2, 'one program per batch shape');
  assertClose('cnn', eager, compiled, 1e-5);
  t.diagnostic(JSON.stringify(sc.programs()[0]!.stats));
  sc.dispose();
});

test('compiled mode: a step that reads a value mid-step runs eager and says why', async (t) => {
  const b = await device(t);
  if (!b) return;
  const m = mlp(b);
  const logs: string[] = [];
  const sc = new StepCompiler(b, (x) => logs.push(x));
  const losses: number[] = [];
  for (const { x, y } of batches(b, [16, 16, 16, 16, 16])) {
    const [loss] = sc.run([x, y], () => {
      const l = trainStep(m, x, y, 0.05);
      // A host decision inside the step: not replayable.
      if (l.item() > 1e9) callOp('mul', { input: l, other: 2 });
      return [l];
    });
    losses.push(loss!.item());
  }
  assert.equal(sc.programs().length, 0);
  assert.match(sc.eagerReasons()[0] ?? '', /reads 1 values back to the host/);
  assert.match(logs.join('\n'), /runs eager/);
  assert.ok(losses.every(Number.isFinite));
  sc.dispose();
});
