// Embedding lookups (integer indices -> vectors) and one_hot.

import { dimToString, opaque, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { bool, dtypeKnown, float, getInt, getShape, getTensor, int, isIntDtype, NONE, tensor } from '../common/values.js';
import { ShapeError, type TensorType } from '../types.js';

/** Indices must be integer tensors; a float tensor is a definite error. */
export function checkIndices(who: string, t: TensorType): void {
  if (dtypeKnown(t) && !isIntDtype(t.dtype)) {
    throw new ShapeError(`${who} expects an integer (int64) index tensor but got ${t.dtype} ${shapeToString(t.shape)} (use .long())`, 'input');
  }
}

export function embeddingShape(input: TensorType, dim: Dim): Dim[] | null {
  return input.shape ? [...input.shape, dim] : null;
}

export function registerEmbeddingOps(): void {
  const embedding = defineOp({
    name: 'embedding',
    params: [p('input'), p('weight'), p('padding_idx', NONE), p('max_norm', NONE), p('norm_type', float(2)), p('scale_grad_by_freq', bool(false)), p('sparse', bool(false))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'embedding');
      checkIndices('embedding', t);
      const w = getShape(args, 'weight', 'embedding');
      if (w.length !== 2) throw new ShapeError(`embedding: weight must be 2D [num_embeddings, embedding_dim], but got ${shapeToString(w)}`, 'weight');
      return tensor(embeddingShape(t, w[1]!), getTensor(args, 'weight', 'embedding').dtype);
    },
  });
  fn('torch.nn.functional.embedding', embedding);

  const oneHot = defineOp({
    name: 'one_hot',
    params: [p('tensor'), p('num_classes', int(-1))],
    shape: (args) => {
      const t = getTensor(args, 'tensor', 'one_hot');
      if (dtypeKnown(t) && t.dtype !== 'int64') throw new ShapeError(`one_hot: expects an int64 tensor of class indices, but got ${t.dtype} ${shapeToString(t.shape)}`, 'tensor');
      const n = getInt(args, 'num_classes', 'one_hot');
      // -1: the number of classes is max(tensor) + 1, known only at run time.
      const classes = n === -1 ? opaque('num_classes') : n;
      if (typeof classes === 'number' && classes < 0) throw new ShapeError(`one_hot: num_classes must be -1 or non-negative, but got ${dimToString(classes)}`, 'num_classes');
      return tensor(t.shape ? [...t.shape, classes] : null, 'int64');
    },
    unknown: () => tensor(null, 'int64'),
  });
  fn('torch.nn.functional.one_hot', oneHot);
}
