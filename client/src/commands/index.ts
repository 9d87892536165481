// Registers every command in package.json's `contributes.commands`.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { checkShapes } from './check_shapes';
import { PENDING_COMMANDS, showNotAvailable } from './not_available';
import { resolveModelTarget } from './args';
import type { DiagnosticsTracker } from '../diagnostics_tracker';
import { registerTrainingCommands } from './training';
import { registerGraphCommands } from './graph';
import { registerMetricsCommands } from './metrics';

export function registerCommands(
  context: vscode.ExtensionContext,
  getClient: () => Promise<LanguageClient | undefined>,
  tracker: DiagnosticsTracker,
  log: vscode.LogOutputChannel,
): ReturnType<typeof registerTrainingCommands> {
  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.checkShapes', (uri?: unknown) => checkShapes(getClient, tracker, uri)),
  );
  registerGraphCommands(context, getClient, log);
  for (const cmd of PENDING_COMMANDS) {
    context.subscriptions.push(
      // Model commands receive (uri, className); accepted and checked now so callers work unchanged when the feature lands.
      vscode.commands.registerCommand(cmd.id, (uriArg?: unknown, classArg?: unknown) => {
        const target = resolveModelTarget(uriArg, classArg);
        return showNotAvailable(cmd, target && {
          uri: target.uri.toString(),
          ...(target.className !== undefined ? { className: target.className } : {}),
        });
      }),
    );
  }
  const training = registerTrainingCommands(context, getClient);
  registerMetricsCommands(context, training.controller, training.runsView, log);
  return training;
}
