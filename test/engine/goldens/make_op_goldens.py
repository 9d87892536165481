"""Golden values for the engine's op tests: run with Debian's PyTorch (/usr/bin/python3, torch 1.13.1).

For every case: seeded inputs, the op's outputs, and the gradients of sum(output * cotangent)
with respect to every float input (cotangent: fixed seeded random values per output).
Writes op_goldens.json next to this file. Arguments use the engine's op names and PyTorch's
parameter names, so the test calls callOp(case.op, args) directly.

    /usr/bin/python3 test/engine/goldens/make_op_goldens.py
"""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
G = torch.Generator().manual_seed(1234)


def rn(*shape, lo=None):
    t = torch.randn(*shape, generator=G)
    if lo is not None:  # strictly positive inputs (log, sqrt, ...)
        t = t.abs() + lo
    return t


def ri(high, *shape):
    return torch.randint(0, high, shape, generator=G)


def enc(v):
    if isinstance(v, torch.Tensor):
        dt = 'float32' if v.dtype.is_floating_point else ('bool' if v.dtype == torch.bool else 'int32')
        data = v.detach().reshape(-1).tolist()
        if dt == 'float32':
            # JSON has no NaN/Infinity: non-finite values are written as strings.
            data = [float('%.9g' % x) if x == x and abs(x) != float('inf') else str(x) for x in data]
        elif dt == 'bool':
            data = [1 if x else 0 for x in data]
        return {'tensor': {'shape': list(v.shape), 'dtype': dt, 'data': data}}
    if isinstance(v, (list, tuple)):
        return {'list': [enc(x) for x in v]}
    if isinstance(v, slice):
        return {'slice': [v.start, v.stop, v.step]}
    if v is Ellipsis:
        return {'ellipsis': True}
    return {'value': v}


CASES = []


def case(name, op, fn, args, grad=None, check_outputs=True):
    """fn(**torch_args) -> tensor or tuple. `grad`: names of float inputs to differentiate (default: all float tensors)."""
    CASES.append((name, op, fn, args, grad))


def T(*shape, lo=None):
    return rn(*shape, lo=lo)


# ---- elementwise ---------------------------------------------------------------------
for op, fn, pos in [
    ('neg', torch.neg, False), ('abs', torch.abs, False), ('exp', torch.exp, False), ('log', torch.log, True),
    ('sqrt', torch.sqrt, True), ('rsqrt', torch.rsqrt, True), ('sin', torch.sin, False), ('cos', torch.cos, False),
    ('tanh', torch.tanh, False), ('sigmoid', torch.sigmoid, False), ('relu', F.relu, False), ('relu6', F.relu6, False),
    ('selu', F.selu, False), ('silu', F.silu, False), ('mish', F.mish, False), ('hardsigmoid', F.hardsigmoid, False),
    ('hardswish', F.hardswish, False), ('logsigmoid', F.logsigmoid, False), ('erf', torch.erf, False),
    ('log1p', torch.log1p, True), ('expm1', torch.expm1, False), ('reciprocal', torch.reciprocal, True),
    ('square', torch.square, False), ('softsign', F.softsign, False), ('tanhshrink', F.tanhshrink, False),
    ('atan', torch.atan, False), ('sinh', torch.sinh, False), ('cosh', torch.cosh, False), ('log2', torch.log2, True),
    ('log10', torch.log10, True), ('exp2', torch.exp2, False), ('erfc', torch.erfc, False),
]:
    case(op, op, lambda input, fn=fn: fn(input), {'input': T(3, 5, lo=0.1 if pos else None) * (1 if pos else 2)})
