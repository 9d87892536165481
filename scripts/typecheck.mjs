// Type-checks each folder with its own tsconfig (they target different runtimes).
import { spawnSync } from 'node:child_process';
const projects = ['engine', 'server', 'client', 'webview', 'test'];
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', p], { stdio: 'inherit' });
  console.log(`typecheck ${p}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
