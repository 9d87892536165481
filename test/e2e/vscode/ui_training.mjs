// Drives training like a person: open fashion/model.py from the Explorer, click the "Train" code
// lens, pick the run config in the quick pick, watch the progress notification and the status
// bar, open the Tensor Studio activity bar's Runs view; with `full`, stop the run from the
// command palette, resume it, and expand the finished run's files. A screenshot at each step.
import { join } from 'node:path';
import { runCommand } from './ui_hover.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Text of the first element matching `selector` that contains `text`, or '' within `ms`. */
async function waitText(page, selector, text, ms) {
  const loc = page.locator(selector, { hasText: text }).first();
  try {
    await loc.waitFor({ timeout: ms });
    return (await loc.innerText()).trim();
  } catch {
    return '';
  }
}

/**
 * A notification's text: the toast if VS Code shows it (headless, the window has no focus and
 * VS Code often keeps toasts back), else from the notification centre, left open for a screenshot.
 */
async function notification(page, text, ms) {
  const toast = await waitText(page, '.notification-toast', text, ms);
  if (toast) return toast;
  await runCommand(page, 'Notifications: Show Notifications');
  return waitText(page, '.notifications-center .notification-list-item', text, 5_000);
}

/** The Runs view's row for the newest run, once its text matches `re`. */
async function runRow(page, re, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const rows = await page.locator('[id="workbench.view.extension.tensorStudio"] .monaco-list-row').allInnerTexts().catch(() => []);
    const row = rows.find((r) => re.test(r.replace(/\s+/g, ' ')));
    if (row) return row.replace(/\s+/g, ' ');
    await sleep(300);
  }
  return '';
}

/** @returns {Promise<{ok: boolean, reason?: string, shots: string[], firstStepMs?: number}>} */
export async function driveTraining(page, { shotDir, log, full }) {
  const shots = [];
  const shot = async (name) => { const p = join(shotDir, `${name}.png`); await page.screenshot({ path: p }); shots.push(p); return p; };
  const fail = async (reason) => { await shot('failure'); return { ok: false, reason, shots }; };

  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await sleep(1500);
  const folder = page.getByRole('treeitem', { name: 'fashion', exact: true }).first();
  await folder.waitFor({ timeout: 20_000 });
  if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
  await page.getByRole('treeitem', { name: 'model.py', exact: true }).first().click({ timeout: 20_000 });
  await page.waitForSelector('.tab.active[aria-label^="model.py"]', { timeout: 20_000 });

  // The lens appears once the language server has analysed the file.
  const lens = page.locator('.codelens-decoration a', { hasText: /^Train$/ }).first();
  try { await lens.waitFor({ timeout: 60_000 }); } catch { return fail('no "Train" code lens above FashionCNN'); }
  await shot('1-train-lens');
  await lens.click();
  const pickRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'quick.tsrun.json' }).first();
  try { await pickRow.waitFor({ timeout: 20_000 }); } catch { return fail('no run-config picker after clicking Train'); }
  await shot('2-config-picker');
  const t0 = Date.now();
  await pickRow.click();

  // Live progress: the status bar item shows the loss from the first step on.
  const status = await waitText(page, '.statusbar-item', /loss \d/, 60_000);
  const firstStepMs = Date.now() - t0;
  if (!status) return fail('the status bar never showed the training loss');
  log(`status bar ${firstStepMs} ms after the config was picked: ${status}`);
  await shot('3-status-bar');
  const progress = await notification(page, 'Training FashionCNN', 1_000);
  log(`progress notification: ${progress.replace(/\s+/g, ' ')}`);
  await shot('3-progress');
  if (!/step \d+\/\d+/.test(progress)) return fail(`the progress notification shows no step (saw ${JSON.stringify(progress)})`);
  await runCommand(page, 'Notifications: Hide Notifications').catch(() => undefined);

  // The Runs view in the Tensor Studio activity bar container.
  await page.locator('.activitybar .action-item [aria-label^="Tensor Studio"]').first().click({ timeout: 10_000 });
  const running = await runRow(page, full ? /FashionCNN.*running/ : /FashionCNN.*(running|completed)/, 20_000);
  if (!running) return fail('the Runs view does not list the run');
  log(`Runs view: ${running}`);
  await shot('4-runs-view');

  if (full) {
    await runCommand(page, 'Tensor Studio: Stop Training');
    const stopped = await runRow(page, /FashionCNN.*stopped/, 60_000);
    if (!stopped) return fail('the run was not shown stopped after Stop Training');
    log(`after Stop Training: ${stopped}`);
    await shot('5-stopped');
    await runCommand(page, 'Tensor Studio: Resume Training');
    const again = await runRow(page, /FashionCNN.*running/, 30_000);
    log(`after Resume Training: ${again || '(finished before it was seen running)'}`);
  }
  const done = await runRow(page, /FashionCNN.*completed/, 120_000);
  if (!done) return fail('the run never showed completed in the Runs view');
  log(`finished: ${done}`);
  // Expand the finished run: the files it wrote.
  await page.locator('[id="workbench.view.extension.tensorStudio"] .monaco-list-row', { hasText: 'completed' }).first().click();
  const files = await waitText(page, '[id="workbench.view.extension.tensorStudio"] .monaco-list-row', 'metrics.jsonl', 10_000);
  await page.mouse.move(5, 5);
  await shot('6-runs-files');
  if (!files) return fail('the finished run shows no files');
  return { ok: true, shots, firstStepMs };
}
