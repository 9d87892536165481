// The shape fixture runner: every test/fixtures/shapes/*.py is analysed and checked against its
// `# shape:` and `# error:` comments (format: test/fixtures/shapes/README.md). Each file is one
// test; a failure lists every mismatch as file:line so one run shows all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../engine/src/frontend/index.js';
import { shapeToString } from '../../engine/src/shape/dim.js';
import type { ShapeFact, Value } from '../../engine/src/frontend/index.js';

const DIR = 'test/fixtures/shapes';

/** Split at top-level occurrences of `sep` (not inside brackets). */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    if (depth === 0 && s.startsWith(sep, i)) {
      out.push(cur.trim());
      cur = '';
      i += sep.length - 1;
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out.filter((x) => x.length > 0);
}

function show(v: Value): string {
  return v.kind === 'tensor' ? shapeToString(v.shape) : v.kind;
}

export function checkFixture(file: string, source: string): string[] {
  const problems: string[] = [];
  const r = analyze(source, { fileName: file });
  const lines = source.split('\n');
  const assigns = r.facts.filter((f) => f.kind === 'assign');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  const errorLines = new Set<number>();
  lines.forEach((text, i) => {
    const at = `${file}:${i + 1}`;
    const sm = /#\s*shape:\s*(.*)$/.exec(text);
    if (sm) {
      const expected = splitTop(sm[1]!.trim(), ', ').map((leaf) => splitTop(leaf, ' | '));
      let facts: ShapeFact[] = assigns.filter((f) => f.range.start.line === i);
      if (facts.length === 0) facts = assigns.filter((f) => f.hintAt?.line === i);
      facts.sort((a, b) => a.range.start.character - b.range.start.character);
      if (facts.length !== expected.length) {
        problems.push(`${at}: expected ${expected.length} shape(s) (${sm[1]!.trim()}), analysis has ${facts.length}${facts.length ? ': ' + facts.map((f) => f.values.map(show).join(' | ')).join(', ') : ''}`);
      } else {
        expected.forEach((alts, k) => {
          const got = [...new Set(facts[k]!.values.map(show))];
          const want = [...new Set(alts)];
          const same = got.length === want.length && want.every((w) => got.includes(w));
          if (!same) problems.push(`${at}: ${facts[k]!.text}: expected ${want.join(' | ')}, got ${got.join(' | ') || 'nothing'}`);
        });
      }
    }
    const em = /#\s*error:\s*(.*)$/.exec(text);
    if (em) {
      errorLines.add(i);
      const words = em[1]!.trim().split(/\s+/).filter(Boolean).map((w) => w.toLowerCase());
      const here = errors.filter((d) => d.range.start.line === i);
      if (here.length !== 1) {
        problems.push(`${at}: expected one error containing ${words.join(' ')}, got ${here.length}${here.length ? ': ' + here.map((d) => d.message).join(' / ') : ''}`);
      } else {
        const msg = here[0]!.message.toLowerCase();
        const missingWords = words.filter((w) => !msg.includes(w));
        if (missingWords.length) problems.push(`${at}: error message lacks ${missingWords.join(' ')}: ${here[0]!.message}`);
      }
    }
  });
  for (const d of errors) {
    if (!errorLines.has(d.range.start.line)) problems.push(`${file}:${d.range.start.line + 1}: unexpected error: ${d.message}`);
  }
  return problems;
}

// einops/ holds the einops fixtures (proven by their own verifier against torch equivalents: einops is not in Debian).
const files = [...readdirSync(DIR).filter((f) => f.endsWith('.py')),
  ...readdirSync(join(DIR, 'einops')).filter((f) => /^einops_.*\.py$/.test(f)).map((f) => `einops/${f}`)].sort();

test('shape fixtures exist', () => {
  assert.ok(files.length > 0, `no fixtures in ${DIR}`);
});

for (const name of files) {
  test(`fixture ${name}`, () => {
    const path = join(DIR, name);
    const problems = checkFixture(path, readFileSync(path, 'utf8'));
    if (problems.length) assert.fail(`${problems.length} mismatch(es):\n${problems.join('\n')}`);
  });
}
