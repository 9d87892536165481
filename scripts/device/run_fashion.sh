#!/bin/bash
# One Fashion-MNIST epoch of the example (FashionCNN, Adam, batch 32, 1875 steps) on the GPU
# machine: our engine on WebGPU, eager and compiled (`tensor-studio train`, bundled as cli.cjs),
# then PyTorch eager CUDA (torch_fashion_epoch.py). Called by run.sh with NODE, D (the prepared
# folder, holding cli.cjs and data/*.gz) and OUT set; writes $OUT/fashion.json.
# FASHION_MAX_STEPS=N shortens the run (a dry run on a software adapter).
set -u
W=/tmp/ts-fashion; rm -rf "$W"; mkdir -p "$W"
EX=$(pwd)/examples/fashion
EXTRA=""; [ -n "${FASHION_MAX_STEPS:-}" ] && EXTRA="\"max_steps\": $FASHION_MAX_STEPS,"
for mode in eager compiled; do
  cat > "$W/$mode.json" <<EOF
{ "name": "fashion-$mode", "model": { "file": "$EX/model.py", "class": "FashionCNN" },
  "data": { "train": { "format": "idx", "images": "$D/data/train-images-idx3-ubyte.gz", "labels": "$D/data/train-labels-idx1-ubyte.gz" },
            "batch_size": 32, "val_split": 0, "shuffle": true, "normalize": { "scale": 0.00392156862745098, "mean": 0.286, "std": 0.353 }, "input_shape": [1, 28, 28] },
  "loss": { "name": "cross_entropy" }, "optimizer": { "name": "adam", "lr": 0.0015 }, "schedule": { "name": "cosine", "min_lr": 0.0001 },
  "epochs": 1, $EXTRA "seed": 0, "device": "webgpu", "mode": "$mode", "output_dir": "$W/out-$mode", "log_every": 100 }
EOF
  echo "== ours, $mode"
  timeout "${FASHION_TIMEOUT:-150}" "$NODE" "$D/cli.cjs" train "$W/$mode.json" 2>&1 | grep -v 'artificially reduced' | tail -8 | tee "$OUT/fashion-$mode.log"
done
echo "== ours, eager, 20 steps profiled (trace summary: GPU time per kernel, host time per op)"
timeout 90 "$NODE" "$D/cli.cjs" train "$W/eager.json" --max-steps 40 --profile --profile-steps 20 --out "$W/prof" > "$OUT/fashion-profile.log" 2>&1
"${PY:-python3}" - "$W/prof/trace.json" <<'PYEOF' | tee "$OUT/fashion-profile.txt"
import json, sys, collections
try: ev = json.load(open(sys.argv[1]))["traceEvents"]
except Exception as e: print("no trace:", e); sys.exit(0)
steps = [e for e in ev if e.get("cat") == "step" and e["name"].startswith("step")]
print(f"{len(steps)} profiled steps, median step {sorted(e['dur'] for e in steps)[len(steps)//2]/1e3:.2f} ms")
for cat, key in (("kernel", lambda e: e["args"].get("label", e["name"]).split(" [")[0]), ("cpu_op", lambda e: e["name"]), ("step", lambda e: e["name"].split(" ")[0])):
    agg = collections.defaultdict(lambda: [0, 0.0])
    for e in ev:
        if e.get("cat") == cat and "dur" in e: a = agg[key(e)]; a[0] += 1; a[1] += e["dur"]
    print(f"-- {cat}: total {sum(a[1] for a in agg.values())/1e3/max(1,len(steps)):.2f} ms per step")
    for k, (n, d) in sorted(agg.items(), key=lambda kv: -kv[1][1])[:12]: print(f"  {k:50s} {n:6d} {d/1e3/max(1,len(steps)):9.3f} ms/step")
PYEOF
echo "== PyTorch eager CUDA"
timeout 150 "${PY:-python3}" "$D/torch_fashion_epoch.py" "$D/data" "$EX" > "$W/torch.json" 2> "$OUT/fashion-torch.log"; cat "$W/torch.json"
"${PY:-python3}" - "$W" "$OUT" <<'PYEOF'
import json, os, sys
w, out = sys.argv[1], sys.argv[2]
res = {}
for mode in ("eager", "compiled"):
    try:
        pts = [json.loads(l) for l in open(os.path.join(w, f"out-{mode}", "metrics.jsonl"))]
        rate = [p["value"] for p in pts if p["name"] == "train/samples_per_s"][-1]
        loss = [p["value"] for p in pts if p["name"] == "train/loss"][-1]
        res[mode] = {"epoch_s": 60000 / rate, "samples_per_s": rate, "final_loss": loss}
    except Exception as e:
        res[mode] = {"error": str(e)}
try: res["torch_cuda"] = json.load(open(os.path.join(w, "torch.json")))
except Exception as e: res["torch_cuda"] = {"error": str(e)}
t = res["torch_cuda"].get("epoch_s")
for mode in ("eager", "compiled"):
    if t and "epoch_s" in res[mode]: res[mode]["vs_torch"] = round(res[mode]["epoch_s"] / t, 2)
json.dump(res, open(os.path.join(out, "fashion.json"), "w"), indent=1)
print(json.dumps(res, indent=1))
PYEOF
