// `tensor-studio check FILE...`: shape-check model files without an editor (CI, pre-commit).
// Output is gcc-style so editors and CI annotators pick it up; --json is for tools.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, Script } from 'node:vm';
import { analyze } from '../frontend/index.js';
import type { Diagnostic, Severity } from '../frontend/index.js';
import type { Subcommand } from './types.js';

const HELP = `Usage: tensor-studio check [options] FILE|DIR...

Infers the shape of every tensor in each PyTorch model file and reports where shapes stop
fitting. A directory is searched for .py files (recursively, skipping hidden folders).

Output: one line per problem, gcc-style (line and column are 1-based):
  model.py:21:13: error: conv2 expects 16 input channels, got 32 [shape-mismatch]
followed by 'note:' lines for related locations, and a summary line on stderr.

Options:
  --json       print a JSON array on stdout instead:
               [{file, line, column, endLine, endColumn, severity, code, message, related:
                 [{line, column, endLine, endColumn, message}]}]
  --verbose    also report information and hint diagnostics (default: errors and warnings)
  -h, --help   show this help

Exit status: 0 no errors, 1 at least one error, 2 usage error, a file that cannot be read,
or one whose analysis fails or runs past TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS (default 30000).`;

const TIME_LIMIT_MS = Number(process.env.TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS) || 30_000;

/** node:vm's timeout interrupts synchronous code: a looping analysis costs one file, not the whole run. */
function withTimeLimit<T>(fn: () => T, ms: number): T {
  const context = createContext({ run: fn });
  return new Script('run()').runInContext(context, { timeout: ms }) as T;
}

interface JsonRelated { line: number; column: number; endLine: number; endColumn: number; message: string }
interface JsonDiagnostic {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  severity: Severity; code: string; message: string; related: JsonRelated[];
}

const gccSeverity: Record<Severity, string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** Expands directories to their .py files; errors name the path that failed. */
function collect(paths: readonly string[]): { files: string[]; errors: string[] } {
  const files: string[] = [];
  const errors: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules' || name === '__pycache__') continue;
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.py')) files.push(p);
    }
  };
  for (const p of paths) {
    try {
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    } catch (err) {
      errors.push(`${p}: cannot read: ${reason(err)}`);
    }
  }
  return { files, errors };
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(err);
}

export const checkCommand: Subcommand = {
  name: 'check',
  summary: 'shape-check PyTorch model files (gcc-style output, --json)',
  async run(args) {
    let json = false;
    let verbose = false;
    const paths: string[] = [];
    let onlyPaths = false;
    for (const a of args) {
      if (onlyPaths || !a.startsWith('-') || a === '-') paths.push(a);
      else if (a === '--') onlyPaths = true;
      else if (a === '--json') json = true;
      else if (a === '--verbose' || a === '-v') verbose = true;
      else if (a === '--help' || a === '-h') { console.log(HELP); return 0; }
      else { console.error(`tensor-studio check: unknown option '${a}'\nRun 'tensor-studio check --help' for usage.`); return 2; }
    }
    if (paths.length === 0) { console.error(`tensor-studio check: no files given\nRun 'tensor-studio check --help' for usage.`); return 2; }

    const { files, errors } = collect(paths);
    const shown = (d: Diagnostic): boolean => verbose || d.severity === 'error' || d.severity === 'warning';
    const out: JsonDiagnostic[] = [];
    const counts: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
    let checked = 0;
    for (const file of files) {
      let source: string;
      try {
        source = readFileSync(file, 'utf8');
      } catch (err) {
        errors.push(`${file}: cannot read: ${reason(err)}`);
        continue;
      }
      let diagnostics: readonly Diagnostic[];
      try {
        diagnostics = withTimeLimit(() => analyze(source, { fileName: file }).diagnostics, TIME_LIMIT_MS);
      } catch (err) {
        // The analysis core must not throw on user code; if it does, say so for this file and go on.
        const timedOut = (err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
        errors.push(`${file}: internal error: ${timedOut ? `analysis did not finish within ${TIME_LIMIT_MS} ms` : `analysis failed: ${reason(err)}`}`);
        continue;
      }
      checked++;
      const sorted = [...diagnostics].filter(shown).sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
      for (const d of sorted) {
        counts[d.severity]++;
        const jd: JsonDiagnostic = {
          file, ...pos(d.range), severity: d.severity, code: d.code, message: d.message,
          related: (d.related ?? []).map((r) => ({ ...pos(r.range), message: r.message })),
        };
        out.push(jd);
        if (!json) {
          console.log(`${file}:${jd.line}:${jd.column}: ${gccSeverity[d.severity]}: ${d.message} [${d.code}]`);
          for (const r of jd.related) console.log(`${file}:${r.line}:${r.column}: note: ${r.message}`);
        }
      }
    }
    if (json) console.log(JSON.stringify(out, null, 2));
    for (const e of errors) console.error(`tensor-studio check: ${e}`);
    const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
    const extra = verbose ? `, ${plural(counts.information + counts.hint, 'note')}` : '';
    console.error(`tensor-studio check: ${plural(checked, 'file')} checked, ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}${extra}${errors.length ? `, ${plural(errors.length, 'file')} not checked` : ''}`);
    if (errors.length) return 2;
    return counts.error > 0 ? 1 : 0;
  },
};

function pos(r: Diagnostic['range']): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}
