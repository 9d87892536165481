"""PyTorch interop fixtures for the io tests (run with Debian's /usr/bin/python3; torch 1.13, numpy).

  python3 torch_io.py write OUTDIR   writes .npy/.npz/.safetensors files + expected.json (values as lists)
  python3 torch_io.py check FILE     reads a safetensors written by the engine, loads it into the same
                                     torch model with load_state_dict(strict=True), prints JSON values
  python3 torch_io.py numpy FILE...  loads .npy/.npz files written by the engine with NumPy, prints JSON

Debian has no `safetensors` package, so the format is written and read by hand here (8-byte LE
header length, JSON header, raw little-endian data), following the public spec.
"""
import json
import struct
import sys

import numpy as np
import torch

DT = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64",
      torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
NP = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
      "U8": np.uint8, "BOOL": np.bool_}


def model():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    m.train()
    m(torch.randn(4, 3))  # moves running stats and num_batches_tracked
    return m


def save_safetensors(path, tensors):
    header, blobs, pos = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        b = t.contiguous().numpy().astype(NP[DT[t.dtype]]).tobytes()
        header[name] = {"dtype": DT[t.dtype], "shape": list(t.shape), "data_offsets": [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def load_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[8 + n + b:8 + n + end], dtype=NP[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def write(outdir):
    sd = model().state_dict()
    extra = {
        "extra.f16": torch.tensor([0.5, -2.0, 65504.0, 1e-4], dtype=torch.float16),
        "extra.f64": torch.tensor([[1.25, -3.5], [1e-8, 7.0]], dtype=torch.float64),
        "extra.i32": torch.tensor([1, -2, 2147483647], dtype=torch.int32),
        "extra.u8": torch.tensor([0, 7, 255], dtype=torch.uint8),
        "extra.bool": torch.tensor([True, False, True]),
    }
    tensors = {**sd, **extra}
    save_safetensors(f"{outdir}/torch_model.safetensors", tensors)
    expected = {k: {"shape": list(v.shape), "values": v.to(torch.float64).flatten().tolist()} for k, v in tensors.items()}

    a = (np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1).astype(np.float32)
    arrays = {
        "f32": a, "f64": a.astype(np.float64) / 3, "i64": np.array([[1, -5], [3, 2**31 - 1]], dtype=np.int64),
        "i32": np.array([7, -8, 9], dtype=np.int32), "u8": np.array([0, 128, 255], dtype=np.uint8),
        "bool": np.array([True, False]), "scalar": np.array(3.5, dtype=np.float32),
    }
    for k, v in arrays.items():
        np.save(f"{outdir}/{k}.npy", v)
        expected[f"npy.{k}"] = {"shape": list(v.shape), "values": v.astype(np.float64).flatten().tolist()}
    with open(f"{outdir}/v2.npy", "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
    np.save(f"{outdir}/fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.save(f"{outdir}/big_i64.npy", np.array([1, 2, 2**40], dtype=np.int64))
    np.savez(f"{outdir}/stored.npz", x=a, y=arrays["i64"])
    np.savez_compressed(f"{outdir}/deflate.npz", x=a, y=arrays["i64"])
    with open(f"{outdir}/expected.json", "w") as f:
        json.dump(expected, f, indent=1)


def check(path):
    t = load_safetensors(path)
    m = model()
    m.load_state_dict({k: v for k, v in t.items() if not k.startswith("extra.")}, strict=True)
    print(json.dumps({k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.to(torch.float64).flatten().tolist()}
                      for k, v in t.items()}))


def numpy_read(paths):
    out = {}
    for p in paths:
        if p.endswith(".npz"):
            with np.load(p) as z:
                for k in z.files:
                    out[f"{p}:{k}"] = {"dtype": str(z[k].dtype), "shape": list(z[k].shape), "values": z[k].astype(np.float64).flatten().tolist()}
        else:
            a = np.load(p)
            out[p] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": a.astype(np.float64).flatten().tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "numpy":
        numpy_read(sys.argv[2:])
    else:
        {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
