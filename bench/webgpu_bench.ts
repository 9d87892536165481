// WebGPU benchmark: our webgpu backend side by side with @tensorflow/tfjs-backend-webgpu 4.22,
// both on the same Dawn (npm `webgpu`) and the same adapter, in one run. Rows: 1024² matmul
// (GFLOP/s), MLP 784-256-10 training step at batch 128, small CNN training step at batch 64
// (forward, cross-entropy, backward, SGD), and f32 4096² matmul (skipped on software adapters
// unless --big). Warm-up, then the median of N; every timing ends with a read back, so queued
// GPU work is included. ratio = peer_ms / ours_ms (> 1: we are faster).
//   node --import tsx bench/webgpu_bench.ts [--quick] [--big] [--json out.json]
// The returned rows {name, backend, ours_ms, peer, peer_ms, ratio} merge into bench-results.json.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { callOp } from '../engine/src/runtime/dispatch.js';
import { Tensor } from '../engine/src/tensor.js';
import { initWebGPU, setFallbackWarnings, fallbackOps } from '../engine/src/backends/webgpu/index.js';
import { batch, cnn, lcg, mlp, trainStep } from './webgpu_models.js';
import { medianMs } from './timing.js';
import { StepCompiler, type ProgramStats } from '../engine/src/backends/webgpu/compiled.js';

/**
 * Training memory of a compiled step against the floor the issue sets: parameters + gradients +
 * optimizer state + live activations. The floor's temporaries (gradients and activations among
 * them) are the most bytes live at once; the plan's are its buffers. SGD without momentum: no state.
 */
function compiledMemory(s: ProgramStats, params: readonly Tensor[]): string {
  const paramBytes = params.reduce((a, p) => a + p.numel * 4, 0);
  const ratio = (paramBytes + s.plannedBytes) / (paramBytes + s.peakLiveBytes);
  const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
  return `memory ${mb(paramBytes + s.plannedBytes)} MB = ${ratio.toFixed(2)}x the floor ${mb(paramBytes + s.peakLiveBytes)} MB (eager holds ${mb(paramBytes + s.eagerTempBytes)} MB)`;
}

export interface Row { name: string; backend: string; ours_ms: number | null; peer: string; peer_ms: number | null; ratio: number | null; ours_gflops?: number; peer_gflops?: number; note?: string }


// ---- the peer: tfjs-webgpu on the same Dawn ---------------------------------------------------
type Peer = typeof import('./webgpu_tfjs_peer.js');

/** The peer module: provided by a bundle (scripts/device) or bundled here on the fly with esbuild. */
async function loadPeer(): Promise<Peer | { error: string }> {
  try {
    const pre = (globalThis as { __tsWebgpuPeer?: Peer }).__tsWebgpuPeer;
    let peer = pre;
    if (!peer) {
      await import('./webgpu_dawn_globals.js');
      const esbuild = await import('esbuild');
      const outfile = join(process.cwd(), 'dist', 'bench', 'webgpu_tfjs_peer.cjs');
      await esbuild.build({ entryPoints: [join(__dirname, 'webgpu_tfjs_peer.ts')], bundle: true, platform: 'node', format: 'cjs',
        mainFields: ['module', 'main'], outfile, logLevel: 'error', external: ['webgpu'] });
      peer = createRequire(__filename)(outfile) as Peer;
    }
    const err = await peer.ready();
    return err ? { error: err } : peer;
  } catch (e) {
    return { error: (e as Error).message };
  }
}

