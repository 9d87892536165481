// Editing: a half-typed line loses only itself, incremental updates equal a fresh analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, DocumentAnalyzer } from '../../engine/src/frontend/index.js';
import { blankUnclosed } from '../../engine/src/frontend/parse.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shapeAt } from './helpers.js';

const SRC = `import torch.nn as nn
from torch import Tensor
from jaxtyping import Float

class A(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(8, 2)

    def forward(self, x: Float[Tensor, "1 3 10 10"]):
        x = self.conv1(x)
        x = x.mean((2, 3))
        y = self.fc(x)
        return y

class B(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 5)

    def forward(self, x: Float[Tensor, "7 4"]):
        z = self.fc(x)
        return z
`;

test('a half-typed line keeps the rest of the file analysed', () => {
  const broken = SRC.replace('x = x.mean((2, 3))', 'x = x.mean((2, ');
  const r = analyze(broken);
  assert.equal(shapeAt(r, broken, 'z = self.fc'), 'Tensor[7, 5]');
  assert.equal(shapeAt(r, broken, 'x = self.conv1'), 'Tensor[1, 8, 8, 8]');
  assert.ok(r.classes.some((c) => c.name === 'B'));
});

test('blankUnclosed keeps offsets and blanks only the unclosed statement', () => {
  const s = 'a = f(1,\n    2)\nb = g(3\nc = 4\n';
  const out = blankUnclosed(s);
  assert.equal(out.length, s.length);
  assert.equal(out.split('\n')[0], 'a = f(1,');
  assert.equal(out.split('\n')[2]!.trim(), '');
  assert.equal(out.split('\n')[3], 'c = 4');
  assert.equal(blankUnclosed('x = """(\n"""\ny = [1,\n 2]\n'), 'x = """(\n"""\ny = [1,\n 2]\n');
});

test('DocumentAnalyzer.update after edits equals a fresh analysis', () => {
  const da = new DocumentAnalyzer();
  da.update(SRC);
  let text = SRC;
  const edits: [string, string][] = [['nn.Linear(4, 5)', 'nn.Linear(4, 6)'], ['x = x.mean((2, 3))', 'x = x.mean((2, '], ['x = x.mean((2, ', 'x = x.mean((2, 3))']];
  for (const [from, to] of edits) {
    const at = text.indexOf(from);
    text = text.slice(0, at) + to + text.slice(at + from.length);
    const inc = da.update(text, [{ from: at, to: at + from.length, insertLength: to.length }]);
    const fresh = analyze(text);
    assert.deepEqual(JSON.stringify(inc.facts), JSON.stringify(fresh.facts));
    assert.deepEqual(inc.diagnostics, fresh.diagnostics);
  }
  assert.equal(shapeAt(da.update(text), text, 'z = self.fc'), 'Tensor[7, 6]');
});

test('incremental updates over a multi-model file equal fresh analyses (reused runs and constructions)', () => {
  const names = ['lenet5.py', 'resnet_basic.py', 'mini_gpt.py', 'unet.py', 'vae.py', 'moduledict_heads_bug.py', 'sequential_mlp.py'];
  const src = names.map((n) => readFileSync(`test/fixtures/shapes/${n}`, 'utf8')).join('\n');
  const da = new DocumentAnalyzer();
  da.update(src);
  const at = src.indexOf('nn.Linear(', src.length / 2) + 'nn.Linear('.length;
  const versions = [src.slice(0, at) + '1' + src.slice(at), src, src.slice(0, at) + ' ' + src.slice(at), src.replace('def forward', 'def forward_')];
  const ser = (r: ReturnType<typeof analyze>) => JSON.stringify({ f: r.facts, d: r.diagnostics, c: r.classes, l: r.layers, m: [...r.models] }, (_k, v) => (v && typeof v === 'object' && v.constructor?.name === 'SymDim' ? String(v) : v));
  for (const v of versions) assert.equal(ser(da.update(v)), ser(analyze(v)));
});

// Single-character insertions at len*k/7, each applied to the original (so consecutive versions
// differ by a delete + insert), then the middle line deleted, then the original again: once, a
// run that found no `forward` (or no `nn`) was replayed after the class (or import) was fixed.
test('edit sequences over every fixture and example: incremental equals fresh, byte for byte', () => {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.py') ? [join(dir, e.name)] : []));
  const files = [...walk('test/fixtures/shapes'), ...walk('examples')].sort();
  assert.ok(files.length > 20);
  const ser = (r: ReturnType<typeof analyze>) => JSON.stringify(r, (_k, v) => (v instanceof Map ? [...v] : v));
  const bad: string[] = [];
  for (const file of files) {
    const s = readFileSync(file, 'utf8');
    const versions = [s];
    for (let k = 1; k <= 6; k++) {
      const p = Math.floor((s.length * k) / 7);
      versions.push(s.slice(0, p) + (k % 2 ? ' ' : 'x') + s.slice(p));
    }
    const lines = s.split('\n');
    const mid = lines.length >> 1;
    versions.push([...lines.slice(0, mid), ...lines.slice(mid + 1)].join('\n'), s);
    const da = new DocumentAnalyzer();
    versions.forEach((v, i) => { if (ser(da.update(v)) !== ser(analyze(v))) bad.push(`${file} version ${i}`); });
  }
  assert.deepEqual(bad, []);
});
