// Arguments the code lens (and other callers) pass to model commands: `(uri, className)`.
// Commands run from the palette get none; then the active Python editor is the target.
import * as vscode from 'vscode';

export interface ModelTarget {
  readonly uri: vscode.Uri;
  readonly className: string | undefined;
}

/** Accepts a Uri, a uri string or nothing, plus an optional class name; never throws. */
export function resolveModelTarget(uriArg: unknown, classArg: unknown): ModelTarget | undefined {
  const className = typeof classArg === 'string' && classArg.length > 0 ? classArg : undefined;
  if (uriArg instanceof vscode.Uri) return { uri: uriArg, className };
  if (typeof uriArg === 'string' && uriArg.length > 0) {
    try {
      return { uri: vscode.Uri.parse(uriArg, true), className };
    } catch {
      return undefined;
    }
  }
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'python') return { uri: editor.document.uri, className };
  return undefined;
}