case('gelu', 'gelu', lambda input: F.gelu(input), {'input': T(4, 5) * 2})
case('gelu_tanh', 'gelu', lambda input, approximate: F.gelu(input, approximate=approximate), {'input': T(4, 5) * 2, 'approximate': 'tanh'})
case('leaky_relu', 'leaky_relu', lambda input, negative_slope: F.leaky_relu(input, negative_slope), {'input': T(3, 4), 'negative_slope': 0.2})
case('elu', 'elu', lambda input, alpha: F.elu(input, alpha), {'input': T(3, 4), 'alpha': 1.5})
case('celu', 'celu', lambda input, alpha: F.celu(input, alpha), {'input': T(3, 4), 'alpha': 0.7})
case('softplus', 'softplus', lambda input, beta, threshold: F.softplus(input, beta, threshold), {'input': T(3, 4) * 3, 'beta': 2.0, 'threshold': 5.0})
case('hardtanh', 'hardtanh', lambda input, min_val, max_val: F.hardtanh(input, min_val, max_val), {'input': T(3, 4) * 2, 'min_val': -0.5, 'max_val': 1.5})
case('softshrink', 'softshrink', lambda input, lambd: F.softshrink(input, lambd), {'input': T(3, 4), 'lambd': 0.3})
case('clamp', 'clamp', lambda input, min, max: torch.clamp(input, min, max), {'input': T(3, 4), 'min': -0.5, 'max': 0.5})
case('clamp_min_only', 'clamp', lambda input, min: torch.clamp(input, min=min), {'input': T(3, 4), 'min': -0.2})
case('add_broadcast_alpha', 'add', lambda input, other, alpha: torch.add(input, other, alpha=alpha), {'input': T(3, 4), 'other': T(4), 'alpha': 2.0})
case('add_scalar', 'add', lambda input, other: torch.add(input, other), {'input': T(2, 3), 'other': 1.5})
case('sub_broadcast', 'sub', lambda input, other: torch.sub(input, other), {'input': T(2, 1, 4), 'other': T(3, 1)})
case('mul_broadcast', 'mul', lambda input, other: torch.mul(input, other), {'input': T(2, 3, 1), 'other': T(1, 4)})
case('div', 'div', lambda input, other: torch.div(input, other), {'input': T(3, 4), 'other': T(3, 4, lo=0.5)})
case('div_scalar', 'div', lambda input, other: torch.div(input, other), {'input': T(3, 4), 'other': 3.0})
case('pow_tensor', 'pow', lambda input, exponent: torch.pow(input, exponent), {'input': T(3, 4, lo=0.5), 'exponent': T(3, 4)})
case('pow_scalar', 'pow', lambda input, exponent: torch.pow(input, exponent), {'input': T(3, 4), 'exponent': 3.0})
case('maximum', 'maximum', lambda input, other: torch.maximum(input, other), {'input': T(3, 4), 'other': T(4)})
case('minimum', 'minimum', lambda input, other: torch.minimum(input, other), {'input': T(3, 4), 'other': T(3, 1)})
case('atan2', 'atan2', lambda input, other: torch.atan2(input, other), {'input': T(3, 4), 'other': T(3, 4)})
case('remainder', 'remainder', lambda input, other: torch.remainder(input, other), {'input': T(3, 4) * 3, 'other': 1.3}, grad=['input'])
case('where', 'where', lambda condition, input, other: torch.where(condition, input, other), {'condition': T(3, 4) > 0, 'input': T(3, 4), 'other': T(4)})
case('masked_fill', 'masked_fill', lambda input, mask, value: input.masked_fill(mask, value), {'input': T(3, 4), 'mask': T(1, 4) > 0, 'value': -2.5})
case('gt', 'gt', lambda input, other: torch.gt(input, other), {'input': T(3, 4), 'other': T(4)})
case('eq_scalar', 'eq', lambda input, other: torch.eq(input, other), {'input': ri(3, 3, 4), 'other': 1})
case('prelu', 'prelu', lambda input, weight: F.prelu(input, weight), {'input': T(2, 3, 4), 'weight': T(3)})

# ---- reductions ----------------------------------------------------------------------
case('sum_all', 'sum', lambda input: torch.sum(input), {'input': T(3, 4, 5)})
case('sum_dims_keep', 'sum', lambda input, dim, keepdim: torch.sum(input, dim, keepdim), {'input': T(3, 4, 5), 'dim': [0, 2], 'keepdim': True})
case('mean_dim', 'mean', lambda input, dim: torch.mean(input, dim), {'input': T(3, 4, 5), 'dim': 1})
case('mean_neg_dim', 'mean', lambda input, dim: torch.mean(input, dim), {'input': T(3, 4, 5), 'dim': -1})
case('prod_dim', 'prod', lambda input, dim: torch.prod(input, dim), {'input': T(3, 4), 'dim': 1})
case('amax_dim', 'amax', lambda input, dim: torch.amax(input, dim), {'input': T(3, 4, 5), 'dim': [1]})
case('max_all', 'max', lambda input: torch.max(input), {'input': T(3, 4)})
case('max_dim', 'max', lambda input, dim, keepdim: tuple(torch.max(input, dim, keepdim)), {'input': T(3, 4, 5), 'dim': 1, 'keepdim': False})
case('min_dim_keep', 'min', lambda input, dim, keepdim: tuple(torch.min(input, dim, keepdim)), {'input': T(3, 4), 'dim': 0, 'keepdim': True})
case('argmax', 'argmax', lambda input, dim: torch.argmax(input, dim), {'input': T(3, 4, 5), 'dim': 2})
case('argmax_all', 'argmax', lambda input: torch.argmax(input), {'input': T(3, 4)})
case('var_dim', 'var', lambda input, dim: torch.var(input, dim), {'input': T(3, 6), 'dim': 1})
case('std_all_biased', 'std', lambda input, unbiased: torch.std(input, unbiased=unbiased), {'input': T(3, 6), 'unbiased': False})
case('logsumexp', 'logsumexp', lambda input, dim: torch.logsumexp(input, dim), {'input': T(3, 6) * 3, 'dim': 1})
case('norm_dim', 'norm', lambda input, dim: torch.norm(input, dim=dim), {'input': T(3, 6), 'dim': 1})
case('softmax', 'softmax', lambda input, dim: F.softmax(input, dim), {'input': T(3, 4, 5) * 2, 'dim': 1})
case('log_softmax', 'log_softmax', lambda input, dim: F.log_softmax(input, dim), {'input': T(3, 7) * 3, 'dim': -1})

