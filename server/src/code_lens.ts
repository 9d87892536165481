// Code lens above each nn.Module class: its size, and the Train / Profile / Show Graph commands the client wires.
import type { CodeLens } from 'vscode-languageserver';
import type { AnalysisResult } from '../../engine/src/frontend/index.js';
import { formatBytes, formatCount } from './format.js';

export const COMMAND_RUN_TRAINING = 'tensorStudio.runTraining';
export const COMMAND_SHOW_GRAPH = 'tensorStudio.showGraph';
export const COMMAND_PROFILE_TRAINING = 'tensorStudio.profileTraining';

export function codeLensesFor(result: AnalysisResult, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const cls of result.classes) {
    const range = { start: cls.range.start, end: cls.range.start };
    // The size lens has no action; an empty command id keeps it a plain label in VS Code.
    lenses.push({ range, command: { title: `${formatCount(cls.paramCount)} parameters (${formatBytes(cls.paramBytes)})`, command: '' } });
    lenses.push({ range, command: { title: 'Train', command: COMMAND_RUN_TRAINING, arguments: [uri, cls.name] } });
    lenses.push({ range, command: { title: 'Profile', command: COMMAND_PROFILE_TRAINING, arguments: [uri, cls.name] } });
    lenses.push({ range, command: { title: 'Show Graph', command: COMMAND_SHOW_GRAPH, arguments: [uri, cls.name] } });
  }
  return lenses;
}
