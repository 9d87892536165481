#!/usr/bin/python3
"""Loads checkpoints written by the engine into PyTorch (strict) and compares outputs.

Usage: check_export.py JOBS.json  where JOBS.json is [{file, className, weights, input, output}, ...]
(`output` is the engine's eval-mode output for `input`). Prints one JSON line per job:
{"name", "ok", "error", "max_rel"}.
"""
import json
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from make_model_goldens import load_class  # noqa: E402

DT = {"F32": np.float32, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        arr = np.frombuffer(data[base + a:base + b], dtype=DT[v["dtype"]]).reshape(v["shape"])
        out[k] = torch.from_numpy(arr.copy())
    return out


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        res = {"name": job["name"], "ok": False}
        try:
            model = load_class(job["file"], job["className"])()
            state = read_safetensors(job["weights"])
            model.load_state_dict(state, strict=True)
            for k, v in model.state_dict().items():
                if v.dtype != state[k].dtype:
                    raise ValueError(f"{k}: dtype {state[k].dtype} in the checkpoint, PyTorch has {v.dtype}")
            model.eval()
            with torch.no_grad():
                y = model(torch.from_numpy(np.load(job["input"])))
            ours = np.load(job["output"])
            ref = y.numpy()
            res["max_rel"] = float(np.abs(ours - ref).max() / max(np.abs(ref).max(), 1e-12))
            res["ok"] = True
        except Exception as e:  # reported to the test, which fails with the message
            res["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(res))


if __name__ == "__main__":
    main()
