"""PyTorch peer for bench/engine_bench.ts: the same three workloads, 1 thread, median of N.

Prints one JSON object {name: ms} on stdout. Run with /usr/bin/python3 (Debian's torch).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def median_ms(fn, warmup, n):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def mlp():
    x = torch.randn(128, 784)
    y = torch.randint(0, 10, (128,))
    ps = [(torch.randn(256, 784) * 0.03).requires_grad_(), torch.zeros(256, requires_grad=True),
          (torch.randn(10, 256) * 0.06).requires_grad_(), torch.zeros(10, requires_grad=True)]

    def step():
        h = F.relu(F.linear(x, ps[0], ps[1]))
        loss = F.cross_entropy(F.linear(h, ps[2], ps[3]), y)
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p.sub_(p.grad, alpha=0.01)
                p.grad = None
    return step


def cnn():
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))
    ps = [(torch.randn(16, 1, 3, 3) * 0.3).requires_grad_(), torch.zeros(16, requires_grad=True),
          (torch.randn(32, 16, 3, 3) * 0.08).requires_grad_(), torch.zeros(32, requires_grad=True),
          (torch.randn(10, 800) * 0.03).requires_grad_(), torch.zeros(10, requires_grad=True)]

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, ps[0], ps[1])), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, ps[2], ps[3])), 2)
        loss = F.cross_entropy(F.linear(torch.flatten(h, 1), ps[4], ps[5]), y)
        loss.backward()
        with torch.no_grad():
            for p in ps:
                p.sub_(p.grad, alpha=0.01)
                p.grad = None
    return step


def matmul():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    return lambda: torch.matmul(a, b)


if __name__ == '__main__':
    quick = '--quick' in sys.argv
    out = {
        'mlp_step': median_ms(mlp(), 3, 5 if quick else 20),
        'cnn_step': median_ms(cnn(), 2, 3 if quick else 10),
        'matmul_1024': median_ms(matmul(), 1, 3 if quick else 5),
    }
    print(json.dumps(out))
