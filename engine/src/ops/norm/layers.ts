// Normalisation layers with PyTorch's state_dict layout (parameters, then buffers).

import { shapeToString as shapeToStr, sym, type Dim } from '../../shape/dim.js';
import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, float, getBool, getConcreteInt, getTensor, NONE, shapeArg, tensor, UNKNOWN } from '../common/values.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { ShapeError, type BoundArgs, type ParamShape } from '../types.js';
import { preferDeclared } from '../common/shapes.js';
import { checkChannels, checkGroupNorm, checkNormalizedShape } from './shape.js';

const SPATIAL: Record<number, string[]> = { 1: [], 2: ['H', 'W'], 3: ['D', 'H', 'W'] };

function statsParams(a: BoundArgs, who: string): ParamShape[] {
  const c = sizeAttr(a, 'num_features', who);
  const ps: ParamShape[] = [];
  if (getBool(a, 'affine', who)) ps.push({ name: 'weight', shape: [c] }, { name: 'bias', shape: [c] });
  if (getBool(a, 'track_running_stats', who)) {
    ps.push({ name: 'running_mean', shape: [c], buffer: true }, { name: 'running_var', shape: [c], buffer: true },
      { name: 'num_batches_tracked', shape: [], buffer: true, dtype: 'int64' });
  }
  return ps;
}

function normalizedShape(a: BoundArgs, who: string): Dim[] {
  return shapeArg(a.normalized_shape ?? UNKNOWN, 'normalized_shape', who);
}

export function registerNormLayers(): void {
  for (const [kind, affine, track] of [['BatchNorm', true, true], ['InstanceNorm', false, false]] as const) {
    for (const n of [1, 2, 3]) {
      const name = `${kind}${n}d`;
      // BatchNorm1d takes [N, C] or [N, C, L]; InstanceNorm1d [C, L] or [N, C, L]; 2d/3d add spatial dims.
      const ranks = kind === 'BatchNorm' ? (n === 1 ? [2, 3] : [n + 2]) : [n + 1, n + 2];
      defineLayer({
        name,
        ctor: [p('num_features'), p('eps', float(1e-5)), p('momentum', float(0.1)), p('affine', bool(affine)), p('track_running_stats', bool(track)), ...DEVICE_DTYPE],
        params: (a) => statsParams(a, name),
        shape: (a, args) => {
          const t = getTensor(args, 'input', name);
          if (t.shape) {
            if (!ranks.includes(t.shape.length)) {
              throw new ShapeError(`${name} expects a ${ranks.map((r) => `${r}D`).join(' or ')} input, but got ${t.shape.length}D (input ${shapeToStr(t.shape)})`, 'input');
            }
            const c = sizeAttr(a, 'num_features', name);
            // Unbatched InstanceNorm input [C, *spatial] has its channels first.
            const s = kind === 'InstanceNorm' && t.shape.length === n + 1 ? [1, ...t.shape] : t.shape;
            checkChannels(name, s, c, true);
            // Keep the shape flowing with the layer's declared channel count when the input's is unknown.
            const at = kind === 'InstanceNorm' && t.shape.length === n + 1 ? 0 : 1;
            return tensor(t.shape.map((d, i) => (i === at ? preferDeclared(c, d) : d)), t.dtype);
          }
          return tensor(t.shape, t.dtype);
        },
        symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'num_features', name), ...(n === 1 ? (kind === 'BatchNorm' ? [] : [sym('L')]) : SPATIAL[n]!.map((s) => sym(s)))]),
        category: 'norm',
      });
    }
  }

  defineLayer({
    name: 'LayerNorm',
    ctor: [p('normalized_shape'), p('eps', float(1e-5)), p('elementwise_affine', bool(true)), p('bias', bool(true)), ...DEVICE_DTYPE],
    params: (a) => {
      const ns = normalizedShape(a, 'LayerNorm');
      const ps: ParamShape[] = [];
      if (getBool(a, 'elementwise_affine', 'LayerNorm')) {
        ps.push({ name: 'weight', shape: ns });
        if (getBool(a, 'bias', 'LayerNorm')) ps.push({ name: 'bias', shape: ns });
      }
      return ps;
    },
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'LayerNorm');
      if (!t.shape) return tensor(null, t.dtype);
      const ns = normalizedShape(a, 'LayerNorm');
      checkNormalizedShape('LayerNorm', t.shape, ns, true);
      const off = t.shape.length - ns.length;
      return tensor(t.shape.map((d, i) => (i >= off ? preferDeclared(ns[i - off]!, d) : d)), t.dtype);
    },
    symbolicInput: (a) => tensor([sym('N'), ...normalizedShape(a, 'LayerNorm')]),
    category: 'norm',
  });

  defineLayer({
    name: 'RMSNorm',
    ctor: [p('normalized_shape'), p('eps', NONE), p('elementwise_affine', bool(true)), ...DEVICE_DTYPE],
    params: (a) => (getBool(a, 'elementwise_affine', 'RMSNorm') ? [{ name: 'weight', shape: normalizedShape(a, 'RMSNorm') }] : []),
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'RMSNorm');
      if (t.shape) checkNormalizedShape('RMSNorm', t.shape, normalizedShape(a, 'RMSNorm'), true);
      return tensor(t.shape, t.dtype);
    },
    symbolicInput: (a) => tensor([sym('N'), ...normalizedShape(a, 'RMSNorm')]),
    category: 'norm',
  });

  defineLayer({
    name: 'GroupNorm',
    ctor: [p('num_groups'), p('num_channels'), p('eps', float(1e-5)), p('affine', bool(true)), ...DEVICE_DTYPE],
    check: (a) => {
      const g = getConcreteInt(a, 'num_groups', 'GroupNorm');
      const c = sizeAttr(a, 'num_channels', 'GroupNorm');
      if (g < 1) throw new ShapeError(`GroupNorm: num_groups must be positive, but got ${g}`, 'num_groups');
      if (typeof c === 'number' && c % g !== 0) throw new ShapeError(`GroupNorm: num_channels ${c} must be divisible by num_groups ${g}`, 'num_channels');
    },
    params: (a) => {
      const c = sizeAttr(a, 'num_channels', 'GroupNorm');
      return getBool(a, 'affine', 'GroupNorm') ? [{ name: 'weight', shape: [c] }, { name: 'bias', shape: [c] }] : [];
    },
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'GroupNorm');
      if (!t.shape) return tensor(null, t.dtype);
      const c = sizeAttr(a, 'num_channels', 'GroupNorm');
      checkGroupNorm('GroupNorm', t.shape, getConcreteInt(a, 'num_groups', 'GroupNorm'), c);
      return tensor(t.shape.map((d, i) => (i === 1 ? preferDeclared(c, d) : d)), t.dtype);
    },
    symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'num_channels', 'GroupNorm'), sym('H'), sym('W')]),
    category: 'norm',
  });
}
