// A small training problem and the real engine host (dist/engine-host.js) driven through the
// extension's own supervisor (client/src/training/engine_host.ts), with no VS Code in between.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineHost, type EngineHostOptions } from '../../client/src/training/engine_host.js';
import type { RunEvent, RunFinishedEvent, StartRunParams } from '../../engine/src/host/protocol.js';
import { mulberry32 } from '../../engine/src/data/rng.js';

export const HOST_SCRIPT = resolve(import.meta.dirname, '../../dist/engine-host.js');
export const hostBuilt = () => existsSync(HOST_SCRIPT);

export const MLP = `import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 32)
        self.drop = nn.Dropout(0.1)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.fc1(x))))
`;

/** Three Gaussian blobs in 4-D, labels 0..2 (`badLabelAt`: that row gets label 7). */
export function blobsCsv(n: number, seed: number, badLabelAt = -1): string {
  const r = mulberry32(seed);
  const rows = ['a,b,c,d,label'];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const v = [0, 1, 2, 3].map((j) => ((j === k ? 2 : 0) + (r() - 0.5)).toFixed(4));
    rows.push(`${v.join(',')},${i === badLabelAt ? 7 : k}`);
  }
  return rows.join('\n') + '\n';
}

export interface Workspace {
  readonly dir: string;
  /** Writes a config (merged over a working one) and returns its path. */
  config(over?: Record<string, unknown>, name?: string): string;
}

export function workspace(samples = 2400, opts: { badLabelAt?: number } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'ts-host-'));
  writeFileSync(join(dir, 'model.py'), MLP);
  writeFileSync(join(dir, 'train.csv'), blobsCsv(samples, 1, opts.badLabelAt));
  writeFileSync(join(dir, 'val.csv'), blobsCsv(90, 2));
  const base = {
    model: { file: 'model.py', class: 'MLP' },
    data: { train: { format: 'csv', path: 'train.csv', target: 'label' }, val: { format: 'csv', path: 'val.csv', target: 'label' }, batch_size: 4 },
    loss: { name: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 2, seed: 7, device: 'cpu', log_every: 5, checkpoint_every: 'epoch', metrics: ['accuracy'],
  };
  return {
    dir,
    config(over = {}, name = 'mlp.tsrun.json') {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify({ ...base, ...over }, null, 2));
      return p;
    },
  };
}

export interface HostRun {
  readonly host: EngineHost;
  readonly events: RunEvent[];
  readonly finished: Promise<RunFinishedEvent>;
}

/** Starts a host and a run; `onEvent` sees every event as it arrives. */
export async function startRun(
  params: Omit<StartRunParams, 'protocolVersion'>, options: Partial<EngineHostOptions> = {}, onEvent?: (ev: RunEvent, run: HostRun) => void,
): Promise<HostRun> {
  const host = new EngineHost({ script: HOST_SCRIPT, ...options });
  const events: RunEvent[] = [];
  const run: HostRun = { host, events, finished: host.finished };
  host.onEvent((ev) => { events.push(ev); onEvent?.(ev, run); });
  await host.startRun(params);
  return run;
}

/** Live engine-host processes (pid and parent) whose command line names `marker`. */
export function hostProcesses(marker = 'engine-host.js'): { pid: number; ppid: number }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !/\sZ/.test(l.slice(0, 24)))
    .map((l) => l.trim().split(/\s+/)).map(([pid, ppid]) => ({ pid: Number(pid), ppid: Number(ppid) }));
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export async function until(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