# ---- linear --------------------------------------------------------------------------
case('matmul_2d', 'matmul', lambda input, other: torch.matmul(input, other), {'input': T(5, 7), 'other': T(7, 6)})
case('matmul_batched_broadcast', 'matmul', lambda input, other: torch.matmul(input, other), {'input': T(2, 3, 5, 4), 'other': T(3, 4, 6)})
case('matmul_vec_mat', 'matmul', lambda input, other: torch.matmul(input, other), {'input': T(4), 'other': T(2, 4, 3)})
case('matmul_mat_vec', 'matmul', lambda input, other: torch.matmul(input, other), {'input': T(3, 4), 'other': T(4)})
case('matmul_big', 'matmul', lambda input, other: torch.matmul(input, other), {'input': T(33, 70), 'other': T(70, 19)})
case('bmm', 'bmm', lambda input, mat2: torch.bmm(input, mat2), {'input': T(2, 3, 4), 'mat2': T(2, 4, 5)})
case('mm', 'mm', lambda input, mat2: torch.mm(input, mat2), {'input': T(3, 4), 'mat2': T(4, 5)})
case('linear_3d', 'linear', lambda input, weight, bias: F.linear(input, weight, bias), {'input': T(2, 3, 9), 'weight': T(6, 9), 'bias': T(6)})
case('linear_nobias', 'linear', lambda input, weight: F.linear(input, weight), {'input': T(5, 9), 'weight': T(7, 9)})
case('bilinear', 'bilinear', lambda input1, input2, weight, bias: F.bilinear(input1, input2, weight, bias), {'input1': T(3, 4), 'input2': T(3, 5), 'weight': T(2, 4, 5), 'bias': T(2)})
case('einsum_bmm', 'einsum', lambda equation, operands: torch.einsum(equation, *operands), {'equation': 'bij,bjk->bik', 'operands': [T(2, 3, 4), T(2, 4, 5)]})
case('einsum_transpose', 'einsum', lambda equation, operands: torch.einsum(equation, *operands), {'equation': 'ij->ji', 'operands': [T(3, 4)]})
case('einsum_attn', 'einsum', lambda equation, operands: torch.einsum(equation, *operands), {'equation': 'bhqd,bhkd->bhqk', 'operands': [T(1, 2, 3, 4), T(1, 2, 5, 4)]})
case('einsum_ellipsis_sum', 'einsum', lambda equation, operands: torch.einsum(equation, *operands), {'equation': '...ij,...jk->...ik', 'operands': [T(2, 3, 4), T(2, 4, 2)]})
case('einsum_sum', 'einsum', lambda equation, operands: torch.einsum(equation, *operands), {'equation': 'ij->j', 'operands': [T(3, 4)]})
case('outer', 'outer', lambda input, vec2: torch.outer(input, vec2), {'input': T(3), 'vec2': T(4)})

# ---- conv ----------------------------------------------------------------------------
case('conv1d', 'conv1d', lambda **a: F.conv1d(**a), {'input': T(2, 3, 11), 'weight': T(4, 3, 3), 'bias': T(4), 'stride': 2, 'padding': 1})
case('conv2d', 'conv2d', lambda **a: F.conv2d(**a), {'input': T(2, 3, 9, 8), 'weight': T(4, 3, 3, 3), 'bias': T(4)})
case('conv2d_stride_pad_dil_groups', 'conv2d', lambda **a: F.conv2d(**a),
     {'input': T(2, 4, 9, 10), 'weight': T(6, 2, 3, 2), 'bias': T(6), 'stride': [2, 1], 'padding': [1, 2], 'dilation': [1, 2], 'groups': 2})
