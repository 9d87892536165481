"""PyTorch eager CUDA side of the Fashion-MNIST epoch comparison on the GPU machine: the example's
FashionCNN (examples/fashion/model.py), Adam lr 0.0015 with the same cosine schedule, batch 32,
one epoch over the 60,000 training images (normalised as in examples/fashion/train.json).
The data sits on the GPU before the clock starts (our engine's loader prepares batches on the
host, so this favours PyTorch). Prints one JSON object.
    python3 torch_fashion_epoch.py DATA_DIR [EXAMPLE_DIR]
"""
import gzip
import json
import math
import os
import sys
import time

import numpy as np


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    import torch
    data_dir = sys.argv[1]
    example = sys.argv[2] if len(sys.argv) > 2 else "examples/fashion"
    sys.path.insert(0, example)
    from model import FashionCNN  # the example's own file

    if not torch.cuda.is_available():
        print(json.dumps({"skipped": "no CUDA device"}))
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    x = idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz")).astype(np.float32)
    y = idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    x = ((x / 255.0 - 0.286) / 0.353).reshape(-1, 1, 28, 28)
    xs, ys = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)
    torch.manual_seed(0)
    model = FashionCNN().to(dev)
    batch, lr0, lr_min = 32, 0.0015, 0.0001
    steps = len(xs) // batch + (1 if len(xs) % batch else 0)
    opt = torch.optim.Adam(model.parameters(), lr=lr0)
    f = torch.nn.functional

    def run_epoch():
        perm = torch.randperm(len(xs), device=dev)
        last = None
        for s in range(steps):
            for g in opt.param_groups:
                g["lr"] = lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * s / steps)) / 2
            i = perm[s * batch:(s + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss = f.cross_entropy(model(xs[i]), ys[i])
            loss.backward()
            opt.step()
            last = loss
        return float(last)

    # Warm-up (cuDNN autotuning, allocator) on a few steps, then the timed epoch.
    for s in range(20):
        i = torch.randint(0, len(xs), (batch,), device=dev)
        opt.zero_grad(set_to_none=True)
        f.cross_entropy(model(xs[i]), ys[i]).backward()
        opt.step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    loss = run_epoch()
    torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "steps": steps, "batch": batch,
                      "epoch_s": secs, "ms_per_step": secs * 1e3 / steps, "final_loss": loss}))


if __name__ == "__main__":
    main()
