// Engine benchmark: our CPU backend side by side with TF.js (cpu, wasm) and PyTorch (1 thread), in
// one run on this machine. Workloads: (a) MLP 784-256-10 training step, batch 128; (b) small CNN
// training step, batch 64, 28x28 (conv 3x3 1->16, ReLU, max-pool 2, conv 3x3 16->32, ReLU,
// max-pool 2, flatten, linear -> 10); (c) 1024x1024 matmul (GFLOP/s). A step is forward,
// cross-entropy, backward and an SGD update. Warm-up, then the median of N.
// Prints a table (ratio = peer_ms / ours_ms: > 1 means we are faster) and writes bench-results.json.
//   npm run bench            (full)      node --import tsx bench/engine_bench.ts --quick
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as F from '../engine/src/functional.js';
import { callOp, manualSeed, noGrad } from '../engine/src/runtime/dispatch.js';
import { Tensor } from '../engine/src/tensor.js';
import { cpuBackend } from '../engine/src/backends/cpu/backend.js';

const quick = process.argv.includes('--quick');
const skipTfjsCpuCnn = process.argv.includes('--skip-slow');

interface Row { name: string; backend: string; ours_ms: number; peer: string; peer_ms: number | null; ratio: number | null; note?: string; peak_rss_mb?: number; peak_backend_mb?: number }

async function medianMs(fn: () => void | Promise<void>, warmup: number, n: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

// ---- ours --------------------------------------------------------------------------------
function randn(shape: number[], scale: number): Tensor {
  return noGrad(() => F.mul(callOp('randn', { size: shape }) as Tensor, scale)).setRequiresGrad(true);
}
function sgd(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      p.copy_(F.sub(p, p.grad!, lr));
      p.zeroGrad();
    }
  });
}
function oursMlp(): () => void {
  manualSeed(0);
  const x = callOp('randn', { size: [128, 784] }) as Tensor;
  const y = callOp('randint', { low: 0, high: 10, size: [128] }) as Tensor;
  const ps = [randn([256, 784], 0.03), Tensor.zeros([256]).setRequiresGrad(), randn([10, 256], 0.06), Tensor.zeros([10]).setRequiresGrad()];
  return () => {
    const h = F.relu(F.linear(x, ps[0]!, ps[1]));
    F.crossEntropy(F.linear(h, ps[2]!, ps[3]), y).backward();
    sgd(ps, 0.01);
  };
}
function oursCnn(): () => void {
  manualSeed(0);
  const x = callOp('randn', { size: [64, 1, 28, 28] }) as Tensor;
  const y = callOp('randint', { low: 0, high: 10, size: [64] }) as Tensor;
  const ps = [randn([16, 1, 3, 3], 0.3), Tensor.zeros([16]).setRequiresGrad(), randn([32, 16, 3, 3], 0.08), Tensor.zeros([32]).setRequiresGrad(),
    randn([10, 800], 0.03), Tensor.zeros([10]).setRequiresGrad()];
  return () => {
    let h = F.maxPool2d(F.relu(F.conv2d(x, ps[0]!, ps[1])), 2);
    h = F.maxPool2d(F.relu(F.conv2d(h, ps[2]!, ps[3])), 2);
    F.crossEntropy(F.linear(F.flatten(h, 1), ps[4]!, ps[5]), y).backward();
    sgd(ps, 0.01);
  };
}
function oursMatmul(): () => void {
  const a = callOp('randn', { size: [1024, 1024] }) as Tensor;
  const b = callOp('randn', { size: [1024, 1024] }) as Tensor;
  return () => { F.matmul(a, b); };
}

// ---- TF.js -------------------------------------------------------------------------------
type TF = typeof import('@tensorflow/tfjs-core');
async function loadTf(): Promise<TF> {
  const tf = await import('@tensorflow/tfjs-core');
  // The package's main entry has no gradients registered; training needs them.
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  await import('@tensorflow/tfjs-backend-cpu');
  return tf;
}
async function useBackend(tf: TF, name: 'cpu' | 'wasm'): Promise<string | null> {
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist/') + '/');
    }
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok ? null : `tf.setBackend('${name}') failed`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
function tfMlp(tf: TF): () => void {
  const x = tf.randomNormal([128, 784]);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32') as import('@tensorflow/tfjs-core').Tensor1D, 10);
  const w1 = tf.variable(tf.randomNormal([784, 256], 0, 0.03)), b1 = tf.variable(tf.zeros([256]));
  const w2 = tf.variable(tf.randomNormal([256, 10], 0, 0.06)), b2 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  return () => {
    tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)) as import('@tensorflow/tfjs-core').Scalar);
    });
  };
}
function tfCnn(tf: TF): () => void {
  const x = tf.randomNormal([64, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as import('@tensorflow/tfjs-core').Tensor1D, 10);
  const k1 = tf.variable(tf.randomNormal([3, 3, 1, 16], 0, 0.3)), c1 = tf.variable(tf.zeros([16]));
  const k2 = tf.variable(tf.randomNormal([3, 3, 16, 32], 0, 0.08)), c2 = tf.variable(tf.zeros([32]));
  const w = tf.variable(tf.randomNormal([800, 10], 0, 0.03)), b = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  return () => {
    tf.tidy(() => {
      opt.minimize(() => {
        let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, k1, 1, 'valid'), c1)), 2, 2, 'valid');
        h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h as import('@tensorflow/tfjs-core').Tensor4D, k2, 1, 'valid'), c2)), 2, 2, 'valid');
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h, [64, 800]), w), b)) as import('@tensorflow/tfjs-core').Scalar;
      });
    });
  };
}
function tfMatmul(tf: TF): () => Promise<void> {
  const a = tf.randomNormal([1024, 1024]), b = tf.randomNormal([1024, 1024]);
  return async () => { const c = tf.matMul(a, b); await c.data(); c.dispose(); };
}

