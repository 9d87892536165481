// Softmax-family layers: shape-preserving; the dim is checked against the input's rank.

import { defineLayer, p } from '../common/define.js';
import { getDim, getTensor, isNone, NONE, tensor } from '../common/values.js';
import { ShapeError } from '../types.js';
import { shapeToString } from '../../shape/dim.js';

export function registerReduceLayers(): void {
  for (const name of ['Softmax', 'LogSoftmax', 'Softmin']) {
    defineLayer({
      name,
      ctor: [p('dim', NONE)],
      shape: (a, args) => {
        const t = getTensor(args, 'input', name);
        if (t.shape && !isNone(a.dim)) getDim(a, 'dim', name, t.shape);
        return tensor(t.shape, t.dtype);
      },
      category: 'activation',
    });
  }
  defineLayer({
    name: 'Softmax2d',
    ctor: [],
    shape: (_a, args) => {
      const t = getTensor(args, 'input', 'Softmax2d');
      if (t.shape && t.shape.length !== 3 && t.shape.length !== 4) {
        throw new ShapeError(`Softmax2d expects a 3D or 4D input, but got ${shapeToString(t.shape)}`, 'input');
      }
      return tensor(t.shape, t.dtype);
    },
    category: 'activation',
  });
}
