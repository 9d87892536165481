// The attention family as composites: scaled_dot_product_attention is matmul, scale, mask,
// softmax, (dropout,) matmul — so its gradient is the primitives'. nn.MultiheadAttention and the
// rnn/lstm/gru ops are layer-level (no weights in their op signatures): the nn modules compose them.
import { registerComposite } from '../../runtime/composite.js';
import { callOp } from '../../runtime/dispatch.js';
import { Tensor } from '../../tensor.js';

export function registerAttentionGrads(): void {
  registerComposite('scaled_dot_product_attention', (args) => {
    const q = args.query as Tensor, k = args.key as Tensor, v = args.value as Tensor;
    const E = q.shape[q.ndim - 1]!;
    const L = q.shape[q.ndim - 2]!, S = k.shape[k.ndim - 2]!;
    const scale = typeof args.scale === 'number' ? args.scale : 1 / Math.sqrt(E);
    let scores = callOp('mul', { input: callOp('matmul', { input: q, other: callOp('transpose', { input: k, dim0: -2, dim1: -1 }) }), other: scale }) as Tensor;
    const neg = -Infinity;
    if (args.is_causal === true) {
      const causal = callOp('triu', { input: Tensor.ones([L, S], 'float32', q.backend), diagonal: 1 });
      scores = callOp('masked_fill', { input: scores, mask: callOp('ne', { input: causal, other: 0 }), value: neg }) as Tensor;
    }
    const mask = args.attn_mask;
    if (mask instanceof Tensor) {
      // bool masks: True = take part in attention; float masks are added.
      scores = mask.dtype === 'bool'
        ? callOp('masked_fill', { input: scores, mask: callOp('logical_not', { input: mask }), value: neg }) as Tensor
        : callOp('add', { input: scores, other: mask }) as Tensor;
    }
    let attn = callOp('softmax', { input: scores, dim: -1 }) as Tensor;
    const p = typeof args.dropout_p === 'number' ? args.dropout_p : 0;
    if (p > 0) attn = callOp('dropout', { input: attn, p, training: true }) as Tensor;
    return callOp('matmul', { input: attn, other: v });
  });
}
