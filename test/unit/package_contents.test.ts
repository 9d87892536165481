// Packages the extension with vsce (as `npm run package` does, into a temp folder) and checks that
// the .vsix holds only what runs, plus the manifest facts VS Code relies on.
// It packages the dist/ that is there (npm test builds first) rather than rebuilding: a rebuild
// would delete dist/ under suites running in parallel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { inflateRawSync } from 'node:zlib';
import { missing } from '../helpers/require_env.js';
import { workspace } from '../host/helpers.js';
import { EngineHost } from '../../client/src/training/engine_host.js';

const repo = resolve(import.meta.dirname, '../..');
/** Compressed .vsix budget. Dawn's linux-x64 dawn.node alone is ~7.2 MB compressed (21.5 MB raw). */
const VSIX_BUDGET_BYTES = 10 * 1024 * 1024;
/** What `require('webgpu')` loads: its manifest, its ESM entry and the platform's native module. */
const WEBGPU_FILES = ['package.json', 'index.js', 'dist/linux-x64/dawn.node'];

const props_ = (pkg: any) => pkg.contributes.configuration.properties;

interface ZipEntry { name: string; size: number; compressedSize: number; method: number; offset: number }

/** Reads a zip's central directory (enough of the format for a .vsix: no zip64, no encryption). */
function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'zip end-of-central-directory record found');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry signature');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size, compressedSize, method, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function readEntry(buf: Buffer, e: ZipEntry): Buffer {
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  return e.method === 0 ? Buffer.from(data) : inflateRawSync(data);
}

