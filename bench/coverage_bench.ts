// `npm run bench:coverage`: how much forward code gets a shape. Over torchvision's installed model
// sources (Debian's python3-torchvision), our examples and GPT-style files, it counts the
// assignment targets inside `forward` methods (and the functions and methods forward calls), how
// many get a shape of known rank, how many a fully concrete one, and why the rest get none
// (AnalyzeOptions.coverage: the analysis says what it could not see). Also the slowest file.
// Prints a table and writes bench-coverage-results.json. Targets known not to be tensors (ints,
// modules, ...) are left out; an unknown value counts as a tensor without a shape.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyze, type CoverageEntry } from '../engine/src/frontend/index.js';

export const TORCHVISION_MODELS = process.env.TORCHVISION_MODELS ?? '/usr/lib/python3/dist-packages/torchvision/models';

export interface Group { name: string; files: string[] }

function pyFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === '__pycache__') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pyFiles(p));
    else if (name.endsWith('.py')) out.push(p);
  }
  return out;
}

export function coverageGroups(root = '.'): Group[] {
  const tv = pyFiles(TORCHVISION_MODELS);
  const isCls = (f: string): boolean => !/\/(detection|segmentation|video|optical_flow)\//.test(relative(TORCHVISION_MODELS, f).replace(/^/, '/'));
  const gpt = [...pyFiles(join(root, 'test/fixtures/graph')), ...['gpt_config.py'].map((f) => join(root, 'test/fixtures/shapes', f)).filter(existsSync)];
  return [
    { name: 'torchvision classification', files: tv.filter(isCls) },
    { name: 'torchvision detection/segmentation/video', files: tv.filter((f) => !isCls(f)) },
    { name: 'our examples', files: pyFiles(join(root, 'examples')) },
    { name: 'GPT-style', files: gpt.filter((f) => !f.endsWith('make_golden.py')) },
  ];
}

export interface GroupCoverage {
  name: string; files: number; targets: number; rank: number; concrete: number;
  rankPct: number; concretePct: number; errors: number; crashes: number; slowestMs: number; slowestFile: string;
  reasons: [string, number][];
}

/** Reasons are grouped by their kind: the part before a ':' names it ('unknown call: foo' -> 'unknown call'). */
function reasonKey(e: CoverageEntry): string {
  const w = e.why ?? 'unknown';
  return w;
}

export function measureGroup(g: Group): GroupCoverage {
  let targets = 0; let rank = 0; let concrete = 0; let errors = 0; let crashes = 0; let slowestMs = 0; let slowestFile = '';
  const reasons = new Map<string, number>();
  for (const file of g.files) {
    const src = readFileSync(file, 'utf8');
    const t0 = performance.now();
    const r = analyze(src, { fileName: file, coverage: true });
    const ms = performance.now() - t0;
    if (ms > slowestMs) { slowestMs = ms; slowestFile = file; }
    errors += r.diagnostics.filter((d) => d.severity === 'error').length;
    crashes += r.diagnostics.filter((d) => d.code === 'internal-error').length;
    for (const e of r.coverage ?? []) {
      if (e.status === 'not-tensor') continue;
      targets++;
      if (e.status === 'rank' || e.status === 'concrete') rank++;
      if (e.status === 'concrete') concrete++;
      if (e.status === 'unknown' || e.status === 'not-reached') reasons.set(reasonKey(e), (reasons.get(reasonKey(e)) ?? 0) + 1);
    }
  }
  const pct = (n: number): number => (targets ? Math.round((1000 * n) / targets) / 10 : 0);
  return {
    name: g.name, files: g.files.length, targets, rank, concrete, rankPct: pct(rank), concretePct: pct(concrete), errors, crashes,
    slowestMs: Math.round(slowestMs * 10) / 10, slowestFile, reasons: [...reasons].sort((a, b) => b[1] - a[1]),
  };
}

function main(): void {
  const groups = coverageGroups();
  if (groups[0]!.files.length === 0) console.warn(`no torchvision models at ${TORCHVISION_MODELS} (apt-get install python3-torchvision, or set TORCHVISION_MODELS)`);
  // Warm the JIT so the slowest-file figure is an analysis, not a compilation.
  for (const f of groups[0]!.files.slice(0, 5)) analyze(readFileSync(f, 'utf8'));
  const results = groups.map(measureGroup);
  const pad = (s: string | number, n: number): string => String(s).padEnd(n);
  console.log(`${pad('kind of code', 42)}${pad('files', 7)}${pad('targets', 9)}${pad('known rank', 18)}${pad('concrete', 16)}${pad('errors', 8)}${pad('crashes', 9)}slowest file`);
  for (const r of results) {
    console.log(`${pad(r.name, 42)}${pad(r.files, 7)}${pad(r.targets, 9)}${pad(`${r.rank} (${r.rankPct}%)`, 18)}${pad(`${r.concrete} (${r.concretePct}%)`, 16)}${pad(r.errors, 8)}${pad(r.crashes, 9)}${r.slowestMs} ms ${r.slowestFile ? relative(TORCHVISION_MODELS, r.slowestFile).startsWith('..') ? r.slowestFile : relative(TORCHVISION_MODELS, r.slowestFile) : ''}`);
  }
  const all = new Map<string, number>();
  for (const r of results) for (const [k, n] of r.reasons) all.set(k, (all.get(k) ?? 0) + n);
  console.log('\ntop reasons for targets without a shape (all kinds of code):');
  for (const [k, n] of [...all].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${String(n).padStart(5)}  ${k}`);
  writeFileSync('bench-coverage-results.json', JSON.stringify(results, null, 2) + '\n');
  console.log('\nwrote bench-coverage-results.json');
}

if (import.meta.url === `file://${process.argv[1]}`) main();
