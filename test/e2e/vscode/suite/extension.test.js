// Runs inside VS Code's extension host (code-server) against the real extension and language server.
/* global describe, it, before */
const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');
const { eventually, sleep } = require('./helpers');

const EXT_ID = 'tensor-studio.tensor-studio';
const TRAINING_COMMANDS = [
  'tensorStudio.runTraining', 'tensorStudio.stopTraining', 'tensorStudio.resumeTraining', 'tensorStudio.showRun',
  'tensorStudio.runs.refresh', 'tensorStudio.runs.openMetrics', 'tensorStudio.runs.openTrace', 'tensorStudio.runs.openConfig',
  'tensorStudio.runs.openModel', 'tensorStudio.runs.openLog', 'tensorStudio.runs.reveal', 'tensorStudio.runs.delete',
];
const PROFILER_COMMANDS = ['tensorStudio.showProfiler', 'tensorStudio.openTrace', 'tensorStudio.profileTraining'];
const ALL_COMMANDS = [...TRAINING_COMMANDS, ...PROFILER_COMMANDS, 'tensorStudio.checkShapes', 'tensorStudio.showGraph', 'tensorStudio.showMetrics'];

// A model whose second Linear expects 64 features but receives 128: the error belongs on BUG_LINE.
const BUG_SOURCE = [
  'import torch',
  'import torch.nn as nn',
  '',
  '',
  'class Broken(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.fc1 = nn.Linear(784, 128)',
  '        self.fc2 = nn.Linear(64, 10)',
  '',
  '    def forward(self, x):',
  '        x = torch.flatten(x, 1)',
  '        x = self.fc1(x)',
  '        x = self.fc2(x)',
  '        return x',
  '',
  '',
  'if __name__ == "__main__":',
  '    print(Broken()(torch.randn(8, 1, 28, 28)).shape)',
  '',
].join('\n');
const BUG_LINE = 13; // 0-based: `x = self.fc2(x)`

const workspaceRoot = () => vscode.workspace.workspaceFolders[0].uri;
const modelUri = () => vscode.Uri.joinPath(workspaceRoot(), 'fashion', 'model.py');

