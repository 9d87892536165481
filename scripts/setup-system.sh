#!/usr/bin/env bash
# Installs the Debian (bookworm) packages the tests need. Idempotent; needs root.
#   - Mesa lavapipe from bookworm-backports: WebGPU (Dawn) on the CPU. Bookworm's own Mesa 22 is
#     rejected by Dawn, so the backports suite is added to the apt sources.
#   - chromium: browser tests of the webview panels and the real-VS-Code (code-server) tests.
#   - python3-torch + numpy + OpenBLAS: PyTorch goldens and interop checks.
#   - python3-torchvision: its model sources are the shape checker's real-code corpus (torchvision_check test).
#   - dataset-fashion-mnist: the real data the example trains on.
#   - libkrb5-dev: code-server's native modules compile against it.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then echo "setup-system: run as root (sudo bash scripts/setup-system.sh)" >&2; exit 1; fi
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q bookworm-backports "$src" /etc/apt/sources.list.d/* 2>/dev/null; then
  sed -i 's/^Suites: bookworm bookworm-updates$/& bookworm-backports/' "$src"
fi
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
fi
apt-get update -q
apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers
apt-get install -y -q --no-install-recommends libvulkan1 chromium python3-torch python3-torchvision python3-numpy \
  libopenblas0-pthread dataset-fashion-mnist libkrb5-dev unzip ca-certificates build-essential python3
echo "setup-system: done"
