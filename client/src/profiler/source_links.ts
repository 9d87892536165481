// A trace's source location → a file of this workspace (source_match.ts decides between candidates).
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { readSummary } from '../../../engine/src/train/run_summary';
import { bestSuffixMatch } from './source_match';

export interface SourceHints {
  /** The trace file: a run folder's summary.json beside it names the model file. */
  readonly trace: string;
  /** The model file our traces record (otherData.model). */
  readonly model?: string | undefined;
}

export async function resolveSource(file: string, hints: SourceHints): Promise<vscode.Uri | undefined> {
  if (isAbsolute(file) && existsSync(file)) return vscode.Uri.file(file);
  const known = [hints.model, readSummary(dirname(hints.trace))?.model.file].filter((f): f is string => !!f && existsSync(f));
  const direct = bestSuffixMatch(file, known);
  if (direct) return vscode.Uri.file(direct);
  const near = join(dirname(hints.trace), file);
  if (!isAbsolute(file) && existsSync(near)) return vscode.Uri.file(near);
  const found = await vscode.workspace.findFiles(`**/${basename(file)}`, '**/node_modules/**', 200);
  const best = bestSuffixMatch(file, found.map((u) => u.fsPath));
  return best ? vscode.Uri.file(best) : undefined;
}
