// Edits re-scan only the chunks around them (prepareEdit): the result must equal a scan of the
// whole new text, for every kind of edit, including ones that open or close brackets and
// strings, join or split lines, indent a class line or add a decorator or a backslash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepare, prepareEdit, type TextEdit } from '../../engine/src/frontend/parse.js';
import { DocumentAnalyzer, analyze } from '../../engine/src/frontend/index.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { generateModelFile } from '../../bench/server_bench.js';

const DIR = join(import.meta.dirname, '../fixtures/shapes');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.py')).sort().map((f) => readFileSync(join(DIR, f), 'utf8'));
const TOKENS = ['(', ')', '[', ']', '{', '}', '"', "'", '"""', "'''", '#', '\\', '\n', '\n\n', ' ', '    ', '@', '@dec\n',
  'else:', 'elif x:', 'except:', 'finally:', 'class C:', 'x = (', ')\n', 'f(', '\r\n', 'def f():\n    ', '"""doc', 'y = 1\n'];

function randomEdit(text: string, rnd: () => number): { edit: TextEdit; next: string } {
  const r = rnd();
  // Bias towards line starts: that is where chunks begin and end.
  let from = Math.floor(rnd() * (text.length + 1));
  if (rnd() < 0.4) from = text.lastIndexOf('\n', from - 1) + 1;
  let to = from;
  let ins = '';
  if (r < 0.35) to = Math.min(text.length, from + 1 + Math.floor(rnd() * (rnd() < 0.8 ? 3 : 200)));
  if (r >= 0.25) ins = TOKENS[Math.floor(rnd() * TOKENS.length)]!;
  return { edit: { from, to, insertLength: ins.length }, next: text.slice(0, from) + ins + text.slice(to) };
}

test('prepareEdit equals a whole scan after random edits', () => {
  const rnd = mulberry32(1126);
  let incremental = 0;
  let checked = 0;
  for (const file of FILES) {
    let text = file;
    let prev = prepare(text);
    for (let e = 0; e < 60; e++) {
      const { edit, next } = randomEdit(text, rnd);
      const got = prepareEdit(prev, next, edit);
      const want = prepare(next);
      checked++;
      if (got) {
        incremental++;
        assert.equal(got.text, want.text, `blanked text after edit ${JSON.stringify(edit)}`);
        assert.deepEqual(got.chunks, want.chunks, `chunks after edit ${JSON.stringify(edit)}`);
        const { before, after } = got.same!;
        for (let i = 0; i < before; i++) assert.deepEqual(got.chunks[i], prev.chunks[i]);
        const n = got.chunks.length;
        const m = prev.chunks.length;
        for (let i = 0; i < after; i++) {
          const a: { from: number; to: number } = got.chunks[n - 1 - i]!;
          const b: { from: number; to: number } = prev.chunks[m - 1 - i]!;
          assert.equal(got.text.slice(a.from, a.to), prev.text.slice(b.from, b.to));
        }
      }
      text = next;
      prev = want;
    }
  }
  // Most edits take the short way; the rest (edits that unbalance a string to the end) rescan.
  assert.ok(incremental > checked * 0.8, `${incremental} of ${checked} edits were incremental`);
});

test('prepareEdit refuses an edit that does not describe the change', () => {
  const text = FILES[0]!;
  const prev = prepare(text);
  const next = text.slice(0, 10) + 'X' + text.slice(10);
  assert.equal(prepareEdit(prev, next, { from: 20, to: 20, insertLength: 1 }), null);
  assert.equal(prepareEdit(prev, next, { from: 10, to: 11, insertLength: 1 }), null);
  assert.ok(prepareEdit(prev, next, { from: 10, to: 10, insertLength: 1 }));
});

test('DocumentAnalyzer with edits equals a fresh analysis (results compared whole)', () => {
  const rnd = mulberry32(7);
  for (const file of FILES.slice(0, 12)) {
    const da = new DocumentAnalyzer();
    let text = file;
    da.update(text);
    for (let e = 0; e < 8; e++) {
      const { edit, next } = randomEdit(text, rnd);
      const r = da.update(next, [edit]);
      const fresh = analyze(next);
      assert.deepEqual(JSON.parse(JSON.stringify({ ...r, models: [...r.models] })), JSON.parse(JSON.stringify({ ...fresh, models: [...fresh.models] })));
      text = next;
    }
  }
});

test('typing a line back character by character: every version equals a fresh analysis', () => {
  // Facts above the edit are handed out from the last result without checks (see buildResult):
  // every keystroke's whole result must still equal a fresh analysis, also hovers' ranges.
  // The generated benchmark file has many models: the ones below the edit are replayed, so their
  // facts' outputs are handed out again (and must move when a newline is typed above them).
  const files: [string, string][] = [['generated', generateModelFile(300)], ...['resnet_stage.py', 'mini_gpt.py'].map((n): [string, string] => [n, readFileSync(join(DIR, n), 'utf8')])];
  for (const [name, file] of files) {
    const lines = file.split('\n');
    // A line inside a forward body, somewhere in the middle of the file.
    const li = lines.findIndex((l, i) => i > lines.length / 5 && /^ {8}\w+ = /.test(l));
    assert.ok(li > 0, name);
    const start = lines.slice(0, li).join('\n').length + 1;
    const line = `${lines[li]!}\n`; // the newline too: then every line below moves
    let text = file.slice(0, start) + file.slice(start + line.length);
    const da = new DocumentAnalyzer();
    da.update(text);
    for (let k = 0; k < line.length; k++) {
      const next = text.slice(0, start + k) + line[k] + text.slice(start + k);
      const r = da.update(next, [{ from: start + k, to: start + k, insertLength: 1 }]);
      const fresh = analyze(next);
      assert.deepEqual(JSON.parse(JSON.stringify({ ...r, models: [...r.models] })), JSON.parse(JSON.stringify({ ...fresh, models: [...fresh.models] })), `${name} after typing ${JSON.stringify(line.slice(0, k + 1))}`);
      text = next;
    }
  }
});
