// The graph panel's real bundle in headless Chromium, on the page the extension serves (CSP and
// all), fed real analyses: what it draws, what a click or a key sends back to the extension, and
// screenshots in Dark+ and Light+ (written to $TS_SCREENSHOTS, default /tmp/ts-webview-screens).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { analyze } from '../../engine/src/frontend/index.js';
import { graphFor } from '../../server/src/graph.js';
import type { GraphResult } from '../../server/src/protocol.js';
import { launch, openPanel, type PanelHandle, type ThemeName } from '../helpers/webview_page.js';

const ROOT = resolve(__dirname, '../..');
const SHOTS = process.env.TS_SCREENSHOTS ?? '/tmp/ts-webview-screens';
const graphOf = (file: string): GraphResult => {
  const g = graphFor(analyze(readFileSync(join(ROOT, file), 'utf8'), { fileName: file }));
  assert.equal(g.kind, 'graph', g.kind === 'error' ? g.message : '');
  return g as GraphResult;
};
const uriOf = (file: string): string => `file://${join(ROOT, file)}`;

let browser: Browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser?.close(); });

interface Drawn {
  layouts: number; layoutsComputed: number; titles: string[]; labels: string[]; boxes: number; status: string;
  cam: { x: number; y: number; s: number }; banner: string | null;
}
const drawn = (p: PanelHandle): Promise<Drawn> => p.page.evaluate(() => {
  const t = (window as any).tensorStudioGraph;
  const f = t.frame();
  const banner = document.querySelector('.banner') as HTMLElement;
  return {
    layouts: t.metrics.layouts, layoutsComputed: t.metrics.layoutsComputed, titles: f?.titles ?? [], labels: f?.labels ?? [],
    boxes: t.scene()?.boxes.length ?? 0, status: document.querySelector('.status')!.textContent!, cam: { ...t.view.cam },
    banner: banner.hidden ? null : banner.textContent,
  };
});

/** Sends a graph and waits until it is laid out and drawn (`layouts` counts each completed layout). */
async function show(p: PanelHandle, file: string, g = graphOf(file)): Promise<Drawn> {
  const before = await p.page.evaluate(() => (window as any).tensorStudioGraph.metrics.layouts);
  await p.send({ type: 'graph', uri: uriOf(file), fileName: file.split('/').pop(), graph: g, classes: g.available });
  return settle(p, before);
}
async function settle(p: PanelHandle, layoutsBefore: number): Promise<Drawn> {
  await p.page.waitForFunction((n) => (window as any).tensorStudioGraph.metrics.layouts > n, layoutsBefore, { timeout: 30_000 });
  await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return drawn(p);
}
/** Where a box of the scene is on the page (its centre), given the camera. */
const boxOnPage = (p: PanelHandle, key: string): Promise<{ x: number; y: number } | null> => p.page.evaluate((k) => {
  const t = (window as any).tensorStudioGraph;
  const b = t.scene().byKey.get(k);
  if (!b) return null;
  const r = document.querySelector('canvas')!.getBoundingClientRect();
  const { x, y, s } = t.view.cam;
  return { x: r.left + (b.x + b.w / 2 - x) * s, y: r.top + (b.y + b.h / 2 - y) * s };
}, key);
const shoot = async (p: PanelHandle, name: string, theme: ThemeName): Promise<void> => {
  await p.page.screenshot({ path: join(SHOTS, `graph-${name}-${theme}.png`) });
};

for (const theme of ['dark', 'light'] as const) {
  test(`fashion example (${theme}): every layer drawn with its shape on the edges`, async () => {
    const p = await openPanel(browser, 'graph', { theme, height: 1250 }); // tall enough for the whole model at 100%
    const g = graphOf('examples/fashion/model.py');
    const d = await show(p, 'examples/fashion/model.py', g);
    assert.equal(d.status, `${g.nodes.length} of ${g.nodes.length} nodes shown · ${g.edges.length} edges`);
    assert.ok(d.titles.includes('Conv2d') && d.titles.includes('Linear') && d.titles.includes('output'), d.titles.join(' '));
    for (const e of g.edges) assert.ok(d.labels.includes(e.shape), `label ${e.shape}`);
    assert.equal(d.banner, null);
    await shoot(p, 'fashion', theme);
    await p.page.close();
  });
}

