// Entry point VS Code calls inside the extension host (extensionTestsPath): runs the mocha suite.
// Plain CommonJS so the extension host loads it without a build step. mocha 12 is ESM-only.
const path = require('node:path');

exports.run = async function run() {
  const m = await import('mocha');
  const Mocha = m.default ?? m;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // run.mjs picks the suite through extensionEnvironment: the main ones, or the untrusted-workspace one.
  const suites = process.env.TS_E2E_SUITE === 'untrusted' ? ['untrusted.test.js'] : ['extension.test.js', 'training.test.js', 'profiler.test.js'];
  for (const s of suites) mocha.addFile(path.join(__dirname, s));
  await mocha.loadFilesAsync();
  const failures = await new Promise((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
};
