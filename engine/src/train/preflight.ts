// Checks made before a run starts, in milliseconds and before any data is read: the model file
// goes through the same analysis the language server runs (shape errors refuse the run, each
// with its line), and every data file the config names must exist. Each failure is a TrainError
// whose problems locate it: a line of the model file, or a field of the config.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { analyze, type AnalysisResult, type Diagnostic } from '../frontend/index.js';
import { chooseModel } from '../model/index.js';
import { TrainError } from './errors.js';
import type { RunConfig, SourceConfig } from './config.js';
import type { RunProblem } from './run_summary.js';

const SOURCE_FILES = ['features', 'labels', 'path', 'images'] as const;

export function preflight(cfg: RunConfig): void {
  checkDataFiles(cfg);
  checkModel(cfg);
}

function checkDataFiles(cfg: RunConfig): void {
  const problems: RunProblem[] = [];
  const sources: [string, SourceConfig | undefined][] = [['train', cfg.data.train], ['val', cfg.data.val]];
  for (const [key, src] of sources) {
    for (const f of SOURCE_FILES) {
      const path = src?.[f];
      if (path !== undefined && !existsSync(path)) {
        problems.push({ message: `data.${key}.${f}: ${path} does not exist`, jsonPath: ['data', key, f], ...(cfg.configPath ? { file: cfg.configPath } : {}) });
      }
    }
  }
  if (problems.length) throw new TrainError(problems.map((p) => p.message).join('\n'), 'data', problems);
}

/** The classes `root` reaches by name in its own text, transitively (the blocks it builds). */
function reachableClasses(result: AnalysisResult, source: string, lines: readonly number[], root: string): Set<string> {
  const text = (r: { start: { line: number }; end: { line: number } }) => source.slice(lines[r.start.line], lines[r.end.line + 1] ?? source.length);
  const seen = new Set([root]);
  const queue = [root];
  while (queue.length) {
    const cls = result.classes.find((c) => c.name === queue.pop());
    if (!cls) continue;
    const body = text(cls.range);
    for (const other of result.classes) {
      if (!seen.has(other.name) && new RegExp(`\\b${other.name}\\b`).test(body)) { seen.add(other.name); queue.push(other.name); }
    }
  }
  return seen;
}

function checkModel(cfg: RunConfig): void {
  const file = cfg.model.file;
  let source: string;
  try { source = readFileSync(file, 'utf8'); } catch (e) {
    const message = `model.file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    throw new TrainError(message, 'config', [{ message, jsonPath: ['model', 'file'], ...(cfg.configPath ? { file: cfg.configPath } : {}) }]);
  }
  const result = analyze(source, { fileName: basename(file) });
  let className: string;
  try { className = chooseModel(result.models, result.diagnostics, { className: cfg.model.class, fileName: basename(file) }, result.classes); } catch (e) {
    // A class that is not there is the config's mistake; a class the engine cannot run is the model's.
    const notFound = cfg.model.class !== undefined && !result.classes.some((c) => c.name === cfg.model.class);
    const message = (e as Error).message;
    if (notFound) throw new TrainError(message, 'config', [{ message, jsonPath: ['model', 'class'], ...(cfg.configPath ? { file: cfg.configPath } : {}) }]);
    const located = locate(result.diagnostics.filter((d) => d.severity === 'error'), file);
    throw new TrainError(message, located.length ? 'shape' : 'model', located.length ? located : undefined);
  }
  const lines = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lines.push(i + 1);
  const used = reachableClasses(result, source, lines, className);
  const inClass = (d: Diagnostic) => result.classes.find((c) => c.range.start.line <= d.range.start.line && d.range.end.line <= c.range.end.line);
  const errors = result.diagnostics.filter((d) => {
    if (d.severity !== 'error') return false;
    const owner = inClass(d);
    return !owner || used.has(owner.name);
  });
  if (errors.length === 0) return;
  const problems = locate(errors, file);
  const head = `${className} has ${errors.length} shape error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before training`;
  throw new TrainError([head, ...problems.map((p) => `  ${basename(file)}:${p.line! + 1}:${p.column! + 1}: ${p.message}`)].join('\n'), 'shape', problems);
}

function locate(errors: readonly Diagnostic[], file: string): RunProblem[] {
  return [...errors].sort((a, b) => a.range.start.line - b.range.start.line).map((d) => ({
    message: d.message, file,
    line: d.range.start.line, column: d.range.start.character, endLine: d.range.end.line, endColumn: d.range.end.character,
  }));
}
