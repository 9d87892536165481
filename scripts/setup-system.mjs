// Run before the tests: checks that the system packages the suites need are present.
// Missing ones are installed when we are root on Debian (scripts/setup-system.sh); otherwise
// the exact command is printed. With CI=true a missing requirement is an error.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const checks = [
  ['Mesa lavapipe (WebGPU on the CPU)', () => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'mesa-vulkan-drivers'], { encoding: 'utf8' });
    return r.status === 0 && Number.parseInt(r.stdout, 10) >= 23; // bookworm's own 22.x is rejected by Dawn
  }],
  ['Chromium', () => existsSync('/usr/bin/chromium')],
  ['PyTorch (python3-torch)', () => spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0],
  // Its model sources are the checker's real-code test (test/frontend/torchvision_check.test.ts).
  ['torchvision (python3-torchvision)', () => existsSync('/usr/lib/python3/dist-packages/torchvision/models/resnet.py')],
  ['Fashion-MNIST (dataset-fashion-mnist)', () => existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')],
];

const missing = () => checks.filter(([, ok]) => { try { return !ok(); } catch { return true; } }).map(([name]) => name);
let absent = missing();
if (absent.length === 0) process.exit(0);
console.log(`setup-system: missing ${absent.join(', ')}`);
const isRoot = process.getuid?.() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  const r = spawnSync('bash', ['scripts/setup-system.sh'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  absent = missing();
}
if (absent.length > 0) {
  const msg = `setup-system: still missing ${absent.join(', ')} — run: sudo bash scripts/setup-system.sh`;
  if (process.env.CI === 'true') { console.error(msg); process.exit(1); }
  console.log(`${msg}\n(the suites that need them will say SKIPPED with the reason)`);
}
