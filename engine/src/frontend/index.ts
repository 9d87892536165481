// Entry point of the analysis core (parse -> bind -> interpret). No IO; never throws on user code.
import type { AnalysisResult } from './types.js';

export type * from './types.js';

/** A text change in offsets of the previous text (for incremental re-parsing). */
export interface TextEdit { readonly from: number; readonly to: number; readonly insertLength: number }

export interface AnalyzeOptions {
  /** Shown in diagnostics' context; no file is read. */
  readonly fileName?: string;
}

/** Analyse one source text from scratch. */
export function analyze(source: string, options: AnalyzeOptions = {}): AnalysisResult {
  return new DocumentAnalyzer(options).update(source);
}

/** Keeps parse state between versions of one document so small edits re-analyse fast. */
export class DocumentAnalyzer {
  constructor(readonly options: AnalyzeOptions = {}) {}
  update(_source: string, _edits?: readonly TextEdit[]): AnalysisResult {
    return { diagnostics: [], facts: [], layers: [], classes: [], models: new Map() };
  }
}
