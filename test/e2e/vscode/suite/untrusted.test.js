// Runs inside the extension host of a code-server whose workspace is NOT trusted (restricted mode):
// the manifest promises limited support — shape analysis runs, training is refused with a message.
/* global describe, it */
const assert = require('node:assert/strict');
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('Tensor Studio in an untrusted workspace', () => {
  it('the workspace is untrusted and the extension still activates', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension('tensor-studio.tensor-studio');
    const api = await ext.activate();
    assert.equal(await api.serverReady, true);
  });

  it('shape analysis runs (hover shows the shape)', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'fashion', 'model.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    const lines = doc.getText().split('\n');
    const line = lines.findIndex((l, i) => i > lines.findIndex((x) => x.includes('def forward(')) && /^\s+x = /.test(l));
    const pos = new vscode.Position(line, lines[line].indexOf('x'));
    let text = '';
    for (let i = 0; i < 120 && !/Tensor\[/.test(text); i++) {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, pos);
      text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      if (!/Tensor\[/.test(text)) await sleep(250);
    }
    assert.match(text, /Tensor\[[^\]]*16, 13, 13\]/);
  });

  it('Run Training is refused with a message saying why', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'fashion', 'model.py');
    const r = await vscode.commands.executeCommand('tensorStudio.runTraining', uri, 'FashionCNN');
    assert.equal(r.started, false);
    assert.match(r.message, /training is disabled in untrusted workspaces/);
    const api = vscode.extensions.getExtension('tensor-studio.tensor-studio').exports;
    assert.deepEqual(api.training.activeRuns(), [], 'no engine host was started');
  });
});
