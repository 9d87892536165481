// Typed convenience functions for TypeScript callers (nn modules, trainer, tests). Each one only
// calls callOp with the op library's names and PyTorch's parameter names — no logic of its own.
import { callOp } from './runtime/dispatch.js';
import type { RuntimeValue } from './runtime/value.js';
import type { Tensor } from './tensor.js';

export { callOp, noGrad, isGradEnabled, enableGrad, manualSeed, setNonFiniteWatch, withSite, OpError } from './runtime/dispatch.js';
export { slice, ellipsis } from './runtime/value.js';
export type { RuntimeValue } from './runtime/value.js';

type T = Tensor;
type Num = number;
type IntOr = number | readonly number[];
const t = (name: string, args: Record<string, RuntimeValue | undefined>): T => {
  const clean: Record<string, RuntimeValue> = {};
  for (const [k, v] of Object.entries(args)) if (v !== undefined) clean[k] = v;
  return callOp(name, clean) as T;
};
const ints = (v: IntOr | undefined): RuntimeValue | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : [...v]);

// ---- elementwise -------------------------------------------------------------------------
export const add = (input: T | Num, other: T | Num, alpha?: Num): T => t('add', { input, other, alpha });
export const sub = (input: T | Num, other: T | Num, alpha?: Num): T => t('sub', { input, other, alpha });
export const mul = (input: T | Num, other: T | Num): T => t('mul', { input, other });
export const div = (input: T | Num, other: T | Num): T => t('div', { input, other });
export const pow = (input: T, exponent: T | Num): T => t('pow', { input, exponent });
export const neg = (input: T): T => t('neg', { input });
export const exp = (input: T): T => t('exp', { input });
export const log = (input: T): T => t('log', { input });
export const sqrt = (input: T): T => t('sqrt', { input });
export const abs = (input: T): T => t('abs', { input });
export const tanh = (input: T): T => t('tanh', { input });
export const sigmoid = (input: T): T => t('sigmoid', { input });
export const relu = (input: T): T => t('relu', { input });
export const gelu = (input: T, approximate?: 'none' | 'tanh'): T => t('gelu', { input, approximate });
export const silu = (input: T): T => t('silu', { input });
export const leakyRelu = (input: T, negativeSlope?: Num): T => t('leaky_relu', { input, negative_slope: negativeSlope });
export const clamp = (input: T, min?: Num | null, max?: Num | null): T => t('clamp', { input, min, max });
export const maximum = (input: T, other: T): T => t('maximum', { input, other });
export const minimum = (input: T, other: T): T => t('minimum', { input, other });
export const where = (condition: T, input: T | Num, other: T | Num): T => t('where', { condition, input, other });
export const eq = (input: T, other: T | Num): T => t('eq', { input, other });
export const gt = (input: T, other: T | Num): T => t('gt', { input, other });
export const lt = (input: T, other: T | Num): T => t('lt', { input, other });
export const maskedFill = (input: T, mask: T, value: Num): T => t('masked_fill', { input, mask, value });

// ---- reductions ----------------------------------------------------------------------------
export const sum = (input: T, dim?: IntOr | null, keepdim?: boolean): T => t('sum', { input, dim: ints(dim ?? undefined), keepdim });
export const mean = (input: T, dim?: IntOr | null, keepdim?: boolean): T => t('mean', { input, dim: ints(dim ?? undefined), keepdim });
export const amax = (input: T, dim?: IntOr, keepdim?: boolean): T => t('amax', { input, dim: ints(dim), keepdim });
export const max = (input: T, dim: number, keepdim?: boolean): [T, T] => callOp('max', { input, dim, keepdim: keepdim ?? false }) as unknown as [T, T];
export const argmax = (input: T, dim?: number, keepdim?: boolean): T => t('argmax', { input, dim, keepdim });
export const softmax = (input: T, dim: number): T => t('softmax', { input, dim });
export const logSoftmax = (input: T, dim: number): T => t('log_softmax', { input, dim });
export const variance = (input: T, dim?: IntOr, correction?: Num, keepdim?: boolean): T => t('var', { input, dim: ints(dim), correction, keepdim });

// ---- linear --------------------------------------------------------------------------------
export const matmul = (input: T, other: T): T => t('matmul', { input, other });
export const bmm = (input: T, mat2: T): T => t('bmm', { input, mat2 });
export const linear = (input: T, weight: T, bias?: T | null): T => t('linear', { input, weight, bias });
export const einsum = (equation: string, ...operands: T[]): T => t('einsum', { equation, operands });

