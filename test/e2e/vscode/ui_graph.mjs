// Drives the graph panel like a person: with fashion/model.py open, click the "Show Graph" code
// lens, wait for the panel to draw, take a screenshot, click the fc1 node and check that the
// editor's cursor moved to the line that calls it; then close the editors again.
/* global window */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './ui_hover.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The webview frame that runs the graph panel (VS Code nests it two iframes deep). */
async function graphFrame(page, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      const ok = await f.evaluate(() => Boolean(window.tensorStudioGraph && window.tensorStudioGraph.metrics.layouts > 0)).catch(() => false);
      if (ok) return f;
    }
    await sleep(300);
  }
  return null;
}

/** @returns {Promise<{ok: boolean, reason?: string, shots: string[]}>} */
export async function driveGraph(page, { ws, shotDir, log }) {
  const shots = [];
  const shot = async (name) => { const p = join(shotDir, `${name}.png`); await page.screenshot({ path: p }); shots.push(p); return p; };
  const fail = async (reason) => { await shot('graph-failure'); return { ok: false, reason, shots }; };

  const lens = page.locator('.codelens-decoration a', { hasText: /^Show Graph$/ }).first();
  try { await lens.waitFor({ timeout: 60_000 }); } catch { return fail('no "Show Graph" code lens above FashionCNN'); }
  await lens.click();
  const frame = await graphFrame(page, 60_000);
  if (!frame) return fail('the graph panel did not draw within 60 s');
  const status = (await frame.locator('.status').textContent()) ?? '';
  const title = (await frame.locator('.toolbar .title').textContent()) ?? '';
  log(`graph panel: "${title}" — ${status}`);
  if (!/^12 of 12 nodes shown · 11 edges$/.test(status)) return fail(`graph status says ${JSON.stringify(status)}`);
  await sleep(500);
  await shot('graph');

  // Click fc1: the editor goes to `x = F.relu(self.fc1(x))`.
  const at = await frame.evaluate(() => {
    const t = window.tensorStudioGraph;
    const key = t.keys().find((k) => k.includes('|fc1#'));
    const b = t.scene().byKey.get(key);
    const { x, y, s } = t.view.cam;
    return b ? { x: (b.x + b.w / 2 - x) * s, y: (b.y + b.h / 2 - y) * s } : null;
  });
  if (!at) return fail('no fc1 node in the drawn graph');
  await frame.locator('canvas').first().click({ position: at });
  const lines = readFileSync(join(ws, 'fashion', 'model.py'), 'utf8').split('\n');
  const want = lines.findIndex((l) => /= .*self\.fc1\(/.test(l)) + 1;
  let where = '';
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    where = (await page.locator('[id="status.editor.selection"]').first().innerText().catch(() => '')).trim();
    if (new RegExp(`^Ln ${want},`).test(where)) break;
    await sleep(300);
  }
  await shot('graph-clicked');
  if (!new RegExp(`^Ln ${want},`).test(where)) return fail(`clicking fc1 left the cursor at ${JSON.stringify(where)}, not line ${want}`);
  const details = (await frame.locator('.details-body h3').textContent()) ?? '';
  if (details !== 'Linear') return fail(`the details show ${JSON.stringify(details)} after clicking fc1`);
  log(`graph: clicking fc1 moved the editor to ${where}`);
  await runCommand(page, 'View: Close All Editors');
  await sleep(500);
  return { ok: true, shots };
}
