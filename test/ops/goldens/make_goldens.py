"""Run each (op, arguments, input shapes) case through real PyTorch and record the output
shapes, or that it raised. The TypeScript test (test/ops/goldens.test.ts) replays the same
cases through the op library's rules and compares.

Run with Debian's PyTorch:  /usr/bin/python3 test/ops/goldens/make_goldens.py
Writes test/ops/goldens/shapes.json (committed).

Argument encoding (JSON): ints and bools as themselves, {"f": x} a float, strings as strings,
null None, {"t": [shape], "dtype": d} a tensor, {"tuple": [...]}, {"list": [...]},
{"slice": [start, stop, step]}, {"ellipsis": true}, {"dtype": d} a torch dtype.
"""
import json
import os
import torch
import torch.nn as nn
import torch.nn.functional as Fn

torch.manual_seed(0)
CASES = []


def T(*shape, dtype="float32"):
    return {"t": list(shape), "dtype": dtype}


def P(*shape):
    """A float tensor of values in [0, 1) (probabilities for BCE)."""
    return {"t": list(shape), "dtype": "float32", "unit": True}


def f(x):
    return {"f": float(x)}


def tup(*xs):
    return {"tuple": [enc(x) for x in xs]}


def lst(*xs):
    return {"list": [enc(x) for x in xs]}


def sl(a=None, b=None, c=None):
    return {"slice": [a, b, c]}


ELL = {"ellipsis": True}


def dt(d):
    return {"dtype": d}


def enc(v):
    """Python literals in the case list -> the JSON encoding (tuples and lists stay distinct)."""
    if isinstance(v, tuple):
        return {"tuple": [enc(x) for x in v]}
    if isinstance(v, list):
        return {"list": [enc(x) for x in v]}
    if v is Ellipsis:
        return ELL
    if isinstance(v, float):
        return {"f": v}
    return v  # ints, bools, str, None and already-encoded dicts


def encs(xs):
    return [enc(x) for x in xs]


def F(name, *args, **kw):
    CASES.append({"kind": "fn", "name": name, "args": encs(args), "kw": {k: enc(v) for k, v in kw.items()}})


def M(self, name, *args, **kw):
    CASES.append({"kind": "method", "name": name, "self": self, "args": encs(args), "kw": {k: enc(v) for k, v in kw.items()}})


def L(name, ctor, ctor_kw, *args, **kw):
    CASES.append({"kind": "layer", "name": name, "ctor": encs(ctor), "ctor_kw": {k: enc(v) for k, v in ctor_kw.items()},
                  "args": encs(args), "kw": {k: enc(v) for k, v in kw.items()}})


DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "int32": torch.int32,
          "bool": torch.bool, "float16": torch.float16, "uint8": torch.uint8}


def decode(v):
    if isinstance(v, dict):
        if "t" in v:
            d = DTYPES[v["dtype"]]
            if d.is_floating_point:
                return torch.rand(v["t"], dtype=d) if v.get("unit") else torch.randn(v["t"], dtype=d)
            if d == torch.bool:
                return torch.rand(v["t"]) > 0.5
            return torch.zeros(v["t"], dtype=d)  # valid class / embedding / gather indices
        if "f" in v:
            return v["f"]
        if "tuple" in v:
            return tuple(decode(x) for x in v["tuple"])
        if "list" in v:
            return [decode(x) for x in v["list"]]
        if "slice" in v:
            return slice(*v["slice"])
        if "ellipsis" in v:
            return Ellipsis
        if "dtype" in v:
            return DTYPES[v["dtype"]]
    return v


def encode(out):
    if isinstance(out, torch.Tensor):
        return {"shape": list(out.shape), "dtype": str(out.dtype).replace("torch.", "")}
    if isinstance(out, (tuple, list)) and not isinstance(out, torch.Size):
        return {"tuple": [encode(x) for x in out]}
    if isinstance(out, torch.Size):
        return {"tuple": [{"int": x} for x in out]}
    if isinstance(out, bool):
        return {"bool": out}
    if isinstance(out, int):
        return {"int": out}
    if out is None:
        return {"none": True}
    return {"other": type(out).__name__}


def resolve(name):
    obj = {"torch": torch}[name.split(".")[0]]
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def run(case):
    args = [decode(a) for a in case["args"]]
    kw = {k: decode(v) for k, v in case["kw"].items()}
    if case["kind"] == "fn":
        return resolve(case["name"])(*args, **kw)
    if case["kind"] == "method":
        return getattr(decode(case["self"]), case["name"])(*args, **kw)
    layer = getattr(nn, case["name"])(*[decode(a) for a in case["ctor"]], **{k: decode(v) for k, v in case["ctor_kw"].items()})
    layer.eval()
    out = layer(*args, **kw)
    case["state_dict"] = [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in layer.state_dict().items()]
    return out


