// Entry point of the analysis core (parse -> bind -> interpret). No IO; never throws on user code.
import type { TensorType } from '../ops/index.js';
import { buildIRs, buildResult, interpret, type OutputReuse } from './analyze.js';
import { parser } from '@lezer/python';
import { ChunkedParser, type Stmt } from './ast.js';
import { buildCoverage } from './coverage.js';
import { LineIndex, prepare, prepareEdit, type Prepared, type TextEdit } from './parse.js';
import type { InstRecord, RunCache } from './interp.js';
import type { AnalysisResult, Diagnostic, ModelIR } from './types.js';

export type * from './types.js';

export type { TextEdit };

export interface AnalyzeOptions {
  /** Shown in diagnostics' context; no file is read. */
  readonly fileName?: string;
  /** Also report what every forward assignment got (AnalysisResult.coverage): for benchmarks and tests. */
  readonly coverage?: boolean;
}

const EMPTY: AnalysisResult = { diagnostics: [], facts: [], layers: [], classes: [], models: new Map(), brokenModels: new Map() };

/** Analyse one source text from scratch. */
export function analyze(source: string, options: AnalyzeOptions = {}): AnalysisResult {
  return new DocumentAnalyzer(options).update(source);
}

/** Keeps parse state between versions of one document so small edits re-analyse fast. */
export class DocumentAnalyzer {
  private readonly chunked = new ChunkedParser();
  /** Root runs of the previous version, replayed when the statements they touched are unchanged. */
  private runCache: RunCache = new Map();
  private instCache: Map<string, InstRecord> | null = null;
  private stmtText: Map<Stmt, string> | null = null;
  /** Output layers of earlier versions, handed out again when unchanged (see buildResult). */
  private readonly outputReuse: OutputReuse = { layers: new Map(), version: 0, stableBelow: 0 };
  private lastSource: string | null = null;
  /** The last version cut into chunks: an edit re-scans only the chunks around it. */
  private prepared: Prepared | null = null;
  private lastResult: AnalysisResult = EMPTY;
  /** Milliseconds of the last update's phases (for the benchmark). */
  timings = { parse: 0, interpret: 0, results: 0 };

  constructor(readonly options: AnalyzeOptions = {}) {}

  /**
   * `edits`: the change from the previous version's text, if known (one edit: the server merges
   * them). It is checked against the texts; without it, or when it does not fit, the whole text
   * is scanned. Unchanged top-level chunks are reused either way.
   */
  update(source: string, edits?: readonly TextEdit[]): AnalysisResult {
    if (source === this.lastSource) return this.lastResult;
    try {
      const t0 = performance.now();
      const { stmts, text } = this.parse(source, edits);
      const p = this.prepared!;
      this.outputReuse.stableBelow = p.same ? (p.chunks[p.same.before]?.from ?? text.length) : 0;
      const t1 = performance.now();
      const next: RunCache = new Map();
      const analysed = interpret(text, stmts, undefined, { prev: this.runCache, next, prevInst: this.instCache, prevStmtText: this.stmtText }, this.options.coverage);
      const t2 = performance.now();
      const lines = new LineIndex(text);
      let result = buildResult(analysed, lines, this.outputReuse);
      if (this.options.coverage) result = { ...result, coverage: buildCoverage(analysed.interp, stmts, lines) };
      this.timings = { parse: t1 - t0, interpret: t2 - t1, results: performance.now() - t2 };
      this.runCache = next;
      this.instCache = analysed.interp.instCache;
      this.stmtText = analysed.interp.stmtText;
      this.lastSource = source;
      this.lastResult = result;
      return result;
    } catch (e) {
      // Our bug, not the user's: never take the editor down with it. The caches may be half
      // moved into the failed version: start the next one afresh.
      this.runCache = new Map();
      this.instCache = null;
      this.stmtText = null;
      this.prepared = null;
      this.outputReuse.layers.clear();
      this.outputReuse.version += 2; // no output of the failed version is taken as current
      return { ...EMPTY, diagnostics: [internalDiagnostic(e)] };
    }
  }

  private parse(source: string, edits?: readonly TextEdit[]): { stmts: Stmt[]; text: string } {
    const last = this.prepared;
    const p = (last && edits && edits.length === 1 && prepareEdit(last, source, edits[0]!)) || prepare(source);
    this.prepared = p;
    return { stmts: parseChunks(p, this.chunked), text: p.text };
  }
}

export interface BuildModelOptions {
  /** nn.Module class name (or module-level variable holding an nn.Sequential). */
  readonly className: string;
  /** Input types for forward (e.g. [N, 1, 28, 28] with a symbolic batch); default: the file's own. */
  readonly inputs?: readonly TensorType[];
}

/** Analyse one class with the given inputs and return the IR the engine executes. */
export function buildModel(source: string, options: BuildModelOptions): { ir: ModelIR | null; diagnostics: Diagnostic[] } {
  try {
    const p = prepare(source);
    const stmts = parseChunks(p, new ChunkedParser());
    const text = p.text;
    const lines = new LineIndex(text);
    const analysed = interpret(text, stmts, options.inputs ? { className: options.className, inputs: [...options.inputs] } : undefined);
    const result = buildResult(analysed, lines);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const irs = buildIRs(analysed, lines);
    const entry = irs.get(options.className);
    const known = analysed.interp.classes.some((c) => c.name === options.className && c.isModule) || analysed.interp.moduleScope.vars.get(options.className)?.kind === 'module';
    if (!entry || !entry.ir) {
      const where = entry?.at !== undefined ? lines.position(entry.at) : { line: 0, character: 0 };
      const message = !known
        ? `no nn.Module class or module-level model named '${options.className}' in this file`
        : `cannot build a runnable model of ${options.className}: its forward uses ${entry?.why ?? 'inputs whose shapes are unknown'}`;
      return { ir: null, diagnostics: [...errors, { range: { start: where, end: where }, severity: 'error', message, code: 'no-model' }] };
    }
    return { ir: errors.length ? null : entry.ir, diagnostics: errors };
  } catch (e) {
    return { ir: null, diagnostics: [internalDiagnostic(e)] };
  }
}

/** Parse the top-level chunks of a prepared text (reused by text between versions). */
function parseChunks(p: Prepared, chunked: ChunkedParser): Stmt[] {
  return chunked.parse(p.text, p.chunks, (chunk) => parser.parse(chunk), p.same);
}

function internalDiagnostic(e: unknown): Diagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'hint', message: `Tensor Studio internal error: ${msg}`, code: 'internal-error' };
}
