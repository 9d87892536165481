// The language server through the real protocol: spawns the built dist/server.js over stdio.
// Tests marked [analysis] need the frontend to infer shapes; while analyze() is still the stub
// they skip locally (saying so) and fail in CI.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import {
  HoverRequest, InlayHintRequest, CodeLensRequest, DidChangeConfigurationNotification,
  type Hover, type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { analyze } from '../../engine/src/frontend/index.js';
import { missing } from '../helpers/require_env.js';
import { GraphRequest, GRAPH_PROTOCOL_VERSION } from '../../server/src/protocol.js';
import { TestClient, fileUri, positionOf, readRepoFile } from './lsp_client.js';

const MODEL = 'examples/fashion/model.py';
const BUG = 'test/lsp/fixtures/planted_bug.py';
const TWO = 'test/lsp/fixtures/two_models.py';
const modelText = readRepoFile(MODEL);
const bugText = readRepoFile(BUG);
const twoText = readRepoFile(TWO);

/** Whether the frontend infers anything yet (it starts as a stub returning empty results). */
const frontendReady = (() => { try { return analyze(modelText).facts.length > 0; } catch { return false; } })();
function needsAnalysis(t: TestContext): boolean {
  if (TestClient.available()) return missing(t, 'dist/server.js', TestClient.available()!);
  return !frontendReady && missing(t, 'frontend shape inference', 'analyze() returns no facts for examples/fashion/model.py (the frontend has not landed yet)');
}

let client: TestClient;
before(async () => {
  if (TestClient.available()) return;
  client = new TestClient({ initializationOptions: { tensorStudio: { inlayHints: { enabled: true } } } });
  await client.initialize();
  await client.open(fileUri(MODEL), modelText);
  await client.open(fileUri(BUG), bugText);
  await client.open(fileUri(TWO), twoText);
});
after(async () => {
  if (!client) return;
  const code = await client.shutdown();
  assert.equal(code, 0, 'server exits with 0 after shutdown + exit');
  assert.equal(client.stderr, '', 'nothing on stderr');
  assert.deepEqual(client.errorLogs(), [], 'no caught exceptions logged');
});

const hoverText = (h: Hover | null): string => (h ? (h.contents as MarkupContent).value : '');

test('wiring: diagnostics are published for opened Python files; other files are ignored', async (t) => {
  if (TestClient.available()) return void missing(t, 'dist/server.js', TestClient.available()!);
  const pub = await client.waitForDiagnostics(fileUri(MODEL));
  assert.ok(Array.isArray(pub.diagnostics));
  assert.equal(pub.version, 1);
  const txt = 'file:///tmp/notes.txt';
  await client.open(txt, 'x = 1', 'plaintext');
  assert.equal(await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: txt }, position: { line: 0, character: 0 } }), null);
  assert.deepEqual(await client.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri: txt } }), []);
  const g = await client.conn.sendRequest(GraphRequest, { uri: txt });
  assert.equal(g.kind, 'error');
  assert.equal(g.version, GRAPH_PROTOCOL_VERSION);
});

test('wiring: malformed custom request params are answered, not crashed on', async (t) => {
  if (TestClient.available()) return void missing(t, 'dist/server.js', TestClient.available()!);
  const g = await client.conn.sendRequest(GraphRequest, {} as never);
  assert.equal(g.kind, 'error');
  const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: fileUri(MODEL) }, position: { line: 9999, character: 9999 } });
  assert.equal(h, null);
});

test('[analysis] hover on x in forward shows Tensor[64, 16, 13, 13]', async (t) => {
  if (needsAnalysis(t)) return;
  const pos = positionOf(modelText, 'x = self.pool(F.relu(self.conv1(x)))');
  const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: fileUri(MODEL) }, position: pos });
  assert.match(hoverText(h), /Tensor\[64, 16, 13, 13\]/);
  assert.match(hoverText(h), /float32/);
  // The second assignment: after conv2 (13 -> 11) and pool (-> 5).
  const pos2 = positionOf(modelText, 'x = self.pool(F.relu(self.conv2(x)))');
  assert.match(hoverText(await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: fileUri(MODEL) }, position: pos2 })), /Tensor\[64, 32, 5, 5\]/);
});

test('[analysis] hover on a layer attribute and on a class name', async (t) => {
  if (needsAnalysis(t)) return;
  const uri = fileUri(MODEL);
  const use = positionOf(modelText, 'self.conv1(x)', 0, 6);
  const layer = hoverText(await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: use }));
  assert.match(layer, /Conv2d/);
  assert.match(layer, /160 parameters/); // 16*1*3*3 + 16
  assert.match(layer, /\[16, 1, 3, 3\]/);
  const cls = hoverText(await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(modelText, 'FashionCNN', 0, 2) }));
  // 160 + 4640 + 102528 + 1290 parameters.
  assert.match(cls, /108,618 parameters/);
  assert.match(cls, /Tensor\[64, 10\]/);
});

