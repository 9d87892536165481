// `npm run bench:host`: the engine host's speed targets, measured on the extension's side of the
// wire (client/src/training/engine_host.ts + metric_store.ts, no VS Code needed):
//   1. metric forwarding: >= 10,000 points/s with the receiving event loop never blocked > 50 ms.
//      A flood host (bench/host/flood_host.ts: the real protocol and the real Batcher, emitting 2
//      points per "step" as fast as it can) and the real engine host training a tiny MLP with
//      log_every 1 (the most points real training sends);
//   2. start -> first step of the example (examples/fashion/train.json, Fashion-MNIST, CPU) through
//      the engine host, beside the CLI (the same engine, no host) and PyTorch 1.13 from a cold
//      process (python3 -c "import torch" must work). The real-VS-Code figure (click -> first step)
//      is printed by `npm run test:vscode` as "[measure]".
// Each row is the median of RUNS runs. Writes bench-host-results.json.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { EngineHost } from '../client/src/training/engine_host.js';
import { MetricStore } from '../client/src/training/metric_store.js';
import { workspace } from '../test/host/helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const HOST = join(ROOT, 'dist/engine-host.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Forwarding { points: number; seconds: number; pointsPerSec: number; messages: number; maxLoopDelayMs: number; p99LoopDelayMs: number }

/** Receives one run's events into a MetricStore while watching this process's event loop. */
async function receive(host: EngineHost, start: () => Promise<unknown>): Promise<Forwarding> {
  const store = new MetricStore();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let messages = 0;
  let first = 0;
  let last = 0;
  host.onEvent((ev) => {
    messages++;
    if (ev.type === 'metrics') {
      if (!first) first = performance.now();
      store.append(ev.runId, ev.points);
      last = performance.now();
    }
  });
  loop.enable();
  await start();
  const done = await host.finished;
  loop.disable();
  const points = store.count(done.runId);
  const seconds = (last - first) / 1000;
  return { points, seconds, pointsPerSec: points / Math.max(seconds, 1e-9), messages, maxLoopDelayMs: loop.max / 1e6, p99LoopDelayMs: loop.percentile(99) / 1e6 };
}

