// Drives the metrics panel like a person, after a first run has finished: click Train again (the
// remembered config), run "Show Metrics" from the palette while it trains and watch points arrive,
// then, once it is done, tick the first run in the panel's run list to compare the two. Screenshots.
/* global window, document */
import { join } from 'node:path';
import { runCommand } from './ui_hover.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function metricsFrame(page, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (await f.evaluate(() => Boolean(window.tensorStudioMetrics)).catch(() => false)) return f;
    }
    await sleep(300);
  }
  return null;
}

/** Points the panel has drawn per run id, from its charts' last views. */
const drawnPoints = (frame) => frame.evaluate(() => {
  const out = {};
  for (const c of window.tensorStudioMetrics.charts()) for (const s of c.view?.series ?? []) out[s.runId] = (out[s.runId] ?? 0) + s.points;
  return out;
});

/** @returns {Promise<{ok: boolean, reason?: string, shots: string[]}>} */
export async function driveMetrics(page, { shotDir, log }) {
  const shots = [];
  const shot = async (name) => { const p = join(shotDir, `${name}.png`); await page.screenshot({ path: p }); shots.push(p); return p; };
  const fail = async (reason) => { await shot('metrics-failure'); return { ok: false, reason, shots }; };

  await page.getByRole('treeitem', { name: 'model.py', exact: true }).first().click({ timeout: 20_000 }).catch(() => undefined);
  const lens = page.locator('.codelens-decoration a', { hasText: /^Train$/ }).first();
  try { await lens.waitFor({ timeout: 60_000 }); } catch { return fail('no "Train" code lens for the second run'); }
  await lens.click();
  await runCommand(page, 'Tensor Studio: Show Metrics');
  const frame = await metricsFrame(page, 60_000);
  if (!frame) return fail('the metrics panel did not open');
  // Points while it trains: the newest run is ticked, and its loss chart fills.
  let live = null;
  const end = Date.now() + 60_000;
  while (Date.now() < end && !live) {
    const drawn = await drawnPoints(frame);
    const running = await frame.evaluate(() => [...document.querySelectorAll('.runs li')].some((li) => /running/.test(li.textContent) && li.querySelector('input').checked));
    const n = Object.values(drawn).reduce((a, b) => a + b, 0);
    if (running && n > 0) live = n;
    else await sleep(300);
  }
  if (!live) return fail('no points in the metrics panel while the run trained');
  log(`metrics panel: ${live} points drawn while the run was training`);
  await shot('metrics-live');
  // Done: tick the first run as well and compare.
  const doneBy = Date.now() + 120_000;
  while (Date.now() < doneBy && await frame.evaluate(() => [...document.querySelectorAll('.runs .badge')].some((b) => b.textContent === 'running'))) await sleep(500);
  const boxes = frame.locator('.runs input[type=checkbox]');
  if (await boxes.count() < 2) return fail('the panel lists fewer than two runs');
  await boxes.nth(1).check();
  const compareBy = Date.now() + 30_000;
  let drawn = {};
  while (Date.now() < compareBy) {
    drawn = await drawnPoints(frame);
    if (Object.values(drawn).filter((n) => n > 0).length >= 2) break;
    await sleep(300);
  }
  await sleep(500);
  await shot('metrics-compare');
  if (Object.values(drawn).filter((n) => n > 0).length < 2) return fail(`the two runs are not both drawn: ${JSON.stringify(drawn)}`);
  log(`metrics panel compares two runs: ${JSON.stringify(drawn)}`);
  return { ok: true, shots };
}
