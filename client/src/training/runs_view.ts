// The Runs view (activity bar "Tensor Studio"): every run folder under tensorStudio.runs.directory,
// the CLI's too, newest first, with status, final loss/accuracy, device and duration; expanded, the
// files the run wrote. Live: it redraws on the controller's events (throttled) and on file changes.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { listRunFolders, readRunFolder, type RunFolder, type RunStatus } from '../../../engine/src/train/run_summary';
import { formatDuration } from '../../../engine/src/train/progress';
import { finalText, progressText, type TrainingController } from './training_controller';

export class RunNode {
  constructor(readonly run: RunFolder) {}
}
export class FileNode {
  constructor(readonly parent: RunNode, readonly name: string) {}
  get path(): string { return join(this.parent.run.dir, this.name); }
}
type Node = RunNode | FileNode;

const ICONS: Record<RunStatus, [string, string]> = {
  running: ['sync~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  stopped: ['debug-pause', 'charts.yellow'],
  failed: ['error', 'testing.iconFailed'],
};

/** Files that are not worth a row. */
const HIDDEN = /^(run\.json)$|\.tmp-/;

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

export class RunsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private nodes = new Map<string, RunNode>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: TrainingController) {
    this.view = vscode.window.createTreeView('tensorStudio.runs', { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(this.view, this.changed, controller.onDidChangeRuns(() => this.refreshSoon()));
    this.watch();
    this.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('tensorStudio.runs.directory')) { this.watch(); this.refresh(); }
    }));
  }

  private watchers: vscode.Disposable[] = [];
  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = this.controller.runsRoots().map((root) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**'));
      const again = () => this.refreshSoon();
      w.onDidCreate(again); w.onDidChange(again); w.onDidDelete(again);
      return w;
    });
  }

  /** At most every 300 ms: a run writes files and logs progress many times a second. */
  refreshSoon(): void {
    this.refreshTimer ??= setTimeout(() => { this.refreshTimer = undefined; this.refresh(); }, 300);
  }

  refresh(): void { this.changed.fire(undefined); }

  /** The runs as listed now (newest first). */
  runs(): RunFolder[] {
    const all = this.controller.runsRoots().flatMap((r) => listRunFolders(r));
    return all.sort((a, b) => (a.summary.startedAt < b.summary.startedAt ? 1 : -1));
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const next = new Map<string, RunNode>();
      const list = this.runs().map((r) => {
        const n = new RunNode(r);
        next.set(r.dir, n);
        return n;
      });
      this.nodes = next;
      void vscode.commands.executeCommand('setContext', 'tensorStudio.hasRuns', list.length > 0);
      return list;
    }
    if (node instanceof RunNode) {
      const fresh = readRunFolder(node.run.dir) ?? node.run;
      return fresh.files.filter((f) => !HIDDEN.test(f)).map((f) => new FileNode(node, f));
    }
    return [];
  }

  getParent(node: Node): Node | undefined { return node instanceof FileNode ? node.parent : undefined; }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node instanceof FileNode) {
      const item = new vscode.TreeItem(vscode.Uri.file(node.path), vscode.TreeItemCollapsibleState.None);
      item.label = node.name;
      item.command = { title: 'Open', command: 'vscode.open', arguments: [vscode.Uri.file(node.path)] };
      item.contextValue = 'runFile';
      return item;
    }
    const { run } = node;
    const s = run.summary;
    const live = this.controller.get(run.id);
    const item = new vscode.TreeItem(s.name ?? s.model.class ?? run.id, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = run.dir;
    const [icon, color] = ICONS[s.status] ?? ICONS.failed;
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    const progress = live?.progress && s.status === 'running' ? `step ${live.progress.step}/${live.progress.totalSteps}${Number.isFinite(live.progress.loss) ? ` · loss ${live.progress.loss.toFixed(4)}` : ''}` : finalText(s);
    item.description = [s.status, progress, s.device, s.seconds ? formatDuration(s.seconds) : '', when(s.startedAt)].filter(Boolean).join(' · ');
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${s.name ?? s.model.class ?? run.id}** — ${s.status}\n\n`);
    md.appendMarkdown(`- folder: \`${run.dir}\`\n- model: \`${s.model.file}\`${s.model.class ? ` (${s.model.class})` : ''}\n`);
    md.appendMarkdown(`- steps: ${s.step}/${s.totalSteps} · ${s.device || '?'} · ${s.mode || '?'} · ${formatDuration(s.seconds)}\n`);
    if (live?.progress) md.appendMarkdown(`- now: ${progressText(live.progress)}\n`);
    for (const [k, v] of Object.entries(s.final)) md.appendMarkdown(`- ${k}: ${Number.isInteger(v) ? v : v.toPrecision(5)}\n`);
    if (s.stopReason) md.appendMarkdown(`\nstopped: ${s.stopReason}\n`);
    if (s.error) md.appendMarkdown(`\n**${s.error.kind}**: ${s.error.message.split('\n')[0]}\n`);
    item.tooltip = md;
    const flags = [run.files.includes('trace.json') ? 'trace' : '', run.files.includes('metrics.jsonl') ? 'metrics' : ''].filter(Boolean);
    item.contextValue = ['run', s.status, ...flags].join('.');
    return item;
  }

  /** Reveals (and selects) a run's row. */
  async reveal(runDir: string): Promise<boolean> {
    this.getChildren();
    const node = this.nodes.get(runDir);
    if (!node) return false;
    await this.view.reveal(node, { select: true, focus: false, expand: true });
    return true;
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
