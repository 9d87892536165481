// Output facts are reused between versions when nothing about them changed; a reused fact must
// never carry a stale position, text or value (the result stays equal to a fresh analysis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, DocumentAnalyzer, type AnalysisResult } from '../../engine/src/frontend/index.js';
import { LineIndex } from '../../engine/src/frontend/parse.js';
import { generateModelFile } from '../../bench/server_bench.js';

const ser = (r: AnalysisResult): string =>
  JSON.stringify({ f: r.facts, d: r.diagnostics, c: r.classes, l: r.layers, m: [...r.models] }, (_k, v) => (v instanceof Map ? [...v] : v && typeof v === 'object' && v.constructor?.name === 'SymDim' ? String(v) : v));

const SOURCE = generateModelFile(300);

/** Apply `edits` one after another (each: find `from`, replace by `to`), checking each version against a fresh analysis. */
function walk(edits: [string, string][]): { prev: AnalysisResult; next: AnalysisResult }[] {
  const da = new DocumentAnalyzer();
  let text = SOURCE;
  let prev = da.update(text);
  const out: { prev: AnalysisResult; next: AnalysisResult }[] = [];
  for (const [from, to] of edits) {
    const at = text.indexOf(from);
    assert.ok(at >= 0, `edit anchor not found: ${from}`);
    text = text.slice(0, at) + to + text.slice(at + from.length);
    const next = da.update(text);
    assert.equal(ser(next), ser(analyze(text)), `after replacing ${JSON.stringify(from)} by ${JSON.stringify(to)}`);
    out.push({ prev, next });
    prev = next;
  }
  return out;
}

test('a one-character edit inside a forward reuses the facts and layers it did not change', () => {
  const [step] = walk([['        x = self.res2(x)', '        x = self.res2(x )']]);
  const before = new Set(step!.prev.facts);
  const reused = step!.next.facts.filter((f) => before.has(f)).length;
  // Only the facts of the re-run example call (one of this file's four groups) are rebuilt.
  assert.ok(reused > step!.next.facts.length * 0.6, `${reused} of ${step!.next.facts.length} facts reused`);
  const layersBefore = new Set(step!.prev.layers);
  const layersReused = step!.next.layers.filter((l) => layersBefore.has(l)).length;
  assert.ok(layersReused > step!.next.layers.length * 0.6, `${layersReused} of ${step!.next.layers.length} layers reused`);
  // Net1's run is replayed, its IR nodes moved by one character: the same objects come back.
  const nodesBefore = new Set(step!.prev.models.get('Net1')!.nodes);
  assert.ok(step!.next.models.get('Net1')!.nodes.every((n) => nodesBefore.has(n)));
});

test('facts after an inserted line, a changed value or a renamed variable are not reused stale', () => {
  walk([
    ['class ConvBlock0', '# a new line above everything\nclass ConvBlock0'],
    ['nn.Conv2d(cin, cout, kernel_size=3, padding=1)', 'nn.Conv2d(cin, cout, kernel_size=3, padding=2)'],
    ['        out = out + identity', '        outs = out + identity\n        out = outs'],
    ['net0 = Net0()', 'net0 = Net0(num_classes=7)'],
    ['# a new line above everything\n', ''],
    ['padding=2)', 'padding=1)'],
  ]);
});

test('LineIndex.isAt agrees with position() at every offset, line ends included', () => {
  const text = 'ab\n\ncd\r\n  e\nlast';
  const li = new LineIndex(text);
  for (let o = 0; o <= text.length; o++) {
    const p = li.position(o);
    assert.ok(li.isAt(o, p.line, p.character), `offset ${o}`);
    for (const other of [o - 1, o + 1]) if (other >= 0 && other <= text.length) assert.ok(!li.isAt(other, p.line, p.character), `offset ${other} at ${o}'s position`);
  }
  assert.ok(!li.isAt(3, 0, 3)); // past the end of line 0: that offset is line 1
});
