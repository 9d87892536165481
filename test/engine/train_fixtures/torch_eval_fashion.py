"""Loads a model.safetensors written by `tensor-studio train` into the PyTorch FashionCNN of
examples/fashion/model.py (load_state_dict strict=True) and prints its accuracy on the first
LIMIT Fashion-MNIST test images, normalised like examples/fashion/train.json.

  /usr/bin/python3 torch_eval_fashion.py WEIGHTS LIMIT SCALE MEAN STD
"""
import gzip
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples", "fashion"))
from model import FashionCNN  # noqa: E402
from torch_io import load_safetensors  # noqa: E402

D = "/usr/share/datasets/fashion-mnist"
weights, limit, scale, mean, std = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
torch.set_num_threads(1)
m = FashionCNN()
m.load_state_dict(load_safetensors(weights), strict=True)
m.eval()
imgs = np.frombuffer(gzip.open(f"{D}/t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 1, 28, 28)[:limit]
labels = np.frombuffer(gzip.open(f"{D}/t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)[:limit]
x = torch.from_numpy((imgs.astype(np.float32) * scale - mean) / std)
with torch.no_grad():
    print((m(x).argmax(1).numpy() == labels).mean())
