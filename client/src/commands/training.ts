// Run Training, Stop Training, Resume Training, and the Runs view's actions.
import * as vscode from 'vscode';
import { existsSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphRequest } from '../../../server/src/protocol';
import { resolveModelTarget } from './args';
import { TrainingController, type RunLimits, type StartOutcome } from '../training/training_controller';
import { RunsView, RunNode, FileNode } from '../training/runs_view';
import { RunConfigLens } from '../training/config_lens';
import { NEW_CONFIG, chooseConfig, findConfigs, readConfigRef, rememberConfig } from '../training/run_configs';
import { newRunConfig, type ModelInputs } from '../training/config_wizard';
import { CONFIG_COPY_FILE, HOST_LOG_FILE, readSummary } from '../../../engine/src/train/run_summary';

const NOT_A_MODEL_MESSAGE = 'Tensor Studio: open a Python model file (or a run config) to train it.';

/** The input shape of the model class, from the language server's graph ('Tensor[64, 1, 28, 28]'). */
function modelInputs(getClient: () => Promise<LanguageClient | undefined>): ModelInputs {
  return async (uri, className) => {
    const client = await getClient();
    if (!client?.isRunning()) return undefined;
    const r = await client.sendRequest(GraphRequest, { uri: uri.toString(), ...(className ? { className } : {}) });
    if (r.kind !== 'graph') return className ? { className, input: undefined } : undefined;
    const m = /\[([^\]]*)\]/.exec(r.inputs[0]?.shape ?? '');
    const input = m ? m[1]!.split(',').map((d) => (/^\s*\d+\s*$/.test(d) ? Number(d) : null)) : undefined;
    return { className: r.className, input };
  };
}

/** A run folder from a command argument: a Runs view row, a path, a Uri. */
export function runDirOf(arg: unknown): string | undefined {
  if (arg instanceof RunNode) return arg.run.dir;
  if (arg instanceof FileNode) return arg.parent.run.dir;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  return typeof arg === 'string' && arg ? arg : undefined;
}

export interface TrainingCommands {
  readonly controller: TrainingController;
  readonly runsView: RunsView;
  readonly startTraining: (uriArg?: unknown, classArg?: unknown, limits?: RunLimits) => Promise<StartOutcome>;
}