// ---- the benchmark -------------------------------------------------------------------------------
export async function runWebgpuBench(opts: { quick?: boolean; big?: boolean; log?: (s: string) => void } = {}): Promise<{ rows: Row[]; adapter: string; params: string }> {
  const log = opts.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const b = await initWebGPU();
  setFallbackWarnings(false);
  const adapter = `${b.adapter.vendor} ${b.adapter.architecture} ${b.adapter.description}${b.adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}`;
  log(`adapter: ${adapter}; kernel parameters: ${b.paramsWhy} ${JSON.stringify(b.params)}`);
  const peer = await loadPeer();
  const tf = 'error' in peer ? null : peer;
  if (!tf) log(`peer tfjs-webgpu unavailable: ${(peer as { error: string }).error}`);
  const q = opts.quick ?? false;
  const rows: Row[] = [];
  const row = (name: string, ours: number | null, peerMs: number | null, flops?: number, note?: string): void => {
    const r: Row = { name, backend: 'webgpu', ours_ms: ours, peer: 'tfjs-webgpu 4.22', peer_ms: peerMs, ratio: ours && peerMs ? +(peerMs / ours).toFixed(2) : null };
    if (flops) { if (ours) r.ours_gflops = +(flops / ours / 1e6).toFixed(2); if (peerMs) r.peer_gflops = +(flops / peerMs / 1e6).toFixed(2); }
    if (note) r.note = note;
    rows.push(r);
    log(`${name.padEnd(34)} ours ${ours?.toFixed(1) ?? '-'} ms${r.ours_gflops ? ` (${r.ours_gflops} GFLOP/s)` : ''} | tfjs-webgpu ${peerMs?.toFixed(1) ?? '-'} ms${r.peer_gflops ? ` (${r.peer_gflops} GFLOP/s)` : ''} | ratio ${r.ratio ?? '-'}${r.note ? ` (${r.note})` : ''}`);
  };
  const tryMs = async (fn: () => void | Promise<void>, w: number, n: number): Promise<number | null> => {
    try { return await medianMs(fn, w, n, true); } catch (e) { log(`  failed: ${(e as Error).message.split('\n')[0]}`); return null; }
  };

  const matmul = async (n: number, w: number, reps: number, name: string, note?: string): Promise<void> => {
    const A = Tensor.fromArray(lcg(n * n, 1, 1), [n, n], 'float32', b), B = Tensor.fromArray(lcg(n * n, 1, 2), [n, n], 'float32', b);
    // K products back to back, then one read (ours: one element; tfjs: the last product), so the
    // read-back latency is spread as in a training loop; the time per product is reported.
    const K = 4;
    const ours = await tryMs(() => { for (let k = 0; k < K; k++) callOp('matmul', { input: A, other: B }); b.sync(); }, w, reps);
    const peerMs = tf ? await tryMs(tf.matmul(n, K), w, reps) : null;
    row(name, ours && ours / K, peerMs && peerMs / K, 2 * n * n * n, note ?? `${K} products per timing`);
  };
  await matmul(1024, 1, q ? 3 : 5, 'matmul 1024x1024 f32');

  const step = async (kind: 'mlp' | 'cnn', n: number, name: string): Promise<void> => {
    const m = kind === 'mlp' ? mlp(b) : cnn(b);
    const { x, y } = batch(n, b);
    const ours = await tryMs(() => { trainStep(m, x, y, 0.05).item(); }, 2, q ? 3 : 7);
    const peerMs = tf ? await tryMs(tf.step(kind, n), 2, q ? 3 : 7) : null;
    row(name, ours, peerMs);
    // The same step in compiled mode: captured on warm-up steps 2-3, replayed after.
    const mc = kind === 'mlp' ? mlp(b) : cnn(b);
    const sc = new StepCompiler(b);
    const compiled = await tryMs(() => { sc.run([x, y], () => [trainStep(mc, x, y, 0.05)])[0]!.item(); }, 4, q ? 3 : 7);
    const prog = sc.programs()[0];
    const mem = prog ? compiledMemory(prog.stats, mc.params) : undefined;
    row(`${name}, compiled`, compiled, peerMs, undefined, [
      compiled && ours ? `${(ours / compiled).toFixed(2)}x eager` : '',
      prog ? `${prog.stats.kernelsBeforeFusion} -> ${prog.stats.kernels} kernels` : (sc.eagerReasons()[0] ?? 'not captured'),
      mem ?? '',
    ].filter(Boolean).join('; '));
    sc.dispose();
  };
  await step('mlp', 128, 'MLP 784-256-10 step, batch 128');
  await step('cnn', 64, 'CNN step, batch 64');

  if (opts.big || !b.adapter.isFallbackAdapter) await matmul(4096, 1, 3, 'matmul 4096x4096 f32');
  else rows.push({ name: 'matmul 4096x4096 f32', backend: 'webgpu', ours_ms: null, peer: 'tfjs-webgpu 4.22', peer_ms: null, ratio: null, note: 'skipped on a software adapter (pass --big)' });
  const fb = fallbackOps();
  if (fb.length) log(`ops that ran on the CPU fallback: ${fb.join(', ')}`);
  return { rows, adapter, params: b.paramsWhy };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const res = await runWebgpuBench({ quick: args.includes('--quick'), big: args.includes('--big') });
  const j = args.indexOf('--json');
  if (j >= 0 && args[j + 1]) writeFileSync(args[j + 1]!, JSON.stringify(res, null, 2));
  process.exit(0);
}

if (require.main === module && !(globalThis as { __tsDeviceEntry?: boolean }).__tsDeviceEntry) void main().catch((e) => { process.stderr.write(`webgpu bench failed: ${(e as Error).stack ?? e}\n`); process.exit(1); });
