// Entry of the one-file bundle that runs on the GPU machine (scripts/device/prepare.sh builds it
// into .device/bench.cjs): the WebGPU bench, ours against tfjs-webgpu, plus f32 4096² matmul.
//   node bench.cjs --json OUT.json [--quick]
import './entry_flag.js';
import '../../bench/webgpu_dawn_globals.js';
import * as peer from '../../bench/webgpu_tfjs_peer.js';
import { writeFileSync } from 'node:fs';
import { runWebgpuBench } from '../../bench/webgpu_bench.js';

async function main(): Promise<void> {
  (globalThis as { __tsWebgpuPeer?: unknown }).__tsWebgpuPeer = peer;
  const args = process.argv.slice(2);
  const res = await runWebgpuBench({ quick: args.includes('--quick'), big: !args.includes('--no-big') });
  const j = args.indexOf('--json');
  if (j >= 0 && args[j + 1]) writeFileSync(args[j + 1]!, JSON.stringify(res, null, 2));
  process.exit(0);
}
void main().catch((e) => { process.stderr.write(`webgpu bench failed: ${(e as Error).stack ?? e}\n`); process.exit(1); });
