// The profiler from inside VS Code (code-server's extension host, the real extension): Profile
// Training from the lens → the panel opens on the run's trace, the op table has the model's ops,
// revealing the slowest conv opens its line in model.py; a PyTorch trace opens in the custom
// editor; two traces compare; a broken trace says where it breaks; Show Profiler finds the newest.
/* global describe, it, before, after */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { promisify } = require('node:util');
const execFileP = promisify(require('node:child_process').execFile);
const vscode = require('vscode');
const { eventually, requireFashion, root, stub } = require('./helpers');

const REPO = path.resolve(__dirname, '../../../..');



describe('Profiler in VS Code', function () {
  this.timeout(180_000);
  let api;
  let ourTrace;

  before(async function () {
    requireFashion(this);
    api = await vscode.extensions.getExtension('tensor-studio.tensor-studio').activate();
    assert.equal(await api.serverReady, true);
    // training.test.js wrote fashion/quick.tsrun.json (30 CPU steps); Profile Training cuts it to warm-up + profiled steps.
    assert.ok(fs.existsSync(path.join(root(), 'fashion', 'quick.tsrun.json')), 'the quick config of the training suite');
  });
  after(async () => { await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  it('Profile from the lens trains a few profiled steps, opens their trace, and the slowest conv reveals its line', async () => {
    const model = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'fashion', 'model.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(model));
    const lenses = await eventually('a Profile lens', async () => {
      const l = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', model, 100);
      return l && l.some((x) => x.command?.title === 'Profile') ? l : undefined;
    }, 60_000);
    const lens = lenses.find((l) => l.command?.title === 'Profile');
    assert.equal(lens.command.command, 'tensorStudio.profileTraining');
    const restore = stub({ showQuickPick: async (items) => (await items).find((i) => /quick\.tsrun\.json/.test(i.label)) });
    let r;
    try { r = await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments); } finally { restore(); }
    assert.equal(r.opened, true, r.message);
    assert.equal(path.basename(r.trace), 'trace.json');
    ourTrace = r.trace;
    const panel = r.panel;
    assert.equal(api.profilerPanels().get(r.trace), panel);
    await panel.loaded;
    assert.equal(panel.error, undefined);
    const d = panel.data;
    assert.equal(d.info.source, 'tensor-studio');
    assert.equal(d.steps.length, 3, 'profiler.steps (3) steps, after profiler.warmupSteps (5)');
    assert.deepEqual(d.steps.map((s) => s.step), [6, 7, 8]);
    for (const s of d.steps) assert.ok(Math.abs(s.data + s.forward + s.backward + s.optimizer + s.other - s.dur) < 1e-6);
    const names = d.ops.map((o) => o.name);
    for (const op of ['conv2d', 'linear', 'relu']) assert.ok(names.includes(op), `${op} in ${names.join(', ')}`);
    const conv = d.ops.find((o) => o.name === 'conv2d');
    assert.equal(conv.source.file, 'model.py');
    assert.equal(await panel.reveal(conv.example), true);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor.document.uri.fsPath, model.fsPath);
    assert.equal(editor.selection.active.line, conv.source.line - 1);
    assert.match(editor.document.lineAt(conv.source.line - 1).text, /conv/);
  });

  it('a PyTorch trace opens in the profiler as the editor of *.pt.trace.json; it compares with ours', async () => {
    const file = path.join(root(), 'torch113.pt.trace.json');
    fs.copyFileSync(path.join(REPO, 'test/fixtures/traces/torch113.trace.json'), file);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    const panel = await eventually('the trace editor', () => api.profilerPanels().get(file));
    await panel.loaded;
    assert.equal(panel.data.info.source, 'pytorch');
    assert.equal(panel.data.steps.length, 3);
    assert.ok(panel.data.ops.some((o) => o.name === 'aten::conv2d'));
    assert.ok(ourTrace, 'the profiled run of the first test');
    assert.equal(await panel.compare(vscode.Uri.file(ourTrace)), true);
  });

  it('a 1,000,000-event trace opens and is drawn (time from the command to the page\'s first paint)', async () => {
    const big = path.join(root(), 'big.pt.trace.json');
    // The synthetic trace of the importer's tests (test/profile/synthetic_trace.ts): training steps in our format.
    // In a child process, awaited: the extension host must stay responsive meanwhile.
    await execFileP('node', ['--import', 'tsx', '-e',
      `require('./test/profile/synthetic_trace.ts').writeSyntheticTrace(${JSON.stringify(big)}, { events: 1000000 })`], { cwd: REPO });
    const r = await vscode.commands.executeCommand('tensorStudio.openTrace', vscode.Uri.file(big));
    await r.panel.loaded;
    assert.equal(r.panel.error, undefined);
    assert.equal(r.panel.data.info.events, 1_000_000);
    const drawn = await eventually('the first paint of the 1M-event profile', () => r.panel.timings.drawn, 60_000);
    console.log(`    [measure] 1,000,000-event trace (${(fs.statSync(big).size / 1e6).toFixed(0)} MB): on screen ${drawn} ms after Open Trace File (read in ${r.panel.timings.read} ms)`);
    r.panel.dispose();
    fs.rmSync(big);
  });

  it('a broken trace says what and where; Show Profiler opens the newest run\'s trace', async () => {
    const bad = path.join(root(), 'broken.pt.trace.json');
    fs.writeFileSync(bad, '[{"name": "aten::mm", "ph": "X", "ts": 1, "dur": 2, "pid": 1, "tid": 1},\n {"name": "aten::add", "ph": "X", "ts": }]');
    const r = await vscode.commands.executeCommand('tensorStudio.openTrace', vscode.Uri.file(bad));
    await r.panel.loaded;
    assert.equal(r.panel.data, undefined);
    assert.match(r.panel.error, /^broken\.pt\.trace\.json: .*byte [\d,]+/);
    const shown = await vscode.commands.executeCommand('tensorStudio.showProfiler');
    assert.equal(shown.opened, true, shown.message);
    assert.equal(shown.trace, ourTrace);
  });
});
