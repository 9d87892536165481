// Commands whose feature has not landed yet. Each one answers with a clear message instead of
// silently doing nothing; the table says which feature brings it.
import * as vscode from 'vscode';

export interface PendingCommand {
  readonly id: string;
  /** Title as in package.json (without the category). */
  readonly title: string;
  /** The feature whose arrival makes the command work. */
  readonly feature: string;
}

export const PENDING_COMMANDS: readonly PendingCommand[] = [
  { id: 'tensorStudio.showProfiler', title: 'Show Profiler', feature: 'the profiler panel' },
  { id: 'tensorStudio.openTrace', title: 'Open Trace File', feature: 'the profiler panel' },
];

export function notAvailableMessage(cmd: PendingCommand): string {
  return `Tensor Studio: ${cmd.title} is not available yet — it arrives with ${cmd.feature}.`;
}

/** What a pending command returns, so callers (and tests) can tell it did not run. */
export interface NotAvailableResult {
  readonly available: false;
  readonly command: string;
  readonly message: string;
  /** The model the command was asked about (code lens arguments, or the active Python file). */
  readonly target?: { readonly uri: string; readonly className?: string };
}

export function showNotAvailable(cmd: PendingCommand, target?: NotAvailableResult['target']): NotAvailableResult {
  const message = notAvailableMessage(cmd);
  void vscode.window.showInformationMessage(message);
  return { available: false, command: cmd.id, message, ...(target ? { target } : {}) };
}
