// Open documents and their analyses. One DocumentAnalyzer per document; edits since the last
// analysis are folded into one edit in offsets of the last analysed text, so analysis can run
// lazily (debounced for diagnostics, on demand for hover/inlay/lens) and still be incremental.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { DocumentAnalyzer, type AnalysisResult, type Diagnostic, type TextEdit } from '../../engine/src/frontend/index.js';
import { TimeLimitExceeded, withTimeLimit } from './time_limit.js';

export const EMPTY_RESULT: AnalysisResult = { diagnostics: [], facts: [], layers: [], classes: [], models: new Map(), brokenModels: new Map() };

/** Longest one analysis may run before the server gives up on it (TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS overrides). */
export const ANALYSIS_TIME_LIMIT_MS = Number(process.env.TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS) || 3000;

/** Edit `a` (T0 -> T1) followed by edit `b` (in T1 offsets, T1 -> T2) as one edit T0 -> T2. */
export function composeEdits(a: TextEdit, b: TextEdit): TextEdit {
  const aEnd = a.from + a.insertLength; // end of a's inserted text in T1
  const start = Math.min(a.from, b.from);
  const end1 = Math.max(aEnd, b.to); // union end in T1
  const end0 = end1 + (a.to - aEnd); // text after aEnd in T1 sits after a.to in T0
  return { from: start, to: end0, insertLength: end1 - start + b.insertLength - (b.to - b.from) };
}

/** What a document needs from the analysis core (an interface so tests can inject failures). */
export interface Analyzer { update(source: string, edits?: readonly TextEdit[]): AnalysisResult }
export type AnalyzerFactory = (fileName: string) => Analyzer;
const defaultFactory: AnalyzerFactory = (fileName) => new DocumentAnalyzer({ fileName });

export class AnalyzedDocument {
  private doc: TextDocument;
  private analyzer: Analyzer;
  /** Text the analyzer last saw, and the edit from it to the current text (undefined = up to date). */
  private pending: TextEdit | 'full' | undefined = 'full';
  private last: AnalysisResult = EMPTY_RESULT;
  /** Version whose analysis `last` is (for publishDiagnostics). */
  private lastVersion: number | undefined;
  /** The analyzer has not seen the current text at all (after a failure): next analysis is a full one. */
  private forceFull = false;
  /** Milliseconds the last analysis took. */
  lastMs = 0;

  constructor(
    uri: string, languageId: string, version: number, text: string,
    private readonly onError: (what: string, err: unknown) => void,
    private readonly factory: AnalyzerFactory = defaultFactory,
    private readonly onAnalysed?: (doc: AnalyzedDocument, ms: number) => void,
    private readonly timeLimitMs: number = ANALYSIS_TIME_LIMIT_MS,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.analyzer = factory(uri);
  }

  get uri(): string { return this.doc.uri; }
  get version(): number { return this.doc.version; }
  get text(): string { return this.doc.getText(); }
  get stale(): boolean { return this.pending !== undefined; }
  get analyzedVersion(): number | undefined { return this.lastVersion; }

  /** Applies LSP content changes in order (each in coordinates of the text after the previous one). */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if ('range' in change) {
        const from = this.doc.offsetAt(change.range.start);
        const to = Math.max(from, this.doc.offsetAt(change.range.end));
        const edit: TextEdit = { from, to, insertLength: change.text.length };
        if (this.pending !== 'full') this.pending = this.pending ? composeEdits(this.pending, edit) : edit;
      } else {
        this.pending = 'full';
      }
      this.doc = TextDocument.update(this.doc, [change], version);
    }
    if (changes.length === 0) this.doc = TextDocument.update(this.doc, [], version);
    if (this.forceFull) { this.pending = 'full'; this.forceFull = false; }
  }

  /** The latest analysis, analysing now if the text changed since. A failure keeps the last good result. */
  result(): AnalysisResult {
    if (this.pending === undefined) return this.last;
    const edits = this.pending === 'full' ? undefined : [this.pending];
    const text = this.doc.getText();
    const t0 = performance.now();
    this.pending = undefined;
    try {
      this.last = withTimeLimit(() => this.analyzer.update(text, edits), this.timeLimitMs);
      this.forceFull = false;
      this.lastVersion = this.doc.version;
    } catch (err) {
      this.onError(`analysis of ${this.doc.uri} (version ${this.doc.version}) failed`, err);
      if (err instanceof TimeLimitExceeded) {
        // Retrying would likely hang again: keep the last result, say so in the file, start fresh on the next change.
        this.last = { ...this.last, diagnostics: [...this.last.diagnostics.filter((d) => d.code !== 'analysis-timeout'), timeoutDiagnostic(err.ms)] };
        this.lastVersion = this.doc.version;
        this.analyzer = this.factory(this.doc.uri);
        this.forceFull = true;
        this.lastMs = performance.now() - t0;
        this.onAnalysed?.(this, this.lastMs);
        return this.last;
      }
      // The analyzer's incremental state may be broken: start over with a fresh one next time.
      this.analyzer = this.factory(this.doc.uri);
      try {
        this.last = withTimeLimit(() => this.analyzer.update(text), this.timeLimitMs);
        this.lastVersion = this.doc.version;
      } catch (err2) {
        this.onError(`fresh analysis of ${this.doc.uri} failed too`, err2);
        // Keep the last good result; the next change re-analyses from scratch.
        this.analyzer = this.factory(this.doc.uri);
        this.forceFull = true;
      }
    }
    this.lastMs = performance.now() - t0;
    this.onAnalysed?.(this, this.lastMs);
    return this.last;
  }
}

function timeoutDiagnostic(ms: number): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: 'warning',
    code: 'analysis-timeout',
    message: `Tensor Studio stopped analysing this file after ${ms} ms (an internal problem, please report it); shapes shown are from the last complete analysis.`,
  };
}

export function isPython(uri: string, languageId?: string): boolean {
  return languageId === 'python' || /\.pyi?$/i.test(uri.split(/[?#]/)[0] ?? '');
}

export class DocumentStore {
  private readonly docs = new Map<string, AnalyzedDocument>();
  constructor(
    private readonly onError: (what: string, err: unknown) => void,
    private readonly factory: AnalyzerFactory = defaultFactory,
    private readonly timeLimitMs: number = ANALYSIS_TIME_LIMIT_MS,
  ) {}
  /** Called after each analysis with its duration (the server logs slow ones). */
  onAnalysed: ((doc: AnalyzedDocument, ms: number) => void) | undefined;

  open(uri: string, languageId: string, version: number, text: string): AnalyzedDocument | undefined {
    if (!isPython(uri, languageId)) return undefined;
    const doc = new AnalyzedDocument(uri, languageId, version, text, this.onError, this.factory, (d, ms) => this.onAnalysed?.(d, ms), this.timeLimitMs);
    this.docs.set(uri, doc);
    return doc;
  }
  get(uri: string): AnalyzedDocument | undefined { return this.docs.get(uri); }
  close(uri: string): boolean { return this.docs.delete(uri); }
  all(): IterableIterator<AnalyzedDocument> { return this.docs.values(); }
}
