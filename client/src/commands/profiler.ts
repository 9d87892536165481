// Show Profiler (a run's trace, or the newest one), Open Trace File, Profile Training (a few
// profiled steps of the model's config through the engine host, then its trace), the Runs view's
// "open trace", and the custom editor that opens *.pt.trace.json and trace.json in the profiler.
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILER_VIEW_TYPE, TRACE_EDITOR_VIEW_TYPE, ProfilerPanel, type ProfilerContext } from '../panels/profiler_panel';
import type { TrainingCommands } from './training';
import { runDirOf } from './training';

const TRACE_FILE = 'trace.json';
const setting = <T>(key: string, fallback: T): T => vscode.workspace.getConfiguration('tensorStudio').get<T>(key, fallback);

export type ProfileOutcome =
  | { readonly opened: true; readonly trace: string; readonly panel: ProfilerPanel }
  | { readonly opened: false; readonly message: string };

export function registerProfilerCommands(context: vscode.ExtensionContext, training: TrainingCommands, log: vscode.LogOutputChannel): void {
  const { controller, runsView } = training;
  const runTraces = (): vscode.Uri[] => runsView.runs().filter((r) => r.files.includes(TRACE_FILE)).map((r) => vscode.Uri.file(join(r.dir, TRACE_FILE)));
  const ctx: ProfilerContext = {
    extensionUri: context.extensionUri, log,
    traces: async () => {
      const found = await vscode.workspace.findFiles('**/*.{pt.trace.json,pt.trace.json.gz}', '**/node_modules/**', 100);
      return [...runTraces(), ...found];
    },
  };
  const open = (trace: vscode.Uri): ProfileOutcome => ({ opened: true, trace: trace.fsPath, panel: ProfilerPanel.show(ctx, trace) });

  async function openTraceFile(arg?: unknown): Promise<ProfileOutcome> {
    if (arg instanceof vscode.Uri) return open(arg);
    const chosen = await vscode.window.showOpenDialog({
      canSelectMany: false, title: 'Open Trace File', openLabel: 'Open in Profiler',
      filters: { 'Chrome traces (PyTorch profiler, Tensor Studio)': ['json', 'gz'], 'All files': ['*'] },
    });
    return chosen?.[0] ? open(chosen[0]) : { opened: false, message: 'Tensor Studio: no trace chosen.' };
  }

  async function showProfiler(arg?: unknown): Promise<ProfileOutcome> {
    // A trace file itself (the explorer), else a run (its folder, a Runs view row).
    if (arg instanceof vscode.Uri && existsSync(arg.fsPath) && statSync(arg.fsPath).isFile()) return open(arg);
    const dir = runDirOf(arg);
    // A run's trace; else the newest run that has one (runs are listed newest first).
    const trace = dir ? join(dir, TRACE_FILE) : runTraces()[0]?.fsPath;
    if (trace && existsSync(trace)) return open(vscode.Uri.file(trace));
    const message = dir
      ? `Tensor Studio: this run has no trace (${TRACE_FILE}); profile it with Profile Training or \`tensor-studio train --profile\`.`
      : 'Tensor Studio: no run has a trace yet. Profile Training records one, or open a trace file.';
    const action = await vscode.window.showInformationMessage(message, 'Profile Training', 'Open Trace File…');
    if (action === 'Profile Training') return profileTraining();
    if (action === 'Open Trace File…') return openTraceFile();
    return { opened: false, message };
  }

  /** Trains `warmupSteps` + `steps` steps with the last `steps` profiled, then opens their trace. */
  async function profileTraining(uriArg?: unknown, classArg?: unknown): Promise<ProfileOutcome> {
    const warmup = Math.max(0, setting('profiler.warmupSteps', 5)), steps = Math.max(1, setting('profiler.steps', 3));
    const r = await training.startTraining(uriArg, classArg, { maxSteps: warmup + steps, profile: { start: warmup, steps } });
    if (!r.started) return { opened: false, message: r.message };
    const run = controller.get(r.runId);
    const done = run ? await run.finished : undefined;
    const trace = join(r.runDir, TRACE_FILE);
    if (!existsSync(trace)) {
      const message = `Tensor Studio: the profiled run ${done ? `ended ${done.summary.status}` : 'ended'} without a trace${done?.summary.error ? `: ${done.summary.error.message}` : ''}.`;
      void vscode.window.showWarningMessage(message);
      return { opened: false, message };
    }
    return open(vscode.Uri.file(trace));
  }

  const editor: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => undefined }),
    resolveCustomEditor: (doc, panel) => { ProfilerPanel.adopt(panel, ctx, doc.uri); },
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('tensorStudio.showProfiler', showProfiler),
    vscode.commands.registerCommand('tensorStudio.openTrace', openTraceFile),
    vscode.commands.registerCommand('tensorStudio.profileTraining', profileTraining),
    vscode.commands.registerCommand('tensorStudio.runs.openTrace', showProfiler),
    vscode.window.registerCustomEditorProvider(TRACE_EDITOR_VIEW_TYPE, editor, { supportsMultipleEditorsPerDocument: false }),
    vscode.window.registerWebviewPanelSerializer(PROFILER_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => { ProfilerPanel.adopt(panel, ctx, undefined, state); },
    }),
    { dispose: () => { for (const p of [...ProfilerPanel.open.values()]) p.dispose(); } },
  );
}
