"""PyTorch CUDA side of the GPU-machine benchmark: f32 4096x4096 matmul (TF32 off) and the same
MLP 784-256-10 (batch 128) and small CNN (batch 64) SGD training steps as bench/webgpu_models.ts.
Prints one JSON object. Without CUDA it prints {"skipped": reason} (the dry run on lavapipe)."""
import json
import sys
import time


def median_ms(fn, warmup, n, sync):
    for _ in range(warmup):
        fn()
    sync()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        sync()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


def main():
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"skipped": f"no torch: {e}"}))
        return
    if not torch.cuda.is_available():
        print(json.dumps({"skipped": f"torch {torch.__version__} has no CUDA device"}))
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    sync = torch.cuda.synchronize
    out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "tf32": False}

    for n in (1024, 4096):
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        ms = median_ms(lambda: a @ b, 3, 20, sync)
        out[f"matmul_{n}_ms"] = ms
        out[f"matmul_{n}_gflops"] = 2 * n ** 3 / ms / 1e6

    nn, F = torch.nn, torch.nn.functional

    def step_fn(model, x, y):
        opt = torch.optim.SGD(model.parameters(), lr=0.05)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return step

    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).to(dev)
    x = torch.randn(128, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (128,), device=dev)
    out["mlp_step_ms"] = median_ms(step_fn(mlp, x, y), 5, 50, sync)
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(800, 10)).to(dev)
    x = torch.randn(64, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (64,), device=dev)
    out["cnn_step_ms"] = median_ms(step_fn(cnn, x, y), 5, 50, sync)
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
