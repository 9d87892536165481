// Conv1d/2d/3d and ConvTranspose1d/2d/3d layers: the op rule with the layer's weight shape.

import { sym, type Dim } from '../../shape/dim.js';
import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, getBool, getConcreteInt, getIntTuple, getTensor, int, NONE, str, tensor } from '../common/values.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { ShapeError, type BoundArgs, type ParamShape } from '../types.js';
import { checkGroups, convOptions, convShape, convWeight } from './shape.js';

const SPATIAL: Record<number, string[]> = { 1: ['L'], 2: ['H', 'W'], 3: ['D', 'H', 'W'] };

function convLayer(n: number, transposed: boolean): void {
  const name = transposed ? `ConvTranspose${n}d` : `Conv${n}d`;
  const ctor = transposed
    ? [p('in_channels'), p('out_channels'), p('kernel_size'), p('stride', int(1)), p('padding', int(0)), p('output_padding', int(0)),
      p('groups', int(1)), p('bias', bool(true)), p('dilation', int(1)), p('padding_mode', str('zeros')), ...DEVICE_DTYPE]
    : [p('in_channels'), p('out_channels'), p('kernel_size'), p('stride', int(1)), p('padding', int(0)), p('dilation', int(1)),
      p('groups', int(1)), p('bias', bool(true)), p('padding_mode', str('zeros')), ...DEVICE_DTYPE];
  const weightOf = (a: BoundArgs): Dim[] => convWeight(name, sizeAttr(a, 'in_channels', name), sizeAttr(a, 'out_channels', name),
    getIntTuple(a, 'kernel_size', name, n), getConcreteInt(a, 'groups', name), transposed);
  defineLayer({
    name,
    ctor,
    check: (a) => {
      checkGroups(name, sizeAttr(a, 'in_channels', name), sizeAttr(a, 'out_channels', name), getConcreteInt(a, 'groups', name));
      convOptions(a, name, n, transposed);
      const k = getIntTuple(a, 'kernel_size', name, n);
      if (k.some((x) => typeof x === 'number' && x < 1)) throw new ShapeError(`${name}: kernel_size must be positive, but got ${k.join(', ')}`, 'kernel_size');
    },
    params: (a) => {
      const ps: ParamShape[] = [{ name: 'weight', shape: weightOf(a) }];
      if (getBool(a, 'bias', name)) ps.push({ name: 'bias', shape: [sizeAttr(a, 'out_channels', name)] });
      return ps;
    },
    forward: transposed ? [p('input'), p('output_size', NONE)] : [p('input')],
    shape: (a, args) => {
      const t = getTensor(args, 'input', name);
      if (!t.shape) return tensor(null, t.dtype);
      const out = convShape(name, n, t.shape, weightOf(a), convOptions(a, name, n, transposed), transposed, true);
      // ConvTranspose's forward(output_size=...) picks the output size among the valid ones.
      const os = args.output_size;
      if (transposed && os && (os.kind === 'tuple' || os.kind === 'list') && os.items) {
        const sizes = os.items.slice(os.items.length - n).map((v) => (v.kind === 'int' ? v.value : null));
        if (sizes.length === n && sizes.every((d) => d !== null)) out.splice(out.length - n, n, ...(sizes as Dim[]));
      }
      return tensor(out, t.dtype);
    },
    symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'in_channels', name), ...SPATIAL[n]!.map((s) => sym(s))]),
    category: 'layer',
  });
}

export function registerConvLayers(): void {
  for (const n of [1, 2, 3]) convLayer(n, false);
  for (const n of [1, 2, 3]) convLayer(n, true);
}
