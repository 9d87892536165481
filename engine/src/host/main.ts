// The engine host (dist/engine-host.js): a process the extension forks for one training run and
// talks to over Node IPC with the protocol in protocol.ts. One run per process (ARCHITECTURE.md
// says why). It never outlives the extension: when the IPC channel closes or its parent changes,
// the run stops at the next step boundary (with a checkpoint) and the process exits.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, ResponseError, ErrorCodes } from 'vscode-jsonrpc/node';
import { ENGINE_VERSION } from '../train/trainer.js';
import { HOST_PROTOCOL_VERSION, RunEventNotification, StartRunRequest, StatusRequest, StopRunRequest, type RunEvent } from './protocol.js';
import { RunSession } from './run_session.js';

/** After the editor goes away, how long a stopping run may take before the process just exits. */
const ORPHAN_GRACE_MS = 10_000;
/** After the last event, how long to wait for the extension to disconnect. */
const FINISHED_LINGER_MS = 5_000;

if (!process.send) {
  console.error('engine-host: this process is started by the Tensor Studio extension (over Node IPC).\n'
    + 'To train from a terminal: tensor-studio train CONFIG.json');
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
let session: RunSession | undefined;
let connected = true;

const send = (ev: RunEvent): void => {
  if (!connected) return;
  connection.sendNotification(RunEventNotification, ev).catch(() => { /* the channel closed: nobody to tell */ });
};

connection.onRequest(StatusRequest, () => ({
  protocolVersion: HOST_PROTOCOL_VERSION,
  engine: { name: 'tensor-studio', version: ENGINE_VERSION },
  pid: process.pid,
  runs: session ? [{ runId: session.runId, state: session.state, step: session.step, totalSteps: session.totalSteps }] : [],
}));

connection.onRequest(StartRunRequest, (params) => {
  if (params.protocolVersion !== HOST_PROTOCOL_VERSION) {
    throw new ResponseError(ErrorCodes.InvalidRequest, `engine host protocol ${HOST_PROTOCOL_VERSION} cannot serve a client speaking ${params.protocolVersion}; reinstall the extension`);
  }
  if (session) throw new ResponseError(ErrorCodes.InvalidRequest, `this engine host already runs ${session.runId}; each run gets its own host`);
  const s = new RunSession(params, send);
  session = s;
  // The extension disconnects once it has the 'finished' event, and the process exits then (an
  // exit right after process.send could drop the message); it never waits long for that.
  // Started after this answer has gone out: a run refused at once must not finish before it began.
  setImmediate(() => void s.run().then(() => setTimeout(() => process.exit(0), FINISHED_LINGER_MS), (e: unknown) => {
    console.error(`engine-host: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  }));
  return { runId: s.runId, runDir: params.runDir };
});

connection.onRequest(StopRunRequest, (params) => ({
  stopping: session !== undefined && session.runId === params.runId && session.stop(params.reason ?? 'stop requested'),
}));

/** The extension is gone: stop cleanly if possible, and never linger. */
function orphaned(why: string): void {
  connected = false;
  if (!session || session.state === 'finished') process.exit(0);
  session.stop(why);
  setTimeout(() => process.exit(0), ORPHAN_GRACE_MS);
}

process.on('disconnect', () => orphaned('the editor closed'));
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) orphaned('the editor process ended'); }, 1000).unref();
process.on('uncaughtException', (e) => {
  console.error(`engine-host: uncaught ${e.stack ?? e.message}`);
  process.exit(1);
});

connection.listen();
