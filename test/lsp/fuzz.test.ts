// Robustness: thousands of random edits (deletions, truncations, swaps, random Python tokens)
// through didChange against ONE live server, interleaved with hover / inlay / code lens / graph
// requests. The server must never crash, never print to stderr, never log a caught exception,
// answer every request within 1 s, and end with the same diagnostics a fresh analysis gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { HoverRequest, InlayHintRequest, CodeLensRequest, type TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol/node';
import { analyze } from '../../engine/src/frontend/index.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { missing } from '../helpers/require_env.js';
import { GraphRequest } from '../../server/src/protocol.js';
import { TestClient, ROOT, fileUri, readRepoFile } from './lsp_client.js';

const EDITS = Number(process.env.FUZZ_EDITS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const TOKENS = [
  '(', ')', '[', ']', ':', ',', '.', '=', '==', '+', '-', '*', '/', '//', '**', '@', '\n', '\n    ', '    ', '\t', '\\',
  'x', 'self', 'self.', 'self.conv1', 'nn.', 'torch.', 'F.relu(', 'def ', 'class ', 'return ', 'forward', '__init__',
  'nn.Conv2d(3, 8, 3)', 'nn.Linear(10, -1)', 'torch.cat([x, x], dim=1)', 'x.view(-1, 0)', 'x[..., None, ::2]',
  '"""', "'", '"', '#', 'lambda', 'yield ', 'async ', 'None', 'True', '0', '-1', '1e309', '99999999999999999999',
  'é', '😀', '\u0000', '\r\n', 'if x:', 'for i in range(3):', 'super().__init__()', 'nn.Sequential(', '*args', '**kw',
];

/** Deterministic PRNG so a failing seed can be replayed with FUZZ_SEED. */
const rng = mulberry32;

function posAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
  return { line, character: offset - lineStart };
}

test('fuzz: random edits and requests against one live server', { timeout: 120_000 }, async (t) => {
  const why = TestClient.available();
  if (why) return void missing(t, 'dist/server.js', why);
  const files = ['examples/fashion/model.py', 'test/lsp/fixtures/planted_bug.py', 'test/lsp/fixtures/two_models.py'];
  const shapesDir = resolve(ROOT, 'test/fixtures/shapes');
  if (existsSync(shapesDir)) files.push(...readdirSync(shapesDir).filter((f) => f.endsWith('.py')).sort().slice(0, 6).map((f) => `test/fixtures/shapes/${f}`));
  const docs = files.map((f) => ({ uri: fileUri(f), original: readRepoFile(f), text: readRepoFile(f), version: 1 }));

  const rand = rng(SEED);
  const int = (n: number): number => Math.floor(rand() * n);
  const client = new TestClient();
  let slowest = 0;
  let slowestWhat = "";
  let requests = 0;
  /** Saves the text a slow or failing request ran on, for replaying it outside the server. */
  // Debounced diagnostics of OTHER documents run between requests, so save every document.
  const dump = (text: string): string => {
    const path = join(tmpdir(), `tensor-studio-fuzz-${SEED}.py`);
    writeFileSync(path, text);
    docs.forEach((d, i) => writeFileSync(join(tmpdir(), `tensor-studio-fuzz-${SEED}-doc${i}.py`), d.text));
    return `${path}, all documents in tensor-studio-fuzz-${SEED}-doc*.py`;
  };
  const timed = async <T>(what: string, text: string, p: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const timer = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what} took over 1 s (seed ${SEED}; text saved to ${dump(text)})`)), 1000).unref());
    const out = await Promise.race([p, timer]);
    const ms = performance.now() - t0;
    if (ms > slowest) { slowest = ms; slowestWhat = what; }
    requests++;
    assert.ok(ms < 1000, `${what} took ${ms.toFixed(0)} ms (text saved to ${dump(text)})`);
    return out;
  };
  try {
    await client.initialize();
    for (const d of docs) await client.open(d.uri, d.text);
    // Let the first (cold, JIT-warming) analyses of every document finish before timing requests.
    for (const d of docs) await client.waitForDiagnostics(d.uri, (p) => p.version === 1, 30_000);
    for (let i = 0; i < EDITS; i++) {
      const d = docs[int(docs.length)]!;
      const n = d.text.length;
      let change: TextDocumentContentChangeEvent;
      let from = 0, to = 0, ins = '';
      const kind = int(100);
      if (kind < 2 || n === 0) {
        // Back to the original now and then so edits keep hitting realistic code.
        d.text = d.original;
        change = { text: d.text };
      } else {
        if (kind < 30) { from = int(n); to = Math.min(n, from + 1 + int(20)); }            // delete
        else if (kind < 35) { from = int(n); to = n; }                                       // truncate
        else if (kind < 50 && n >= 2) { from = int(n - 1); to = from + 2; ins = d.text[from + 1]! + d.text[from]!; } // swap
        else { from = int(n + 1); to = from; ins = TOKENS[int(TOKENS.length)]!; }            // insert a token
        change = { range: { start: posAt(d.text, from), end: posAt(d.text, to) }, text: ins };
        d.text = d.text.slice(0, from) + ins + d.text.slice(to);
      }
      d.version++;
      await client.change(d.uri, d.version, [change]);
      if (i % 4 === 0) {
        const at = posAt(d.text, int(d.text.length + 1));
        switch (int(4)) {
          case 0: await timed('hover', d.text, client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: d.uri }, position: at })); break;
          case 1: await timed('inlayHint', d.text, client.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri: d.uri }, range: { start: { line: 0, character: 0 }, end: posAt(d.text, d.text.length) } })); break;
          case 2: await timed('codeLens', d.text, client.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: d.uri } })); break;
          case 3: await timed('graph', d.text, client.conn.sendRequest(GraphRequest, { uri: d.uri })); break;
        }
      }
      if (client.proc.exitCode !== null) assert.fail(`server exited with ${client.proc.exitCode} after edit ${i} (seed ${SEED})`);
    }
    // The server's incrementally maintained text and analysis must match a fresh analysis of our mirror.
    for (const d of docs) {
      const pub = await client.waitForDiagnostics(d.uri, (p) => p.version === d.version, 5000);
      const want = analyze(d.text, { fileName: d.uri }).diagnostics.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.code} ${x.message}`);
      const got = pub.diagnostics.map((x) => `${x.range.start.line}:${x.range.start.character} ${String(x.code)} ${x.message}`);
      assert.deepEqual(got, want, `diagnostics of ${d.uri} after fuzzing differ from a fresh analysis`);
    }
    t.diagnostic(`${EDITS} edits, ${requests} requests, slowest ${slowest.toFixed(1)} ms (${slowestWhat}), seed ${SEED}`);
    assert.equal(client.stderr, '', 'server wrote to stderr');
    assert.deepEqual(client.errorLogs().slice(0, 3), [], 'the server caught exceptions (analysis or features threw on user input)');
    assert.equal(await client.shutdown(), 0);
  } catch (err) {
    // Give the server a moment to report (as a slow-analysis warning) what it was stuck in.
    await new Promise((r) => setTimeout(r, 3000));
    throw err;
  } finally {
    const slow = client.logs.filter((l) => l.type === 2 && /took \d+ ms/.test(l.message));
    for (const e of client.errorLogs().slice(0, 3)) t.diagnostic(`server error log: ${e.slice(0, 300)}`);
    if (slow.length) t.diagnostic(`${slow.length} slow analyses (> 300 ms): ${slow.slice(0, 5).map((l) => l.message.replace(/^.*analysis of file:\/\/\S*\//, '')).join('; ')}`);
    client.kill();
  }
});