// ---- conv / pool / norm ----------------------------------------------------------------------
export interface ConvOptions { stride?: IntOr; padding?: IntOr | 'same' | 'valid'; dilation?: IntOr; groups?: number }
const convArgs = (o: ConvOptions) => ({ stride: ints(o.stride), padding: typeof o.padding === 'string' ? o.padding : ints(o.padding), dilation: ints(o.dilation), groups: o.groups });
export const conv1d = (input: T, weight: T, bias?: T | null, o: ConvOptions = {}): T => t('conv1d', { input, weight, bias, ...convArgs(o) });
export const conv2d = (input: T, weight: T, bias?: T | null, o: ConvOptions = {}): T => t('conv2d', { input, weight, bias, ...convArgs(o) });
export const conv3d = (input: T, weight: T, bias?: T | null, o: ConvOptions = {}): T => t('conv3d', { input, weight, bias, ...convArgs(o) });
export interface PoolOptions { stride?: IntOr | null; padding?: IntOr; dilation?: IntOr; ceilMode?: boolean }
export const maxPool2d = (input: T, kernelSize: IntOr, o: PoolOptions = {}): T =>
  t('max_pool2d', { input, kernel_size: ints(kernelSize)!, stride: o.stride === null ? null : ints(o.stride), padding: ints(o.padding), dilation: ints(o.dilation), ceil_mode: o.ceilMode });
export const avgPool2d = (input: T, kernelSize: IntOr, o: PoolOptions = {}): T =>
  t('avg_pool2d', { input, kernel_size: ints(kernelSize)!, stride: o.stride === null ? null : ints(o.stride), padding: ints(o.padding), ceil_mode: o.ceilMode });
export const adaptiveAvgPool2d = (input: T, outputSize: IntOr): T => t('adaptive_avg_pool2d', { input, output_size: ints(outputSize)! });
export const batchNorm = (input: T, runningMean: T | null, runningVar: T | null, weight: T | null, bias: T | null, training: boolean, momentum = 0.1, eps = 1e-5): T =>
  t('batch_norm', { input, running_mean: runningMean, running_var: runningVar, weight, bias, training, momentum, eps });
export const layerNorm = (input: T, normalizedShape: IntOr, weight?: T | null, bias?: T | null, eps?: Num): T =>
  t('layer_norm', { input, normalized_shape: ints(normalizedShape)!, weight, bias, eps });
export const dropout = (input: T, p = 0.5, training = true): T => t('dropout', { input, p, training });
export const embedding = (input: T, weight: T, paddingIdx?: number | null): T => t('embedding', { input, weight, padding_idx: paddingIdx });

// ---- shape ---------------------------------------------------------------------------------
export const view = (input: T, shape: readonly number[]): T => t('view', { input, shape: [...shape] });
export const reshape = (input: T, shape: readonly number[]): T => t('reshape', { input, shape: [...shape] });
export const flatten = (input: T, startDim = 0, endDim = -1): T => t('flatten', { input, start_dim: startDim, end_dim: endDim });
export const permute = (input: T, dims: readonly number[]): T => t('permute', { input, dims: [...dims] });
export const transpose = (input: T, dim0: number, dim1: number): T => t('transpose', { input, dim0, dim1 });
export const squeeze = (input: T, dim?: number): T => t('squeeze', { input, dim });
export const unsqueeze = (input: T, dim: number): T => t('unsqueeze', { input, dim });
export const cat = (tensors: readonly T[], dim = 0): T => t('cat', { tensors: [...tensors], dim });
export const stack = (tensors: readonly T[], dim = 0): T => t('stack', { tensors: [...tensors], dim });

// ---- losses --------------------------------------------------------------------------------
export interface CrossEntropyOptions { weight?: T | null; ignoreIndex?: number; reduction?: 'mean' | 'sum' | 'none'; labelSmoothing?: number }
export const crossEntropy = (input: T, target: T, o: CrossEntropyOptions = {}): T =>
  t('cross_entropy', { input, target, weight: o.weight, ignore_index: o.ignoreIndex, reduction: o.reduction, label_smoothing: o.labelSmoothing });
export const nllLoss = (input: T, target: T, o: Omit<CrossEntropyOptions, 'labelSmoothing'> = {}): T =>
  t('nll_loss', { input, target, weight: o.weight, ignore_index: o.ignoreIndex, reduction: o.reduction });
export const mseLoss = (input: T, target: T, reduction?: 'mean' | 'sum' | 'none'): T => t('mse_loss', { input, target, reduction });
export const l1Loss = (input: T, target: T, reduction?: 'mean' | 'sum' | 'none'): T => t('l1_loss', { input, target, reduction });
export const bceWithLogits = (input: T, target: T, reduction?: 'mean' | 'sum' | 'none'): T => t('binary_cross_entropy_with_logits', { input, target, reduction });
