// torch.nn layers of the linear family: Linear, Bilinear, Identity.

import { sym } from '../../shape/dim.js';
import { defineLayer, inputOf, p, sizeAttr, varargs } from '../common/define.js';
import { bool, getBool, getShape, NONE, tensor } from '../common/values.js';
import type { ParamShape } from '../types.js';
import { bilinearShape, linearShape } from './shape.js';

export const DEVICE_DTYPE = [p('device', NONE), p('dtype', NONE)];

export function registerLinearLayers(): void {
  defineLayer({
    name: 'Linear',
    ctor: [p('in_features'), p('out_features'), p('bias', bool(true)), ...DEVICE_DTYPE],
    params: (a) => {
      const out = sizeAttr(a, 'out_features', 'Linear');
      const ps: ParamShape[] = [{ name: 'weight', shape: [out, sizeAttr(a, 'in_features', 'Linear')] }];
      if (getBool(a, 'bias', 'Linear')) ps.push({ name: 'bias', shape: [out] });
      return ps;
    },
    shape: (a, args) => {
      const t = inputOf(args, 'Linear');
      const inF = sizeAttr(a, 'in_features', 'Linear');
      const outF = sizeAttr(a, 'out_features', 'Linear');
      if (!t.shape) return tensor(null, t.dtype);
      return tensor(linearShape('Linear', t.shape, [outF, inF], null, true), t.dtype);
    },
    symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'in_features', 'Linear')]),
    category: 'layer',
  });

  defineLayer({
    name: 'Bilinear',
    ctor: [p('in1_features'), p('in2_features'), p('out_features'), p('bias', bool(true)), ...DEVICE_DTYPE],
    params: (a) => {
      const out = sizeAttr(a, 'out_features', 'Bilinear');
      const ps: ParamShape[] = [{ name: 'weight', shape: [out, sizeAttr(a, 'in1_features', 'Bilinear'), sizeAttr(a, 'in2_features', 'Bilinear')] }];
      if (getBool(a, 'bias', 'Bilinear')) ps.push({ name: 'bias', shape: [out] });
      return ps;
    },
    forward: [p('input1'), p('input2')],
    shape: (a, args) => {
      const x1 = getShape(args, 'input1', 'Bilinear');
      const x2 = getShape(args, 'input2', 'Bilinear');
      const w = [sizeAttr(a, 'out_features', 'Bilinear'), sizeAttr(a, 'in1_features', 'Bilinear'), sizeAttr(a, 'in2_features', 'Bilinear')];
      return tensor(bilinearShape('Bilinear', x1, x2, w, true));
    },
    symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'in1_features', 'Bilinear')]),
    category: 'layer',
  });

  // Identity(*args, **kwargs) ignores its arguments.
  defineLayer({
    name: 'Identity',
    ctor: [varargs('args')],
    shape: (_a, args) => args.input ?? NONE,
    unknown: 'value',
    category: 'shape',
  });
}
