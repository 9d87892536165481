"""`npm run bench:host`'s PyTorch peer: the example's first training steps from a cold process.

Loads Fashion-MNIST from Debian's gz files, builds examples/fashion/model.py's FashionCNN, and
trains with Adam at batch 32, printing "step N" as each step ends (the caller times the lines).
"""
import gzip
import importlib.util
import sys

import numpy as np
import torch

root = sys.argv[1]
steps = int(sys.argv[2])
d = "/usr/share/datasets/fashion-mnist"
with gzip.open(f"{d}/train-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
with gzip.open(f"{d}/train-labels-idx1-ubyte.gz") as f:
    y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
x = (torch.from_numpy(x.astype(np.float32)) / 255.0 - 0.286) / 0.353
y = torch.from_numpy(y.astype(np.int64))
spec = importlib.util.spec_from_file_location("model", f"{root}/examples/fashion/model.py")
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
torch.manual_seed(0)
model = mod.FashionCNN()
opt = torch.optim.Adam(model.parameters(), lr=0.0015)
order = torch.randperm(len(y))
print("ready", flush=True)
for s in range(steps):
    idx = order[s * 32:(s + 1) * 32]
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
    loss.backward()
    opt.step()
    print(f"step {s + 1} {loss.item():.4f}", flush=True)
