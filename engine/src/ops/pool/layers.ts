// Pooling layers. Note the constructor orders differ from the functional forms
// (MaxPool2d puts return_indices before ceil_mode).

import { sym } from '../../shape/dim.js';
import { defineLayer, p } from '../common/define.js';
import { bool, getBool, getTensor, int, NONE, tensor, tuple } from '../common/values.js';
import type { TensorType } from '../types.js';
import { adaptiveShape, poolOptions, poolShape } from './shape.js';

const SPATIAL: Record<number, string[]> = { 1: ['L'], 2: ['H', 'W'], 3: ['D', 'H', 'W'] };
const symbolic = (n: number) => (): TensorType => tensor([sym('N'), sym('C'), ...SPATIAL[n]!.map((s) => sym(s))]);

export function registerPoolLayers(): void {
  for (const n of [1, 2, 3]) {
    const maxName = `MaxPool${n}d`;
    defineLayer({
      name: maxName,
      ctor: [p('kernel_size'), p('stride', NONE), p('padding', int(0)), p('dilation', int(1)), p('return_indices', bool(false)), p('ceil_mode', bool(false))],
      check: (a) => { poolOptions(a, maxName, n, true); },
      shape: (a, args) => {
        const t = getTensor(args, 'input', maxName);
        const shape = t.shape ? poolShape(maxName, n, t.shape, poolOptions(a, maxName, n, true)) : null;
        return getBool(a, 'return_indices', maxName) ? tuple([tensor(shape, t.dtype), tensor(shape, 'int64')]) : tensor(shape, t.dtype);
      },
      symbolicInput: symbolic(n),
      category: 'pool',
    });

    const avgName = `AvgPool${n}d`;
    const avgCtor = [p('kernel_size'), p('stride', NONE), p('padding', int(0)), p('ceil_mode', bool(false)), p('count_include_pad', bool(true))];
    defineLayer({
      name: avgName,
      ctor: n === 1 ? avgCtor : [...avgCtor, p('divisor_override', NONE)],
      check: (a) => { poolOptions(a, avgName, n, false); },
      shape: (a, args) => {
        const t = getTensor(args, 'input', avgName);
        return tensor(t.shape ? poolShape(avgName, n, t.shape, poolOptions(a, avgName, n, false)) : null, t.dtype);
      },
      symbolicInput: symbolic(n),
      category: 'pool',
    });

    const aavg = `AdaptiveAvgPool${n}d`;
    defineLayer({
      name: aavg,
      ctor: [p('output_size')],
      shape: (a, args) => {
        const t = getTensor(args, 'input', aavg);
        return tensor(t.shape ? adaptiveShape(aavg, n, t.shape, a.output_size ?? NONE) : null, t.dtype);
      },
      symbolicInput: symbolic(n),
      category: 'pool',
    });

    const amax = `AdaptiveMaxPool${n}d`;
    defineLayer({
      name: amax,
      ctor: [p('output_size'), p('return_indices', bool(false))],
      shape: (a, args) => {
        const t = getTensor(args, 'input', amax);
        const shape = t.shape ? adaptiveShape(amax, n, t.shape, a.output_size ?? NONE) : null;
        return getBool(a, 'return_indices', amax) ? tuple([tensor(shape, t.dtype), tensor(shape, 'int64')]) : tensor(shape, t.dtype);
      },
      symbolicInput: symbolic(n),
      category: 'pool',
    });
  }
}