test('the .vsix holds only what runs, within budget', async (t) => {
  for (const f of ['dist/extension.js', 'dist/server.js']) {
    if (!existsSync(join(repo, f)) && missing(t, f, 'run `npm run build` first (npm test does)')) return;
  }
  const vsce = join(repo, 'node_modules/@vscode/vsce/vsce');
  if (!existsSync(vsce) && missing(t, '@vscode/vsce', 'not installed (npm ci)')) return;

  const out = mkdtempSync(join(tmpdir(), 'ts-vsix-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const vsix = join(out, 'tensor-studio.vsix');
  // Same flags as `npm run package` (README links stay relative: the repository URL is not public).
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix],
    { cwd: repo, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `vsce package failed:\n${r.stdout}\n${r.stderr}`);

  const size = statSync(vsix).size;
  const buf = readFileSync(vsix);
  const entries = readZip(buf);
  const files = entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  t.diagnostic(`vsix: ${(size / 1024).toFixed(1)} KiB compressed, ${files.length} files, ` +
    `${(entries.reduce((s, e) => s + e.size, 0) / 1024).toFixed(1)} KiB unpacked`);

  await t.test('ships the entry points, schema, examples, README, LICENSE, icon', () => {
    for (const f of ['package.json', 'readme.md', 'LICENSE.txt', 'media/icon.png', 'dist/extension.js', 'dist/server.js',
      'dist/engine-host.js', 'dist/cli.js', 'examples/fashion/model.py',
      // The graph panel: its bundle, stylesheet and the ELK layout worker it starts.
      'dist/webview/graph.js', 'dist/webview/graph.css', 'dist/webview/graph_layout_worker.js',
      // The profiler: its trace-import worker thread, bundle and stylesheet.
      'dist/trace-worker.js', 'dist/webview/profiler.js', 'dist/webview/profiler.css']) {
      assert.ok(files.includes(f), `${f} is in the .vsix`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'no source maps');
    if (existsSync(join(repo, 'dist/schema/run-config.schema.json'))) {
      assert.ok(files.includes('dist/schema/run-config.schema.json'), 'the run-config schema (jsonValidation) is in the .vsix');
    }
  });

  // Unpacked as VS Code installs it: what is inside must run with no node_modules around it.
  const unpacked = join(out, 'unpacked');
  for (const e of entries) {
    if (!e.name.startsWith('extension/') || e.name.endsWith('/')) continue;
    const dest = join(unpacked, e.name.slice('extension/'.length));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, readEntry(buf, e));
  }

  await t.test('the packaged CLI runs from the unpacked .vsix (no node_modules needed)', () => {
    const c = spawnSync(process.execPath, [join(unpacked, 'dist/cli.js'), 'check', join(unpacked, 'examples/fashion/model.py')],
      { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(c.status, 0, `${c.stdout}\n${c.stderr}`);
    assert.match(`${c.stdout}${c.stderr}`, /0 errors/);
  });

  await t.test('the packaged engine host trains from the unpacked .vsix (no node_modules needed)', async () => {
    const ws = workspace(120);
    try {
      const host = new EngineHost({ script: join(unpacked, 'dist/engine-host.js') });
      await host.startRun({ configPath: ws.config({ epochs: 1 }), runDir: join(ws.dir, 'run') });
      const done = await host.finished;
      assert.equal(done.summary.status, 'completed', JSON.stringify(done.summary.error));
    } finally { rmSync(ws.dir, { recursive: true, force: true }); }
  });

  await t.test('ships no sources, tests, source maps or foreign node_modules', () => {
    const bad = files.filter((f) =>
      /\.(ts|mts|cts|map)$/.test(f) ||
      /^(test|client|server|engine|webview|scripts|bench|\.ci|\.vscode|media\/icon\.svg)(\/|$)/.test(f) ||
      (/(^|\/)node_modules\//.test(f) && !/(^|\/)node_modules\/webgpu\//.test(f)) ||
      /^(tsconfig.*\.json|eslint\.config\.mjs|package-lock\.json|\.vscodeignore|\.gitignore)$/.test(f));
    assert.deepEqual(bad, []);
    // Only the platform's native module of webgpu, never its other platforms or its build scripts.
    const webgpuExtra = files.filter((f) => /node_modules\/webgpu\//.test(f) &&
      !WEBGPU_FILES.some((w) => f.endsWith(`node_modules/webgpu/${w}`)) && !f.endsWith('node_modules/webgpu/LICENSE.md'));
    assert.deepEqual(webgpuExtra, []);
  });

  await t.test('ships webgpu (external to the bundle) with only what require("webgpu") loads', () => {
    const roots = ['node_modules/webgpu/', 'dist/node_modules/webgpu/'];
    const root = roots.find((r) => WEBGPU_FILES.every((w) => files.includes(r + w)));
    // vsce --no-dependencies never packs the root node_modules: scripts/build.mjs places webgpu
    // under dist/node_modules, where `require('webgpu')` from the bundles finds it first.
    assert.ok(root, `webgpu's ${WEBGPU_FILES.join(', ')} under ${roots.join(' or ')} (run \`npm run build\`)`);
    // Loadable as shipped: `require('webgpu')` from a bundle in dist/ finds it and its native module.
    const probe = join(unpacked, 'dist', 'webgpu_probe.cjs');
    writeFileSync(probe, "const w = require('webgpu'); process.stdout.write(typeof w.create);");
    const c = spawnSync(process.execPath, [probe], { cwd: tmpdir(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(c.stdout, 'function', `require('webgpu') from the unpacked dist/: ${c.stderr}`);
  });

  await t.test('packaged manifest: entry, engines, commands, settings, trust, schema', () => {
    const pkgEntry = entries.find((e) => e.name === 'extension/package.json');
    assert.ok(pkgEntry);
    const pkg = JSON.parse(readEntry(buf, pkgEntry).toString('utf8'));
    assert.equal(pkg.main, './dist/extension.js');
    // code-server 4.139.1 (the offline test VS Code) carries VS Code 1.139.
    assert.match(pkg.engines.vscode, /^\^1\.(\d+)\.\d+$/);
    assert.ok(Number(/^\^1\.(\d+)/.exec(pkg.engines.vscode)![1]) <= 139, 'engines.vscode <= 1.139');
    const titles = Object.fromEntries(pkg.contributes.commands.map((c: any) => [c.command, `${c.category}: ${c.title}`]));
    assert.deepEqual(titles, {
      'tensorStudio.runTraining': 'Tensor Studio: Run Training',
      'tensorStudio.stopTraining': 'Tensor Studio: Stop Training',
      'tensorStudio.resumeTraining': 'Tensor Studio: Resume Training',
      'tensorStudio.showRun': 'Tensor Studio: Show Training Run',
      'tensorStudio.runs.refresh': 'Tensor Studio: Refresh Runs',
      'tensorStudio.runs.openMetrics': 'Tensor Studio: Open Metrics',
      'tensorStudio.runs.openTrace': 'Tensor Studio: Open Trace in Profiler',
      'tensorStudio.runs.openConfig': 'Tensor Studio: Open Run Config',
      'tensorStudio.runs.openModel': 'Tensor Studio: Open Model',
      'tensorStudio.runs.openLog': 'Tensor Studio: Open Log',
      'tensorStudio.runs.reveal': 'Tensor Studio: Reveal in Explorer',
      'tensorStudio.runs.delete': 'Tensor Studio: Delete Run',
      'tensorStudio.showGraph': 'Tensor Studio: Show Model Graph',
      'tensorStudio.showProfiler': 'Tensor Studio: Show Profiler',
      'tensorStudio.profileTraining': 'Tensor Studio: Profile Training',
      'tensorStudio.showMetrics': 'Tensor Studio: Show Metrics',
      'tensorStudio.openTrace': 'Tensor Studio: Open Trace File',
      'tensorStudio.checkShapes': 'Tensor Studio: Check Model Shapes',
    });
    // Commands and views activate the extension by themselves (VS Code >= 1.74 infers onCommand:*
    // and onView:*); Python files, and run configs for their code lens, need listing.
    // The panels' serializers bring a panel back after a reload before any Python file is open.
    assert.deepEqual(pkg.activationEvents, ['onLanguage:python', 'workspaceContains:**/*.tsrun.json', 'workspaceContains:**/tensor-studio.json',
      'onWebviewPanel:tensorStudio.graph', 'onWebviewPanel:tensorStudio.metrics', 'onWebviewPanel:tensorStudio.profiler', 'onCustomEditor:tensorStudio.traceViewer']);
    assert.deepEqual(pkg.contributes.views.tensorStudio.map((v: any) => v.id), ['tensorStudio.runs']);
    const container = pkg.contributes.viewsContainers.activitybar[0];
    assert.equal(container.id, 'tensorStudio');
    assert.ok(files.includes(container.icon), `the activity bar icon ${container.icon} is packaged`);
    assert.equal(props_(pkg)['tensorStudio.runs.directory'].default, 'runs');
    assert.equal(props_(pkg)['tensorStudio.engine.memoryLimitMB'].default, 0);
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['tensorStudio.inlayHints.enabled'].default, true);
    assert.deepEqual(props['tensorStudio.server.trace'].enum, ['off', 'messages', 'verbose']);
    assert.deepEqual(props['tensorStudio.engine.device'].enum, ['auto', 'cpu', 'webgpu']);
    assert.deepEqual(props['tensorStudio.engine.mode'].enum, ['eager', 'compiled']);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.match(pkg.capabilities.untrustedWorkspaces.description, /training is disabled/i);
    assert.ok(pkg.capabilities.virtualWorkspaces);
    const schemas = pkg.contributes.jsonValidation.map((j: any) => `${j.fileMatch} -> ${j.url}`).sort();
    assert.deepEqual(schemas, [
      '*.tsrun.json -> ./dist/schema/run-config.schema.json',
      'tensor-studio.json -> ./dist/schema/run-config.schema.json',
    ]);
    assert.ok(files.includes(pkg.icon.replace(/^\.\//, '')), 'the icon file is packaged');
    // Traces open in the profiler from the explorer.
    assert.deepEqual(pkg.contributes.customEditors.map((c: any) => [c.viewType, c.priority, c.selector.map((x: any) => x.filenamePattern)]),
      [['tensorStudio.traceViewer', 'default', ['*.pt.trace.json', '*.pt.trace.json.gz', 'trace.json']]]);
  });

  await t.test(`the .vsix is under ${VSIX_BUDGET_BYTES / 1024 / 1024} MiB`, () => {
    assert.ok(size <= VSIX_BUDGET_BYTES, `${size} bytes > ${VSIX_BUDGET_BYTES}`);
  });
});
