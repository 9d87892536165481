// nn.Embedding: int64 [*] -> [*, embedding_dim].

import { sym } from '../../shape/dim.js';
import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, float, getTensor, NONE, tensor } from '../common/values.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { ShapeError } from '../types.js';
import { checkIndices, embeddingShape } from './shape.js';

export function registerEmbeddingLayers(): void {
  defineLayer({
    name: 'Embedding',
    ctor: [p('num_embeddings'), p('embedding_dim'), p('padding_idx', NONE), p('max_norm', NONE), p('norm_type', float(2)),
      p('scale_grad_by_freq', bool(false)), p('sparse', bool(false)), p('_weight', NONE), p('_freeze', bool(false)), ...DEVICE_DTYPE],
    check: (a) => {
      const n = sizeAttr(a, 'num_embeddings', 'Embedding');
      const pad = a.padding_idx;
      if (pad?.kind === 'int' && typeof pad.value === 'number' && typeof n === 'number' && (pad.value >= n || pad.value < -n)) {
        throw new ShapeError(`Embedding: padding_idx ${pad.value} must be within num_embeddings ${n}`, 'padding_idx');
      }
    },
    params: (a) => [{ name: 'weight', shape: [sizeAttr(a, 'num_embeddings', 'Embedding'), sizeAttr(a, 'embedding_dim', 'Embedding')] }],
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'Embedding');
      checkIndices('Embedding', t);
      return tensor(embeddingShape(t, sizeAttr(a, 'embedding_dim', 'Embedding')));
    },
    symbolicInput: () => tensor([sym('N'), sym('L')], 'int64'),
    category: 'layer',
  });
}
