"""Golden values for the einops composites (engine/src/ops/einops/grad.ts): run with Debian's PyTorch
(/usr/bin/python3, torch 1.13.1). einops itself is not installable here (no Debian package, no PyPI
access), so each case computes what einops computes with the torch ops einops' own recipe applies
(einops/einops.py _apply_recipe: reshape -> permute -> reduce -> unsqueeze/expand -> reshape;
einops/packing.py: reshape + cat, slice + reshape; einsum with the names compacted to letters).
The engine test calls callOp(case.op, case.args) and compares outputs and the gradients of
sum(output * cotangent) for every float input. Writes einops_goldens.json next to this file.

    /usr/bin/python3 test/engine/goldens/make_einops_goldens.py
"""
import json
import os
import torch

G = torch.Generator().manual_seed(2024)


def rn(*shape):
    return torch.randn(*shape, generator=G)


def enc(v):
    if isinstance(v, torch.Tensor):
        data = [float('%.9g' % x) for x in v.detach().reshape(-1).tolist()]
        return {'tensor': {'shape': list(v.shape), 'dtype': 'float32', 'data': data}}
    if isinstance(v, (list, tuple)):
        return {'list': [enc(x) for x in v]}
    return {'value': v}


def axes(**kw):
    return [[k, v] for k, v in kw.items()]


CASES = []


def case(name, op, args, fn):
    CASES.append((name, op, args, fn))


x = rn(2, 3, 8)
case('rearrange_heads', 'einops_rearrange', {'input': x, 'pattern': 'b n (h d) -> b h n d', 'axes_lengths': axes(h=2)},
     lambda input: input.reshape(2, 3, 2, 4).permute(0, 2, 1, 3))
x = rn(2, 3, 4, 6)
case('rearrange_patches', 'einops_rearrange',
     {'input': x, 'pattern': 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)', 'axes_lengths': axes(p1=2, p2=2)},
     lambda input: input.reshape(2, 3, 2, 2, 3, 2).permute(0, 2, 4, 3, 5, 1).reshape(2, 6, 12))
x = rn(2, 3, 4, 5)
case('rearrange_ellipsis', 'einops_rearrange', {'input': x, 'pattern': 'b ... c -> c (...) b', 'axes_lengths': []},
     lambda input: input.permute(3, 1, 2, 0).reshape(5, 12, 2))
xs = [rn(3, 4), rn(3, 4)]
case('rearrange_list_input', 'einops_rearrange', {'input': xs, 'pattern': 'n b d -> b (n d)', 'axes_lengths': []},
     lambda input: torch.stack(input, 0).permute(1, 0, 2).reshape(3, 8))
x = rn(2, 3, 4, 6)
case('reduce_mean_pool', 'einops_reduce',
     {'input': x, 'pattern': 'b c (h h2) (w w2) -> b c h w', 'reduction': 'mean', 'axes_lengths': axes(h2=2, w2=2)},
     lambda input: input.reshape(2, 3, 2, 2, 3, 2).permute(0, 1, 2, 4, 3, 5).mean(dim=(4, 5)))
x = rn(2, 5, 4)
case('reduce_max', 'einops_reduce', {'input': x, 'pattern': 'b n d -> d b', 'reduction': 'max', 'axes_lengths': []},
     lambda input: input.permute(2, 0, 1).amax(dim=2))
x = rn(2, 3, 4)
case('reduce_sum_keep1', 'einops_reduce', {'input': x, 'pattern': 'b ... -> b 1', 'reduction': 'sum', 'axes_lengths': []},
     lambda input: input.sum(dim=(1, 2)).reshape(2, 1))
x = rn(2, 4)
case('repeat_new_axis', 'einops_repeat', {'input': x, 'pattern': 'b d -> b n d', 'axes_lengths': axes(n=3)},
     lambda input: input.unsqueeze(1).expand(2, 3, 4))
x = rn(3, 4)
case('repeat_upsample', 'einops_repeat', {'input': x, 'pattern': 'h w -> (h h2) (w w2)', 'axes_lengths': axes(h2=2, w2=2)},
     lambda input: input[:, None, :, None].expand(3, 2, 4, 2).reshape(6, 8))
ts = [rn(2, 3, 5), rn(2, 5)]
case('pack', 'einops_pack', {'tensors': ts, 'pattern': 'b * d'},
     lambda tensors: (torch.cat([tensors[0].reshape(2, 3, 5), tensors[1].reshape(2, 1, 5)], dim=1),))
x = rn(2, 4, 5)
case('unpack', 'einops_unpack', {'input': x, 'packed_shapes': [[3], []], 'pattern': 'b * d'},
     lambda input: (input[:, 0:3].reshape(2, 3, 5), input[:, 3:4].reshape(2, 5)))
q, k = rn(2, 2, 3, 4), rn(2, 2, 5, 4)
case('einsum_attention', 'einops_einsum', {'tensors_and_pattern': [q, k, 'b h i d, b h j d -> b h i j']},
     lambda tensors_and_pattern: torch.einsum('abcd,abed->abce', tensors_and_pattern[0], tensors_and_pattern[1]))


def main():
    out = []
    for name, op, args, fn in CASES:
        targs, leaves = {}, []
        for key, v in args.items():
            if isinstance(v, torch.Tensor):
                v = v.clone().requires_grad_(True)
                leaves.append((key, v))
            elif isinstance(v, list) and any(isinstance(t, torch.Tensor) for t in v):
                v = [t.clone().requires_grad_(True) if isinstance(t, torch.Tensor) else t for t in v]
                leaves.append((key, v))
            targs[key] = v
        res = fn(**{k: v for k, v in targs.items() if k in ('input', 'tensors', 'tensors_and_pattern')})
        outs = list(res) if isinstance(res, tuple) else [res]
        cots = [rn(*o.shape) for o in outs]
        total = sum((o * c).sum() for o, c in zip(outs, cots))
        total.backward()
        grads = {}
        for key, v in leaves:
            if isinstance(v, list):
                grads[key] = {'list': [enc(t.grad) for t in v if isinstance(t, torch.Tensor)]}
            else:
                grads[key] = enc(v.grad)
        out.append({'name': name, 'op': op, 'args': {k: enc(v) for k, v in args.items()},
                    'outputs': [enc(o) for o in outs], 'cotangents': [enc(c) for c in cots], 'grads': grads})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'einops_goldens.json')
    with open(path, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': out}, f, separators=(',', ':'), allow_nan=False)
    print(f'wrote {len(out)} cases to {path} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
