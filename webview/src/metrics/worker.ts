// The metrics panel's worker: it keeps every point, so the panel's main thread never holds a
// million-point series and only ever receives a few pixel columns per chart. The logic is
// MetricsData (tested in Node); this file only connects it to the worker's message port.
import { MetricsData, transferList } from './metrics_data.js';
import type { MetricsWorkerRequest, MetricsWorkerResponse } from './worker_protocol.js';

// webview/ is typed with the DOM lib, not WebWorker: name just what a worker's global offers here.
const ctx = self as unknown as {
  onmessage: ((e: MessageEvent<MetricsWorkerRequest>) => void) | null;
  postMessage(message: MetricsWorkerResponse, transfer: Transferable[]): void;
};

const data = new MetricsData();

ctx.onmessage = (e) => {
  const req = e.data;
  let res: MetricsWorkerResponse | null;
  try {
    res = data.handle(req);
  } catch (err) {
    // handle() does not throw on bad input; this is for the engine's own limits (a CSV of many
    // million-point series can pass the longest string V8 builds). A request with an id is
    // answered, so the panel is not left waiting; the others have no one to tell.
    const message = err instanceof Error ? err.message : String(err);
    if (!('id' in req)) { console.error(`metrics worker: ${req.type} failed: ${message}`); return; }
    res = { type: 'error', id: req.id, message };
  }
  if (res) ctx.postMessage(res, transferList(res));
};