export function registerTrainingCommands(
  context: vscode.ExtensionContext,
  getClient: () => Promise<LanguageClient | undefined>,
): TrainingCommands {
  const controller = new TrainingController(context);
  const runsView = new RunsView(controller);
  const inputs = modelInputs(getClient);
  const state = context.workspaceState;

  /** The config to train (and when the user asked), from the arguments of Run / Profile Training. */
  async function configFor(uriArg: unknown, classArg: unknown): Promise<{ config: vscode.Uri; requestedAt: number } | StartOutcome> {
    const clickedAt = Date.now();
    const editor = vscode.window.activeTextEditor;
    // A run config: from its lens or title button, or the active editor when it is one.
    const configArg = uriArg instanceof vscode.Uri && uriArg.fsPath.endsWith('.json') ? uriArg
      : uriArg === undefined && editor?.document.uri.fsPath.endsWith('.json') ? editor.document.uri : undefined;
    if (configArg) {
      const ref = await readConfigRef(configArg);
      if (ref) rememberConfig(state, vscode.Uri.file(ref.modelFile), ref.className, configArg);
      return { config: configArg, requestedAt: clickedAt };
    }
    const target = resolveModelTarget(uriArg, classArg);
    if (!target) {
      void vscode.window.showInformationMessage(NOT_A_MODEL_MESSAGE);
      return { started: false, message: NOT_A_MODEL_MESSAGE };
    }
    const configs = await findConfigs(target.uri, target.className);
    const choice = await chooseConfig(state, target.uri, target.className, configs, uriArg === undefined);
    if (!choice) return { started: false, message: 'Tensor Studio: no run config chosen.' };
    let config: vscode.Uri;
    if (choice === NEW_CONFIG) {
      const made = await newRunConfig(target.uri, target.className, inputs, context.extensionPath);
      if (!made) return { started: false, message: 'Tensor Studio: no run config written.' };
      config = made;
      void vscode.window.showTextDocument(made, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });
    } else config = choice.uri;
    rememberConfig(state, target.uri, target.className, config);
    // A config written by the quick picks: the clock starts when the user finished them.
    return { config, requestedAt: choice === NEW_CONFIG ? Date.now() : clickedAt };
  }

  /** Run Training, or (with limits) a shorter profiled run: the config chosen as for Run Training. */
  async function startTraining(uriArg?: unknown, classArg?: unknown, limits: RunLimits = {}): Promise<StartOutcome> {
    if (!vscode.workspace.isTrusted) return controller.refuseUntrusted();
    const c = await configFor(uriArg, classArg);
    return 'config' in c ? controller.start(c.config, undefined, c.requestedAt, limits) : c;
  }

  async function resumeTraining(arg?: unknown): Promise<StartOutcome> {
    let dir = runDirOf(arg);
    if (!dir) {
      const resumable = runsView.runs().filter((r) => r.summary.status === 'stopped' || r.summary.status === 'failed');
      if (resumable.length === 0) {
        const message = 'Tensor Studio: no stopped or failed run to resume.';
        void vscode.window.showInformationMessage(message);
        return { started: false, message };
      }
      const pick = resumable.length === 1 ? { dir: resumable[0]!.dir } : await vscode.window.showQuickPick(resumable.map((r) => ({
        label: r.summary.name ?? r.summary.model.class ?? r.id, description: `${r.summary.status} at step ${r.summary.step}/${r.summary.totalSteps}`, detail: r.dir, dir: r.dir,
      })), { placeHolder: 'Resume which run?' });
      if (!pick) return { started: false, message: 'Tensor Studio: no run chosen.' };
      dir = pick.dir;
    }
    return controller.resume(dir);
  }

  async function showRun(arg?: unknown): Promise<boolean> {
    const dir = runDirOf(arg) ?? controller.activeRuns().at(-1)?.runDir;
    controller.output.show(true);
    if (!dir) return false;
    await vscode.commands.executeCommand('tensorStudio.runs.focus');
    return runsView.reveal(dir);
  }

  const openIn = (name: string, what: string) => async (arg?: unknown): Promise<boolean> => {
    const dir = runDirOf(arg);
    if (!dir) return false;
    const file = join(dir, name);
    if (!existsSync(file)) {
      void vscode.window.showInformationMessage(`Tensor Studio: ${basename(dir)} has no ${what} (${name}).`);
      return false;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    return true;
  };

  async function openModel(arg?: unknown): Promise<boolean> {
    const dir = runDirOf(arg);
    const file = dir ? readSummary(dir)?.model.file : undefined;
    if (!file || !existsSync(file)) return false;
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    return true;
  }

  async function deleteRun(arg?: unknown, confirmed?: unknown): Promise<boolean> {
    const dir = runDirOf(arg);
    if (!dir) return false;
    if (controller.get(basename(dir))) {
      void vscode.window.showWarningMessage(`Tensor Studio: ${basename(dir)} is running; stop it before deleting it.`);
      return false;
    }
    if (confirmed !== true) {
      const ok = await vscode.window.showWarningMessage(`Delete the run ${basename(dir)} and every file in it (checkpoints, weights, metrics)?`,
        { modal: true, detail: dir }, 'Delete');
      if (ok !== 'Delete') return false;
    }
    rmSync(dir, { recursive: true, force: true });
    controller.store.clear(basename(dir));
    runsView.refresh();
    return true;
  }

  context.subscriptions.push(
    controller, runsView,
    vscode.languages.registerCodeLensProvider({ language: 'json', scheme: 'file' }, new RunConfigLens()),
    vscode.commands.registerCommand('tensorStudio.runTraining', (uri?: unknown, cls?: unknown) => startTraining(uri, cls)),
    vscode.commands.registerCommand('tensorStudio.stopTraining', (arg?: unknown) => {
      const dir = runDirOf(arg);
      return controller.stop(dir ? basename(dir) : undefined);
    }),
    vscode.commands.registerCommand('tensorStudio.resumeTraining', resumeTraining),
    vscode.commands.registerCommand('tensorStudio.showRun', showRun),
    vscode.commands.registerCommand('tensorStudio.runs.refresh', () => runsView.refresh()),
    vscode.commands.registerCommand('tensorStudio.runs.openConfig', openIn(CONFIG_COPY_FILE, 'config copy')),
    vscode.commands.registerCommand('tensorStudio.runs.openLog', openIn(HOST_LOG_FILE, 'engine host log')),
    vscode.commands.registerCommand('tensorStudio.runs.openModel', openModel),
    vscode.commands.registerCommand('tensorStudio.runs.reveal', async (arg?: unknown) => {
      const dir = runDirOf(arg);
      if (dir) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(dir));
    }),
    vscode.commands.registerCommand('tensorStudio.runs.delete', deleteRun),
  );
  return { controller, runsView, startTraining };
}