case('conv2d_same', 'conv2d', lambda **a: F.conv2d(**a), {'input': T(1, 2, 6, 7), 'weight': T(3, 2, 4, 3), 'padding': 'same'})
case('conv3d', 'conv3d', lambda **a: F.conv3d(**a), {'input': T(1, 2, 5, 4, 6), 'weight': T(3, 2, 2, 3, 2), 'bias': T(3), 'stride': 1, 'padding': 1})
case('conv_transpose1d', 'conv_transpose1d', lambda **a: F.conv_transpose1d(**a), {'input': T(2, 3, 5), 'weight': T(3, 2, 3), 'bias': T(2), 'stride': 2, 'padding': 1, 'output_padding': 1})
case('conv_transpose2d', 'conv_transpose2d', lambda **a: F.conv_transpose2d(**a),
     {'input': T(2, 4, 4, 5), 'weight': T(4, 3, 3, 2), 'bias': T(6), 'stride': 2, 'padding': [1, 0], 'output_padding': [1, 0], 'groups': 2, 'dilation': [1, 2]})

# ---- pooling ---------------------------------------------------------------------------
case('max_pool1d', 'max_pool1d', lambda **a: F.max_pool1d(**a), {'input': T(2, 3, 9), 'kernel_size': 3, 'stride': 2})
case('max_pool2d', 'max_pool2d', lambda **a: F.max_pool2d(**a), {'input': T(2, 3, 8, 9), 'kernel_size': 2})
case('max_pool2d_pad_ceil', 'max_pool2d', lambda **a: F.max_pool2d(**a), {'input': T(1, 2, 9, 8), 'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True})
case('max_pool2d_dilation_indices', 'max_pool2d', lambda **a: tuple(F.max_pool2d(**a)), {'input': T(1, 2, 9, 9), 'kernel_size': 2, 'stride': 2, 'dilation': 2, 'return_indices': True})
case('avg_pool2d', 'avg_pool2d', lambda **a: F.avg_pool2d(**a), {'input': T(2, 3, 8, 9), 'kernel_size': 3, 'stride': 2, 'padding': 1})
case('avg_pool2d_nopad_ceil', 'avg_pool2d', lambda **a: F.avg_pool2d(**a), {'input': T(1, 2, 7, 8), 'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True, 'count_include_pad': False})
case('avg_pool1d', 'avg_pool1d', lambda **a: F.avg_pool1d(**a), {'input': T(2, 3, 10), 'kernel_size': 4, 'stride': 3})
case('adaptive_avg_pool2d', 'adaptive_avg_pool2d', lambda **a: F.adaptive_avg_pool2d(**a), {'input': T(2, 3, 7, 5), 'output_size': [3, 2]})
case('adaptive_avg_pool1d', 'adaptive_avg_pool1d', lambda **a: F.adaptive_avg_pool1d(**a), {'input': T(2, 3, 10), 'output_size': 4})
case('adaptive_max_pool2d', 'adaptive_max_pool2d', lambda **a: F.adaptive_max_pool2d(**a), {'input': T(1, 3, 7, 5), 'output_size': [2, 3]})

# ---- normalisation ----------------------------------------------------------------------
case('batch_norm_train', 'batch_norm', lambda **a: F.batch_norm(**a),
     {'input': T(4, 3, 5, 2), 'running_mean': T(3), 'running_var': T(3, lo=0.5), 'weight': T(3), 'bias': T(3), 'training': True, 'momentum': 0.2, 'eps': 1e-5},
     grad=['input', 'weight', 'bias'])
case('batch_norm_1d_train', 'batch_norm', lambda **a: F.batch_norm(**a),
     {'input': T(6, 4), 'running_mean': T(4), 'running_var': T(4, lo=0.5), 'weight': T(4), 'bias': T(4), 'training': True, 'momentum': 0.1, 'eps': 1e-5},
     grad=['input', 'weight', 'bias'])
case('batch_norm_eval', 'batch_norm', lambda **a: F.batch_norm(**a),
     {'input': T(2, 3, 4), 'running_mean': T(3), 'running_var': T(3, lo=0.5), 'weight': T(3), 'bias': T(3), 'training': False},
     grad=['input', 'weight', 'bias'])
case('layer_norm', 'layer_norm', lambda **a: F.layer_norm(**a), {'input': T(2, 3, 4, 5), 'normalized_shape': [4, 5], 'weight': T(4, 5), 'bias': T(4, 5)})
case('layer_norm_noaffine', 'layer_norm', lambda **a: F.layer_norm(**a), {'input': T(3, 6), 'normalized_shape': [6]})
case('group_norm', 'group_norm', lambda **a: F.group_norm(**a), {'input': T(2, 6, 3, 2), 'num_groups': 3, 'weight': T(6), 'bias': T(6)})

# ---- shape ------------------------------------------------------------------------------
case('view', 'view', lambda input, shape: input.view(shape), {'input': T(2, 3, 4), 'shape': [6, -1]})
case('reshape', 'reshape', lambda input, shape: input.reshape(shape), {'input': T(2, 3, 4), 'shape': [4, 3, 2]})
case('flatten', 'flatten', lambda input, start_dim: torch.flatten(input, start_dim), {'input': T(2, 3, 2, 2), 'start_dim': 1})
case('unflatten', 'unflatten', lambda input, dim, sizes: input.unflatten(dim, sizes), {'input': T(2, 6), 'dim': 1, 'sizes': [2, 3]})
case('permute', 'permute', lambda input, dims: input.permute(dims), {'input': T(2, 3, 4), 'dims': [2, 0, 1]})
case('transpose', 'transpose', lambda input, dim0, dim1: input.transpose(dim0, dim1), {'input': T(2, 3, 4), 'dim0': 0, 'dim1': 2})
case('t', 't', lambda input: input.t(), {'input': T(3, 4)})
case('squeeze', 'squeeze', lambda input: input.squeeze(), {'input': T(2, 1, 3, 1)})
case('squeeze_dim', 'squeeze', lambda input, dim: input.squeeze(dim), {'input': T(2, 1, 3, 1), 'dim': 1})
case('unsqueeze', 'unsqueeze', lambda input, dim: input.unsqueeze(dim), {'input': T(2, 3), 'dim': -1})
case('expand', 'expand', lambda input, size: input.expand(size), {'input': T(3, 1), 'size': [2, 3, 4]})
case('repeat', 'repeat', lambda input, repeats: input.repeat(repeats), {'input': T(2, 3), 'repeats': [2, 1, 2]})
case('repeat_interleave', 'repeat_interleave', lambda input, repeats, dim: input.repeat_interleave(repeats, dim), {'input': T(2, 3), 'repeats': 2, 'dim': 1})
case('cat', 'cat', lambda tensors, dim: torch.cat(tensors, dim), {'tensors': [T(2, 3), T(2, 4), T(2, 1)], 'dim': 1})
case('stack', 'stack', lambda tensors, dim: torch.stack(tensors, dim), {'tensors': [T(2, 3), T(2, 3)], 'dim': 1})
case('split_sizes', 'split', lambda tensor, split_size_or_sections, dim: tuple(torch.split(tensor, split_size_or_sections, dim)), {'tensor': T(5, 4), 'split_size_or_sections': [2, 3], 'dim': 0})
case('split_int', 'split', lambda tensor, split_size_or_sections, dim: tuple(torch.split(tensor, split_size_or_sections, dim)), {'tensor': T(3, 7), 'split_size_or_sections': 3, 'dim': 1})
case('chunk', 'chunk', lambda input, chunks, dim: tuple(torch.chunk(input, chunks, dim)), {'input': T(3, 7), 'chunks': 3, 'dim': 1})
case('unbind', 'unbind', lambda input, dim: tuple(torch.unbind(input, dim)), {'input': T(3, 2), 'dim': 1})
case('getitem_slices', 'getitem', lambda input, index: input[index], {'input': T(4, 5, 6), 'index': [1, slice(None, None, 2), slice(-4, -1)]})
case('getitem_none_ellipsis', 'getitem', lambda input, index: input[index], {'input': T(3, 4, 5), 'index': [None, Ellipsis, slice(1, 3), -1]})
case('getitem_int', 'getitem', lambda input, index: input[index], {'input': T(3, 4), 'index': -2})
case('getitem_tensor', 'getitem', lambda input, index: input[index], {'input': T(5, 3), 'index': torch.tensor([4, 0, 4, 2])})
case('getitem_mask', 'getitem', lambda input, index: input[index], {'input': T(3, 4), 'index': T(3, 4) > 0.3})
case('narrow', 'narrow', lambda input, dim, start, length: input.narrow(dim, start, length), {'input': T(4, 6), 'dim': 1, 'start': 2, 'length': 3})
case('select', 'select', lambda input, dim, index: input.select(dim, index), {'input': T(4, 6), 'dim': 0, 'index': -1})
case('index_select', 'index_select', lambda input, dim, index: torch.index_select(input, dim, index), {'input': T(4, 6), 'dim': 1, 'index': torch.tensor([5, 1, 1])})
case('gather', 'gather', lambda input, dim, index: torch.gather(input, dim, index), {'input': T(3, 5), 'dim': 1, 'index': ri(5, 3, 4)})
case('movedim', 'movedim', lambda input, source, destination: torch.movedim(input, source, destination), {'input': T(2, 3, 4), 'source': 0, 'destination': 2})
case('pad', 'pad', lambda input, pad, value: F.pad(input, pad, value=value), {'input': T(2, 3, 4), 'pad': [1, 2, 0, 1], 'value': 0.5})
case('pad_reflect', 'pad', lambda input, pad, mode: F.pad(input, pad, mode=mode), {'input': T(1, 2, 3, 4), 'pad': [2, 1, 1, 2], 'mode': 'reflect'})
case('pad_replicate', 'pad', lambda input, pad, mode: F.pad(input, pad, mode=mode), {'input': T(1, 2, 5), 'pad': [2, 3], 'mode': 'replicate'})
case('pad_circular', 'pad', lambda input, pad, mode: F.pad(input, pad, mode=mode), {'input': T(1, 2, 3, 4), 'pad': [1, 2, 2, 1], 'mode': 'circular'})
case('interpolate_nearest', 'interpolate', lambda input, scale_factor: F.interpolate(input, scale_factor=scale_factor), {'input': T(1, 2, 3, 4), 'scale_factor': 2.0})
case('interpolate_bilinear', 'interpolate', lambda input, size, mode, align_corners: F.interpolate(input, size=size, mode=mode, align_corners=align_corners),
     {'input': T(1, 2, 3, 4), 'size': [5, 7], 'mode': 'bilinear', 'align_corners': False})
case('interpolate_bilinear_ac', 'interpolate', lambda input, size, mode, align_corners: F.interpolate(input, size=size, mode=mode, align_corners=align_corners),
     {'input': T(1, 2, 3, 4), 'size': [6, 5], 'mode': 'bilinear', 'align_corners': True})

# ---- losses -----------------------------------------------------------------------------
case('cross_entropy', 'cross_entropy', lambda **a: F.cross_entropy(**a), {'input': T(6, 5), 'target': ri(5, 6)})
case('cross_entropy_full', 'cross_entropy', lambda **a: F.cross_entropy(**a),
     {'input': T(8, 4), 'target': torch.tensor([0, 3, 1, -100, 2, 3, -100, 1]), 'weight': T(4, lo=0.2), 'ignore_index': -100, 'label_smoothing': 0.1}, grad=['input'])
case('cross_entropy_sum_none', 'cross_entropy', lambda **a: F.cross_entropy(**a), {'input': T(5, 3), 'target': ri(3, 5), 'reduction': 'none'})
case('cross_entropy_spatial', 'cross_entropy', lambda **a: F.cross_entropy(**a), {'input': T(2, 4, 3, 2), 'target': ri(4, 2, 3, 2), 'reduction': 'sum'})
case('cross_entropy_probs', 'cross_entropy', lambda **a: F.cross_entropy(**a), {'input': T(4, 5), 'target': F.softmax(T(4, 5), 1), 'label_smoothing': 0.2}, grad=['input'])
case('nll_loss', 'nll_loss', lambda **a: F.nll_loss(**a), {'input': F.log_softmax(T(6, 4), 1), 'target': ri(4, 6), 'weight': T(4, lo=0.3)}, grad=['input'])
case('mse_loss', 'mse_loss', lambda **a: F.mse_loss(**a), {'input': T(3, 4), 'target': T(3, 4)})
case('l1_loss_sum', 'l1_loss', lambda **a: F.l1_loss(**a), {'input': T(3, 4), 'target': T(3, 4), 'reduction': 'sum'})
case('smooth_l1_loss', 'smooth_l1_loss', lambda **a: F.smooth_l1_loss(**a), {'input': T(3, 4), 'target': T(3, 4), 'beta': 0.5})
case('huber_loss_none', 'huber_loss', lambda **a: F.huber_loss(**a), {'input': T(3, 4) * 2, 'target': T(3, 4), 'reduction': 'none', 'delta': 0.8})
case('bce_with_logits', 'binary_cross_entropy_with_logits', lambda **a: F.binary_cross_entropy_with_logits(**a),
     {'input': T(4, 3) * 2, 'target': torch.rand(4, 3, generator=G), 'weight': T(3, lo=0.2), 'pos_weight': T(3, lo=0.5)}, grad=['input', 'target'])
case('bce', 'binary_cross_entropy', lambda **a: F.binary_cross_entropy(**a), {'input': torch.sigmoid(T(4, 3)), 'target': torch.rand(4, 3, generator=G)}, grad=['input'])
case('kl_div_batchmean', 'kl_div', lambda **a: F.kl_div(**a), {'input': F.log_softmax(T(3, 4), 1), 'target': F.softmax(T(3, 4), 1), 'reduction': 'batchmean'})
case('kl_div_log_target', 'kl_div', lambda **a: F.kl_div(**a), {'input': F.log_softmax(T(3, 4), 1), 'target': F.log_softmax(T(3, 4), 1), 'reduction': 'sum', 'log_target': True})

# ---- embedding / misc ---------------------------------------------------------------------
case('embedding', 'embedding', lambda **a: F.embedding(**a), {'input': torch.tensor([[1, 3, 0], [3, 3, 2]]), 'weight': T(5, 4), 'padding_idx': 0}, grad=['weight'])
case('one_hot', 'one_hot', lambda tensor, num_classes: F.one_hot(tensor, num_classes), {'tensor': torch.tensor([2, 0, 1]), 'num_classes': 4})

# ---- selections, scans, composites --------------------------------------------------------
case('sort', 'sort', lambda input, dim, descending: tuple(torch.sort(input, dim, descending)), {'input': T(3, 5), 'dim': 1, 'descending': True})
case('argsort', 'argsort', lambda input, dim: torch.argsort(input, dim), {'input': T(3, 5), 'dim': 0})
case('topk', 'topk', lambda input, k, dim: tuple(torch.topk(input, k, dim)), {'input': T(3, 6), 'k': 2, 'dim': 1})
case('kthvalue', 'kthvalue', lambda input, k, dim: tuple(torch.kthvalue(input, k, dim)), {'input': T(4, 5), 'k': 2, 'dim': 0})
case('median_all', 'median', lambda input: torch.median(input), {'input': T(3, 4)})
case('median_dim', 'median', lambda input, dim: tuple(torch.median(input, dim)), {'input': T(3, 5), 'dim': 1})
case('mode', 'mode', lambda input, dim: tuple(torch.mode(input, dim)), {'input': torch.tensor([[1., 2., 2., 3.], [4., 4., 1., 1.]]), 'dim': 1})
case('cumsum', 'cumsum', lambda input, dim: torch.cumsum(input, dim), {'input': T(3, 4), 'dim': 1})
case('cumprod', 'cumprod', lambda input, dim: torch.cumprod(input, dim), {'input': T(3, 4, lo=0.3), 'dim': 0})
case('flip', 'flip', lambda input, dims: torch.flip(input, dims), {'input': T(2, 3, 4), 'dims': [0, 2]})
case('roll', 'roll', lambda input, shifts, dims: torch.roll(input, shifts, dims), {'input': T(3, 4), 'shifts': [1, -1], 'dims': [0, 1]})
case('roll_flat', 'roll', lambda input, shifts: torch.roll(input, shifts), {'input': T(3, 4), 'shifts': 5})
case('tril', 'tril', lambda input, diagonal: torch.tril(input, diagonal), {'input': T(2, 4, 5), 'diagonal': 1})
case('triu', 'triu', lambda input, diagonal: torch.triu(input, diagonal), {'input': T(4, 4), 'diagonal': -1})
case('glu', 'glu', lambda input, dim: F.glu(input, dim), {'input': T(3, 6), 'dim': -1})
case('softmin', 'softmin', lambda input, dim: F.softmin(input, dim), {'input': T(3, 5), 'dim': 1})
case('normalize', 'normalize', lambda input, dim: F.normalize(input, dim=dim), {'input': T(3, 5), 'dim': 1})
case('cosine_similarity', 'cosine_similarity', lambda x1, x2, dim: F.cosine_similarity(x1, x2, dim), {'x1': T(3, 5), 'x2': T(3, 5), 'dim': 1})
case('instance_norm', 'instance_norm', lambda **a: F.instance_norm(**a), {'input': T(2, 3, 4, 5), 'weight': T(3), 'bias': T(3)})
case('var_mean', 'var_mean', lambda input, dim: tuple(torch.var_mean(input, dim)), {'input': T(3, 5), 'dim': 1})
case('nansum', 'nansum', lambda input, dim: torch.nansum(input, dim), {'input': torch.tensor([[1., float('nan'), 2.], [3., 4., float('nan')]]), 'dim': 1})
case('nanmean', 'nanmean', lambda input: torch.nanmean(input), {'input': torch.tensor([[1., float('nan'), 2.], [3., 4., float('nan')]])})
case('all_dim', 'all', lambda input, dim: torch.all(input, dim), {'input': T(3, 4) > -0.5, 'dim': 1})
case('any', 'any', lambda input: torch.any(input), {'input': T(3, 4) > 1.5})
case('count_nonzero', 'count_nonzero', lambda input, dim: torch.count_nonzero(input, dim), {'input': torch.relu(T(3, 4)), 'dim': 0})
case('bitwise_and', 'bitwise_and', lambda input, other: torch.bitwise_and(input, other), {'input': ri(16, 3, 4), 'other': ri(16, 3, 4)})
case('logical_xor', 'logical_xor', lambda input, other: torch.logical_xor(input, other), {'input': T(3, 4) > 0, 'other': T(3, 4) > 0})
case('max_elementwise', 'max', lambda input, dim: torch.max(input, dim), {'input': T(3, 4), 'dim': T(4)})

case('pixel_shuffle', 'pixel_shuffle', lambda input, upscale_factor: F.pixel_shuffle(input, upscale_factor), {'input': T(2, 8, 2, 3), 'upscale_factor': 2})
case('pixel_unshuffle', 'pixel_unshuffle', lambda input, downscale_factor: F.pixel_unshuffle(input, downscale_factor), {'input': T(1, 2, 4, 6), 'downscale_factor': 2})


def sdpa_ref(query, key, value, attn_mask=None, is_causal=False):
    # torch 1.13 has no F.scaled_dot_product_attention: the reference is its documented formula.
    s = query @ key.transpose(-2, -1) / (query.shape[-1] ** 0.5)
    if is_causal:
        s = s.masked_fill(torch.ones(query.shape[-2], key.shape[-2]).triu(1).bool(), float('-inf'))
    if attn_mask is not None:
        s = s.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else s + attn_mask
    return torch.softmax(s, -1) @ value


case('sdpa_causal', 'scaled_dot_product_attention', lambda **a: sdpa_ref(**a), {'query': T(2, 2, 4, 8), 'key': T(2, 2, 4, 8), 'value': T(2, 2, 4, 8), 'is_causal': True})
case('sdpa_float_mask', 'scaled_dot_product_attention', lambda **a: sdpa_ref(**a), {'query': T(1, 3, 8), 'key': T(1, 5, 8), 'value': T(1, 5, 6), 'attn_mask': T(3, 5)})


def main():
    out = []
    for name, op, fn, args, grad in CASES:
        targs = {}
        leaves = {}
        for k, v in args.items():
            if isinstance(v, torch.Tensor) and v.dtype.is_floating_point and (grad is None or k in grad):
                leaf = v.clone().requires_grad_(True)
                leaves[k] = leaf
                targs[k] = leaf
            elif isinstance(v, list) and v and all(isinstance(x, torch.Tensor) for x in v):
                ls = [x.clone().requires_grad_(True) for x in v]
                leaves[k] = ls
                targs[k] = ls
            elif isinstance(v, torch.Tensor):
                targs[k] = v.clone()
            else:
                targs[k] = v
        res = fn(**targs)
        outs = list(res) if isinstance(res, tuple) else [res]
        cots = [torch.randn(o.shape, generator=G) if o.dtype.is_floating_point else None for o in outs]
        total = sum((o * c).sum() for o, c in zip(outs, cots) if c is not None and o.requires_grad)
        grads = {}
        if isinstance(total, torch.Tensor) and total.requires_grad:
            flat = []
            for k, l in leaves.items():
                flat.extend(l if isinstance(l, list) else [l])
            gs = torch.autograd.grad(total, flat, allow_unused=True)
            i = 0
            for k, l in leaves.items():
                n = len(l) if isinstance(l, list) else 1
                part = [g if g is not None else torch.zeros_like(x) for g, x in zip(gs[i:i + n], l if isinstance(l, list) else [l])]
                grads[k] = enc(part if isinstance(l, list) else part[0])
                i += n
        entry = {'name': name, 'op': op, 'args': {k: enc(v) for k, v in args.items()},
                 'outputs': [enc(o) for o in outs], 'cotangents': [enc(c) if c is not None else None for c in cots], 'grads': grads}
        # In-place side effects worth checking (batch_norm running stats).
        if op == 'batch_norm' and args.get('training'):
            entry['after'] = {'running_mean': enc(targs['running_mean']), 'running_var': enc(targs['running_var'])}
        out.append(entry)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'op_goldens.json')
    with open(path, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': out}, f, separators=(',', ':'), allow_nan=False)
    print(f'wrote {len(out)} cases to {path} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
