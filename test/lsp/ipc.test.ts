// The extension starts the server with --node-ipc: the same binary must speak LSP over IPC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import {
  createProtocolConnection, IPCMessageReader, IPCMessageWriter, InitializeRequest, ShutdownRequest, ExitNotification,
} from 'vscode-languageserver-protocol/node';
import { missing } from '../helpers/require_env.js';
import { SERVER_JS, TestClient } from './lsp_client.js';

test('server speaks LSP over Node IPC (--node-ipc)', async (t) => {
  const why = TestClient.available();
  if (why) return void missing(t, 'dist/server.js', why);
  const proc = fork(SERVER_JS, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const conn = createProtocolConnection(new IPCMessageReader(proc), new IPCMessageWriter(proc));
  conn.listen();
  try {
    const res = await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
    assert.equal(res.serverInfo?.name, 'tensor-studio');
    assert.deepEqual(res.capabilities.textDocumentSync, { openClose: true, change: 2 });
    assert.ok(res.capabilities.hoverProvider && res.capabilities.inlayHintProvider && res.capabilities.codeLensProvider);
    await conn.sendRequest(ShutdownRequest.type);
    await conn.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
    assert.equal(stderr, '');
  } finally {
    conn.dispose();
    if (proc.exitCode === null) proc.kill();
  }
});

test('without a transport the server says how to start it (exit 2), --help exits 0', async (t) => {
  const why = TestClient.available();
  if (why) return void missing(t, 'dist/server.js', why);
  const { spawnSync } = await import('node:child_process');
  const bare = spawnSync(process.execPath, [SERVER_JS], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /no transport given/);
  assert.match(bare.stderr, /--stdio \| --node-ipc/);
  const help = spawnSync(process.execPath, [SERVER_JS, '--help'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /inlayHints\.enabled/);
});

test('an analysis that never finishes is cut off by the time limit; the server keeps answering', async (t) => {
  const why = TestClient.available();
  if (why) return void missing(t, 'dist/server.js', why);
  const { readRepoFile, fileUri } = await import('./lsp_client.js');
  const { HoverRequest } = await import('vscode-languageserver-protocol/node');
  // 1 ms: any real analysis runs past it, standing in for a frontend that loops.
  const c = new TestClient({ env: { TENSOR_STUDIO_ANALYSIS_TIMEOUT_MS: '1' } });
  try {
    await c.initialize();
    const uri = fileUri('examples/fashion/model.py');
    await c.open(uri, readRepoFile('examples/fashion/model.py'));
    const pub = await c.waitForDiagnostics(uri);
    assert.deepEqual(pub.diagnostics.map((d) => [d.code, d.severity]), [['analysis-timeout', 2]]);
    assert.equal(await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 20, character: 8 } }), null);
    assert.match(c.errorLogs().join('\n'), /did not finish within 1 ms/);
  } finally {
    assert.equal(await c.shutdown(), 0);
  }
  assert.equal(c.stderr, '');
});
