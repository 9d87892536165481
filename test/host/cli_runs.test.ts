// Runs made by the CLI are runs like the editor's: the same folder format (summary.json, the
// config copy), listed by the Runs view's reader; Ctrl-C stops one like the Stop button does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { workspace } from './helpers.js';
import { missing } from '../helpers/require_env.js';
import { listRunFolders, readSummary } from '../../engine/src/train/run_summary.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

function cli(args: string[], onLine?: (line: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (b: Buffer) => {
      out += b.toString();
      for (const l of b.toString().split('\n')) if (l) onLine?.(l, (s) => p.kill(s));
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('exit', (code) => res({ code, out }));
  });
}

test('cli train: the run folder has summary.json and the config copy; Ctrl-C stops with a checkpoint, --resume finishes it', async (t) => {
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (npm test builds it)')) return;
  const ws = workspace(2400);
  try {
    const runs = join(ws.dir, 'runs');
    const done = await cli(['train', ws.config({ epochs: 1 }), '--out', join(runs, 'whole')]);
    assert.equal(done.code, 0, done.out);
    let sent = false;
    const stopped = await cli(['train', ws.config({ epochs: 3, log_every: 1 }), '--out', join(runs, 'interrupted')], (line, kill) => {
      if (!sent && /step 5\//.test(line)) { sent = true; kill('SIGINT'); }
    });
    assert.equal(stopped.code, 130, stopped.out);
    assert.match(stopped.out, /stopping after this step/);
    const s = readSummary(join(runs, 'interrupted'))!;
    assert.equal(s.status, 'stopped');
    assert.equal(s.stopReason, 'Ctrl-C');
    assert.ok(existsSync(join(runs, 'interrupted', `checkpoint-${s.step}.safetensors`)));
    const listed = listRunFolders(runs);
    assert.deepEqual(listed.map((r) => [r.id, r.summary.status]), [['interrupted', 'stopped'], ['whole', 'completed']]);
    assert.ok(listed[1]!.files.includes('config.json'));
    const resumed = await cli(['train', ws.config({ epochs: 3, log_every: 1 }), '--resume', join(runs, 'interrupted')]);
    assert.equal(resumed.code, 0, resumed.out);
    assert.equal(readSummary(join(runs, 'interrupted'))!.status, 'completed');
  } finally { rmSync(ws.dir, { recursive: true, force: true }); }
});
