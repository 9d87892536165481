// The analysis cache: edits reach the analyzer as one edit in offsets of the text it last saw,
// analysis is lazy, and an analyzer that throws is logged, its last good result kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, TextEdit } from '../../engine/src/frontend/index.js';
import { DocumentStore, EMPTY_RESULT, isPython, type Analyzer } from '../../server/src/documents.js';

class FakeAnalyzer implements Analyzer {
  static created = 0;
  seen: string | undefined;
  calls: { source: string; edits?: readonly TextEdit[] }[] = [];
  constructor() { FakeAnalyzer.created++; }
  update(source: string, edits?: readonly TextEdit[]): AnalysisResult {
    this.calls.push({ source, ...(edits ? { edits } : {}) });
    if (edits) {
      assert.ok(this.seen !== undefined, 'edits sent to an analyzer that never saw the text');
      // Applying the edit to the text we last saw must give the new text.
      for (const e of edits) assert.equal(this.seen.slice(0, e.from) + source.slice(e.from, e.from + e.insertLength) + this.seen.slice(e.to), source);
    }
    if (source.includes('BOOM')) throw new Error('analyzer exploded');
    this.seen = source;
    return { ...EMPTY_RESULT, diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'error', message: source, code: 'echo' }] };
  }
}

const pos = (line: number, character: number) => ({ line, character });

test('only Python documents are tracked', () => {
  assert.ok(isPython('file:///a/model.py'));
  assert.ok(isPython('untitled:Untitled-1', 'python'));
  assert.ok(!isPython('file:///a/notes.txt', 'plaintext'));
  const store = new DocumentStore(() => assert.fail('no errors expected'), () => new FakeAnalyzer());
  assert.equal(store.open('file:///a/notes.txt', 'plaintext', 1, 'hi'), undefined);
});

test('lazy, incremental: several changes fold into one edit of the analysed text', () => {
  const analyzers: FakeAnalyzer[] = [];
  const store = new DocumentStore(() => assert.fail('no errors expected'), () => { const a = new FakeAnalyzer(); analyzers.push(a); return a; });
  const doc = store.open('file:///m.py', 'python', 1, 'x = 1\ny = 2\n')!;
  assert.equal(doc.result().diagnostics[0]!.message, 'x = 1\ny = 2\n');
  assert.equal(doc.result(), doc.result(), 'no re-analysis without changes');
  doc.applyChanges([{ range: { start: pos(1, 4), end: pos(1, 5) }, text: '42' }], 2);
  doc.applyChanges([
    { range: { start: pos(0, 0), end: pos(0, 0) }, text: '# hi\n' },
    { range: { start: pos(3, 0), end: pos(3, 0) }, text: 'z = 3\n' },
  ], 3);
  assert.ok(doc.stale);
  assert.equal(doc.result().diagnostics[0]!.message, '# hi\nx = 1\ny = 42\nz = 3\n');
  const calls = analyzers[0]!.calls;
  assert.equal(calls.length, 2);
  assert.equal(calls[1]!.edits!.length, 1);
  assert.equal(doc.analyzedVersion, 3);
  // A full-text change goes without edits.
  doc.applyChanges([{ text: 'w = 0\n' }], 4);
  doc.result();
  assert.equal(calls.at(-1)!.edits, undefined);
});

test('an analyzer that throws: logged once, last good result kept, fresh analyzer and full text next time', () => {
  const errors: string[] = [];
  FakeAnalyzer.created = 0;
  const store = new DocumentStore((what, err) => errors.push(`${what}: ${(err as Error).message}`), () => new FakeAnalyzer());
  const doc = store.open('file:///m.py', 'python', 1, 'good\n')!;
  const good = doc.result();
  doc.applyChanges([{ range: { start: pos(0, 0), end: pos(0, 0) }, text: 'BOOM ' }], 2);
  assert.equal(doc.result(), good);
  assert.equal(doc.analyzedVersion, 1);
  assert.equal(errors.length, 2); // the incremental try and the fresh retry
  assert.match(errors[0]!, /analysis of file:\/\/\/m.py \(version 2\) failed: analyzer exploded/);
  doc.applyChanges([{ range: { start: pos(0, 0), end: pos(0, 5) }, text: '' }], 3);
  assert.equal(doc.result().diagnostics[0]!.message, 'good\n');
  assert.equal(doc.analyzedVersion, 3);
  assert.equal(FakeAnalyzer.created, 3);
});

test('an analysis that never ends is cut off: last result kept with a warning, server thread free again', () => {
  const errors: string[] = [];
  let made = 0;
  const looping: Analyzer = {
    update(source) {
      if (source.includes('LOOP')) for (;;) { /* a frontend bug: never returns */ }
      return { ...EMPTY_RESULT, diagnostics: [] };
    },
  };
  const store = new DocumentStore((what, err) => errors.push(`${what}: ${(err as Error).message}`), () => { made++; return looping; }, 200);
  const doc = store.open('file:///m.py', 'python', 1, 'ok\n')!;
  doc.result();
  doc.applyChanges([{ range: { start: pos(0, 0), end: pos(0, 0) }, text: 'LOOP ' }], 2);
  const t0 = performance.now();
  const r = doc.result();
  assert.ok(performance.now() - t0 < 2000);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [['analysis-timeout', 'warning']]);
  assert.equal(doc.analyzedVersion, 2);
  assert.equal(errors.length, 1, 'no retry after a timeout');
  assert.match(errors[0]!, /did not finish within 200 ms/);
  // The next change is analysed in full by a fresh analyzer, and the warning goes away.
  doc.applyChanges([{ range: { start: pos(0, 0), end: pos(0, 5) }, text: '' }], 3);
  assert.deepEqual(doc.result().diagnostics, []);
  assert.equal(made, 2); // the one made after the timeout, fed the full text
});
