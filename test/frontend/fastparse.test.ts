// The hand-written chunk parser (fastparse.ts) against lezer + Converter: on our whole corpus it
// must accept every chunk and give the same AST; on randomly broken code it must give the same AST
// or null (never throw, never differ).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parser } from '@lezer/python';
import { Converter, children, type Stmt } from '../../engine/src/frontend/ast.js';
import { blankUnclosed, topLevelChunks } from '../../engine/src/frontend/parse.js';
import { fastParseChunk } from '../../engine/src/frontend/fastparse.js';
import { mulberry32 } from '../../engine/src/data/rng.js';
import { generateModelFile } from '../../bench/server_bench.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EDITS = Number(process.env.FASTPARSE_EDITS ?? 20000);
const SEED = Number(process.env.FASTPARSE_SEED ?? 20261126);

function pyFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const name of readdirSync(abs).sort()) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) out.push(...pyFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

function corpus(): { name: string; text: string }[] {
  const files = ['test/fixtures/shapes', 'test/lsp/fixtures', 'test/engine', 'examples'].flatMap(pyFiles);
  const out = files.map((f) => ({ name: f, text: readFileSync(join(ROOT, f), 'utf8') }));
  out.push({ name: 'generateModelFile(2000)', text: generateModelFile(2000) });
  return out;
}

/** What the fallback gives: lezer's tree converted, as plain JSON (an undefined property equals a missing one). */
function slow(text: string, off: number): unknown {
  return JSON.parse(JSON.stringify(new Converter(text, off).stmts(children(parser.parse(text).topNode))));
}

function hasError(text: string): boolean {
  let err = false;
  parser.parse(text).iterate({ enter: (n) => { if (n.type.isError) err = true; return !err; } });
  return err;
}

function fast(text: string, off: number): unknown {
  const r = fastParseChunk(text, off);
  return r === null ? null : JSON.parse(JSON.stringify(r));
}

/** The first path where two JSON values differ, with both sides (for readable failures). */
function firstDiff(a: unknown, b: unknown, path = ''): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path || '.'}: fast ${JSON.stringify(a)?.slice(0, 200)} lezer ${JSON.stringify(b)?.slice(0, 200)}`;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) return firstDiff(x[k], y[k], `${path}.${k}`);
  }
  return `${path}: key order`;
}

function check(text: string, off: number, got: unknown, what: string): void {
  const want = slow(text, off);
  if (JSON.stringify(got) !== JSON.stringify(want)) assert.fail(`${what}: ${JSON.stringify(text.slice(0, 300))}\n${firstDiff(got, want)}`);
  assert.deepStrictEqual(got, want);
}

function chunksOf(src: string): { text: string; from: number }[] {
  const b = blankUnclosed(src);
  return topLevelChunks(b).map((c) => ({ text: b.slice(c.from, c.to), from: c.from }));
}

test('fastparse: every chunk of our corpus is accepted and equals lezer + Converter', () => {
  const files = corpus();
  assert.ok(files.length > 20, 'corpus found');
  let chunks = 0;
  for (const f of files) {
    for (const ch of chunksOf(f.text)) {
      chunks++;
      const got = fast(ch.text, ch.from);
      // A chunk lezer parses with an error (`1.` is not a number for lezer) must bail.
      if (hasError(ch.text)) { assert.equal(got, null, `${f.name}@${ch.from}: accepted a chunk lezer finds an error in`); continue; }
      assert.notEqual(got, null, `${f.name}@${ch.from}: fast parser bailed on ${JSON.stringify(ch.text.slice(0, 200))}`);
      check(ch.text, ch.from, got, `${f.name}@${ch.from}`);
    }
  }
  assert.ok(chunks > 500);
});

const TOKENS = [
  '(', ')', '[', ']', '{', '}', ':', ',', '.', '=', '==', '+', '-', '*', '/', '//', '**', '@', '\n', '\n    ', '    ', '  ', '\t', '\\', '\\\n',
  'x', 'self', 'self.', 'nn.', 'F.relu(', 'def ', 'class ', 'return ', 'if ', 'else', 'elif x:', 'for ', ' in ', 'not ', ' and ', ' or ',
  'lambda', 'lambda x: ', 'yield ', 'async ', 'await ', 'None', 'True', '0', '-1', '1e3', '0x1f', '1.', '.5', '1_0j', ':=', '->', ';',
  '"""', "'", '"', "f'", 'f"{', '}', 'r"', 'b"', '#', '# c\n', 'é', '\u0000', '\r\n', 'print ', 'print', 'match ', 'type ', 'global ',
  'del ', 'try:', 'except', 'finally:', 'with ', ' as ', 'import ', 'from ', '*args', '**kw', '...', 'is not ', ' not in ', '!=', '<>', '~',
];

test('fastparse: on randomly broken code it equals lezer + Converter or bails', (t) => {
  const rand = mulberry32(SEED);
  const int = (n: number): number => Math.floor(rand() * n);
  const pool = corpus().flatMap((f) => chunksOf(f.text).map((c) => c.text)).filter((t) => t.trim().length > 0);
  let accepted = 0;
  let checked = 0;
  for (let i = 0; i < EDITS; i++) {
    let text = pool[int(pool.length)]!;
    for (let e = 1 + int(3); e > 0; e--) {
      const n = text.length;
      const kind = int(100);
      if (kind < 25) { const from = int(n); text = text.slice(0, from) + text.slice(Math.min(n, from + 1 + int(12))); }      // delete
      else if (kind < 30) text = text.slice(0, int(n + 1));                                                                   // truncate
      else if (kind < 45 && n >= 2) { const at = int(n - 1); text = text.slice(0, at) + text[at + 1]! + text[at]! + text.slice(at + 2); } // swap
      else if (kind < 55) {                                                                                                    // re-indent a line
        const starts = [0];
        for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
        const ls = starts[int(starts.length)]!;
        text = int(2) ? text.slice(0, ls) + ' '.repeat(1 + int(8)) + text.slice(ls) : text.slice(0, ls) + text.slice(ls).replace(/^ {1,4}/, '');
      } else { const at = int(n + 1); text = text.slice(0, at) + TOKENS[int(TOKENS.length)]! + text.slice(at); }                // insert
    }
    for (const ch of chunksOf(text)) {
      const off = int(1000);
      let got: unknown;
      assert.doesNotThrow(() => { got = fast(ch.text, off); }, `threw on ${JSON.stringify(ch.text)}`);
      checked++;
      if (got === null) continue;
      accepted++;
      check(ch.text, off, got, `seed ${SEED}, edit ${i}`);
    }
  }
  t.diagnostic(`${EDITS} edited chunks, ${checked} chunks checked, ${accepted} accepted (seed ${SEED})`);
  assert.ok(accepted > checked / 4, `fast parser accepted ${accepted} of ${checked} broken chunks`);
});

function stmts(src: string, off = 0): Stmt[] {
  const r = fastParseChunk(src, off);
  assert.notEqual(r, null, src);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(r)), slow(src, off), src);
  return r!;
}

test('fastparse: spans of bodies, parentheses, decorators, elif chains', () => {
  // A body ends with the newline of its last statement, not at trailing comments or blank lines.
  const [f] = stmts('def f():\n    x = 1  # c\n\n    # d\n', 10);
  assert.equal(f!.to, 10 + 'def f():\n    x = 1  # c\n'.length);
  // Without a final newline a body ends at its last token; an inline body includes its newline.
  assert.equal(stmts('def f(): pass')[0]!.to, 13);
  assert.equal(stmts('if x: y\nelse: z\n')[0]!.to, 16);
  // An argument spans its parentheses, its value does not.
  const [call] = stmts('f((a), *(b), c=(d))');
  const args = (call as { e: { args: { from: number; to: number; value: { from: number } }[] } }).e.args;
  assert.deepEqual(args.map((a) => [a.from, a.to, a.value.from]), [[2, 5, 3], [7, 11, 9], [13, 18, 16]]);
  // A decorated def starts at `def`; elif is a nested if ending where the whole statement ends.
  const [d] = stmts('@a.b(c)\n@d\nasync def g(x: int = 1, *a, k, **kw) -> T:\n    return x\n');
  assert.equal(d!.k === 'def' && d!.from, 11);
  const [i] = stmts('if a:\n    b\nelif c:\n    d\nelse:\n    e\n');
  assert.ok(i!.k === 'if' && i!.orelse[0]!.from === 12 && i!.orelse[0]!.to === i!.to);
  // lezer quirks: `not` takes everything to its right; `1.e5` is an attribute; strings keep escapes.
  stmts('x = not a and b == c or d\ny = a < not b\n');
  stmts('z = 1.e5 + 0x_1f + 1_000.5j + .5\n');
  stmts('s = r"\\d" "a\\n" f"{x!r:>{w}}" \'\'\'q\'\'\'\n');
  stmts('x[1:2, ::3, a,], y[(a):(b)], {**a, b: c}, {a for b in c if d if e}, (x for x in y), lambda *a, b=1, **k: 0\n');
  stmts('from ..a.b import (c as d, e,)\nimport a.b as c, d\nglobal g\ndel a, b\nassert x, "m"\nraise E from e\n');
  stmts('try:\n    a\nexcept (A, B) as e:\n    b\nexcept:\n    c\nelse:\n    d\nfinally:\n    e\n');
  // yield and await are `unknown` expressions; `await` takes a whole expression to its right.
  stmts('def g():\n    x = yield a, b\n    yield from c\n    y = (yield)\n' .replace('(yield)', '(yield d)'));
  stmts('async def h():\n    a = await b + c < d\n    async with e as f:\n        await g.h(i)\n');
  // `match` is a soft keyword; lines indented at the top level are statements there (no lezer error).
  stmts('match = re.match(p, s)\nmatch.group(1)\n  z = 2\n');
  stmts('with open(f) as g, h:\n    for i, *j in k:\n        while (n := 1):\n            break\n    else:\n        continue\n');
});

test('fastparse: bails on syntax errors and constructs it leaves to lezer', () => {
  for (const src of ['x = (1,\n', 'def f(:\n    pass\n', 'print x\n', 'x = yield\n', 'match x:\n    case 1: pass\n', 'type X = int\n', 'x = 1.\n',
    'if x:\npass\n', 'if x:\n        a\n  else:\n   b\n', 'def f():\n    x\n      y\n', 'x = 1\n    ', 'x = "abc\n', 'class A:\n    def f(self):\n        pass\n      x = 1\n', 'x = 1\r\ny = 2\r\n', 'f(a for a in b, c)\n']) {
    assert.equal(fastParseChunk(src, 0), null, src);
  }
});
