// Registers every command in package.json's `contributes.commands`.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { checkShapes } from './check_shapes';
import type { DiagnosticsTracker } from '../diagnostics_tracker';
import { registerTrainingCommands, type TrainingCommands } from './training';
import { registerGraphCommands } from './graph';
import { registerMetricsCommands } from './metrics';
import { registerProfilerCommands } from './profiler';

export function registerCommands(
  context: vscode.ExtensionContext,
  getClient: () => Promise<LanguageClient | undefined>,
  tracker: DiagnosticsTracker,
  log: vscode.LogOutputChannel,
): TrainingCommands {
  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.checkShapes', (uri?: unknown) => checkShapes(getClient, tracker, uri)),
  );
  registerGraphCommands(context, getClient, log);
  const training = registerTrainingCommands(context, getClient);
  registerMetricsCommands(context, training.controller, training.runsView, log);
  registerProfilerCommands(context, training, log);
  return training;
}
