// Runs training from the editor: one engine host per run (engine_host.ts), its events turned
// into a progress notification whose Cancel stops the run, a status-bar item, the output
// channel "Tensor Studio: Training", the metric store and the Runs view. The extension never
// waits on a host: every call has a deadline and a host's death is one more event.
import * as vscode from 'vscode';
import { existsSync, mkdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { EngineHost } from './engine_host';
import { MetricStore } from './metric_store';
import { RunProblems } from './run_problems';
import { readConfigRef } from './run_configs';
import { formatDuration } from '../../../engine/src/train/progress';
import { CONFIG_COPY_FILE, readSummary, type RunSummary } from '../../../engine/src/train/run_summary';
import { listCheckpoints } from '../../../engine/src/train/run_dir';
import type { RunEvent, RunFinishedEvent, RunProgressEvent, RunStartedEvent, StartRunParams } from '../../../engine/src/host/protocol';

export interface ActiveRun {
  readonly runId: string;
  readonly runDir: string;
  /** What the UI calls it: the model class (or the config's name). */
  readonly label: string;
  readonly config: vscode.Uri;
  readonly host: EngineHost;
  /** When Run Training was invoked (Date.now()). */
  readonly requestedAt: number;
  started?: RunStartedEvent;
  progress?: RunProgressEvent;
  /** Milliseconds from the request to the first step's progress. */
  firstStepMs?: number;
  stopRequests: number;
  readonly finished: Promise<RunFinishedEvent>;
}

/** A shorter or profiled run (Profile Training): the host protocol's own fields. */
export type RunLimits = Pick<StartRunParams, 'maxSteps' | 'profile'>;

export type StartOutcome =
  | { readonly started: true; readonly runId: string; readonly runDir: string }
  | { readonly started: false; readonly message: string };

const settings = () => vscode.workspace.getConfiguration('tensorStudio');

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export function progressText(p: RunProgressEvent): string {
  const loss = Number.isFinite(p.loss) ? p.loss.toFixed(4) : '…';
  return `epoch ${p.epoch + 1}/${p.epochs} · step ${p.step}/${p.totalSteps} · loss ${loss} · ${Math.round(p.samplesPerSec).toLocaleString('en-US')} samples/s · ETA ${formatDuration(p.etaSec)}`;
}

/** "loss 0.3123 · acc 88.1%" from a summary's final metrics. */
export function finalText(s: Pick<RunSummary, 'final'>): string {
  const parts: string[] = [];
  const loss = s.final['val/loss'] ?? s.final['train/loss'];
  if (loss !== undefined) parts.push(`loss ${loss.toFixed(4)}`);
  const acc = s.final['val/accuracy'];
  if (acc !== undefined) parts.push(`acc ${(100 * acc).toFixed(1)}%`);
  return parts.join(' · ');
}

export class TrainingController implements vscode.Disposable {
  readonly store = new MetricStore();
  readonly output = vscode.window.createOutputChannel('Tensor Studio: Training');
  private readonly problems = new RunProblems(this.output);
  private readonly active = new Map<string, ActiveRun>();
  private readonly usedIds = new Set<string>();
  private readonly statusBar = vscode.window.createStatusBarItem('tensorStudio.training', vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<ActiveRun | undefined>();
  private readonly events = new vscode.EventEmitter<RunEvent>();
  private statusTimer: NodeJS.Timeout | undefined;
  /** Milliseconds from Run Training to each run's first step (the benchmark reads them). */
  readonly firstStepMs = new Map<string, number>();
  /** A run's state changed (started, progress, finished); the Runs view listens. */
  readonly onDidChangeRuns = this.changed.event;
  /** Every event of every run, in order (tests and future views subscribe). */
  readonly onDidRunEvent = this.events.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.statusBar.name = 'Tensor Studio Training';
  }

  activeRuns(): readonly ActiveRun[] { return [...this.active.values()]; }
  get(runId: string): ActiveRun | undefined { return this.active.get(runId); }

  /** Where runs of configs in `folder` go: tensorStudio.runs.directory, relative to the workspace folder. */
  runsRoot(near: vscode.Uri): string {
    const dir = settings().get<string>('runs.directory', 'runs') || 'runs';
    if (isAbsolute(dir)) return dir;
    const ws = vscode.workspace.getWorkspaceFolder(near) ?? vscode.workspace.workspaceFolders?.[0];
    return join(ws ? ws.uri.fsPath : join(near.fsPath, '..'), dir);
  }

  /** Every folder runs may be in (one per workspace folder). */
  runsRoots(): string[] {
    return [...new Set((vscode.workspace.workspaceFolders ?? []).map((f) => this.runsRoot(f.uri)))];
  }

  /**
   * Starts a run of `config` (or, with `resumeDir`, continues that run). Answers once the host
   * accepted it. `requestedAt`: when the user asked (the click), for the first-step timing;
   * `limits`: fewer steps, profiled ones.
   */
  async start(config: vscode.Uri, resumeDir?: string, requestedAt = Date.now(), limits: RunLimits = {}): Promise<StartOutcome> {
    if (!vscode.workspace.isTrusted) return this.refuseUntrusted();
    const ref = await readConfigRef(config);
    const label = ref?.className ?? ref?.name ?? (ref ? basename(ref.modelFile, '.py') : basename(config.fsPath, '.json'));
    let runDir = resumeDir;
    if (!runDir) {
      const root = this.runsRoot(config);
      const base = join(root, `${timestamp()}-${label.replace(/[^\w.-]+/g, '_')}`);
      runDir = base;
      // Unique in this session too: a run refused within the same second made no folder.
      for (let i = 2; existsSync(runDir) || this.usedIds.has(basename(runDir)); i++) runDir = `${base}-${i}`;
      mkdirSync(root, { recursive: true });
    }
    const runId = basename(runDir);
    if (this.active.has(runId)) return { started: false, message: `Tensor Studio: ${runId} is already running.` };
    this.usedIds.add(runId);
    // 0 (the default): half of this machine's memory.
    const memoryLimitMB = settings().get<number>('engine.memoryLimitMB', 0) || Math.round(totalmem() / 2 / 2 ** 20);
    const host = new EngineHost({
      script: this.context.asAbsolutePath('dist/engine-host.js'),
      memoryLimitMB,
      hangTimeoutMs: Math.max(5, settings().get<number>('engine.hangTimeoutSeconds', 30)) * 1000,
      cwd: vscode.workspace.getWorkspaceFolder(config)?.uri.fsPath,
      onOutput: (text) => this.output.append(text),
    });
    const run: ActiveRun = { runId, runDir, label, config, host, requestedAt, stopRequests: 0, finished: host.finished };
    this.active.set(runId, run);
    this.output.appendLine(`── ${resumeDir ? 'resuming' : 'training'} ${label}: ${vscode.workspace.asRelativePath(config)} → ${runDir}`);
    host.onEvent((ev) => this.onEvent(run, ev));
    try {
      await host.startRun({
        configPath: config.fsPath, runDir, ...(resumeDir ? { resume: true } : {}), ...limits, memoryLimitMB,
        defaults: { device: settings().get('engine.device', 'auto'), mode: settings().get('engine.mode', 'eager') },
      });
    } catch (e) {
      host.kill();
      this.active.delete(runId);
      const message = `Tensor Studio: the engine host did not start the run: ${(e as Error).message}`;
      void vscode.window.showErrorMessage(message);
      return { started: false, message };
    }
    this.showProgress(run);
    this.changed.fire(run);
    return { started: true, runId, runDir };
  }

  refuseUntrusted(): StartOutcome {
    const message = 'Tensor Studio: training is disabled in untrusted workspaces (it runs the workspace\'s model and reads and writes its files). Trust the workspace to train.';
    void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((a) => {
      if (a) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { started: false, message };
  }

  /** Stop: after the step under way, with a checkpoint. Asked twice, the host is killed. */
  async stop(runId?: string): Promise<{ stopped: boolean; message: string }> {
    const run = runId ? this.active.get(runId) : await this.pickActive('Stop which run?');
    if (!run) {
      const message = runId ? `Tensor Studio: ${runId} is not running.` : 'Tensor Studio: no training run is active.';
      if (!runId || this.active.size === 0) void vscode.window.showInformationMessage(message);
      return { stopped: false, message };
    }
    run.stopRequests++;
    if (run.stopRequests === 1) {
      void vscode.window.showInformationMessage(`Tensor Studio: stopping ${run.label} after the current step (a checkpoint is written). Stop again to end it at once.`);
    }
    const r = await run.host.stop(run.stopRequests > 1 ? 'stopped twice' : 'stop requested');
    const message = r === 'killed' ? `Tensor Studio: ${run.label}'s engine host was ended; the run keeps its last checkpoint.` : `Tensor Studio: ${run.label} is stopping.`;
    if (r === 'killed') void vscode.window.showWarningMessage(message);
    return { stopped: true, message };
  }

  private async pickActive(placeHolder: string): Promise<ActiveRun | undefined> {
    const runs = this.activeRuns();
    if (runs.length <= 1) return runs[0];
    const pick = await vscode.window.showQuickPick(runs.map((r) => ({
      label: r.label, description: r.progress ? progressText(r.progress) : 'starting…', detail: r.runDir, run: r,
    })), { placeHolder });
    return pick?.run;
  }

  /** Continues a stopped or failed run from its last checkpoint, in the same folder. */
  async resume(runDir: string): Promise<StartOutcome> {
    const summary = readSummary(runDir);
    const id = basename(runDir);
    if (this.active.has(id)) return { started: false, message: `Tensor Studio: ${id} is running.` };
    if (summary?.status === 'completed') {
      const message = `Tensor Studio: ${id} already completed (${summary.step} steps); start a new run to train more.`;
      void vscode.window.showInformationMessage(message);
      return { started: false, message };
    }
    const copy = join(runDir, CONFIG_COPY_FILE);
    const configPath = existsSync(copy) ? copy : summary?.configPath;
    if (!configPath || !existsSync(configPath)) {
      const message = `Tensor Studio: cannot resume ${id}: its config (${CONFIG_COPY_FILE}) is missing.`;
      void vscode.window.showErrorMessage(message);
      return { started: false, message };
    }
    if (listCheckpoints(runDir).length === 0) {
      const message = `Tensor Studio: ${id} has no checkpoint to resume from (it stopped before its first one); train it again instead.`;
      void vscode.window.showWarningMessage(message);
      return { started: false, message };
    }
    return this.start(vscode.Uri.file(configPath), runDir);
  }

  private onEvent(run: ActiveRun, ev: RunEvent): void {
    switch (ev.type) {
      case 'log': {
        const prefix = this.active.size > 1 ? `[${run.label}] ` : '';
        for (const l of ev.lines) this.output.appendLine(prefix + l);
        break;
      }
      case 'metrics': this.store.append(run.runId, ev.points); break;
      case 'started':
        run.started = ev;
        // A resumed run's earlier points are in metrics.jsonl (cut back to the checkpoint).
        if (ev.resumedFrom !== undefined) this.store.load(run.runId, join(ev.runDir, 'metrics.jsonl'));
        else this.store.clear(run.runId);
        this.problems.clear(run.config);
        this.scheduleStatus();
        this.changed.fire(run);
        break;
      case 'progress':
        run.progress = ev;
        if (run.firstStepMs === undefined) {
          run.firstStepMs = Date.now() - run.requestedAt;
          this.firstStepMs.set(run.runId, run.firstStepMs);
          this.output.appendLine(`first step ${(run.firstStepMs / 1000).toFixed(2)} s after Run Training`);
          this.updateStatus(run); // the first step is shown at once; later ones at most 5 times a second
        } else this.scheduleStatus();
        this.changed.fire(run);
        break;
      case 'checkpoint': case 'trace': this.changed.fire(run); break;
      case 'finished': void this.finish(run, ev); break;
      case 'epoch': break;
    }
    this.events.fire(ev);
  }

  private async finish(run: ActiveRun, ev: RunFinishedEvent): Promise<void> {
    this.active.delete(run.runId);
    const s = ev.summary;
    this.updateStatus(run, s);
    this.changed.fire(undefined);
    if (s.status === 'completed') {
      const msg = `Tensor Studio: ${run.label} trained: ${s.step} steps in ${formatDuration(s.seconds)}${finalText(s) ? ` · ${finalText(s)}` : ''}.`;
      this.output.appendLine(msg.replace('Tensor Studio: ', ''));
      void vscode.window.showInformationMessage(msg, 'Show Run').then((a) => { if (a) void vscode.commands.executeCommand('tensorStudio.showRun', run.runDir); });
    } else if (s.status === 'stopped') {
      const msg = `Tensor Studio: ${run.label} stopped at step ${s.step}/${s.totalSteps}; Resume Training continues it from its last checkpoint.`;
      this.output.appendLine(msg.replace('Tensor Studio: ', ''));
      void vscode.window.showInformationMessage(msg, 'Resume').then((a) => { if (a) void this.resume(run.runDir); });
    } else if (s.error) {
      await this.problems.show(run.label, run.config, s.error, ev.runDirCreated ? run.runDir : undefined);
    }
  }

  private showProgress(run: ActiveRun): void {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${run.label}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => { void this.stop(run.runId); });
      progress.report({ message: 'loading data and model…' });
      let done = 0;
      const sub = this.onDidChangeRuns((r) => {
        if (r !== run || !run.progress) return;
        const pct = run.progress.totalSteps ? (100 * run.progress.step) / run.progress.totalSteps : 0;
        progress.report({ message: progressText(run.progress), increment: Math.max(0, pct - done) });
        done = Math.max(done, pct);
      });
      try { await run.finished; } finally { sub.dispose(); }
    });
  }

  /** The status bar follows the newest active run, redrawn at most 5 times a second. */
  private scheduleStatus(): void {
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = undefined;
      const run = this.activeRuns().at(-1);
      if (run) this.updateStatus(run);
    }, 200);
  }

  private updateStatus(run: ActiveRun, finished?: RunSummary): void {
    const more = this.active.size > 1 ? ` (+${this.active.size - 1})` : '';
    if (finished) {
      if (this.active.size > 0) return this.scheduleStatus();
      const icon = finished.status === 'completed' ? '$(pass)' : finished.status === 'stopped' ? '$(debug-pause)' : '$(error)';
      this.statusBar.text = `${icon} ${run.label} ${finished.status}${finalText(finished) ? ` · ${finalText(finished)}` : ''}`;
      this.statusBar.tooltip = `${run.label}: ${finished.status} after ${finished.step} steps. Click to show the run.`;
      setTimeout(() => { if (this.active.size === 0) this.statusBar.hide(); }, 15_000);
    } else {
      const p = run.progress;
      const loss = p && Number.isFinite(p.loss) ? ` · loss ${p.loss.toFixed(4)}` : '';
      this.statusBar.text = `$(sync~spin) ${run.label}${p ? ` ${p.step}/${p.totalSteps}` : ''}${loss}${p ? ` · ${Math.round(p.samplesPerSec).toLocaleString('en-US')} samples/s` : ''}${more}`;
      this.statusBar.tooltip = p ? `${run.label}: ${progressText(p)}\nClick to show its metrics.` : `${run.label}: starting`;
    }
    // Training: its live curves; finished: the run (status, files).
    this.statusBar.command = finished ? { title: 'Show Run', command: 'tensorStudio.showRun', arguments: [run.runDir] }
      : { title: 'Show Metrics', command: 'tensorStudio.showMetrics', arguments: [run.runDir] };
    this.statusBar.show();
  }

  /** Ends every run's host (the extension is deactivating: each host also stops itself when the channel closes). */
  dispose(): void {
    for (const r of this.active.values()) void r.host.stop('the editor closed');
    this.statusBar.dispose();
    this.problems.dispose();
    this.output.dispose();
    this.changed.dispose();
    this.events.dispose();
  }
}
