// GEMM autotune: times the WebGPU matmul kernel under a handful of tile configurations on this
// adapter and prints GFLOP/s per config (best last), so one device run can choose tuning.ts's
// row for the vendor. Every config is first checked against a JS reference on odd sizes (all
// transpose flags, batched, bias) and, on the timed size, at sampled entries.
//   node --import tsx scripts/device/gemm_autotune.ts [--size 4096,1024] [--reps 5] [--configs '[{...}]'] [--json out.json]
// On the GPU machine (no tsx): sh scripts/device/prepare.sh bundles it as .device/autotune.cjs,
// which .device/run.sh runs before the bench.
import { writeFileSync } from 'node:fs';
import { initWebGPU } from '../../engine/src/backends/webgpu/index.js';
import { gemmConfigOf, gemmConfigProblem, gemmGpu, type GemmConfig } from '../../engine/src/ops/linear/webgpu.js';
import { Tensor } from '../../engine/src/tensor.js';

function lcg(n: number, seed: number): Float32Array {
  let x = seed >>> 0;
  const o = new Float32Array(n);
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; o[i] = x / 2 ** 32 - 0.5; }
  return o;
}

const T = (c: Partial<GemmConfig>): GemmConfig => ({ kind: 'tiled', BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, RM: 8, RN: 2, WX: 32, ...c });
/** Candidates for GPUs: the classic 128x128/8x8 SGEMM shape and its neighbours. */
const GPU_CONFIGS: GemmConfig[] = [
  T({}), T({ BK: 16 }), T({ BM: 128, BN: 64, TM: 8, TN: 4 }), T({ BM: 64, BN: 128, TM: 4, TN: 8 }), T({ BM: 64, BN: 64, TM: 4, TN: 4, BK: 16 }),
  T({ BM: 64, BN: 64, TM: 8, TN: 8, BK: 16 }), T({ BM: 128, BN: 128, TM: 8, TN: 16, BK: 8 }), T({ BM: 128, BN: 256, TM: 8, TN: 16, BK: 8 }),
  T({ BM: 256, BN: 128, TM: 16, TN: 8, BK: 8 }), T({ BM: 128, BN: 128, TM: 16, TN: 8, BK: 16 }), T({ BM: 64, BN: 64, TM: 4, TN: 4, BK: 8, kind: 'direct' }),
];
/** Candidates for CPU adapters (lavapipe): the rows kernel's shapes. */
const CPU_CONFIGS: GemmConfig[] = [
  T({ kind: 'rows', RM: 8, RN: 2, WX: 32 }), T({ kind: 'rows', RM: 16, RN: 2, WX: 32 }), T({ kind: 'rows', RM: 8, RN: 4, WX: 16 }),
  T({ kind: 'rows', RM: 16, RN: 1, WX: 32 }), T({ kind: 'rows', RM: 4, RN: 2, WX: 64 }), T({ kind: 'direct', BM: 32, BN: 32, TM: 4, TN: 4 }),
];

