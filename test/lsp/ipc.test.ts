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
