// The Python surface the team relies on resolves: torch.X, torch.nn.functional.X, Tensor
// methods and operators, and torch.nn layers (the brief's list). Each entry is exercised for
// shapes elsewhere (goldens, symbolic tests); this guards against a spelling going missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allLayers, getLayer, resolveFunction, resolveMethod } from '../../engine/src/ops/index.js';

const TORCH = `cat stack flatten matmul bmm einsum arange zeros ones full randn rand randint randn_like zeros_like ones_like
  rand_like full_like softmax relu sigmoid tanh exp log sqrt abs mean sum max min argmax transpose permute reshape squeeze
  unsqueeze split chunk where clamp add sub mul div tensor`;
const FUNCTIONAL = `conv1d conv2d conv3d conv_transpose1d conv_transpose2d linear bilinear max_pool1d max_pool2d avg_pool1d avg_pool2d
  adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d adaptive_max_pool2d dropout gelu silu leaky_relu softmax
  log_softmax layer_norm batch_norm group_norm embedding interpolate pad cross_entropy nll_loss mse_loss l1_loss
  binary_cross_entropy_with_logits scaled_dot_product_attention one_hot relu sigmoid tanh`;
const METHODS = `view reshape flatten permute transpose t contiguous squeeze unsqueeze expand repeat split chunk mean sum max min
  argmax softmax log_softmax size dim numel float long int half to type cuda cpu detach clone masked_fill __getitem__
  __add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __floordiv__ __matmul__ __pow__ __neg__
  __lt__ __gt__ __eq__ __le__ __ge__ __ne__`;
const LAYERS = `Linear Bilinear Identity Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d MaxPool1d MaxPool2d AvgPool1d
  AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d AdaptiveMaxPool2d BatchNorm1d BatchNorm2d LayerNorm
  GroupNorm Dropout Dropout1d Dropout2d AlphaDropout Embedding RNN LSTM GRU MultiheadAttention Flatten Unflatten Upsample
  ZeroPad2d ReLU ReLU6 GELU SiLU Tanh Sigmoid Softmax LogSoftmax LeakyReLU ELU Mish Hardswish Softplus PReLU`;
const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

test('the Python surface resolves', () => {
  const missing = [
    ...words(TORCH).filter((n) => !resolveFunction(`torch.${n}`)).map((n) => `torch.${n}`),
    ...words(FUNCTIONAL).filter((n) => !resolveFunction(`torch.nn.functional.${n}`)).map((n) => `torch.nn.functional.${n}`),
    ...words(METHODS).filter((n) => !resolveMethod(n)).map((n) => `Tensor.${n}`),
    ...words(LAYERS).filter((n) => !getLayer(n)).map((n) => `torch.nn.${n}`),
  ];
  assert.deepEqual(missing, []);
});

test('layers declare a category and no container is a layer', () => {
  const categories = new Set(['layer', 'activation', 'pool', 'norm', 'shape', 'dropout', 'loss']);
  for (const l of allLayers()) assert.ok(categories.has(l.category), `${l.name}: category '${l.category}'`);
  for (const c of ['Sequential', 'ModuleList', 'ModuleDict']) assert.equal(getLayer(c), undefined);
});
