// A stand-in engine host for `npm run bench:host`: speaks the real protocol (protocol.ts) and
// batches with the real Batcher (run_session.ts), but its "trainer" only emits metric points as
// fast as it can, 2 per step, yielding to the event loop between steps as the real loader does.
// It measures the forwarding path, not the engine.
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { HOST_PROTOCOL_VERSION, RunEventNotification, StartRunRequest, StatusRequest, type RunEvent } from '../../engine/src/host/protocol.js';
import { Batcher } from '../../engine/src/host/run_session.js';

const POINTS = Number(process.env.FLOOD_POINTS ?? 200_000);
const STEPS_PER_YIELD = Number(process.env.FLOOD_STEPS_PER_YIELD ?? 50);
const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
const send = (ev: RunEvent) => { void connection.sendNotification(RunEventNotification, ev); };

connection.onRequest(StatusRequest, () => ({ protocolVersion: HOST_PROTOCOL_VERSION, engine: { name: 'flood', version: '0' }, pid: process.pid, runs: [] }));
connection.onRequest(StartRunRequest, (p) => {
  const runId = 'flood';
  const batch = new Batcher(runId, send);
  setImmediate(async () => {
    const t0 = performance.now();
    let step = 0;
    for (let n = 0; n < POINTS; n += 2) {
      step++;
      const time = (performance.now() - t0) / 1000;
      batch.point({ step, epoch: 0, name: 'train/loss', value: 1 / step, time });
      batch.point({ step, epoch: 0, name: 'train/lr', value: 0.001, time });
      batch.step({ type: 'progress', runId, epoch: 0, epochs: 1, epochStep: step, epochSteps: POINTS / 2, step, totalSteps: POINTS / 2, loss: 1 / step, samplesPerSec: 0, etaSec: 0, time });
      if (step % STEPS_PER_YIELD === 0) await new Promise((r) => setImmediate(r));
    }
    const now = new Date().toISOString();
    batch.now({ type: 'finished', runId, runDirCreated: false, summary: {
      format: 1, status: 'completed', trainer: 'flood', model: { file: '' }, configPath: '', device: 'cpu', mode: 'eager',
      startedAt: now, updatedAt: now, seconds: (performance.now() - t0) / 1000, step, totalSteps: step, epochs: 1, final: {},
    } });
  });
  return { runId, runDir: p.runDir };
});
process.on('disconnect', () => process.exit(0));
connection.listen();
