// `tensor-studio check` through the built CLI (dist/cli.js): output format, exit codes, --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { analyze } from '../../engine/src/frontend/index.js';
import { missing } from '../helpers/require_env.js';
import { ROOT, positionOf } from './lsp_client.js';

const CLI = resolve(ROOT, 'dist/cli.js');
const BUG = 'test/lsp/fixtures/planted_bug.py';
const frontendReady = (() => { try { return analyze(readFileSync(resolve(ROOT, 'examples/fashion/model.py'), 'utf8')).facts.length > 0; } catch { return false; } })();

function check(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'check', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function needsCli(t: TestContext): boolean {
  return !existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)');
}
function needsAnalysis(t: TestContext): boolean {
  return needsCli(t) || (!frontendReady && missing(t, 'frontend shape inference', 'analyze() returns no facts for examples/fashion/model.py (the frontend has not landed yet)'));
}

test('usage errors exit 2 with a clear message', (t) => {
  if (needsCli(t)) return;
  const none = check();
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no files given/);
  const bad = check('--frobnicate', 'x.py');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option '--frobnicate'/);
});

test('--help documents the command', (t) => {
  if (needsCli(t)) return;
  const h = check('--help');
  assert.equal(h.code, 0);
  for (const word of ['--json', '--verbose', 'Exit status', 'gcc-style', ': error: ']) assert.ok(h.stdout.includes(word), word);
});

test('an unreadable file exits 2 naming the file; the others are still checked', (t) => {
  if (needsCli(t)) return;
  const r = check('no/such/model.py', 'examples/fashion/model.py');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no\/such\/model\.py: cannot read: no such file or directory/);
  assert.match(r.stderr, /1 file checked/);
});

test('a clean model exits 0 with a summary on stderr and nothing on stdout', (t) => {
  if (needsCli(t)) return;
  const r = check('examples/fashion/model.py');
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /1 file checked, 0 errors, 0 warnings/);
  assert.equal(r.code, 0);
});

test('--json prints an array (empty for a clean model)', (t) => {
  if (needsCli(t)) return;
  const r = check('--json', 'examples/fashion/model.py');
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('[analysis] planted bug: gcc-style line, exit 1, and the same in --json', (t) => {
  if (needsAnalysis(t)) return;
  const line = positionOf(readFileSync(resolve(ROOT, BUG), 'utf8'), 'x = F.relu(self.fc1(x))').line + 1;
  const r = check(BUG);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const first = r.stdout.split('\n')[0]!;
  assert.match(first, new RegExp(`^${BUG.replace(/[.]/g, '\\.')}:${line}:\\d+: error: .*800.*\\[[\\w-]+\\]$`));
  assert.match(r.stdout, /: note: /);
  assert.match(r.stderr, /1 error/);
  const j = check('--json', BUG);
  assert.equal(j.code, 1);
  const arr = JSON.parse(j.stdout) as { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string; related: unknown[] }[];
  const errs = arr.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.file, BUG);
  assert.equal(errs[0]!.line, line);
  assert.ok(errs[0]!.column >= 1 && errs[0]!.endLine >= errs[0]!.line);
  assert.ok(errs[0]!.related.length > 0);
});

test('[analysis] shape fixtures: the CLI reports exactly what the analysis finds, 1-based, in one run', (t) => {
  if (needsAnalysis(t)) return;
  // Whether each fixture's expected error is found is test/shapes' job; here: the CLI's mapping.
  const dir = 'test/fixtures/shapes';
  if (!existsSync(resolve(ROOT, dir))) return void missing(t, dir, 'teammate fixtures not present');
  const files = readdirSync(resolve(ROOT, dir)).filter((f) => f.endsWith('.py')).sort().map((f) => join(dir, f));
  const r = check('--json', ...files);
  const got = (JSON.parse(r.stdout) as { file: string; line: number; column: number; severity: string; code: string; message: string }[])
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);
  const want: string[] = [];
  let errors = 0;
  let found = 0;
  let planted = 0;
  for (const file of files) {
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    const diags = analyze(text, { fileName: file }).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning')
      .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const d of diags) want.push(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`);
    errors += diags.filter((d) => d.severity === 'error').length;
    const marked = text.split('\n').findIndex((l) => /#\s*error:/.test(l));
    if (marked >= 0) { planted++; if (diags.some((d) => d.severity === 'error')) found++; }
  }
  assert.deepEqual(got, want);
  assert.equal(r.code, errors > 0 ? 1 : 0);
  assert.match(r.stderr, new RegExp(`${files.length} files checked, ${errors} errors?`));
  t.diagnostic(`${files.length} fixtures, ${errors} errors reported; ${found} of ${planted} planted-bug files get an error`);
});

test('a directory is searched for .py files; garbage input gives diagnostics, never a crash', (t) => {
  if (needsCli(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ts-check-'));
  writeFileSync(join(dir, 'garbage.py'), 'class (:\n  def forward(self x:\n\x00\ufffd)))) = = nn.Conv2d(\n');
  writeFileSync(join(dir, 'empty.py'), '');
  writeFileSync(join(dir, 'notes.txt'), 'not python');
  const r = check('--json', '--verbose', dir);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.match(r.stderr, /2 files checked/);
  for (const d of JSON.parse(r.stdout) as { file: string }[]) assert.match(d.file, /garbage\.py$/);
});

test('an analysis that runs past the time limit costs that file only: clear message, exit 2', (t) => {
  if (needsCli(t)) return;
  const r = spawnSync(process.execPath, [CLI, 'check', 'test/lsp/fixtures/recursive_module.py', 'examples/fashion/model.py'], {
    cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: { ...process.env, TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS: '1' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /recursive_module\.py: internal error: analysis did not finish within 1 ms/);
});

test('a module that instantiates itself (infinite recursion in Python) is checked within seconds', (t) => {
  if (needsCli(t)) return;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'check', 'test/lsp/fixtures/recursive_module.py'], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
  const ms = performance.now() - t0;
  assert.ok(r.error === undefined, `check did not finish within 10 s (${String(r.error)}): the frontend recurses without a bound`);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
});
