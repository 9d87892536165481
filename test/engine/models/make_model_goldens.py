#!/usr/bin/python3
"""Goldens for whole-model parity: run with Debian's PyTorch (`/usr/bin/python3 make_model_goldens.py`).

For each model below: seed, build the PyTorch model, run a few train-mode batches so BatchNorm
running stats are not the trivial defaults, then write into goldens/<name>/
  weights.safetensors  the state_dict (PyTorch names and order; written by hand: no safetensors package here)
  input.npy            the example input
  output.npy           the eval-mode output for that input (float32)
  grads.safetensors    d/dparam of sum(output * cos(arange)) in eval mode, per named parameter
  output_train.npy, state_after_train.safetensors   train-mode output and BatchNorm running
                       stats after it (models without dropout only)
and goldens/manifest.json: per model its file, class, input shape/dtype, output shape and state_dict keys.
Also goldens/layer_goldens.json (BatchNorm running stats, RNN/cells, MultiheadAttention masks) and
goldens/layer_zoo.json (every layer kind with non-default constructor arguments).
"""
import importlib.util
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "goldens")

# name, model file (repo-relative), class, input shape, input kind ('float' or ('int', high))
MODELS = [
    ("fashion", "examples/fashion/model.py", "FashionCNN", [2, 1, 28, 28], "float"),
    ("cnn", "test/engine/models/cnn.py", "SmallCNN", [2, 3, 16, 16], "float"),
    ("resnet_stage", "test/engine/models/resnet_stage.py", "ResNetStage", [2, 4, 8, 8], "float"),
    ("gpt_block", "test/engine/models/gpt_block.py", "TinyGPT", [2, 8], ("int", 20)),
    ("lstm_classifier", "test/engine/models/lstm_classifier.py", "LSTMClassifier", [2, 7], ("int", 30)),
    ("unet", "test/engine/models/unet.py", "SmallUNet", [2, 1, 16, 16], "float"),
    ("gru_embed", "test/engine/models/gru_embed.py", "GRUTagger", [2, 6], ("int", 25)),
    ("mha", "test/engine/models/mha.py", "AttnPool", [2, 5, 12], "float"),
]

DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.int32: "I32"}


