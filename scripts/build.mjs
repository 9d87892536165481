// One build for everything that ships: esbuild bundles each entry point into dist/.
// `--production` minifies and drops inline sourcemaps (used by `npm run package`).
import * as esbuild from 'esbuild';
import { rmSync, mkdirSync, cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20',
  // The native Dawn module is loaded at run time from node_modules (shipped in the .vsix).
  external: ['webgpu'],
  // jsonc-parser's default (UMD) build requires its parts by computed names, which a bundle
  // cannot follow; its ES module build bundles.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' } };

// dist/ is overwritten in place, not deleted first: tests that run the built files keep working
// while a build runs beside them.
mkdirSync('dist/webview', { recursive: true });

await Promise.all([
  esbuild.build({ ...node, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'webgpu'] }),
  esbuild.build({ ...node, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/src/host/main.ts'], outfile: 'dist/engine-host.js' }),
  // The profiler's trace import, one worker thread per open panel.
  esbuild.build({ ...node, entryPoints: ['client/src/profiler/trace_worker.ts'], outfile: 'dist/trace-worker.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, platform: 'browser', format: 'iife',
    entryPoints: {
      graph: 'webview/src/graph/main.ts',
      metrics: 'webview/src/metrics/main.ts',
      // The metrics panel keeps every point in this worker and asks it for what to draw.
      metrics_worker: 'webview/src/metrics/worker.ts',
      profiler: 'webview/src/profiler/main.ts',
    },
    outdir: 'dist/webview', loader: { '.css': 'css' } }),
]);
// elkjs's worker script runs as it ships: the graph panel starts it as its layout worker.
cpSync('node_modules/elkjs/lib/elk-worker.min.js', 'dist/webview/graph_layout_worker.js');
if (existsSync('engine/schema')) cpSync('engine/schema', 'dist/schema', { recursive: true });

// `webgpu` (Dawn) is a native module kept out of the bundles. The .vsix is packed without the
// root node_modules, so the files `require('webgpu')` loads are placed next to the bundles,
// where Node's resolution finds them first: its manifest, ESM entry, licence, and this
// platform's dawn.node.
const webgpuSrc = 'node_modules/webgpu';
const webgpuDst = 'dist/node_modules/webgpu';
const platformDir = `dist/${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
for (const f of ['package.json', 'index.js', 'LICENSE.md', `${platformDir}/dawn.node`]) {
  if (!existsSync(join(webgpuSrc, f))) continue;
  mkdirSync(join(webgpuDst, f, '..'), { recursive: true });
  cpSync(join(webgpuSrc, f), join(webgpuDst, f));
}

// A production build ships no source maps (the development build leaves them beside each file).
function removeMaps(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules') removeMaps(p); }
    else if (e.name.endsWith('.map')) rmSync(p);
  }
}
if (production) removeMaps('dist');
console.log(`built dist/ (${production ? 'production' : 'development'})`);
