// Drives the code-server workbench like a person: open examples' fashion/model.py from the
// Explorer, put the mouse over `x` in forward, wait for the hover to show the shape, take a
// screenshot; then run "Tensor Studio: Run Training" from the command palette and check that it
// offers the model's run configs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 20_000 });
  await page.keyboard.type(title, { delay: 10 });
  // Pick the entry once the list shows it (Enter before the list has filtered does nothing).
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 20_000 });
  await row.click();
}

/** @returns {Promise<{ok: boolean, reason?: string, hoverText: string, screenshot: string}>} */
export async function driveHover(page, { ws, shotDir, log }) {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await sleep(1500); // let the workbench finish restoring before typing into it

  // Open the file from the Explorer, as a person would: expand `fashion`, click `model.py`.
  const folder = page.getByRole('treeitem', { name: 'fashion', exact: true }).first();
  await folder.waitFor({ timeout: 20_000 });
  if ((await folder.getAttribute('aria-expanded')) !== 'true') await folder.click();
  await page.getByRole('treeitem', { name: 'model.py', exact: true }).first().click({ timeout: 20_000 });
  await page.waitForSelector('.tab.active[aria-label^="model.py"]', { timeout: 20_000 });
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });

  // Put the cursor on `x` in forward with Go to Line (line:column), then hover where the cursor is.
  const lines = readFileSync(join(ws, 'fashion', 'model.py'), 'utf8').split('\n');
  const fwd = lines.findIndex((l) => l.includes('def forward('));
  const line = lines.findIndex((l, i) => i > fwd && /^\s+x = /.test(l));
  const col = lines[line].indexOf('x');
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { timeout: 20_000 });
  await page.keyboard.type(`${line + 1}:${col + 1}`, { delay: 10 });
  await sleep(300);
  await page.keyboard.press('Enter');
  await sleep(500);

  let hoverText = '';
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const cursor = await page.locator('.monaco-editor.focused .cursor, .monaco-editor .cursor').first().boundingBox();
    if (cursor) {
      // Away first so VS Code sees a fresh hover, then onto the middle of the `x` glyph.
      await page.mouse.move(5, 5);
      await sleep(200);
      await page.mouse.move(cursor.x + 4, cursor.y + cursor.height / 2, { steps: 4 });
    }
    try {
      await page.waitForSelector('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents', { timeout: 3000 });
      hoverText = (await page.locator('.monaco-hover:not(.hidden)').first().innerText()).trim();
      if (/Tensor\[/.test(hoverText)) break;
    } catch { /* no hover yet: the server may still be analysing */ }
    await sleep(1000);
  }
  const screenshot = join(shotDir, 'hover.png');
  await page.screenshot({ path: screenshot });
  if (!/Tensor\[/.test(hoverText)) {
    // Say why if the workbench knows: an activation or server-start error lands in the notifications.
    await page.mouse.move(5, 5);
    await runCommand(page, 'Notifications: Show Notifications').catch(() => undefined);
    await sleep(1000);
    const notes = await page.locator('.notifications-center .notification-list-item').allInnerTexts().catch(() => []);
    await page.screenshot({ path: join(shotDir, 'no-hover-notifications.png') });
    return { ok: false, reason: `no Tensor[...] hover over x at ${line + 1}:${col + 1} (hover said ${JSON.stringify(hoverText)}; notifications: ${JSON.stringify(notes)})`, hoverText, screenshot };
  }
  log(`hover over x at line ${line + 1}: ${hoverText.replace(/\s+/g, ' ')}`);

  // Run Training from the palette, with a model file active: the picker of its run configs.
  await page.mouse.move(5, 5);
  await runCommand(page, 'Tensor Studio: Run Training');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'train.json' }).first();
  try {
    await row.waitFor({ timeout: 20_000 });
  } catch {
    await page.screenshot({ path: join(shotDir, 'run-training.png') });
    return { ok: false, reason: 'Run Training from the palette showed no run-config picker', hoverText, screenshot };
  }
  const offered = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  await page.screenshot({ path: join(shotDir, 'run-training.png') });
  await page.keyboard.press('Escape');
  log(`palette Run Training offers: ${offered.join(' | ')}`);
  return { ok: true, hoverText, screenshot };
}
