#!/bin/bash
# Runs on the GPU machine (x86-64, no internet, no Node; Python 3 with PyTorch CUDA), from the
# repository root, with .device/ (scripts/device/prepare.sh) and .gl/ (Vulkan loader debs):
#   bash scripts/device/run.sh        (or bash .device/run.sh)
# Writes $OUT/results.json (adapter, WebGPU rows ours vs tfjs-webgpu, PyTorch CUDA numbers) and logs.
for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done; ldconfig 2>/dev/null
set -u
OUT=${OUT:-/tmp/ts-out}; mkdir -p "$OUT"
# The prepared files: next to this script when it runs from .device/, else ./.device.
D=$(cd "$(dirname "$0")" && pwd); [ -f "$D/node.xz" ] || D=$(pwd)/.device
[ -f "$D/node.xz" ] && [ -f "$D/bench.cjs" ] || { echo "missing $D/node.xz or bench.cjs: run sh scripts/device/prepare.sh first"; exit 1; }
PY=${PYTHON:-python3}
W=/tmp/ts-device-run; mkdir -p "$W"
"$PY" -c "import lzma, shutil, sys
for src, dst in (('$D/node.xz', '$W/node'), ('$D/dawn.node.xz', '$W/dawn.node')):
    with lzma.open(src) as i, open(dst, 'wb') as o: shutil.copyfileobj(i, o)" || { echo "unpacking failed"; exit 1; }
chmod +x "$W/node"
export TENSOR_STUDIO_DAWN_NODE="$W/dawn.node"
# A Vulkan driver: the NVIDIA ICD the container runtime mounts when the system dirs lack one
# (or when they hold no driver at all).
has_icd=0; has_nv=0
for f in /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json; do
  [ -e "$f" ] && has_icd=1; case "$f" in *nvidia*) [ -e "$f" ] && has_nv=1;; esac
done
NV=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ "$has_icd" = 0 ] || { [ "$has_nv" = 0 ] && [ -e "$NV" ]; }; then export VK_DRIVER_FILES=$NV; fi
echo "== machine"; (nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"); "$W/node" --version; echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<system ICDs>}"
if [ -f "$D/autotune.cjs" ] && [ "${AUTOTUNE:-1}" != 0 ]; then
  echo "== GEMM autotune (tile configs, GFLOP/s; AUTOTUNE=0 skips)"
  timeout "${AUTOTUNE_TIMEOUT:-100}" "$W/node" "$D/autotune.cjs" --json "$OUT/autotune.json" ${AUTOTUNE_ARGS:-} 2>&1 | grep -v 'artificially reduced' | tee "$OUT/autotune.log"
  # The rest of the run uses the fastest correct config at the largest size (tuning.ts override).
  best=$("$PY" - "$OUT/autotune.json" <<'PYEOF'
import json, sys
try:
    sizes = json.load(open(sys.argv[1]))["sizes"]
    ok = sorted((r for r in max(sizes, key=lambda s: s["size"])["results"] if r.get("gflops")), key=lambda r: -r["gflops"])
    c = ok[0]["config"]
    print(json.dumps({"mmKernel": c["kind"], "mmTileM": c["BM"], "mmTileN": c["BN"], "mmTileK": c["BK"], "mmThreadM": c["TM"],
                      "mmThreadN": c["TN"], "mmRowsM": c["RM"], "mmRowsN": c["RN"], "mmRowsThreads": c["WX"]}))
except Exception:
    pass
PYEOF
)
  if [ -n "$best" ] && [ "${USE_TUNED:-1}" != 0 ]; then export TENSOR_STUDIO_WEBGPU_PARAMS="$best"; echo "using the tuned config: $best"; fi
fi
echo "== WebGPU bench (ours vs tfjs-webgpu)"
timeout "${BENCH_TIMEOUT:-200}" "$W/node" "$D/bench.cjs" --json "$OUT/webgpu.json" ${BENCH_ARGS:-} 2>&1 | grep -v 'artificially reduced' | tee "$OUT/webgpu.log"
echo "== PyTorch CUDA"
( timeout "${TORCH_TIMEOUT:-90}" "$PY" "$D/torch_cuda_bench.py" > "$OUT/torch.json" 2> "$OUT/torch.log"; tail -3 "$OUT/torch.log"; cat "$OUT/torch.json" )
[ "${FASHION:-1}" != 0 ] && [ -f "$D/cli.cjs" ] && NODE="$W/node" D="$D" OUT="$OUT" PY="$PY" bash "$D/run_fashion.sh"
"$PY" - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
def load(name):
    try:
        with open(os.path.join(out, name)) as f: return json.load(f)
    except Exception as e: return {"error": f"{name}: {e}"}
res = {"webgpu": load("webgpu.json"), "torch_cuda": load("torch.json"), "gemm_autotune": load("autotune.json"), "fashion_epoch": load("fashion.json"),
       "tuned_params": os.environ.get("TENSOR_STUDIO_WEBGPU_PARAMS")}
t = res["torch_cuda"]
for r in res["webgpu"].get("rows", []) if isinstance(res["webgpu"], dict) else []:
    key = {"matmul 4096x4096 f32": "matmul_4096_ms", "matmul 1024x1024 f32": "matmul_1024_ms",
           "MLP 784-256-10 step, batch 128": "mlp_step_ms", "CNN step, batch 64": "cnn_step_ms"}.get(r["name"])
    if key and key in t and r.get("ours_ms"):
        r["torch_cuda_ms"] = t[key]; r["ours_vs_torch"] = round(t[key] / r["ours_ms"], 3)
with open(os.path.join(out, "results.json"), "w") as f: json.dump(res, f, indent=2)
print("== results.json"); print(json.dumps(res, indent=1)[:6000])
PYEOF
# At most 8 files come back from the machine: the logs travel as one.
for f in "$OUT"/*.log "$OUT"/*.txt; do [ -e "$f" ] && { echo "=== $(basename "$f")"; cat "$f"; }; done > /tmp/ts-logs.txt
rm -f "$OUT"/*.log "$OUT"/*.txt; mv /tmp/ts-logs.txt "$OUT/logs.txt"
