// Profiler panel data for browser tests and the benchmark: a committed trace imported and turned
// into the panel's ProfileData exactly as the extension's trace worker does, and a way to deliver
// it to a page with its typed arrays intact (Playwright's evaluate carries JSON only: the arrays
// travel as one binary body the page fetches, and are rebuilt there before the message is posted).
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
type TypedName = 'Float64Array' | 'Uint32Array' | 'Uint16Array';

let served = 0;

/**
 * Posts `message` to the panel as VS Code would, typed arrays included (found anywhere in it).
 * Resolves when the page has posted it; `postedAt` is the page's performance.now() then.
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
  // Each part 8-byte aligned in one body.
  const offsets: number[] = [];
  let size = 0;
  for (const a of parts) { offsets.push(size); size += Math.ceil(a.byteLength / 8) * 8; }
  const body = Buffer.alloc(size);
  parts.forEach((a, k) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(body, offsets[k]));
  const url = `https://webview.tensor-studio.test/__fixture/${++served}.bin`;
  await p.page.route(url, (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body }));
  const layout = parts.map((a, k) => ({ type: a.constructor.name as TypedName, offset: offsets[k]!, length: a.length }));
  return p.page.evaluate(`(async () => {
    const buf = await (await fetch(${JSON.stringify(url)})).arrayBuffer();
    const layout = ${JSON.stringify(layout)};
    const arrays = layout.map((l) => new globalThis[l.type](buf.slice(l.offset, l.offset + l.length * globalThis[l.type].BYTES_PER_ELEMENT)));
    const msg = JSON.parse(${JSON.stringify(json)}, (k, v) => (v && typeof v === 'object' && v.__typed ? arrays[v.part] : v));
    const postedAt = performance.now();
    window.postMessage(msg, '*');
    return { postedAt };
  })()`);
}

/** Sends a trace's ProfileData as the 'profile' message. */
export async function sendProfile(p: PanelHandle, data: ProfileData): Promise<{ postedAt: number }> {
  return sendBinary(p, { type: 'profile', data });
}