test('[analysis] planted bug: one error at the fc1 call line, related info points into the file', async (t) => {
  if (needsAnalysis(t)) return;
  const pub = await client.waitForDiagnostics(fileUri(BUG), (p) => p.diagnostics.length > 0);
  const errors = pub.diagnostics.filter((d) => d.severity === 1);
  assert.equal(errors.length, 1, JSON.stringify(pub.diagnostics));
  const d = errors[0]!;
  assert.equal(d.range.start.line, positionOf(bugText, 'x = F.relu(self.fc1(x))').line);
  assert.equal(d.source, 'tensor-studio');
  assert.ok(typeof d.code === 'string' && d.code.length > 0);
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  assert.match(message, /800/);
  assert.match(message, /1152/);
  assert.ok(d.relatedInformation && d.relatedInformation.length > 0, 'related information');
  for (const ri of d.relatedInformation) assert.equal(ri.location.uri, fileUri(BUG));
});

test('[analysis] inlay hints after each assignment', async (t) => {
  if (needsAnalysis(t)) return;
  const hints = await client.conn.sendRequest(InlayHintRequest.type, {
    textDocument: { uri: fileUri(MODEL) }, range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  });
  const byLine = new Map((hints ?? []).map((h) => [h.position.line, h.label as string]));
  assert.equal(byLine.get(positionOf(modelText, 'x = self.pool(F.relu(self.conv1(x)))').line), '  Tensor[64, 16, 13, 13]');
  assert.equal(byLine.get(positionOf(modelText, 'x = torch.flatten(x, 1)').line), '  Tensor[64, 800]');
  assert.equal(byLine.get(positionOf(modelText, 'x = F.relu(self.fc1(x))').line), '  Tensor[64, 128]');
  const tuple = await client.conn.sendRequest(InlayHintRequest.type, {
    textDocument: { uri: fileUri(TWO) }, range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  });
  const line = positionOf(twoText, 'a, b = ').line;
  assert.equal(tuple?.find((h) => h.position.line === line)?.label, '  a: Tensor[2, 16], b: Tensor[2, 16]');
});

test('[analysis] code lens above each nn.Module class', async (t) => {
  if (needsAnalysis(t)) return;
  const uri = fileUri(TWO);
  const lenses = await client.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  const titles = (lenses ?? []).map((l) => [l.range.start.line, l.command?.title, l.command?.command]);
  const blockLine = positionOf(twoText, 'class Block').line;
  const netLine = positionOf(twoText, 'class Net').line;
  assert.deepEqual(titles.filter(([l]) => l === blockLine).map(([, title]) => title).slice(1), ['Train', 'Profile', 'Show Graph']);
  const net = (lenses ?? []).filter((l) => l.range.start.line === netLine);
  assert.equal(net.length, 4);
  // Block(3, 8): conv 3*8*9+8 = 224, bn 16 -> 240; Block(8, 16): 8*16*9+16 = 1168, bn 32 -> 1200; head 170. Total 1610.
  assert.match(net[0]!.command!.title, /^1,610 parameters \(6\.29 KB\)$/);
  assert.deepEqual(net[2]!.command!.arguments, [uri, 'Net']);
  assert.equal(net[1]!.command!.command, 'tensorStudio.runTraining');
});

test('[analysis] tensorStudio/graph for the model', async (t) => {
  if (needsAnalysis(t)) return;
  const g = await client.conn.sendRequest(GraphRequest, { uri: fileUri(MODEL), className: 'FashionCNN' });
  assert.equal(g.kind, 'graph', JSON.stringify(g));
  if (g.kind !== 'graph') return;
  assert.equal(g.version, GRAPH_PROTOCOL_VERSION);
  const ops = g.nodes.map((n) => n.op);
  for (const want of ['Conv2d', 'MaxPool2d', 'Linear', 'relu', 'flatten']) assert.ok(ops.includes(want), `${want} in ${ops.join(',')}`);
  assert.equal(ops.filter((o) => o === 'Conv2d').length, 2);
  const conv1 = g.nodes.find((n) => n.label === 'conv1')!;
  const out = g.edges.find((e) => e.from === conv1.id)!;
  assert.match(out.shape, /Tensor\[(64|N), 16, 26, 26\]/);
  assert.equal(out.dtype, 'float32');
  assert.equal(g.inputs.length, 1);
  assert.match(g.outputs[0]!.shape, /Tensor\[(64|N), 10\]/);
  // Every edge joins existing nodes.
  const ids = new Set(g.nodes.map((n) => n.id));
  for (const e of g.edges) assert.ok(ids.has(e.from) && ids.has(e.to), JSON.stringify(e));
  // Default class = the top-level one.
  const top = await client.conn.sendRequest(GraphRequest, { uri: fileUri(TWO) });
  assert.equal(top.kind === 'graph' ? top.className : top.message, 'Net');
  const none = await client.conn.sendRequest(GraphRequest, { uri: fileUri(MODEL), className: 'Missing' });
  assert.equal(none.kind, 'error');
});

