// The run config's loss names -> the op library's loss ops (one definition, shared with the
// language server), plus the target conversions each loss needs.
import { Tensor } from '../tensor.js';
import { callOp } from '../runtime/dispatch.js';
import type { LossName } from './config.js';

export const LOSS_OPS: Record<LossName, string> = {
  cross_entropy: 'cross_entropy',
  nll: 'nll_loss',
  mse: 'mse_loss',
  l1: 'l1_loss',
  bce_with_logits: 'binary_cross_entropy_with_logits',
};

/** Whether the loss takes class indices (int) or values shaped like the output (float). */
export function takesClassIndices(name: LossName): boolean {
  return name === 'cross_entropy' || name === 'nll';
}

/** The target tensor for `output` from a batch's labels. Throws a message naming the mismatch. */
/** The target tensor for `output` (or, before the forward has run, the output's shape). */
export function makeTarget(name: LossName, output: Tensor | readonly number[], y: Int32Array | Float32Array, yShape: readonly number[]): Tensor {
  const outShape = output instanceof Tensor ? output.shape : output;
  if (takesClassIndices(name)) {
    if (!(y instanceof Int32Array)) {
      for (const v of y) if (!Number.isInteger(v)) throw new Error(`loss '${name}' needs integer class labels, but the data has ${v}; use a regression loss (mse, l1) or integer labels`);
    }
    const classes = outShape[1];
    for (const v of y) {
      if (v < 0 || (classes !== undefined && v >= classes)) throw new Error(`label ${v} is out of range for a model with ${classes} outputs (classes 0..${(classes ?? 1) - 1})`);
    }
    return Tensor.fromArray(y, yShape, 'int32');
  }
  const numel = outShape.reduce((a, d) => a * d, 1);
  if (y.length !== numel) throw new Error(`loss '${name}' compares the model output [${outShape.join(', ')}] with targets of shape [${yShape.join(', ')}]; their sizes differ`);
  return Tensor.fromArray(y instanceof Float32Array ? y : Float32Array.from(y), outShape, 'float32');
}

export function computeLoss(name: LossName, output: Tensor, target: Tensor, labelSmoothing: number): Tensor {
  const args: Record<string, Tensor | number> = { input: output, target };
  if (name === 'cross_entropy' && labelSmoothing > 0) args.label_smoothing = labelSmoothing;
  const out = callOp(LOSS_OPS[name], args);
  if (!(out instanceof Tensor)) throw new Error(`loss op '${LOSS_OPS[name]}' did not return a tensor`);
  return out;
}
