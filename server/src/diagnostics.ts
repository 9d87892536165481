// Frontend diagnostics -> LSP diagnostics (severity, stable code, related locations in the same file).
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { AnalysisResult, Diagnostic, Severity } from '../../engine/src/frontend/index.js';

export const DIAGNOSTIC_SOURCE = 'tensor-studio';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: Diagnostic, uri: string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: { start: d.range.start, end: d.range.end },
    severity: severities[d.severity] ?? DiagnosticSeverity.Error,
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (d.related?.length) {
    out.relatedInformation = d.related.map((r) => ({
      location: { uri, range: { start: r.range.start, end: r.range.end } },
      message: r.message,
    }));
  }
  return out;
}

export function diagnosticsFor(result: AnalysisResult, uri: string): LspDiagnostic[] {
  return result.diagnostics.map((d) => toLspDiagnostic(d, uri));
}