function ref(a: Float32Array, b: Float32Array, M: number, N: number, K: number, ta: boolean, tb: boolean, i: number, j: number): number {
  let s = 0;
  for (let k = 0; k < K; k++) s += a[ta ? k * M + i : i * K + k]! * b[tb ? j * K + k : k * N + j]!;
  return s;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const be = await initWebGPU();
  const sizes = (opt('--size') ?? (be.adapter.isFallbackAdapter ? '512' : '4096,1024')).split(',').map(Number);
  const reps = Number(opt('--reps') ?? 5);
  const given = opt('--configs');
  const configs = given ? (JSON.parse(given) as Partial<GemmConfig>[]).map(T) : [gemmConfigOf(be.params), ...(be.adapter.isFallbackAdapter ? CPU_CONFIGS : GPU_CONFIGS)];
  const log = (s: string): void => { process.stdout.write(`${s}\n`); };
  log(`adapter: ${be.adapter.vendor} ${be.adapter.architecture} ${be.adapter.description}; tuning row: ${be.paramsWhy}; ${reps} reps`);
  const all: { size: number; results: { config: GemmConfig; ms?: number; gflops?: number; error?: string }[] }[] = [];
  for (const n of sizes) {
    log(`== f32 matmul ${n}x${n}x${n}`);
    const results: { config: GemmConfig; ms?: number; gflops?: number; error?: string }[] = [];
    all.push({ size: n, results });
    const A = Tensor.fromArray(lcg(n * n, 1), [n, n], 'float32', be), B = Tensor.fromArray(lcg(n * n, 2), [n, n], 'float32', be);
    const ha = lcg(n * n, 1), hb = lcg(n * n, 2);
    for (const c of configs) {
      const name = c.kind === 'rows' ? `rows RM${c.RM} RN${c.RN} WX${c.WX}` : `${c.kind} ${c.BM}x${c.BN} BK${c.BK} ${c.TM}x${c.TN}/thread`;
      const problem = gemmConfigProblem(c, be.limits);
      if (problem) { log(`${name.padEnd(40)} skipped: ${problem}`); results.push({ config: c, error: problem }); continue; }
      try {
        // Correctness on odd sizes first: every transpose flag, a batch, a bias.
        for (const [M, N, K, ta, tb, batch, bias] of [[67, 45, 33, false, false, 1, false], [67, 48, 36, true, false, 2, false], [37, 52, 40, false, true, 1, true], [33, 20, 9, true, true, 3, false]] as const) {
          const ad = lcg(batch * M * K, 3), bd = lcg(batch * N * K, 4), bs = lcg(N, 5);
          const out = gemmGpu('autotune', Tensor.fromArray(ad, [batch * M * K], 'float32', be), Tensor.fromArray(bd, [batch * N * K], 'float32', be), M, N, K, batch, M * K, N * K, ta, tb,
            bias ? Tensor.fromArray(bs, [N], 'float32', be) : null, [batch, M, N], c).toFloat32Array();
          for (let z = 0; z < batch; z++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
            const want = ref(ad.subarray(z * M * K), bd.subarray(z * N * K), M, N, K, ta, tb, i, j) + (bias ? bs[j]! : 0);
            const got = out[(z * M + i) * N + j]!;
            if (!(Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want)))) throw new Error(`wrong result at [${z}, ${i}, ${j}] for M=${M} N=${N} K=${K} ta=${ta} tb=${tb}: ${got} vs ${want}`);
          }
        }
        const run = (): Tensor => gemmGpu('autotune', A, B, n, n, n, 1, 0, 0, false, false, null, [n, n], c);
        const C = run().toFloat32Array();
        for (let s = 0; s < 16; s++) {
          const i = (s * 7919) % n, j = (s * 104729) % n;
          const want = ref(ha, hb, n, n, n, false, false, i, j);
          if (!(Math.abs(C[i * n + j]! - want) <= 1e-3 * (1 + Math.abs(want)))) throw new Error(`wrong result at [${i}, ${j}]: ${C[i * n + j]} vs ${want}`);
        }
        // Several products per timing so the per-submit overhead does not dominate small sizes.
        const per = Math.max(1, Math.min(20, Math.round(2e10 / (2 * n * n * n))));
        const ts: number[] = [];
        for (let r = 0; r < reps; r++) {
          const t0 = performance.now();
          for (let q = 0; q < per; q++) run();
          be.sync();
          ts.push((performance.now() - t0) / per);
        }
        ts.sort((x, y) => x - y);
        const ms = ts[Math.floor(ts.length / 2)]!;
        const gflops = (2 * n * n * n) / ms / 1e6;
        results.push({ config: c, ms, gflops });
        log(`${name.padEnd(40)} ${ms.toFixed(2).padStart(9)} ms  ${gflops.toFixed(1).padStart(8)} GFLOP/s`);
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0]!;
        results.push({ config: c, error: msg });
        log(`${name.padEnd(40)} failed: ${msg}`);
      }
    }
    const ok = results.filter((r) => r.gflops).sort((x, y) => y.gflops! - x.gflops!);
    if (ok[0]) log(`best at ${n}: ${JSON.stringify(ok[0].config)} ${ok[0].gflops!.toFixed(1)} GFLOP/s (tuning.ts: mmKernel/mmTile*/mmThread*/mmRows* of the adapter's row)`);
  }
  const j = opt('--json');
  if (j) writeFileSync(j, JSON.stringify({ adapter: be.adapter, params: be.paramsWhy, sizes: all }, null, 2));
  process.exit(0);
}

void main().catch((e) => { process.stderr.write(`gemm autotune failed: ${(e as Error).stack ?? e}\n`); process.exit(1); });