# ---- cases ---------------------------------------------------------------------------------
# linear family
F("torch.nn.functional.linear", T(64, 9216), T(128, 9216), T(128))
F("torch.nn.functional.linear", T(64, 9126), T(128, 9216))
F("torch.nn.functional.linear", T(2, 5, 7), T(3, 7))
F("torch.matmul", T(4, 8, 16), T(4, 16, 32))
F("torch.matmul", T(4, 8, 16), T(4, 32, 16))
F("torch.matmul", T(3), T(3))
F("torch.matmul", T(2, 3), T(3))
F("torch.matmul", T(3), T(5, 3, 2))
F("torch.matmul", T(1, 4, 2, 3), T(5, 1, 3, 6))
F("torch.matmul", T(2, 4, 2, 3), T(5, 3, 6))
F("torch.bmm", T(4, 2, 3), T(4, 3, 5))
F("torch.bmm", T(4, 2, 3), T(5, 3, 5))
F("torch.mm", T(2, 3), T(3, 7))
F("torch.einsum", "bij,bjk->bik", T(2, 3, 4), T(2, 4, 5))
F("torch.einsum", "bhqd,bhkd->bhqk", T(2, 4, 6, 8), T(2, 4, 7, 8))
F("torch.einsum", "ij->ji", T(3, 5))
F("torch.einsum", "...ij,...jk->...ik", T(2, 3, 4, 5), T(5, 6))
F("torch.einsum", "ij->", T(3, 5))
F("torch.einsum", "ii->i", T(4, 4))
F("torch.einsum", "ij,jk", T(3, 4), T(4, 2))
F("torch.einsum", "bij,bjk->bik", T(2, 3, 4), T(2, 5, 5))
F("torch.nn.functional.bilinear", T(8, 5), T(8, 6), T(3, 5, 6))
L("Linear", [9216, 128], {}, T(64, 9216))
L("Linear", [9216, 128], {}, T(64, 9126))
L("Linear", [10, 4], {"bias": False}, T(2, 3, 10))
L("Bilinear", [5, 6, 3], {}, T(8, 5), T(8, 6))
L("Identity", [], {}, T(3, 4))
# conv
L("Conv2d", [1, 16], {"kernel_size": 3}, T(64, 1, 28, 28))
L("Conv2d", [3, 16], {"kernel_size": 3}, T(8, 1, 32, 32))
L("Conv2d", [1, 16], {"kernel_size": 3}, T(8, 1, 2, 2))
L("Conv2d", [3, 8, 3], {"stride": 2, "padding": 1}, T(2, 3, 32, 32))
L("Conv2d", [3, 8, (3, 5)], {"stride": (1, 2), "padding": (1, 2), "dilation": 2}, T(2, 3, 17, 19))
L("Conv2d", [4, 8, 3], {"groups": 2}, T(1, 4, 9, 9))
L("Conv2d", [4, 8, 3], {"padding": "same"}, T(1, 4, 9, 9))
L("Conv2d", [4, 8, 3], {}, T(4, 9, 9))
L("Conv1d", [3, 6, 5], {"stride": 2}, T(4, 3, 50))
L("Conv3d", [2, 4, 3], {"padding": 1}, T(1, 2, 5, 6, 7))
L("ConvTranspose2d", [16, 8, 3], {"stride": 2, "padding": 1, "output_padding": 1}, T(2, 16, 7, 7))
L("ConvTranspose2d", [16, 8, 4], {"stride": 2, "dilation": 2, "groups": 2}, T(2, 16, 5, 6))
L("ConvTranspose1d", [4, 2, 3], {"stride": 3}, T(1, 4, 10))
F("torch.nn.functional.conv2d", T(8, 3, 32, 32), T(16, 3, 5, 5), None, 1, 2)
F("torch.nn.functional.conv2d", T(8, 4, 32, 32), T(16, 3, 5, 5))
F("torch.nn.functional.conv1d", T(8, 4, 32), T(6, 2, 3), groups=2)
F("torch.nn.functional.conv_transpose2d", T(1, 4, 5, 5), T(4, 3, 3, 3), stride=2)
# pooling
L("MaxPool2d", [2], {}, T(64, 16, 26, 26))
L("MaxPool2d", [3], {"stride": 2, "padding": 1}, T(1, 3, 15, 16))
L("MaxPool2d", [2], {"ceil_mode": True}, T(1, 1, 7, 7))
L("MaxPool2d", [2], {}, T(1, 3, 1, 1))
L("MaxPool2d", [3], {"padding": 2}, T(1, 3, 10, 10))
L("MaxPool2d", [2], {"return_indices": True}, T(1, 3, 8, 8))
L("MaxPool1d", [3], {"stride": 2, "dilation": 2}, T(2, 4, 20))
L("AvgPool2d", [3], {"stride": 2, "ceil_mode": True, "padding": 1}, T(1, 1, 8, 8))
L("AvgPool1d", [4], {}, T(2, 3, 17))
L("AdaptiveAvgPool2d", [(5, 7)], {}, T(2, 3, 20, 30))
L("AdaptiveAvgPool2d", [(None, 7)], {}, T(2, 3, 20, 30))
L("AdaptiveAvgPool1d", [1], {}, T(2, 3, 20))
L("AdaptiveMaxPool2d", [3], {"return_indices": True}, T(2, 3, 9, 9))
F("torch.nn.functional.max_pool2d", T(1, 1, 7, 7), 2, ceil_mode=True)
F("torch.nn.functional.avg_pool2d", T(4, 3, 11, 11), 3, stride=2)
F("torch.nn.functional.adaptive_avg_pool2d", T(4, 3, 11, 11), 1)
# norm
L("BatchNorm2d", [16], {}, T(8, 16, 10, 10))
L("BatchNorm2d", [16], {}, T(8, 32, 10, 10))
L("BatchNorm2d", [16], {"affine": False}, T(8, 16, 10, 10))
L("BatchNorm1d", [16], {}, T(8, 16))
L("BatchNorm1d", [16], {}, T(8, 16, 5))
L("BatchNorm1d", [16], {}, T(8, 16, 5, 5))
L("LayerNorm", [64], {}, T(2, 10, 64))
L("LayerNorm", [(10, 64)], {}, T(2, 10, 64))
L("LayerNorm", [64], {}, T(2, 10, 32))
L("LayerNorm", [64], {"elementwise_affine": False}, T(2, 64))
L("GroupNorm", [4, 16], {}, T(2, 16, 5, 5))
L("GroupNorm", [4, 16], {}, T(2, 8, 5, 5))
L("InstanceNorm2d", [3], {}, T(2, 3, 5, 5))
F("torch.nn.functional.layer_norm", T(2, 5, 8), (8,))
F("torch.nn.functional.layer_norm", T(2, 5, 8), (5,))
F("torch.nn.functional.group_norm", T(2, 6, 4), 4)
F("torch.nn.functional.batch_norm", T(4, 3, 5), T(3), T(3))
# activations / elementwise / broadcasting
for name in ["ReLU", "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "Mish", "Hardswish", "Softplus"]:
    L(name, [], {}, T(2, 3, 4))
L("PReLU", [], {}, T(2, 3, 4))
L("PReLU", [3], {}, T(2, 3, 4))
L("Softmax", [], {"dim": 1}, T(2, 3, 4))
L("LogSoftmax", [], {"dim": -1}, T(2, 3))
M(T(8, 1, 5), "__add__", T(3, 1))
M(T(8, 10), "__add__", T(8, 12))
M(T(2, 3), "__radd__", f(1.5))
M(T(2, 3, dtype="int64"), "__truediv__", 2)
M(T(2, 3, dtype="int64"), "__mul__", 2)
M(T(2, 3, dtype="int64"), "__mul__", f(0.5))
M(T(2, 3), "__lt__", 0)
M(T(2, 3), "__rsub__", 1)
M(T(2, 3), "__pow__", 2)
M(T(4, 1), "__mul__", T(3))
M(T(2, 3, dtype="int64"), "__floordiv__", 2)
M(T(2, 3), "__matmul__", T(3, 4))
M(T(2, 3), "__neg__")
F("torch.add", T(5, 1, 4), T(3, 1), alpha=2)
F("torch.where", T(3, 1, dtype="bool"), T(1, 4), T(3, 4))
F("torch.where", T(3, 2, dtype="bool"), T(1, 4), T(3, 4))
F("torch.clamp", T(3, 4), min=0.0)
F("torch.nn.functional.relu", T(3, 4))
F("torch.nn.functional.gelu", T(3, 4))
F("torch.nn.functional.leaky_relu", T(3, 4), f(0.2))
F("torch.exp", T(3, 4, dtype="int64"))
F("torch.abs", T(3, 4, dtype="int64"))
F("torch.sigmoid", T(2))
M(T(4, 5), "masked_fill", T(4, 1, dtype="bool"), f(0.0))
M(T(4, 5), "masked_fill", T(4, 2, dtype="bool"), f(0.0))
M(T(4, 5), "float")
M(T(4, 5), "long")
M(T(4, 5), "to", dt("float16"))
M(T(4, 5), "type", dt("float64"))
# reductions
F("torch.sum", T(2, 3, 4), 1)
F("torch.sum", T(2, 3, 4), (0, 2), keepdim=True)
F("torch.sum", T(2, 3, dtype="int32"))
F("torch.mean", T(2, 3, 4), -1)
F("torch.mean", T(2, 3, dtype="int64"))
F("torch.max", T(2, 3, 4))
F("torch.max", T(2, 3, 4), 1)
F("torch.max", T(2, 3, 4), T(3, 1))
F("torch.argmax", T(2, 3, 4), 1, keepdim=True)
F("torch.argmax", T(2, 3, 4))
F("torch.softmax", T(2, 3), 1)
F("torch.nn.functional.softmax", T(2, 3), dim=-1)
F("torch.nn.functional.log_softmax", T(2, 3), dim=2)
F("torch.var", T(2, 3, 4), 1)
F("torch.std", T(2, 3, 4), (1, 2), keepdim=True)
F("torch.norm", T(2, 3, 4), dim=1)
F("torch.topk", T(2, 10), 3)
F("torch.topk", T(2, 10), 11)
F("torch.sort", T(2, 10), 0)
F("torch.logsumexp", T(2, 10), 1)
M(T(2, 3, 4), "max", 2)
M(T(2, 3, 4), "mean", (0, 1))
M(T(2, 3, 4), "sum", 3)
M(T(2, 3, 4), "softmax", 1)
M(T(2, 3, 4), "argmax", -1)
M(T(2, 3, 4), "min", dim=0, keepdim=True)
M(T(2, 3, 4), "all")
# shape ops
M(T(64, 32, 5, 5), "view", 64, -1)
M(T(64, 32, 24, 12), "view", 64, 9000)
M(T(10, 3), "view", -1, 4)
M(T(10, 3), "view", -1, -1)
M(T(2, 3, 4), "reshape", (4, -1))
M(T(2, 3, 4), "view", (6, 4))
F("torch.reshape", T(2, 3, 4), (-1,))
F("torch.flatten", T(64, 32, 5, 5), 1)
F("torch.flatten", T(2, 3, 4, 5), 1, 2)
F("torch.flatten", T(2, 3, 4, 5), 2, 1)
M(T(2, 12), "unflatten", 1, (3, 4))
M(T(2, 12), "unflatten", 1, (3, -1))
M(T(2, 3, 4), "permute", 2, 0, 1)
M(T(2, 3, 4), "permute", (0, 2, 1))
M(T(2, 3, 4), "permute", 0, 1)
F("torch.permute", T(2, 3, 4), (1, 0, 2))
M(T(2, 3, 4), "transpose", 1, 2)
M(T(2, 3, 4), "transpose", -1, 0)
M(T(2, 3, 4), "transpose", 1, 3)
M(T(2, 3), "t")
M(T(2, 3, 4), "t")
M(T(2, 1, 3, 1), "squeeze")
M(T(2, 1, 3, 1), "squeeze", 1)
M(T(2, 1, 3, 1), "squeeze", 0)
M(T(2, 3), "unsqueeze", 0)
M(T(2, 3), "unsqueeze", -1)
M(T(2, 3), "unsqueeze", 3)
M(T(3, 1), "expand", 3, 4)
M(T(3, 1), "expand", 2, -1, 4)
M(T(3, 2), "expand", 3, 4)
M(T(3, 2), "repeat", 2, 2)
M(T(3, 2), "repeat", 2, 1, 3)
M(T(3, 2), "repeat", 2)
M(T(3, 4), "contiguous")
M(T(3, 4), "clone")
M(T(3, 4), "detach")
F("torch.cat", lst(T(2, 16, 4), T(2, 32, 4)), dim=1)
F("torch.cat", lst(T(8, 16, 32), T(8, 16, 16)), dim=1)
F("torch.cat", tup(T(2, 3), T(5, 3)))
F("torch.cat", lst(T(2, 3), T(2, 3, 1)))
F("torch.stack", lst(T(2, 3), T(2, 3)), 1)
F("torch.stack", lst(T(2, 3), T(2, 3)), -1)
F("torch.stack", lst(T(2, 3), T(2, 4)))
F("torch.split", T(10, 4), 3)
F("torch.split", T(10, 4), [2, 8])
F("torch.split", T(10, 4), [2, 7])
F("torch.split", T(10, 4), 2, dim=1)
F("torch.chunk", T(10, 4), 3)
F("torch.chunk", T(10, 4), 2, 1)
M(T(10, 4), "split", 4)
M(T(10, 4), "chunk", 4)
M(T(5, 6), "size")
M(T(5, 6), "size", 1)
M(T(5, 6), "size", -2)
M(T(5, 6), "dim")
M(T(5, 6), "numel")
M(T(5, 6, 7), "__getitem__", 0)
M(T(5, 6, 7), "__getitem__", tup(sl(), -1))
M(T(5, 6, 7), "__getitem__", tup(ELL, None))
M(T(5, 6, 7), "__getitem__", tup(sl(), sl(1, None)))
M(T(5, 6, 7), "__getitem__", tup(sl(), sl(None, -1)))
M(T(5, 6, 7), "__getitem__", tup(sl(None, None, 2), sl(1, 5, 3)))
M(T(10, 4), "__getitem__", sl(2, 100, 3))
M(T(10, 4), "__getitem__", T(5, dtype="int64"))
M(T(10, 4), "__getitem__", tup(sl(), lst(0, 2)))
M(T(10, 4), "__getitem__", tup(0, 0, 0))
M(T(10, 4), "__getitem__", tup(0, 4))
M(T(10, 4), "__getitem__", tup(None, Ellipsis, 1))
M(T(10, 4, 3), "__getitem__", tup(T(2, dtype="int64"), sl(), T(2, dtype="int64")))
M(T(10, 4, 3), "__getitem__", tup(sl(), T(2, 5, dtype="int64"), T(5, dtype="int64")))
M(T(10, 4), "__getitem__", T(10, 4, dtype="float32"))
F("torch.nn.functional.interpolate", T(2, 3, 8, 8), scale_factor=2)
F("torch.nn.functional.interpolate", T(2, 3, 8, 8), size=(5, 7), mode="bilinear")
F("torch.nn.functional.interpolate", T(2, 3, 9), scale_factor=f(0.5), mode="linear")
F("torch.nn.functional.interpolate", T(2, 3, 8), scale_factor=2, mode="bilinear")
F("torch.nn.functional.pad", T(2, 3, 8, 8), (1, 2))
F("torch.nn.functional.pad", T(2, 3, 8, 8), (1, 1, 2, 0))
F("torch.nn.functional.pad", T(2, 3, 8, 8), (1, 1, 2))
L("Flatten", [], {}, T(64, 32, 5, 5))
L("Flatten", [0], {}, T(64, 32, 5, 5))
L("Unflatten", [1, (2, 5)], {}, T(3, 10))
L("Upsample", [], {"scale_factor": 2, "mode": "nearest"}, T(1, 3, 4, 5))
L("Upsample", [], {"size": (7, 9), "mode": "bilinear"}, T(1, 3, 4, 5))
L("ZeroPad2d", [2], {}, T(1, 3, 4, 5))
L("ZeroPad2d", [(1, 2, 3, 4)], {}, T(1, 3, 4, 5))
F("torch.narrow", T(4, 10), 1, 2, 5)
F("torch.index_select", T(4, 10), 1, T(3, dtype="int64"))
F("torch.gather", T(4, 10), 1, T(4, 2, dtype="int64"))
F("torch.flip", T(4, 10), (0,))
F("torch.tril", T(4, 10))
F("torch.cumsum", T(4, 10), 1)
# creation
F("torch.arange", 10)
F("torch.arange", 2, 10, 3)
F("torch.arange", f(0.0), f(1.0), f(0.1))
F("torch.zeros", 2, 3)
F("torch.zeros", (2, 3))
F("torch.ones", [4], dtype=dt("int64"))
F("torch.full", (2, 3), 7)
F("torch.full", (2, 3), f(1.5))
F("torch.randn", 2, 3, 4)
F("torch.rand", (5,))
F("torch.randint", 10, (3, 4))
F("torch.randint", 2, 10, (3,))
F("torch.zeros_like", T(3, 4))
F("torch.ones_like", T(3, 4, dtype="int64"))
F("torch.rand_like", T(3, 4))
F("torch.randn_like", T(3, 4), dtype=dt("float64"))
F("torch.full_like", T(3, 4), 2)
F("torch.tensor", [[1, 2], [3, 4], [5, 6]])
F("torch.tensor", [1.0, 2.0])
F("torch.tensor", [[1, 2], [3]])
F("torch.tensor", 3)
F("torch.eye", 3)
F("torch.linspace", 0, 1, 5)
# embedding
L("Embedding", [100, 16], {}, T(4, 7, dtype="int64"))
L("Embedding", [100, 16], {}, T(4, 7))
F("torch.nn.functional.embedding", T(4, 7, dtype="int64"), T(10, 3))
F("torch.nn.functional.one_hot", T(4, 7, dtype="int64"), 5)
# dropout
L("Dropout", [f(0.3)], {}, T(4, 7))
L("Dropout2d", [], {}, T(4, 7, 3, 3))
F("torch.nn.functional.dropout", T(4, 7), f(0.2))
# losses
F("torch.nn.functional.cross_entropy", T(64, 10), T(64, dtype="int64"))
F("torch.nn.functional.cross_entropy", T(64, 10), T(32, dtype="int64"))
F("torch.nn.functional.cross_entropy", T(64, 10), T(64, 10))
F("torch.nn.functional.cross_entropy", T(64, 10), T(64, dtype="int64"), reduction="none")
F("torch.nn.functional.cross_entropy", T(8, 10, 5, 5), T(8, 5, 5, dtype="int64"), reduction="none")
F("torch.nn.functional.cross_entropy", T(10), T(dtype="int64"))
F("torch.nn.functional.nll_loss", T(64, 10), T(64, dtype="int64"))
F("torch.nn.functional.mse_loss", T(4, 3), T(4, 3))
F("torch.nn.functional.mse_loss", T(4, 3), T(4, 3), reduction="none")
F("torch.nn.functional.l1_loss", T(4, 3), T(4, 3), reduction="sum")
F("torch.nn.functional.binary_cross_entropy_with_logits", T(4, 1), T(4, 1))
F("torch.nn.functional.binary_cross_entropy_with_logits", T(4, 1), T(4))
L("CrossEntropyLoss", [], {}, T(64, 10), T(64, dtype="int64"))
L("MSELoss", [], {"reduction": "none"}, T(4, 3), T(4, 3))
L("BCEWithLogitsLoss", [], {}, T(4), T(4))
# rnn
L("LSTM", [10, 20], {}, T(5, 3, 10))
L("LSTM", [10, 20], {"num_layers": 2, "bidirectional": True, "batch_first": True}, T(3, 5, 10))
L("LSTM", [10, 20], {"proj_size": 5}, T(5, 3, 10))
L("LSTM", [10, 20], {}, T(5, 10))
L("LSTM", [10, 20], {}, T(5, 3, 11))
L("GRU", [8, 16], {"num_layers": 3}, T(7, 2, 8))
L("GRU", [8, 16], {"batch_first": True, "bidirectional": True}, T(2, 7, 8))
L("RNN", [4, 6], {"nonlinearity": "relu"}, T(9, 2, 4))
L("LSTMCell", [10, 20], {}, T(3, 10))
L("GRUCell", [10, 20], {}, T(3, 10))
# attention
L("MultiheadAttention", [32, 4], {}, T(5, 2, 32), T(7, 2, 32), T(7, 2, 32))
L("MultiheadAttention", [32, 4], {"batch_first": True}, T(2, 5, 32), T(2, 7, 32), T(2, 7, 32))
L("MultiheadAttention", [32, 4], {"batch_first": True}, T(2, 5, 32), T(2, 7, 32), T(2, 7, 32), need_weights=False)
L("MultiheadAttention", [32, 4], {"batch_first": True}, T(2, 5, 32), T(2, 7, 32), T(2, 7, 32), average_attn_weights=False)
L("MultiheadAttention", [32, 4], {"kdim": 10, "vdim": 12}, T(5, 2, 32), T(7, 2, 10), T(7, 2, 12))
L("MultiheadAttention", [32, 4], {}, T(5, 2, 16), T(7, 2, 16), T(7, 2, 16))
L("MultiheadAttention", [32, 4], {"add_bias_kv": True, "bias": True}, T(5, 32), T(7, 32), T(7, 32))

# more layers and functions
L("PixelShuffle", [2], {}, T(1, 8, 3, 4))
L("PixelShuffle", [2], {}, T(1, 6, 3, 4))
L("PixelUnshuffle", [2], {}, T(1, 2, 4, 6))
L("TransformerEncoderLayer", [32, 4], {"dim_feedforward": 64}, T(7, 2, 32))
L("TransformerEncoderLayer", [32, 4], {"dim_feedforward": 64, "batch_first": True}, T(2, 7, 32))
L("TransformerEncoderLayer", [32, 4], {}, T(2, 7, 16))
L("TransformerDecoderLayer", [32, 4], {"dim_feedforward": 64, "batch_first": True}, T(2, 5, 32), T(2, 7, 32))
L("LSTM", [10, 20], {}, T(5, 3, 10), tup(T(1, 3, 20), T(1, 3, 20)))
L("LSTM", [10, 20], {}, T(5, 3, 10), tup(T(2, 3, 20), T(2, 3, 20)))
L("GRU", [8, 16], {}, T(7, 8))
L("GRU", [8, 16], {"num_layers": 2}, T(7, 2, 8), T(2, 2, 16))
L("RNNCell", [10, 20], {}, T(3, 10))
L("RNN", [4, 6], {"bias": False, "num_layers": 2}, T(9, 2, 4))
L("MultiheadAttention", [32, 4], {}, T(5, 32), T(7, 32), T(7, 32))
L("MultiheadAttention", [32, 4], {"bias": False}, T(5, 2, 32), T(7, 2, 32), T(7, 2, 32))
L("MultiheadAttention", [32, 4], {}, T(5, 2, 32), T(7, 3, 32), T(7, 3, 32))
L("Softmax2d", [], {}, T(2, 3, 4, 5))
L("InstanceNorm1d", [3], {"affine": True}, T(3, 10))
L("GroupNorm", [2, 6], {"affine": False}, T(2, 6, 7))
L("ConvTranspose2d", [4, 2, 3], {"stride": 2}, T(1, 4, 5, 5), output_size=[11, 11])
L("Conv2d", [3, 4, 3], {"padding": "valid", "bias": False}, T(1, 3, 6, 6))
L("Conv2d", [3, 4, 3], {"padding": 1, "padding_mode": "reflect"}, T(1, 3, 6, 6))
L("Embedding", [10, 4], {"padding_idx": 0}, T(3, dtype="int64"))
L("Hardtanh", [], {}, T(2, 2))
L("GLU", [], {}, T(4, 6))
L("Dropout1d", [], {}, T(4, 6, 5))
L("AdaptiveMaxPool1d", [3], {}, T(2, 5, 10))
L("AvgPool2d", [2], {"divisor_override": 3}, T(1, 2, 6, 6))
L("MaxPool3d", [2], {}, T(1, 2, 6, 6, 6))
L("Upsample", [], {"scale_factor": 2, "mode": "trilinear"}, T(1, 2, 3, 4, 5))
L("ReflectionPad1d", [2], {}, T(1, 3, 5))
L("ConstantPad2d", [(1, 0, 2, 0), f(3.5)], {}, T(1, 3, 5, 5))
L("NLLLoss", [], {}, T(8, 5), T(8, dtype="int64"))
L("SmoothL1Loss", [], {}, T(8, 5), T(8, 5))
L("L1Loss", [], {"reduction": "none"}, T(8, 5), T(8, 1))
L("BCELoss", [], {}, P(8), P(8))
L("KLDivLoss", [], {"reduction": "batchmean"}, T(8, 5), T(8, 5))
F("torch.nn.functional.glu", T(4, 6), 0)
F("torch.nn.functional.glu", T(5, 6), 0)
F("torch.nn.functional.pixel_shuffle", T(2, 18, 4, 4), 3)
F("torch.nn.functional.cosine_similarity", T(8, 16), T(1, 16))
F("torch.nn.functional.normalize", T(8, 16), dim=1)
F("torch.nn.functional.kl_div", T(8, 5), T(8, 5), reduction="sum")
F("torch.nn.functional.smooth_l1_loss", T(8, 5), T(8, 5))
F("torch.nn.functional.huber_loss", T(8, 5), T(8, 5), reduction="none")
F("torch.nn.functional.binary_cross_entropy", P(8), P(8))
F("torch.nn.functional.nll_loss", T(8, 5, 3), T(8, 3, dtype="int64"), reduction="none")
F("torch.nn.functional.cross_entropy", T(8, 5), T(8, dtype="int64"), weight=T(4))
F("torch.nn.functional.dropout2d", T(2, 3, 4, 4), f(0.5))
F("torch.nn.functional.embedding", T(3, dtype="int64"), T(10, 3), padding_idx=0)
F("torch.nn.functional.one_hot", T(3, dtype="int64"), 4)
F("torch.nn.functional.avg_pool1d", T(2, 3, 9), 2)
F("torch.nn.functional.adaptive_max_pool1d", T(2, 3, 9), 4)
F("torch.nn.functional.max_pool1d", T(2, 3, 9), 2, return_indices=True)
F("torch.nn.functional.conv3d", T(1, 2, 4, 4, 4), T(3, 2, 2, 2, 2), stride=2)
F("torch.nn.functional.conv_transpose1d", T(1, 2, 4), T(2, 3, 3), padding=1, output_padding=0)
F("torch.nn.functional.instance_norm", T(2, 3, 8))
F("torch.nn.functional.hardswish", T(2, 3))
F("torch.nn.functional.silu", T(2, 3))
F("torch.nn.functional.softplus", T(2, 3), beta=2)
F("torch.nn.functional.elu", T(2, 3))
F("torch.nn.functional.mish", T(2, 3))
F("torch.nn.functional.relu6", T(2, 3))
F("torch.nn.functional.interpolate", T(1, 2, 5, 5), size=10, mode="nearest")
F("torch.nn.functional.interpolate", T(1, 2, 5, 5), scale_factor=(2, 3))
F("torch.hstack", lst(T(2, 3), T(2, 4)))
F("torch.vstack", lst(T(2, 3), T(3)))
F("torch.repeat_interleave", T(2, 3), 2, dim=1)
F("torch.movedim", T(2, 3, 4), 0, -1)
F("torch.unbind", T(3, 4), 1)
F("torch.narrow", T(4, 10), 0, 1, 2)
F("torch.select", T(4, 10), 1, 3)
F("torch.broadcast_to", T(3, 1), (2, 3, 4))
F("torch.arange", 10, 0, -3)
F("torch.arange", 0, 10, f(2.5))
F("torch.full", (2,), True)
F("torch.empty", 3, 0)
F("torch.randint", 5, (2, 2), dtype=dt("int32"))
F("torch.maximum", T(2, 1), T(1, 3))
F("torch.minimum", T(2, 1), T(2, 3))
F("torch.eq", T(2, 3), T(3))
F("torch.logical_and", T(2, 3, dtype="bool"), T(2, 3, dtype="bool"))
F("torch.pow", T(2, 3), 2)
F("torch.pow", T(2, 3), T(4, 1, 3))
F("torch.remainder", T(2, 3), 2)
F("torch.atan2", T(2, 3), T(2, 3))
F("torch.prod", T(2, 3), 1)
F("torch.amax", T(2, 3, 4), (0, 2))
F("torch.all", T(2, 3, dtype="bool"), 1)
F("torch.any", T(2, 3, dtype="bool"))
F("torch.argsort", T(2, 3), 0)
F("torch.kthvalue", T(2, 5), 2)
F("torch.median", T(2, 5))
F("torch.median", T(2, 5), 1)
F("torch.min", T(2, 5), 1, True)
F("torch.cumsum", T(2, 5, dtype="int32"), 0)
F("torch.count_nonzero", T(2, 5), 1)
F("torch.squeeze", T(1, 3, 1))
F("torch.unsqueeze", T(3), 0)
F("torch.transpose", T(3, 4, 5), 0, 2)
F("torch.t", T(4))
F("torch.clone", T(4))
F("torch.einsum", "bi,bi->b", T(5, 3), T(5, 3))
F("torch.einsum", "i,j->ij", T(3), T(4))
F("torch.outer", T(3), T(4))
F("torch.linalg.norm", T(3, 4), dim=1)
M(T(2, 3), "new_zeros", (4, 5))
M(T(2, 3), "new_ones", 4, 5)
M(T(2, 3), "new_full", (4,), f(1.0))
M(T(2, 3), "expand_as", T(4, 2, 3))
M(T(2, 3), "view_as", T(3, 2))
M(T(2, 3), "reshape_as", T(6))
M(T(2, 3), "type_as", T(1, dtype="int64"))
M(T(2, 3), "__rpow__", 2)
M(T(2, 3), "__rtruediv__", 1)
M(T(2, 3), "__rmatmul__", T(4, 2))
M(T(2, 3, dtype="bool"), "__invert__")
M(T(2, 3, dtype="bool"), "__and__", T(2, 3, dtype="bool"))
M(T(2, 3), "__ge__", T(3))
M(T(2, 3), "__mod__", 2)
M(T(2, 3), "__abs__")
M(T(2, 3), "__len__")
M(T(2, 3), "clamp", -1, 1)
M(T(2, 3), "clip", max=1)
M(T(2, 3), "sigmoid")
M(T(2, 3), "relu")
M(T(2, 3), "exp_")
M(T(2, 3), "double")
M(T(2, 3), "half")
M(T(2, 3), "int")
M(T(2, 3), "bool")
M(T(2, 3), "std", 0)
M(T(2, 3), "var", 1, keepdim=True)
M(T(2, 3), "norm", dim=1)
M(T(2, 3), "log_softmax", 1)
M(T(2, 3), "topk", 2, dim=1)
M(T(2, 3), "sort", descending=True)
M(T(2, 3), "flip", 0, 1)
M(T(2, 3), "roll", 1, 0)
M(T(2, 3), "tril")
M(T(3, 4), "unbind")
M(T(3, 4), "gather", 0, T(2, 4, dtype="int64"))
M(T(3, 4), "index_select", 0, T(5, dtype="int64"))
M(T(3, 4), "narrow", 1, 0, 2)
M(T(3, 4), "select", 0, -1)
M(T(3, 4), "swapaxes", 0, 1)
M(T(3, 4), "movedim", 1, 0)
M(T(3, 4), "repeat_interleave", 2)
M(T(3, 4), "unsqueeze", -3)
M(T(3, 4), "expand", 2, 3, 4)
M(T(3, 4), "view", torch.int32 if False else dt("int32"))
M(T(3, 4), "where", T(3, 4, dtype="bool"), T(3, 4))
M(T(3, 4), "masked_fill", T(4, dtype="bool"), 1)
M(T(3, 4), "chunk", 3, 1)
M(T(3, 4), "split", [1, 3], 1)
M(T(3, 4, 5), "__getitem__", tup(Ellipsis, sl(None, 2)))
M(T(3, 4, 5), "__getitem__", tup(None, sl(), None, 0))
M(T(3, 4, 5), "__getitem__", T(3, 4, dtype="bool"))
M(T(3, 4, 5), "__getitem__", tup(sl(), T(2, 2, dtype="int64")))
M(T(3, 4, 5), "__getitem__", tup(sl(-2, None), sl(None, None, 2), sl(5, 1)))
M(T(3, 4, 5), "__getitem__", lst(0, 2, 1))
# dtype promotion
M(T(3, dtype="int64"), "__add__", T())
M(T(3, dtype="float16"), "__add__", T())
M(T(3, dtype="int32"), "__add__", T(3, dtype="int64"))
M(T(3, dtype="bool"), "__add__", 1)
M(T(3, dtype="bool"), "__add__", f(1.5))
M(T(3, dtype="int32"), "__mul__", 2)
M(T(3, dtype="float16"), "__mul__", f(2.5))
M(T(3, dtype="float64"), "__add__", T(3))
M(T(dtype="float64"), "__add__", T(3))
M(T(3, dtype="int32"), "__truediv__", T(3, dtype="int32"))
M(T(3, dtype="int64"), "__pow__", 2)
M(T(3, dtype="int64"), "__pow__", f(0.5))
M(T(3, dtype="bool"), "__and__", True)
M(T(3), "__radd__", True)
F("torch.where", T(3, dtype="bool"), T(3, dtype="int64"), f(0.5))
F("torch.cat", lst(T(2, dtype="int64"), T(2)))
F("torch.sum", T(3, dtype="bool"))
F("torch.argmax", T(3, dtype="int32"))
F("torch.sigmoid", T(3, dtype="int64"))
F("torch.abs", T(3, dtype="int32"))
F("torch.matmul", T(2, 3, dtype="float64"), T(3, 4, dtype="float64"))
# constructor-level errors
L("Conv2d", [3, 8, 3], {"groups": 2}, T(1, 3, 8, 8))
L("Conv2d", [4, 6, 3], {"groups": 4}, T(1, 4, 8, 8))
L("MultiheadAttention", [100, 8], {}, T(5, 2, 100), T(5, 2, 100), T(5, 2, 100))
L("GroupNorm", [3, 16], {}, T(2, 16, 4, 4))
L("Dropout", [f(1.5)], {}, T(2, 3))
L("Embedding", [10, 4], {"padding_idx": 10}, T(3, dtype="int64"))
L("LSTM", [10, 20], {"proj_size": 20}, T(5, 3, 10))
L("Conv2d", [3, 8, 3], {"padding": "same", "stride": 2}, T(1, 3, 8, 8))
L("Conv2d", [3, 8, 3], {"padding": "full"}, T(1, 3, 8, 8))
L("TransformerEncoderLayer", [30, 4], {}, T(7, 2, 30))
L("Linear", [-1, 5], {}, T(2, 3))
L("LayerNorm", ["x"], {}, T(2, 3))
L("Embedding", [10, -4], {}, T(3, dtype="int64"))


def main():
    out = []
    for case in CASES:
        try:
            result = encode(run(case))
        except Exception as e:  # the point is to record that PyTorch refuses
            result = {"error": f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"}
        out.append({**case, "result": result})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes.json")
    with open(path, "w") as fh:
        fh.write(json.dumps({"torch": torch.__version__, "cases": out}, indent=1))
        fh.write("\n")
    print(f"wrote {len(out)} cases to {path} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
