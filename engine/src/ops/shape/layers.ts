// Shape layers: Flatten (start_dim=1 by default, unlike torch.flatten), Unflatten, Upsample,
// and the padding layers.

import { shapeToString, sym, type Dim } from '../../shape/dim.js';
import { defineLayer, p } from '../common/define.js';
import { getConcreteInt, getInt, getStr, getTensor, int, intOf, itemsOf, NONE, shapeArg, str, tensor, UNKNOWN } from '../common/values.js';
import { ShapeError, type BoundArgs } from '../types.js';
import { flattenShape, interpolateShape, padShape, pixelShuffleShape, unflattenShape } from './shape.js';

/** Padding layer argument: an int (all sides) or a tuple of 2*n ints (left, right, top, bottom, ...). */
function padTuple(a: BoundArgs, who: string, n: number): Dim[] {
  const v = a.padding ?? UNKNOWN;
  if (v.kind === 'tuple' || v.kind === 'list') {
    const items = itemsOf(v, 'padding', who).map((x) => intOf(x, 'padding', who));
    if (items.length !== 2 * n) throw new ShapeError(`${who}: padding must be an int or a tuple of ${2 * n} ints, but got ${items.length}`, 'padding');
    return items;
  }
  return Array(2 * n).fill(intOf(v, 'padding', who));
}

export function registerShapeLayers(): void {
  defineLayer({
    name: 'Flatten',
    ctor: [p('start_dim', int(1)), p('end_dim', int(-1))],
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'Flatten');
      return tensor(t.shape ? flattenShape('Flatten', t.shape, getConcreteInt(a, 'start_dim', 'Flatten'), getConcreteInt(a, 'end_dim', 'Flatten')) : null, t.dtype);
    },
    category: 'shape',
  });
  defineLayer({
    name: 'Unflatten',
    ctor: [p('dim'), p('unflattened_size')],
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'Unflatten');
      const sizes = shapeArg(a.unflattened_size ?? UNKNOWN, 'unflattened_size', 'Unflatten');
      return tensor(t.shape ? unflattenShape('Unflatten', t.shape, getConcreteInt(a, 'dim', 'Unflatten'), sizes) : null, t.dtype);
    },
    category: 'shape',
  });
  const upsample = (name: string, fixedMode: string | null): void => {
    defineLayer({
      name,
      ctor: fixedMode ? [p('size', NONE), p('scale_factor', NONE)]
        : [p('size', NONE), p('scale_factor', NONE), p('mode', str('nearest')), p('align_corners', NONE), p('recompute_scale_factor', NONE)],
      check: (a) => {
        if (a.size?.kind === 'none' && a.scale_factor?.kind === 'none') throw new ShapeError(`${name}: either size or scale_factor should be defined`, 'size');
      },
      shape: (a, args) => {
        const t = getTensor(args, 'input', name);
        const mode = fixedMode ?? getStr(a, 'mode', name);
        return tensor(t.shape ? interpolateShape(name, t.shape, a.size ?? NONE, a.scale_factor ?? NONE, mode) : null, t.dtype);
      },
      symbolicInput: () => tensor([sym('N'), sym('C'), sym('H'), sym('W')]),
      category: 'shape',
    });
  };
  upsample('Upsample', null);
  upsample('UpsamplingNearest2d', 'nearest');
  upsample('UpsamplingBilinear2d', 'bilinear');

  const padLayer = (name: string, n: number, withValue: boolean): void => {
    defineLayer({
      name,
      ctor: withValue ? [p('padding'), p('value')] : [p('padding')],
      check: (a) => { padTuple(a, name, n); },
      shape: (a, args) => {
        const t = getTensor(args, 'input', name);
        if (t.shape && t.shape.length !== n + 1 && t.shape.length !== n + 2) {
          throw new ShapeError(`${name} expects a ${n + 1}D or ${n + 2}D input, but got ${t.shape.length}D (input ${shapeToString(t.shape)})`, 'input');
        }
        return tensor(t.shape ? padShape(name, t.shape, padTuple(a, name, n)) : null, t.dtype);
      },
      category: 'shape',
    });
  };
  for (const [name, factor, inverse] of [['PixelShuffle', 'upscale_factor', false], ['PixelUnshuffle', 'downscale_factor', true]] as const) {
    defineLayer({
      name,
      ctor: [p(factor)],
      shape: (a, args) => {
        const t = getTensor(args, 'input', name);
        return tensor(t.shape ? pixelShuffleShape(name, t.shape, getInt(a, factor, name), inverse) : null, t.dtype);
      },
      category: 'shape',
    });
  }
  for (const n of [1, 2, 3]) {
    padLayer(`ZeroPad${n}d`, n, false);
    padLayer(`ConstantPad${n}d`, n, true);
    padLayer(`ReflectionPad${n}d`, n, false);
    padLayer(`ReplicationPad${n}d`, n, false);
  }
}