function hoverText(hovers) {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}
function hintLabel(h) {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

/** Position of the first `x` assigned in forward (`x = self.pool(...)`). */
function forwardXPosition(doc) {
  const lines = doc.getText().split('\n');
  const fwd = lines.findIndex((l) => l.includes('def forward('));
  const line = lines.findIndex((l, i) => i > fwd && /^\s+x = /.test(l));
  return new vscode.Position(line, lines[line].indexOf('x'));
}

/** Pid of the language server this extension host started (it passes --clientProcessId=<our pid>). */
function serverPid() {
  const { execFileSync } = require('node:child_process');
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes('dist/server.js') && l.includes(`--clientProcessId=${process.pid}`));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

/** Spies on the messages the extension shows (the `vscode` API object is shared per extension). */
function captureMessages() {
  const seen = [];
  const orig = {};
  for (const k of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage']) {
    orig[k] = vscode.window[k];
    vscode.window[k] = (msg, ...rest) => { seen.push(msg); return orig[k].call(vscode.window, msg, ...rest); };
  }
  return { seen, restore: () => Object.assign(vscode.window, orig) };
}

describe('Tensor Studio in VS Code', () => {
  let api;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is loaded`);
    api = await ext.activate();
  });

  it('activates and starts the language server', async () => {
    assert.equal(vscode.extensions.getExtension(EXT_ID).isActive, true);
    assert.equal(await api.serverReady, true, 'server started (see the "Tensor Studio" output)');
    assert.equal(api.client().isRunning(), true);
  });

  it('registers every command in the manifest', async () => {
    const cmds = new Set(await vscode.commands.getCommands(true));
    for (const c of ALL_COMMANDS) assert.ok(cmds.has(c), `${c} registered`);
    const manifest = vscode.extensions.getExtension(EXT_ID).packageJSON;
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...ALL_COMMANDS].sort());
  });

  it('hover over `x` in forward shows its Tensor[...] shape', async () => {
    const doc = await vscode.workspace.openTextDocument(modelUri());
    await vscode.window.showTextDocument(doc);
    const pos = forwardXPosition(doc);
    const text = await eventually('a Tensor[...] hover', async () => {
      const t = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos));
      return /Tensor\[/.test(t) ? t : undefined;
    });
    // conv1 (3x3) then a 2x2 max-pool: 28 -> 26 -> 13, 16 channels.
    assert.match(text, /Tensor\[[^\]]*16, 13, 13\]/, text);
  });

  it('inlay hints show the shapes in forward', async () => {
    const doc = await vscode.workspace.openTextDocument(modelUri());
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await eventually('shape inlay hints', async () => {
      const h = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', doc.uri, range);
      return h && h.length > 0 ? h : undefined;
    });
    const flattenLine = doc.getText().split('\n').findIndex((l) => l.includes('torch.flatten(x, 1)'));
    const onFlatten = hints.filter((h) => h.position.line === flattenLine).map(hintLabel);
    assert.ok(onFlatten.some((l) => /800\]/.test(l)), `flatten gives 32*5*5 = 800 features; hints there: ${JSON.stringify(onFlatten)}`);
  });

  it('code lens shows the parameter count', async () => {
    const doc = await vscode.workspace.openTextDocument(modelUri());
    const lenses = await eventually('a parameter-count code lens', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100);
      return l && l.some((x) => x.command && /param/i.test(x.command.title)) ? l : undefined;
    });
    const titles = lenses.filter((x) => x.command).map((x) => x.command.title);
    // conv1 160 + conv2 4,640 + fc1 102,528 + fc2 1,290 = 108,618 parameters.
    assert.ok(titles.some((t) => /108[,.\s]?6(18|\d?\s*[kK])/.test(t)), `parameter count 108,618 in ${JSON.stringify(titles)}`);
    // The Train / Show Graph lenses pass (uri, className).
    const train = lenses.find((x) => x.command && x.command.command === 'tensorStudio.runTraining');
    assert.deepEqual(train.command.arguments, [doc.uri.toString(), 'FashionCNN']);
    const lens = lenses.find((x) => x.command && x.command.command === 'tensorStudio.showGraph');
    assert.deepEqual(lens.command.arguments, [doc.uri.toString(), 'FashionCNN']);
  });

  it('Show Model Graph from the code lens draws the model; an edit redraws it; a shape bug shows up in it', async () => {
    const doc = await vscode.workspace.openTextDocument(modelUri());
    const editor = await vscode.window.showTextDocument(doc);
    const panel = await vscode.commands.executeCommand('tensorStudio.showGraph', doc.uri.toString(), 'FashionCNN');
    assert.equal(api.graphPanel(), panel);
    try {
      const g = await eventually('the graph of FashionCNN in the panel', () => panel.lastGraph && panel.lastGraph.kind === 'graph' ? panel.lastGraph : undefined);
      assert.equal(g.className, 'FashionCNN');
      assert.equal(g.nodes.filter((n) => n.category === 'layer').length, 4, 'conv1, conv2, fc1, fc2');
      assert.deepEqual(g.outputs.map((o) => o.shape), ['Tensor[64, 10]']);
      assert.equal(panel.panel.title, 'Graph: FashionCNN');
      // Ten classes become twelve: the panel asks again after the edit and draws the new output shape.
      const line = doc.getText().split('\n').findIndex((l) => /nn\.Linear\(128, num_classes\)/.test(l));
      const col = doc.lineAt(line).text.indexOf('num_classes)');
      await editor.edit((e) => e.replace(new vscode.Range(line, col, line, col + 'num_classes'.length), '12'));
      await eventually('the redrawn graph', () => panel.lastGraph && panel.lastGraph.kind === 'graph' && panel.lastGraph.outputs[0].shape === 'Tensor[64, 12]');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      // The same panel follows another model file; a forward that breaks draws up to the error.
      const bug = vscode.Uri.joinPath(workspaceRoot(), 'graph_bug.py');
      await vscode.workspace.fs.writeFile(bug, Buffer.from(BUG_SOURCE));
      await vscode.commands.executeCommand('tensorStudio.showGraph', bug);
      const b = await eventually('the broken model\'s graph', () => panel.lastGraph && panel.lastGraph.kind === 'graph' && panel.lastGraph.className === 'Broken' ? panel.lastGraph : undefined);
      assert.deepEqual(b.nodes.map((n) => n.op), ['input', 'flatten', 'Linear', 'error']);
      assert.equal(b.error.range.start.line, BUG_LINE);
      assert.match(b.error.message, /64/);
    } finally {
      panel.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    assert.equal(api.graphPanel(), undefined);
  });

  it('a planted shape bug gets an Error diagnostic on its line; Check Model Shapes reports it', async () => {
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'bug_model.py');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(BUG_SOURCE));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const errors = await eventually('an Error diagnostic in bug_model.py', () => {
      const e = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      return e.length > 0 ? e : undefined;
    });
    assert.deepEqual(errors.map((d) => d.range.start.line), [BUG_LINE], JSON.stringify(errors.map((d) => d.message)));
    const r = await vscode.commands.executeCommand('tensorStudio.checkShapes', uri);
    assert.equal(r.errors, 1);
    assert.match(r.messages[0], new RegExp(`^${path.basename(uri.fsPath)}:${BUG_LINE + 1}: `));
  });

  it('Check Model Shapes says there are no errors in the example', async () => {
    const spy = captureMessages();
    try {
      const r = await vscode.commands.executeCommand('tensorStudio.checkShapes', modelUri());
      assert.equal(r.errors, 0, JSON.stringify(r.messages));
      assert.ok(spy.seen.some((m) => m.startsWith('No shape errors in fashion/model.py')), JSON.stringify(spy.seen));
    } finally {
      spy.restore();
    }
  });
  it('tensorStudio.inlayHints.enabled turns the shape hints off and on again', async () => {
    const doc = await vscode.workspace.openTextDocument(modelUri());
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const count = async () => ((await vscode.commands.executeCommand('vscode.executeInlayHintProvider', doc.uri, range)) ?? []).length;
    const cfg = () => vscode.workspace.getConfiguration('tensorStudio');
    try {
      await cfg().update('inlayHints.enabled', false, vscode.ConfigurationTarget.Global);
      await eventually('no inlay hints while disabled', async () => (await count()) === 0, 15_000);
    } finally {
      await cfg().update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    await eventually('inlay hints back once enabled', async () => (await count()) > 0, 15_000);
  });

  it('Check Model Shapes with no Python file open says what to do', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const spy = captureMessages();
    try {
      const r = await vscode.commands.executeCommand('tensorStudio.checkShapes');
      assert.equal(r, undefined);
      assert.ok(spy.seen.some((m) => /open a Python model file/.test(m)), JSON.stringify(spy.seen));
    } finally {
      spy.restore();
    }
  });

  it('nonsense Python neither crashes the server nor stops it answering', async () => {
    const pid = serverPid();
    const uri = vscode.Uri.joinPath(workspaceRoot(), 'garbage.py');
    const junk = 'class (:\n  def forward(self x):\n    x = torch.flatten(x, 1)[[[\n)))\nimport torch.nn as nn\nclass N(nn.Module):\n    def forward(self, x): return x @@ x\n\t\u00e9\u4e2d = (\n';
    await vscode.workspace.fs.writeFile(uri, Buffer.from(junk));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    // Type into it too: incremental edits over broken code.
    for (const ch of ['(', 'x', ':', '\n', ']']) await editor.edit((e) => e.insert(new vscode.Position(1, 5), ch));
    await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(2, 6));
    await sleep(500);
    assert.equal(serverPid(), pid, 'same server process');
    const model = await vscode.workspace.openTextDocument(modelUri());
    const t = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', model.uri, forwardXPosition(model)));
    assert.match(t, /Tensor\[/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the extension survives a language-server crash and the server comes back', async () => {
    const pid = await eventually('the language server process', () => serverPid(), 10_000);
    process.kill(pid, 'SIGKILL');
    // The client's error handler restarts it (a new process); hover works again.
    await eventually('a restarted language server', () => { const p = serverPid(); return p !== undefined && p !== pid; });
    assert.equal(vscode.extensions.getExtension(EXT_ID).isActive, true);
    const doc = await vscode.workspace.openTextDocument(modelUri());
    await vscode.window.showTextDocument(doc);
    await eventually('hover after the restart', async () => {
      const t = hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, forwardXPosition(doc)));
      return /Tensor\[/.test(t);
    });
    const r = await vscode.commands.executeCommand('tensorStudio.checkShapes', modelUri());
    assert.equal(r.errors, 0);
  });
});
