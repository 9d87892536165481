// Drives the profiler like a person: with fashion/model.py open, click the "Profile" code lens
// (pick the quick config if asked), wait for the profiler to open on the run's trace, look at the
// overview and the timeline, open Operators and click conv2d's source link: the editor must go to
// the line that calls the conv. A screenshot at each step.
/* global window */
import { join } from 'node:path';
import { runCommand } from './ui_hover.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The webview frame running the profiler once it shows a trace (VS Code nests it two iframes deep). */
async function profilerFrame(page, ms, onWait) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      const ok = await f.evaluate(() => Boolean(window.tensorStudioProfiler && window.tensorStudioProfiler.data)).catch(() => false);
      if (ok) return f;
    }
    await onWait?.();
    await sleep(300);
  }
  return null;
}

/** @returns {Promise<{ok: boolean, reason?: string, shots: string[]}>} */
export async function driveProfiler(page, { shotDir, log }) {
  const shots = [];
  const shot = async (name) => { const p = join(shotDir, `${name}.png`); await page.screenshot({ path: p }); shots.push(p); return p; };
  const fail = async (reason) => { await shot('profiler-failure'); return { ok: false, reason, shots }; };

  await runCommand(page, 'View: Close All Editors');
  // The Runs view may be showing (the metrics step opens it): back to the Explorer, open model.py.
  await runCommand(page, 'View: Show Explorer');
  const folder = page.getByRole('treeitem', { name: 'fashion', exact: true }).first();
  await folder.waitFor({ timeout: 20_000 }).catch(() => undefined);
  if ((await folder.getAttribute('aria-expanded').catch(() => null)) === 'false') await folder.click();
  await page.getByRole('treeitem', { name: 'model.py', exact: true }).first().click({ timeout: 20_000 }).catch(() => undefined);
  try { await page.waitForSelector('.tab.active[aria-label^="model.py"]', { timeout: 20_000 }); } catch { return fail('could not open fashion/model.py from the Explorer'); }
  const lens = page.locator('.codelens-decoration a', { hasText: /^Profile$/ }).first();
  try { await lens.waitFor({ timeout: 60_000 }); } catch { return fail('no "Profile" code lens above FashionCNN'); }
  await lens.click();
  // The config picker only when the model's config is not remembered yet.
  const pickRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'quick.tsrun.json' }).first();
  const frame = await profilerFrame(page, 180_000, async () => {
    if (await pickRow.isVisible().catch(() => false)) { await shot('profiler-0-config-picker'); await pickRow.click(); }
  });
  if (!frame) return fail('the profiler did not open on the profiled run within 180 s');
  const info = await frame.evaluate(() => {
    const d = window.tensorStudioProfiler.data;
    const conv = d.ops.find((o) => o.name === 'conv2d');
    return { fileName: d.info.fileName, steps: d.steps.length, ops: d.ops.length, conv: conv ? { line: conv.source?.line, self: conv.self } : null };
  });
  log(`profiler: ${info.fileName}, ${info.steps} steps, ${info.ops} ops; conv2d at model.py:${info.conv?.line}`);
  if (info.steps !== 3) return fail(`the profiler shows ${info.steps} steps, not the 3 profiled`);
  if (!info.conv?.line) return fail('no conv2d row with a source line in the op table');
  await sleep(500);
  await shot('profiler-1-overview');
  await frame.locator('button[data-view="timeline"]').click();
  await sleep(800);
  await shot('profiler-2-timeline');

  await frame.locator('button[data-view="operators"]').click();
  const row = frame.locator('.page-operators .row').filter({ has: frame.locator('[role="gridcell"]', { hasText: /^conv2d$/ }) }).first();
  try { await row.waitFor({ timeout: 10_000 }); } catch { return fail('the op table has no conv2d row'); }
  await shot('profiler-3-operators');
  await row.locator('a.source').click();
  let where = '';
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    where = (await page.locator('[id="status.editor.selection"]').first().innerText().catch(() => '')).trim();
    if (new RegExp(`^Ln ${info.conv.line},`).test(where)) break;
    await sleep(300);
  }
  await shot('profiler-4-revealed');
  if (!new RegExp(`^Ln ${info.conv.line},`).test(where)) return fail(`conv2d's source link left the cursor at ${JSON.stringify(where)}, not line ${info.conv.line}`);
  // The active tab of the active group (the profiler keeps its own group's tab active).
  const active = (await page.locator('.editor-group-container.active .tab.active').first().getAttribute('aria-label')) ?? '';
  if (!/^model\.py/.test(active)) return fail(`the source link opened ${JSON.stringify(active)}, not model.py`);
  log(`profiler: conv2d's source link moved the editor to model.py ${where}`);
  await runCommand(page, 'View: Close All Editors');
  await sleep(500);
  return { ok: true, shots };
}
