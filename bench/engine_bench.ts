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
import { createRequire } from 'node:module';
import * as F from '../engine/src/functional.js';
import { callOp, manualSeed, noGrad } from '../engine/src/runtime/dispatch.js';
import { Tensor } from '../engine/src/tensor.js';
import { cpuBackend } from '../engine/src/backends/cpu/backend.js';
import { medianMs } from './timing.js';

const quick = process.argv.includes('--quick');
const skipTfjsCpuCnn = process.argv.includes('--skip-slow');

interface Row { name: string; backend: string; ours_ms: number; peer: string; peer_ms: number | null; ratio: number | null; note?: string; peak_rss_mb?: number; peak_backend_mb?: number }


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
// tfjs-core's npm entry registers no gradients, and its gradient modules use extension-less
// ESM imports Node cannot resolve; so the peer (bench/tfjs_peer.ts) is bundled with esbuild
// (ESM entry points, one tfjs-core instance with all gradients) and imported.
type Peer = typeof import('./tfjs_peer.js');
async function loadPeer(): Promise<Peer> {
  const outfile = join(process.cwd(), 'dist', 'bench', 'tfjs_peer.cjs');
  // A machine without node_modules can run a prebuilt bundle (TS_BENCH_PEER=path/to/tfjs_peer.cjs).
  if (process.env.TS_BENCH_PEER) return createRequire(import.meta.url)(process.env.TS_BENCH_PEER) as Peer;
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'tfjs_peer.ts')], bundle: true, platform: 'node', format: 'cjs',
    mainFields: ['module', 'main'], outfile, logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile) as Peer;
}

function torchPeer(): Record<string, number> | string {
  // Debian's torch imports only under /usr/bin/python3; TS_BENCH_PYTHON picks another interpreter.
  const py = process.env.TS_BENCH_PYTHON ?? '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch not available (${py} -c "import torch" failed)`;
  const r = spawnSync(py, [join(import.meta.dirname, 'torch_bench.py'), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
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

  const peer = await loadPeer();
  for (const backend of ['cpu', 'wasm'] as const) {
    const err = await peer.useBackend(backend, process.env.TS_BENCH_WASM_DIR ?? join(process.cwd(), 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
    const name = `tfjs-${backend}`;
    if (err) { for (const k of ['mlp_step', 'cnn_step', 'matmul_1024'] as const) add(k, name, null, `unavailable: ${err}`); continue; }
    add('mlp_step', name, await medianMs(peer.mlp(), 2, n(10, 3)));
    if (backend === 'wasm') add('cnn_step', name, null, 'unsupported (tfjs-wasm has no conv2d training gradients)');
    else if (skipTfjsCpuCnn) add('cnn_step', name, null, 'skipped (--skip-slow)');
    else add('cnn_step', name, await medianMs(peer.cnn(), 1, n(3, 1)));
    add('matmul_1024', name, await medianMs(peer.matmul(), 1, n(5, 2)));
    console.log(`${name}: done`);
  }

  const torch = torchPeer();
  for (const k of ['mlp_step', 'cnn_step', 'matmul_1024'] as const) {
    if (typeof torch === 'string') add(k, 'pytorch-1thread', null, torch);
    else add(k, 'pytorch-1thread', torch[k] ?? null);
  }

  // WebGPU rows (ours vs tfjs-webgpu on the same Dawn device), in the same run and table.
  const allRows: Array<{ name: string; backend: string; ours_ms: number | null; peer: string; peer_ms: number | null; ratio: number | null; note?: string }> = [...rows];
  if (!process.argv.includes('--no-webgpu')) {
    try {
      const { runWebgpuBench } = await import('./webgpu_bench.js');
      const w = await runWebgpuBench({ quick, log: (line) => console.log(`webgpu: ${line}`) });
      console.log(`webgpu adapter: ${w.adapter} (${w.params})`);
      allRows.push(...w.rows);
    } catch (e) {
      console.log(`webgpu: unavailable (${(e as Error).message})`);
      allRows.push({ name: 'webgpu', backend: 'webgpu', ours_ms: null, peer: 'tfjs-webgpu', peer_ms: null, ratio: null, note: `unavailable: ${(e as Error).message}` });
    }
  }

  const pad = (s: string, w: number): string => s.padEnd(w);
  const w = Math.max(...allRows.map((r) => `${r.name} [${r.backend}]`.length)) + 2;
  console.log(`\n${pad('workload [backend]', w)}${pad('peer', 20)}${pad('ours ms', 10)}${pad('peer ms', 10)}ratio (peer/ours)`);
  for (const r of allRows) {
    const ratio = r.ratio === null ? r.note ?? '-' : `${r.ratio.toFixed(2)}x${r.note ? `  (${r.note})` : ''}`;
    console.log(`${pad(`${r.name} [${r.backend}]`, w)}${pad(r.peer, 20)}${pad(r.ours_ms === null ? '-' : r.ours_ms.toFixed(1), 10)}${pad(r.peer_ms === null ? '-' : r.peer_ms.toFixed(1), 10)}${ratio}`);
  }
  console.log(`\nmatmul 1024: ours ${(2 * 1024 ** 3 / ours.matmul_1024 / 1e6).toFixed(2)} GFLOP/s`);
  writeFileSync('bench-results.json', JSON.stringify(allRows, null, 2) + '\n');
  console.log('wrote bench-results.json');
  process.exit(0); // the WebGPU worker would keep the process alive
}

main().catch((e: unknown) => { console.error(e); process.exitCode = 1; });