def write_safetensors(path, state):
    header = {}
    blobs = []
    offset = 0
    for name, t in state.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # keep the data 8-byte aligned, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_class(file, cls):
    spec = importlib.util.spec_from_file_location("m_" + cls, os.path.join(ROOT, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, cls)


def make_input(shape, kind, gen):
    if kind == "float":
        return torch.randn(*shape, generator=gen)
    return torch.randint(0, kind[1], shape, generator=gen)


# Layer zoo: every builtin layer's attributes reach its op. (name, args, kwargs, inputs); an input is
# (shape, "float") or (shape, high) for integers in [0, high). Lists become tuples for PyTorch.
ZOO = [
    ("LeakyReLU", [0.2], {}, [([2, 3, 4], "float")]),
    ("ELU", [], {"alpha": 0.5}, [([2, 6], "float")]),
    ("CELU", [], {"alpha": 2.0}, [([2, 6], "float")]),
    ("SELU", [], {}, [([2, 6], "float")]),
    ("GELU", [], {"approximate": "tanh"}, [([2, 6], "float")]),
    ("Hardtanh", [-2.0, 2.0], {}, [([2, 6], "float")]),
    ("ReLU6", [], {}, [([2, 6], "float")]),
    ("Softplus", [], {"beta": 2.0, "threshold": 5.0}, [([2, 6], "float")]),
    ("Softshrink", [0.3], {}, [([2, 6], "float")]),
    ("Hardshrink", [0.3], {}, [([2, 6], "float")]),
    ("Threshold", [0.1, 20.0], {}, [([2, 6], "float")]),
    ("SiLU", [], {}, [([2, 6], "float")]),
    ("Mish", [], {}, [([2, 6], "float")]),
    ("Hardswish", [], {}, [([2, 6], "float")]),
    ("Hardsigmoid", [], {}, [([2, 6], "float")]),
    ("LogSigmoid", [], {}, [([2, 6], "float")]),
    ("Softsign", [], {}, [([2, 6], "float")]),
    ("Tanhshrink", [], {}, [([2, 6], "float")]),
    ("PReLU", [3], {}, [([2, 3, 4], "float")]),
    ("GLU", [], {"dim": 1}, [([2, 6, 3], "float")]),
    ("Softmax", [], {"dim": 0}, [([3, 4], "float")]),
    ("LogSoftmax", [], {"dim": -1}, [([3, 4], "float")]),
    ("Softmin", [], {"dim": 1}, [([3, 4], "float")]),
    ("Softmax2d", [], {}, [([2, 3, 2, 2], "float")]),
    ("Linear", [5, 3], {"bias": False}, [([2, 4, 5], "float")]),
    ("Bilinear", [3, 4, 2], {}, [([5, 3], "float"), ([5, 4], "float")]),
    ("Conv1d", [4, 6, 3], {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}, [([2, 4, 11], "float")]),
    ("Conv2d", [2, 4, [3, 2]], {"padding": "same"}, [([1, 2, 5, 6], "float")]),
    ("Conv3d", [2, 3, 2], {}, [([1, 2, 3, 4, 4], "float")]),
    ("ConvTranspose1d", [3, 2, 3], {"stride": 2, "padding": 1, "output_padding": 1}, [([2, 3, 5], "float")]),
    ("ConvTranspose2d", [4, 2, 3], {"stride": 2, "groups": 2, "dilation": 1}, [([1, 4, 3, 3], "float")]),
    ("MaxPool1d", [3], {"stride": 2, "padding": 1}, [([2, 3, 9], "float")]),
    ("MaxPool2d", [3], {"stride": 2, "ceil_mode": True}, [([1, 2, 8, 8], "float")]),
    ("AvgPool1d", [2], {}, [([2, 3, 9], "float")]),
    ("AvgPool2d", [3], {"stride": 2, "padding": 1, "count_include_pad": False}, [([1, 2, 7, 7], "float")]),
    ("AdaptiveAvgPool1d", [4], {}, [([2, 3, 10], "float")]),
    ("AdaptiveMaxPool2d", [[3, 2]], {}, [([1, 2, 7, 5], "float")]),
    ("AdaptiveAvgPool2d", [[3, None]], {}, [([1, 2, 7, 5], "float")]),
    ("BatchNorm1d", [3], {"affine": False}, [([4, 3, 5], "float")]),
    ("LayerNorm", [[3, 4]], {"eps": 1e-3}, [([2, 3, 4], "float")]),
    ("GroupNorm", [2, 4], {}, [([2, 4, 3], "float")]),
    ("InstanceNorm2d", [3], {"affine": True}, [([2, 3, 4, 4], "float")]),
    ("Flatten", [], {"start_dim": 0, "end_dim": 1}, [([2, 3, 4], "float")]),
    ("Unflatten", [1, [2, 3]], {}, [([2, 6, 2], "float")]),
    ("Upsample", [], {"scale_factor": 2, "mode": "nearest"}, [([1, 2, 3, 3], "float")]),
    ("Upsample", [], {"size": [5, 4], "mode": "bilinear", "align_corners": False}, [([1, 2, 3, 3], "float")]),
    ("UpsamplingBilinear2d", [], {"scale_factor": 2}, [([1, 1, 3, 3], "float")]),
    ("ZeroPad2d", [[1, 0, 2, 1]], {}, [([1, 2, 3, 3], "float")]),
    ("ConstantPad1d", [2, 3.5], {}, [([2, 3, 4], "float")]),
    ("ReflectionPad2d", [1], {}, [([1, 2, 3, 3], "float")]),
    ("ReplicationPad1d", [[2, 1]], {}, [([2, 3, 4], "float")]),
    ("Embedding", [10, 3], {"padding_idx": -1}, [([2, 4], 10)]),
    ("Identity", [7], {}, [([2, 3], "float")]),
    ("PixelShuffle", [2], {}, [([1, 8, 2, 3], "float")]),
    ("PixelUnshuffle", [2], {}, [([1, 2, 4, 6], "float")]),
    ("TransformerEncoderLayer", [8, 2], {"dim_feedforward": 16, "batch_first": True}, [([2, 5, 8], "float")]),
    ("TransformerEncoderLayer", [8, 4], {"dim_feedforward": 12, "activation": "gelu", "norm_first": True}, [([5, 2, 8], "float")]),
    ("TransformerDecoderLayer", [8, 2], {"dim_feedforward": 16, "batch_first": True}, [([2, 4, 8], "float"), ([2, 6, 8], "float")]),
    ("TransformerDecoderLayer", [8, 2], {"dim_feedforward": 16, "norm_first": True}, [([4, 2, 8], "float"), ([6, 2, 8], "float")]),
    ("CrossEntropyLoss", [], {"label_smoothing": 0.1, "reduction": "sum"}, [([4, 5], "float"), ([4], 5)]),
    ("CrossEntropyLoss", [], {"ignore_index": 2}, [([4, 5], "float"), ([4], 5)]),
    ("NLLLoss", [], {"reduction": "none"}, [([4, 5], "float"), ([4], 5)]),
    ("MSELoss", [], {"reduction": "sum"}, [([3, 4], "float"), ([3, 4], "float")]),
    ("L1Loss", [], {}, [([3, 4], "float"), ([3, 4], "float")]),
    ("SmoothL1Loss", [], {"beta": 0.5}, [([3, 4], "float"), ([3, 4], "float")]),
    ("HuberLoss", [], {"delta": 0.5}, [([3, 4], "float"), ([3, 4], "float")]),
    ("BCEWithLogitsLoss", [], {"reduction": "mean"}, [([3, 4], "float"), ([3, 4], "prob")]),
    ("BCELoss", [], {}, [([3, 4], "prob"), ([3, 4], "prob")]),
    ("KLDivLoss", [], {"reduction": "batchmean", "log_target": True}, [([3, 4], "float"), ([3, 4], "float")]),
]


def zoo_goldens():
    def py(v):
        return tuple(py(x) for x in v) if isinstance(v, list) else v
    cases = []
    for i, (name, args, kwargs, inputs) in enumerate(ZOO):
        torch.manual_seed(100 + i)
        layer = getattr(torch.nn, name)(*[py(a) for a in args], **{k: py(v) for k, v in kwargs.items()})
        with torch.no_grad():
            for t in layer.parameters():  # PReLU/norm weights would otherwise be constants
                t.add_(torch.randn(t.shape) * 0.3)
        layer.eval()
        xs = []
        for shape, kind in inputs:
            if kind == "float":
                xs.append(torch.randn(*shape))
            elif kind == "prob":
                xs.append(torch.rand(*shape))
            else:
                xs.append(torch.randint(0, kind, shape))
        with torch.no_grad():
            y = layer(*xs)
        cases.append({
            "name": name, "args": args, "kwargs": kwargs,
            "state": {k: [list(v.shape), v.flatten().tolist()] for k, v in layer.state_dict().items()},
            "inputs": [[list(x.shape), "int" if x.dtype == torch.int64 else "float", x.flatten().tolist()] for x in xs],
            "output": [list(y.shape), y.flatten().tolist()],
        })
    with open(os.path.join(OUT, "layer_zoo.json"), "w") as f:
        json.dump(cases, f)
        f.write("\n")


def layer_goldens():
    """Train-mode behaviour a single eval-mode forward cannot show: BatchNorm's running statistics."""
    out = {}
    for name, momentum in (("bn_momentum", 0.1), ("bn_cumulative", None)):
        torch.manual_seed(0)
        bn = torch.nn.BatchNorm2d(3, momentum=momentum)
        with torch.no_grad():
            bn.weight.copy_(torch.tensor([1.0, 0.5, -2.0]))
            bn.bias.copy_(torch.tensor([0.0, 0.25, 1.0]))
        xs = [torch.randn(4, 3, 2, 5) * 2 + 1 for _ in range(2)]
        bn.train()
        ys = [bn(x) for x in xs]
        bn.eval()
        ye = bn(xs[0])
        out[name] = {
            "momentum": momentum,
            "inputs": [x.flatten().tolist() for x in xs],
            "shape": list(xs[0].shape),
            "train_output": ys[1].detach().flatten().tolist(),
            "eval_output": ye.detach().flatten().tolist(),
            "running_mean": bn.running_mean.tolist(),
            "running_var": bn.running_var.tolist(),
            "num_batches_tracked": int(bn.num_batches_tracked),
        }
    # Recurrent layers and cells the parity models do not cover (relu RNN, 2 layers, bidirectional,
    # seq-first, explicit initial state; the three cells with and without state).
    cases = [
        ("rnn_relu_bidir", lambda: torch.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True), [5, 2, 3], [4, 2, 4]),
        ("lstm_unbatched", lambda: torch.nn.LSTM(3, 4), [5, 3], None),
        ("rnn_cell", lambda: torch.nn.RNNCell(3, 4), [2, 3], [2, 4]),
        ("gru_cell", lambda: torch.nn.GRUCell(3, 4), [2, 3], [2, 4]),
        ("lstm_cell", lambda: torch.nn.LSTMCell(3, 4), [2, 3], "lstm"),
    ]
    for name, make, xshape, hshape in cases:
        torch.manual_seed(1)
        layer = make()
        x = torch.randn(*xshape)
        if hshape == "lstm":
            hx = (torch.randn(2, 4), torch.randn(2, 4))
            y = layer(x, hx)
            hx_list = [t.flatten().tolist() for t in hx]
        elif hshape is None:
            hx, hx_list = None, None
            y = layer(x)
        else:
            hx = torch.randn(*hshape)
            hx_list = [hx.flatten().tolist()]
            y = layer(x, hx)
        flat = []
        for t in (y if isinstance(y, tuple) else (y,)):
            flat.extend(t if isinstance(t, tuple) else (t,))
        out[name] = {
            "state": {k: [list(v.shape), v.flatten().tolist()] for k, v in layer.state_dict().items()},
            "input": [xshape, x.flatten().tolist()],
            "hx": hx_list,
            "hx_shape": hshape if isinstance(hshape, list) else [2, 4],
            "outputs": [[list(t.shape), t.detach().flatten().tolist()] for t in flat],
        }
    # MultiheadAttention, sequence-first, with a causal bool mask and a key padding mask; its weights too.
    torch.manual_seed(2)
    mha = torch.nn.MultiheadAttention(6, 2)
    q = torch.randn(4, 2, 6)
    causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
    kpm = torch.tensor([[False, False, False, True], [False, False, False, False]])
    y, w = mha(q, q, q, attn_mask=causal, key_padding_mask=kpm)
    out["mha_masks"] = {
        "state": {k: [list(v.shape), v.flatten().tolist()] for k, v in mha.state_dict().items()},
        "input": [list(q.shape), q.flatten().tolist()],
        "attn_mask": causal.int().flatten().tolist(),
        "key_padding_mask": kpm.int().flatten().tolist(),
        "outputs": [[list(t.shape), t.detach().flatten().tolist()] for t in (y, w)],
    }
    with open(os.path.join(OUT, "layer_goldens.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


def main():
    torch.set_num_threads(1)
    layer_goldens()
    zoo_goldens()
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, file, cls, shape, kind in MODELS:
        torch.manual_seed(0)
        model = load_class(file, cls)()
        gen = torch.Generator().manual_seed(1)
        model.train()
        with torch.no_grad():
            for _ in range(3):  # moves BatchNorm running stats away from 0/1
                model(make_input(shape, kind, gen) * (1.5 if kind == "float" else 1) + (0.3 if kind == "float" else 0))
        model.eval()
        x = make_input(shape, kind, gen)
        y = model(x)
        # Gradients of a fixed weighting of the eval-mode output, for every parameter.
        loss = (y * torch.cos(torch.arange(y.numel(), dtype=torch.float32)).reshape(y.shape)).sum()
        loss.backward()
        y = y.detach()
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        state = model.state_dict()
        write_safetensors(os.path.join(d, "weights.safetensors"), state)
        write_safetensors(os.path.join(d, "grads.safetensors"), {k: p.grad for k, p in model.named_parameters()})
        np.save(os.path.join(d, "input.npy"), x.numpy())
        np.save(os.path.join(d, "output.npy"), y.numpy().astype(np.float32))
        train_mode = None
        if not any(isinstance(mod, torch.nn.Dropout) for mod in model.modules()):
            # Train mode (BatchNorm uses batch statistics and updates its running ones); no dropout, so deterministic.
            model.train()
            with torch.no_grad():
                yt = model(x)
            np.save(os.path.join(d, "output_train.npy"), yt.numpy().astype(np.float32))
            write_safetensors(os.path.join(d, "state_after_train.safetensors"), {k: v for k, v in model.state_dict().items() if "running" in k or "num_batches" in k})
            train_mode = True
        manifest.append({
            "trainMode": train_mode,
            "name": name,
            "file": file,
            "className": cls,
            "input": {"shape": list(x.shape), "dtype": str(x.dtype).replace("torch.", "")},
            "output": {"shape": list(y.shape)},
            "stateDict": [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in state.items()],
            "parameters": [k for k, _ in model.named_parameters()],
        })
        print(f"{name}: {cls} {list(x.shape)} -> {list(y.shape)}, {len(state)} tensors")
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "models": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