test('[analysis] incremental didChange: break conv2, see the error, fix it, see it go', async (t) => {
  if (needsAnalysis(t)) return;
  const uri = fileUri(MODEL);
  const at = positionOf(modelText, 'nn.Conv2d(16, 32', 0, 'nn.Conv2d('.length);
  const range = { start: at, end: { line: at.line, character: at.character + 2 } };
  await client.change(uri, 2, [{ range, text: '8' }]);
  const broken = await client.waitForDiagnostics(uri, (p) => p.version === 2);
  const err = broken.diagnostics.find((d) => d.severity === 1);
  assert.ok(err, 'an error after changing conv2 in_channels to 8');
  assert.equal(err.range.start.line, positionOf(modelText, 'x = self.pool(F.relu(self.conv2(x)))').line);
  // Hover answers from the newest text even before the debounce fires.
  await client.change(uri, 3, [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '16' }]);
  const fixed = await client.waitForDiagnostics(uri, (p) => p.version === 3);
  assert.deepEqual(fixed.diagnostics.filter((d) => d.severity === 1), []);
  // Two changes in one notification (offsets of the intermediate text) then a hover.
  const x1 = positionOf(modelText, 'nn.Linear(128, num_classes)', 0, 'nn.Linear('.length);
  await client.change(uri, 4, [
    { range: { start: x1, end: { line: x1.line, character: x1.character + 3 } }, text: '64' },
    { range: { start: x1, end: { line: x1.line, character: x1.character + 2 } }, text: '128' },
  ]);
  const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(modelText, 'x = F.relu(self.fc1(x))') });
  assert.match(hoverText(h), /Tensor\[64, 128\]/);
  const again = await client.waitForDiagnostics(uri, (p) => p.version === 4);
  assert.deepEqual(again.diagnostics.filter((d) => d.severity === 1), []);
});

test('settings: disabling inlay hints through didChangeConfiguration empties them and asks for a refresh', async (t) => {
  if (TestClient.available()) return void missing(t, 'dist/server.js', TestClient.available()!);
  const c = new TestClient();
  try {
    await c.initialize();
    await c.open(fileUri(MODEL), modelText);
    const req = { textDocument: { uri: fileUri(MODEL) }, range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } } };
    const before = await c.conn.sendRequest(InlayHintRequest.type, req);
    await c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { tensorStudio: { inlayHints: { enabled: false } } } });
    assert.deepEqual(await c.conn.sendRequest(InlayHintRequest.type, req), []);
    assert.equal(c.inlayRefreshes, 1);
    await c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { tensorStudio: { inlayHints: { enabled: true } } } });
    assert.deepEqual(await c.conn.sendRequest(InlayHintRequest.type, req), before);
    assert.equal(c.inlayRefreshes, 2);
  } finally {
    assert.equal(await c.shutdown(), 0);
  }
});

test('settings: workspace/configuration is read when the client supports it', async (t) => {
  if (TestClient.available()) return void missing(t, 'dist/server.js', TestClient.available()!);
  let enabled = false;
  const c = new TestClient({ configuration: () => ({ inlayHints: { enabled } }) });
  try {
    await c.initialize();
    await c.open(fileUri(MODEL), modelText);
    const req = { textDocument: { uri: fileUri(MODEL) }, range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } } };
    const refreshes = async (n: number): Promise<void> => {
      // The server pulls the configuration asynchronously; a change of the setting ends in a refresh request.
      for (let i = 0; i < 100 && c.inlayRefreshes < n; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(c.inlayRefreshes, n);
    };
    await c.waitForDiagnostics(fileUri(MODEL));
    await refreshes(1); // default true -> pulled false at initialized
    assert.deepEqual(await c.conn.sendRequest(InlayHintRequest.type, req), []);
    enabled = true;
    await c.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    await refreshes(2);
    if (frontendReady) assert.ok(((await c.conn.sendRequest(InlayHintRequest.type, req)) ?? []).length > 0);
  } finally {
    assert.equal(await c.shutdown(), 0);
  }
});