function torchPeer(): Record<string, number> | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not available (/usr/bin/python3 -c "import torch" failed)';
  const r = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'torch_bench.py'), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) return `torch_bench.py failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const n = (full: number, q: number): number => (quick ? q : full);
  const rss = (): number => process.memoryUsage().rss / 2 ** 20;

  // Ours
  cpuBackend.resetPeak();
  let peakRss = rss();
  const track = (fn: () => void) => () => { fn(); peakRss = Math.max(peakRss, rss()); };
  const ours = {
    mlp_step: await medianMs(track(oursMlp()), 3, n(20, 5)),
    cnn_step: await medianMs(track(oursCnn()), 2, n(10, 3)),
    matmul_1024: await medianMs(track(oursMatmul()), 1, n(5, 2)),
  };
  const mem = { peak_rss_mb: Math.round(peakRss), peak_backend_mb: Math.round(cpuBackend.memory().peakBytes / 2 ** 20) };
  console.log(`ours: mlp ${ours.mlp_step.toFixed(1)} ms, cnn ${ours.cnn_step.toFixed(1)} ms, matmul ${ours.matmul_1024.toFixed(0)} ms (${(2 * 1024 ** 3 / ours.matmul_1024 / 1e6).toFixed(2)} GFLOP/s); peak RSS ${mem.peak_rss_mb} MB, backend peak ${mem.peak_backend_mb} MB`);

  const add = (name: keyof typeof ours, peer: string, peerMs: number | null, note?: string): void => {
    rows.push({ name, backend: 'cpu', ours_ms: ours[name], peer, peer_ms: peerMs, ratio: peerMs === null ? null : peerMs / ours[name], ...(note ? { note } : {}), ...mem });
  };

  const tf = await loadTf();
  for (const backend of ['cpu', 'wasm'] as const) {
    const err = await useBackend(tf, backend);
    const peer = `tfjs-${backend}`;
    if (err) { for (const k of ['mlp_step', 'cnn_step', 'matmul_1024'] as const) add(k, peer, null, `unavailable: ${err}`); continue; }
    add('mlp_step', peer, await medianMs(tfMlp(tf), 2, n(10, 3)));
    if (backend === 'wasm') add('cnn_step', peer, null, 'unsupported (tfjs-wasm has no conv2d training gradients)');
    else if (skipTfjsCpuCnn) add('cnn_step', peer, null, 'skipped (--skip-slow)');
    else add('cnn_step', peer, await medianMs(tfCnn(tf), 1, n(3, 1)));
    add('matmul_1024', peer, await medianMs(tfMatmul(tf), 1, n(5, 2)));
    console.log(`${peer}: done`);
  }

  const torch = torchPeer();
  for (const k of ['mlp_step', 'cnn_step', 'matmul_1024'] as const) {
    if (typeof torch === 'string') add(k, 'pytorch-1thread', null, torch);
    else add(k, 'pytorch-1thread', torch[k] ?? null);
  }

  const pad = (s: string, w: number): string => s.padEnd(w);
  console.log(`\n${pad('workload', 13)}${pad('peer', 17)}${pad('ours ms', 10)}${pad('peer ms', 10)}ratio (peer/ours)`);
  for (const r of rows) {
    console.log(`${pad(r.name, 13)}${pad(r.peer, 17)}${pad(r.ours_ms.toFixed(1), 10)}${pad(r.peer_ms === null ? '-' : r.peer_ms.toFixed(1), 10)}${r.ratio === null ? r.note ?? '-' : `${r.ratio.toFixed(2)}x`}`);
  }
  console.log(`\nmatmul 1024: ours ${(2 * 1024 ** 3 / ours.matmul_1024 / 1e6).toFixed(2)} GFLOP/s`);
  writeFileSync('bench-results.json', JSON.stringify(rows, null, 2) + '\n');
  console.log('wrote bench-results.json');
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