test('gpt12: the blocks are one fold; expanding it lays out only what changed', async () => {
  const p = await openPanel(browser, 'graph', { theme: 'dark' });
  const d = await show(p, 'test/fixtures/graph/gpt12.py');
  assert.ok(d.titles.includes('Block ×12'), d.titles.join(' '));
  assert.match(await p.page.locator('.title').textContent() ?? '', /^GPT · gpt12\.py · 613\.8K params$/);
  await shoot(p, 'gpt12-folded', 'dark');
  // Double-click the fold: it opens to twelve Block boxes.
  const at = await boxOnPage(p, 'f:blocks.0*12');
  assert.ok(at);
  const n = d.layouts;
  await p.page.mouse.dblclick(at.x, at.y);
  const open = await settle(p, n);
  const keys: string[] = await p.page.evaluate(() => (window as any).tensorStudioGraph.keys());
  assert.equal(keys.filter((k) => /^m:blocks\.\d+$/.test(k)).length, 12);
  // Expand all shows every node.
  await p.page.getByRole('button', { name: 'Expand every module and fold' }).click();
  const all = await settle(p, open.layouts);
  assert.match(all.status, /^332 of 332 nodes shown/);
  await shoot(p, 'gpt12-expanded', 'dark');
  // Folding one block again lays out only the groups that hold it; the other eleven blocks keep theirs.
  const groups: number = await p.page.evaluate(() => (window as any).tensorStudioGraph.scene().boxes.filter((b: any) => b.kind === 'group').length);
  await p.page.evaluate(() => (window as any).tensorStudioGraph.toggle('m:blocks.5'));
  const one = await settle(p, all.layouts);
  assert.ok(one.layoutsComputed <= 4, `${one.layoutsComputed} of ${groups} groups laid out again`);
  assert.equal(groups, 38, 'the model, blocks, and each block with its attention and MLP');
  await p.page.close();
});

test('clicking a node selects it, shows its details and asks the editor to reveal its line', async () => {
  const p = await openPanel(browser, 'graph', { theme: 'light' });
  const file = 'examples/fashion/model.py';
  const g = graphOf(file);
  await show(p, file, g);
  const conv = g.nodes.find((n) => n.op === 'Conv2d')!;
  const key: string = await p.page.evaluate((id) => [...(window as any).tensorStudioGraph.keys()].find((k: string) => k.includes(`|${id}#`)), conv.modulePath);
  const at = await boxOnPage(p, key);
  assert.ok(at);
  await p.page.mouse.click(at.x, at.y);
  await p.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'reveal'));
  const reveal = (await p.posted()).find((m) => m.type === 'reveal');
  assert.deepEqual(reveal, { type: 'reveal', uri: uriOf(file), range: conv.range });
  assert.equal(await p.page.locator('.details-body h3').textContent(), 'Conv2d');
  // Enter on the focused canvas reveals again; ] steps to the next node.
  await p.page.keyboard.press(']');
  assert.notEqual(await p.page.locator('.details-body h3').textContent(), 'Conv2d');
  await p.page.close();
});

test('search counts matches, Enter steps to them; wheel and buttons zoom', async () => {
  const p = await openPanel(browser, 'graph', { theme: 'dark' });
  await show(p, 'test/fixtures/graph/resnet18.py');
  await p.page.getByRole('searchbox').fill('conv');
  assert.match(await p.page.locator('.count').textContent() ?? '', /^\d+ found$/);
  const found = Number((await p.page.locator('.count').textContent())!.split(' ')[0]);
  assert.ok(found >= 5, `${found} found`);
  await p.page.getByRole('searchbox').press('Enter');
  assert.match(await p.page.locator('.details-body h3').textContent() ?? '', /Conv2d|BasicBlock|Sequential/);
  const s0 = (await drawn(p)).cam.s;
  await p.page.getByRole('button', { name: 'Zoom in (+)' }).click();
  const s1 = (await drawn(p)).cam.s;
  assert.ok(Math.abs(s1 / s0 - 1.25) < 1e-6, `${s0} -> ${s1}`);
  const box = (await p.page.locator('canvas').first().boundingBox())!;
  await p.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await p.page.mouse.wheel(0, 400);
  assert.ok((await drawn(p)).cam.s < s1, 'wheel down zooms out');
  await p.page.getByRole('button', { name: /^Fit the graph/ }).click();
  const fit = await drawn(p);
  const scene = await p.page.evaluate(() => { const s = (window as any).tensorStudioGraph.scene(); return { w: s.width, h: s.height }; });
  assert.ok(scene.h * fit.cam.s <= box.height && scene.w * fit.cam.s <= box.width, 'Fit shows the whole graph');
  await p.page.close();
});

