// One build for everything that ships: esbuild bundles each entry point into dist/.
// `--production` minifies and drops inline sourcemaps (used by `npm run package`).
import * as esbuild from 'esbuild';
import { rmSync, mkdirSync, cpSync, existsSync } from 'node:fs';

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
  external: ['webgpu'] };

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/webview', { recursive: true });

await Promise.all([
  esbuild.build({ ...node, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'webgpu'] }),
  esbuild.build({ ...node, entryPoints: ['server/src/main.ts'], outfile: 'dist/server.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/src/host/main.ts'], outfile: 'dist/engine-host.js' }),
  esbuild.build({ ...node, entryPoints: ['engine/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  esbuild.build({ ...common, platform: 'browser', format: 'iife',
    entryPoints: {
      graph: 'webview/src/graph/main.ts',
      metrics: 'webview/src/metrics/main.ts',
      profiler: 'webview/src/profiler/main.ts',
    },
    outdir: 'dist/webview', loader: { '.css': 'css' } }),
]);
if (existsSync('engine/schema')) cpSync('engine/schema', 'dist/schema', { recursive: true });
console.log(`built dist/ (${production ? 'production' : 'development'})`);
