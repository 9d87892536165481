"""Goldens for the optimizer tests: PyTorch's SGD/Adam/AdamW updates, clip_grad_norm_ and LR
schedulers on small parameters. Run: /usr/bin/python3 torch_optim.py > optim_goldens.json

Gradients come from a fixed quadratic loss 0.5 * sum(c * (p - t)^2), i.e. g = c * (p - t), which
the TypeScript test computes the same way in float32, so only the optimizer math is compared.
"""
import json
import math

import torch

STEPS = 5


def init():
    w = torch.tensor([[0.5, -1.25, 2.0, 0.1], [-0.3, 0.75, -2.5, 1.5], [0.0, 0.2, -0.9, 3.0]], dtype=torch.float32)
    b = torch.tensor([0.05, -0.4, 1.1], dtype=torch.float32)
    return [w.clone().requires_grad_(), b.clone().requires_grad_()]


def coeffs(p, j):
    n = p.numel()
    c = torch.tensor([0.5 + 0.25 * ((i * 7 + j) % 5) for i in range(n)], dtype=torch.float32).reshape(p.shape)
    t = torch.tensor([math.sin(1.3 * i + j) for i in range(n)], dtype=torch.float32).reshape(p.shape)
    return c, t


CASES = {
    "sgd_plain": (torch.optim.SGD, dict(lr=0.1)),
    "sgd_momentum_nesterov_wd": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "sgd_momentum_dampening": (torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    "adam": (torch.optim.Adam, dict(lr=0.01)),
    "adam_wd": (torch.optim.Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    "adamw": (torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
}


def run(cls, kw):
    ps = init()
    opt = cls(ps, **kw)
    traj = []
    for _ in range(STEPS):
        opt.zero_grad()
        for j, p in enumerate(ps):
            c, t = coeffs(p, j)
            p.grad = c * (p.detach() - t)
        opt.step()
        traj.append([p.detach().flatten().tolist() for p in ps])
    return traj


def clip():
    ps = init()
    for j, p in enumerate(ps):
        c, t = coeffs(p, j)
        p.grad = c * (p.detach() - t)
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm=1.0)
    return {"total": total.item(), "grads": [p.grad.flatten().tolist() for p in ps]}


def schedules():
    out = {}
    for name, make in {
        "step": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    }.items():
        o = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        s = make(o)
        lrs = []
        for _ in range(12):
            lrs.append(o.param_groups[0]["lr"])
            o.step()
            s.step()
        out[name] = lrs
    return out


if __name__ == "__main__":
    print(json.dumps({"torch": torch.__version__, "init": [p.detach().flatten().tolist() for p in init()],
                      "cases": {k: {"kwargs": kw, "traj": run(cls, kw)} for k, (cls, kw) in CASES.items()},
                      "clip": clip(), "schedules": schedules()}, indent=1))