async function floodForwarding(): Promise<Forwarding> {
  const out = join(mkdtempSync(join(tmpdir(), 'ts-flood-')), 'flood_host.js');
  // As scripts/build.mjs bundles the host (jsonc-parser's ES module build: its UMD one does not bundle).
  await esbuild.build({ entryPoints: [join(ROOT, 'bench/host/flood_host.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning',
    alias: { 'jsonc-parser': join(ROOT, 'node_modules/jsonc-parser/lib/esm/main.js') } });
  const rows: Forwarding[] = [];
  for (let i = 0; i < RUNS; i++) {
    const host = new EngineHost({ script: out });
    rows.push(await receive(host, () => host.startRun({ configPath: '', runDir: '/tmp/flood' })));
    await host.exited;
  }
  rmSync(join(out, '..'), { recursive: true, force: true });
  return pick(rows);
}

async function realHostForwarding(): Promise<Forwarding> {
  const ws = workspace(24_000);
  const rows: Forwarding[] = [];
  try {
    // A 4 -> 3 linear model at batch 1, logging every step: the host's most talkative real run.
    writeFileSync(join(ws.dir, 'tiny.py'), 'import torch.nn as nn\n\n\nclass Tiny(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 3)\n\n    def forward(self, x):\n        return self.fc(x)\n');
    for (let i = 0; i < RUNS; i++) {
      const host = new EngineHost({ script: HOST });
      const config = ws.config({ model: { file: 'tiny.py', class: 'Tiny' }, data: { train: { format: 'csv', path: 'train.csv', target: 'label' }, val: { format: 'csv', path: 'val.csv', target: 'label' }, batch_size: 1 }, epochs: 1, log_every: 1, checkpoint_every: 100_000 });
      rows.push(await receive(host, () => host.startRun({ configPath: config, runDir: join(ws.dir, `run${i}`) })));
      await host.exited;
    }
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
  return pick(rows);
}

/** The run with the median throughput (its loop delays stay its own). */
function pick(rows: Forwarding[]): Forwarding {
  const m = median(rows.map((r) => r.pointsPerSec));
  const row = rows.find((r) => r.pointsPerSec === m)!;
  return { ...row, maxLoopDelayMs: Math.max(...rows.map((r) => r.maxLoopDelayMs)) };
}

/** Milliseconds from spawning `cmd` until a line of its output matches each pattern. */
function timeLines(cmd: string, args: string[], patterns: RegExp[], env?: NodeJS.ProcessEnv): Promise<number[]> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const at: number[] = [];
    let buf = '';
    const onData = (b: Buffer) => {
      buf += b.toString();
      while (at.length < patterns.length && patterns[at.length]!.test(buf)) at.push(performance.now() - t0);
      if (at.length === patterns.length) { p.kill('SIGKILL'); res(at); }
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('exit', () => { if (at.length < patterns.length) rej(new Error(`${cmd} ${args.join(' ')} ended first:\n${buf.slice(-2000)}`)); });
  });
}

async function hostFirstStep(): Promise<{ firstStepMs: number; step20Ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-first-'));
  const rows: { firstStepMs: number; step20Ms: number }[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const host = new EngineHost({ script: HOST });
      let first = 0;
      let twenty = 0;
      host.onEvent((ev) => {
        if (ev.type !== 'progress') return;
        first ||= performance.now() - t0;
        if (ev.step >= 20 && !twenty) { twenty = performance.now() - t0; void host.stop(); }
      });
      await host.startRun({ configPath: join(ROOT, 'examples/fashion/train.json'), runDir: join(dir, `run${i}`) });
      await host.finished;
      await host.exited;
      rows.push({ firstStepMs: first, step20Ms: twenty });
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
  return { firstStepMs: median(rows.map((r) => r.firstStepMs)), step20Ms: median(rows.map((r) => r.step20Ms)) };
}

async function cliStep20(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-cli-'));
  const xs: number[] = [];
  try {
    // Not a TTY: the CLI prints one line per log point (log_every 20 in the example).
    for (let i = 0; i < RUNS; i++) xs.push((await timeLines(process.execPath, [join(ROOT, 'dist/cli.js'), 'train', 'examples/fashion/train.json', '--out', join(dir, `r${i}`)], [/step 20\/900/]))[0]!);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  return median(xs);
}

async function torchSteps(): Promise<{ firstStepMs: number; step20Ms: number } | string> {
  const py = process.env.TS_BENCH_PYTHON ?? '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return `PyTorch not available (${py} -c "import torch" failed)`;
  const rows: number[][] = [];
  for (let i = 0; i < RUNS; i++) rows.push(await timeLines(py, [join(ROOT, 'bench/host/torch_first_step.py'), ROOT, '20'], [/^step 1 /m, /^step 20 /m]));
  return { firstStepMs: median(rows.map((r) => r[0]!)), step20Ms: median(rows.map((r) => r[1]!)) };
}

async function main(): Promise<void> {
  if (!existsSync(HOST)) { console.error('bench:host: dist/engine-host.js is missing (npm run bench:host builds it)'); process.exit(1); }
  const results: Record<string, unknown> = { runs: RUNS, node: process.version, date: new Date().toISOString() };
  console.log(`bench:host (median of ${RUNS})\n`);
  console.log('metric forwarding (target >= 10,000 points/s, event loop never blocked > 50 ms)');
  const fmt = (f: Forwarding) => `${Math.round(f.pointsPerSec).toLocaleString('en-US')} points/s (${f.points.toLocaleString('en-US')} points in ${f.messages} messages, ${f.seconds.toFixed(2)} s); event loop max ${f.maxLoopDelayMs.toFixed(1)} ms, p99 ${f.p99LoopDelayMs.toFixed(1)} ms`;
  const flood = await floodForwarding();
  console.log(`  flood host (protocol + batching only): ${fmt(flood)}`);
  const real = await realHostForwarding();
  console.log(`  engine host, tiny model, log_every 1:  ${fmt(real)}`);
  Object.assign(results, { forwarding: { flood, engineHost: real } });

  if (existsSync(FASHION)) {
    console.log('\nexample (examples/fashion/train.json, Fashion-MNIST) from a cold process (target: first step < 2 s)');
    const host = await hostFirstStep();
    console.log(`  engine host:  first step ${host.firstStepMs.toFixed(0)} ms, step 20 ${host.step20Ms.toFixed(0)} ms`);
    const cli = await cliStep20();
    console.log(`  CLI:          step 20 ${cli.toFixed(0)} ms (its first line is at step 20)`);
    const torch = await torchSteps();
    console.log(typeof torch === 'string' ? `  PyTorch:      ${torch}` : `  PyTorch 1.13: first step ${torch.firstStepMs.toFixed(0)} ms, step 20 ${torch.step20Ms.toFixed(0)} ms`);
    Object.assign(results, { firstStep: { engineHost: host, cliStep20Ms: cli, torch } });
  } else console.log(`\nexample first step: skipped (${FASHION} not installed: scripts/setup-system.sh)`);
  writeFileSync(join(ROOT, 'bench-host-results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log('\nwrote bench-host-results.json');
  process.exit(0);
}

void main();
