// Registers every command in package.json's `contributes.commands`.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { checkShapes } from './check_shapes';
import { PENDING_COMMANDS, showNotAvailable } from './not_available';
import { resolveModelTarget } from './args';
import type { DiagnosticsTracker } from '../diagnostics_tracker';
import { registerTrainingCommands } from './training';

export function registerCommands(
  context: vscode.ExtensionContext,
  getClient: () => Promise<LanguageClient | undefined>,
  tracker: DiagnosticsTracker,
): ReturnType<typeof registerTrainingCommands> {
  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.checkShapes', (uri?: unknown) => checkShapes(getClient, tracker, uri)),
  );
  for (const cmd of PENDING_COMMANDS) {
    context.subscriptions.push(
      // showGraph receives (uri, className) from the code lens; accepted and checked now so the
      // lens works unchanged when the feature lands.
      vscode.commands.registerCommand(cmd.id, (uriArg?: unknown, classArg?: unknown) => {
        const target = resolveModelTarget(uriArg, classArg);
        return showNotAvailable(cmd, target && {
          uri: target.uri.toString(),
          ...(target.className !== undefined ? { className: target.className } : {}),
        });
      }),
    );
  }
  return registerTrainingCommands(context, getClient);
}
