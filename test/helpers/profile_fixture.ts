// Profiler panel data for browser tests and the benchmark: a committed trace imported and turned
// into the panel's ProfileData exactly as the extension's trace worker does, and a way to deliver
// it to a page with its typed arrays intact (Playwright's evaluate carries JSON only: the arrays
// travel as binary bodies the page fetches, and are rebuilt there before the message is posted).
import { join } from 'node:path';
import { importTrace } from '../../engine/src/profile/import/index.js';
import { buildProfileData } from '../../client/src/profiler/profile_data.js';
import type { ProfileData } from '../../webview/src/profiler_protocol.js';
import type { PanelHandle } from './webview_page.js';

export const TRACES = join(__dirname, '../fixtures/traces');

/** ProfileData of a trace file (a path, or a fixture's name: 'ours_cpu', 'torch113', ...). */
export async function profileData(trace: string): Promise<ProfileData> {
  const path = trace.includes('/') ? trace : join(TRACES, `${trace}.trace.json`);
  const t0 = performance.now();
  const m = await importTrace(path);
  return buildProfileData(m, { path, importMs: performance.now() - t0 });
}

type Typed = Float64Array | Uint32Array | Uint16Array;
const PIECE = 8 * 1024 * 1024;
let served = 0;

/**
 * Posts `message` to the panel as VS Code would, typed arrays included (found anywhere in it).
 * Their bytes are served in 8 MB pieces the page fetches (one body of ~90 MB, a 600 MB trace's
 * columns, takes the browser down: Playwright carries a body base64 in one DevTools message).
 * Resolves once the page has posted it; `postedAt` is the page's performance.now() then.
 */
export async function sendBinary(p: PanelHandle, message: unknown): Promise<{ postedAt: number }> {
  const parts: Typed[] = [];
  const json = JSON.stringify(message, (_k, v: unknown) => {
    if (v instanceof Float64Array || v instanceof Uint32Array || v instanceof Uint16Array) {
      parts.push(v);
      return { __typed: v.constructor.name, part: parts.length - 1 };
    }
    return v;
  });
  const layout: { type: string; length: number; urls: string[] }[] = [];
  for (const a of parts) {
    const bytes = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const urls: string[] = [];
    for (let at = 0; at < bytes.length; at += PIECE) {
      const url = `https://webview.tensor-studio.test/__fixture/${++served}.bin`;
      const body = bytes.subarray(at, Math.min(bytes.length, at + PIECE));
      await p.page.route(url, (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body }));
      urls.push(url);
    }
    layout.push({ type: a.constructor.name, length: a.length, urls });
  }
  return p.page.evaluate(`(async () => {
    const arrays = [];
    for (const l of ${JSON.stringify(layout)}) {
      const out = new globalThis[l.type](l.length);
      const bytes = new Uint8Array(out.buffer);
      let at = 0;
      for (const u of l.urls) { const b = new Uint8Array(await (await fetch(u)).arrayBuffer()); bytes.set(b, at); at += b.length; }
      arrays.push(out);
    }
    const msg = JSON.parse(${JSON.stringify(json)}, (k, v) => (v && typeof v === 'object' && v.__typed ? arrays[v.part] : v));
    const postedAt = performance.now();
    window.postMessage(msg, '*');
    return { postedAt };
  })()`);
}

/** Sends a trace's ProfileData as the extension does: the 'profile' message, then 'timeline'; `postedAt` is the first's. */
export async function sendProfile(p: PanelHandle, { timeline, ...summary }: ProfileData): Promise<{ postedAt: number }> {
  const first = await sendBinary(p, { type: 'profile', data: summary });
  await sendBinary(p, { type: 'timeline', timeline });
  return first;
}