for (const theme of ['dark', 'light'] as const) {
  test(`broken forward (${theme}): the calls before the error, the error node, a banner that goes to the line`, async () => {
    const p = await openPanel(browser, 'graph', { theme });
    const file = 'test/fixtures/graph/broken.py';
    const g = graphOf(file);
    const d = await show(p, file, g);
    assert.ok(d.titles.includes('✖ self.fc1(x)'), d.titles.join(' '));
    assert.match(d.banner ?? '', /Linear expects in_features 2048 but the input's last dim is 1568/);
    await p.page.getByRole('button', { name: 'Show the failing line in the editor' }).click();
    const reveal = (await p.posted()).find((m) => m.type === 'reveal');
    assert.deepEqual(reveal?.range, g.error!.range);
    await shoot(p, 'broken', theme);
    await p.page.close();
  });
}

test('a malformed message is ignored and the drawing stays; no class is shown as a choice', async () => {
  const p = await openPanel(browser, 'graph', { theme: 'dark' });
  const before = await show(p, 'examples/fashion/model.py');
  await p.send({ type: 'graph', uri: 'x', fileName: 'x', graph: { kind: 'graph', nodes: 'lots' }, classes: [] });
  await p.send({ type: 'cursor', uri: 'x' });
  await p.send('hello');
  await p.page.waitForTimeout(200);
  const after = await drawn(p);
  assert.equal(after.status, before.status);
  assert.equal(after.layouts, before.layouts);
  // Unavailable: the server's message and a button per class that has a graph.
  await p.send({ type: 'unavailable', uri: uriOf('m.py'), fileName: 'm.py', graph: { kind: 'error', version: 2, message: "No nn.Module class named 'Nope' in this file.", available: ['Encoder', 'Decoder'] } });
  await p.page.getByText("No nn.Module class named 'Nope'").waitFor();
  assert.equal(await p.page.getByRole('searchbox').isVisible(), false, 'no graph controls without a graph');
  assert.equal(await p.page.locator('.status').textContent(), '');
  await p.page.getByRole('button', { name: 'Show the graph of Decoder' }).click();
  assert.deepEqual((await p.posted()).at(-1), { type: 'pickClass', uri: uriOf('m.py'), className: 'Decoder' });
  await shoot(p, 'unavailable', 'dark');
  await p.page.close();
});

test('the cursor message lights the nodes on that line; state restores the expansion', async () => {
  const file = 'test/fixtures/graph/gpt12.py';
  const g = graphOf(file);
  const p = await openPanel(browser, 'graph', {
    theme: 'dark', state: { version: 1, uri: uriOf(file), className: 'GPT', expanded: ['f:blocks.0*12'], collapsed: [] },
  });
  await show(p, file, g);
  const keys: string[] = await p.page.evaluate(() => (window as any).tensorStudioGraph.keys());
  assert.equal(keys.filter((k) => /^m:blocks\.\d+$/.test(k)).length, 12, 'the saved expansion came back');
  const head = g.nodes.find((n) => n.modulePath === 'head')!;
  await p.send({ type: 'cursor', uri: uriOf(file), lines: [head.range!.start.line] });
  const lit: number = await p.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r((window as any).tensorStudioGraph.view.marks.highlighted.size))));
  assert.equal(lit, 1);
  await p.page.close();
});

test('SVG and PNG export post the drawing to the extension', async () => {
  const p = await openPanel(browser, 'graph', { theme: 'light' });
  await show(p, 'examples/fashion/model.py');
  await p.page.getByRole('button', { name: 'Export the graph as SVG' }).click();
  await p.page.getByRole('button', { name: 'Export the graph as PNG' }).click();
  const [svg, png] = (await p.posted()).filter((m) => m.type === 'export');
  assert.equal(svg.suggestedName, 'FashionCNN.graph.svg');
  assert.match(svg.data, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.data.includes('Conv2d') && svg.data.includes('Tensor['));
  assert.equal(png.format, 'png');
  assert.equal(Buffer.from(png.data, 'base64').subarray(1, 4).toString(), 'PNG');
  await p.page.close();
});
