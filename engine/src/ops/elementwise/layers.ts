// Activation layers: elementwise, so the output has the input's shape.

import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, float, getTensor, int, isFloatDtype, NONE, str, tensor } from '../common/values.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { getOp } from '../registry.js';
import { ShapeError, type ParamSpec } from '../types.js';
import { dimEquals, dimToString, shapeToString } from '../../shape/dim.js';

const INPLACE = p('inplace', bool(false));

export function registerActivationLayers(): void {
  const table: [string, ParamSpec[]][] = [
    ['ReLU', [INPLACE]], ['ReLU6', [INPLACE]], ['GELU', [p('approximate', str('none'))]], ['SiLU', [INPLACE]],
    ['Tanh', []], ['Sigmoid', []], ['LeakyReLU', [p('negative_slope', float(0.01)), INPLACE]],
    ['ELU', [p('alpha', float(1)), INPLACE]], ['CELU', [p('alpha', float(1)), INPLACE]], ['SELU', [INPLACE]],
    ['Mish', [INPLACE]], ['Hardswish', [INPLACE]], ['Hardsigmoid', [INPLACE]],
    ['Hardtanh', [p('min_val', float(-1)), p('max_val', float(1)), INPLACE]],
    ['Softplus', [p('beta', float(1)), p('threshold', float(20))]], ['Softsign', []], ['Tanhshrink', []],
    ['LogSigmoid', []], ['Softshrink', [p('lambd', float(0.5))]], ['Hardshrink', [p('lambd', float(0.5))]],
    ['Threshold', [p('threshold'), p('value'), INPLACE]],
  ];
  const keepsInt = new Set(['ReLU', 'ReLU6', 'Hardtanh', 'Threshold']);
  for (const [name, ctor] of table) {
    defineLayer({
      name,
      ctor,
      shape: (_a, args) => {
        const t = getTensor(args, 'input', name);
        return tensor(t.shape, keepsInt.has(name) || isFloatDtype(t.dtype) ? t.dtype : 'float32');
      },
      category: 'activation',
    });
  }
  defineLayer({
    name: 'GLU',
    ctor: [p('dim', int(-1))],
    shape: (a, args) => getOp('glu')!.shape({ input: args.input ?? NONE, dim: a.dim ?? int(-1) }),
    category: 'activation',
  });
  defineLayer({
    name: 'PReLU',
    ctor: [p('num_parameters', int(1)), p('init', float(0.25)), ...DEVICE_DTYPE],
    params: (a) => [{ name: 'weight', shape: [sizeAttr(a, 'num_parameters', 'PReLU')] }],
    shape: (a, args) => {
      const t = getTensor(args, 'input', 'PReLU');
      const n = sizeAttr(a, 'num_parameters', 'PReLU');
      if (t.shape && n !== 1) {
        const c = t.shape.length >= 2 ? t.shape[1]! : t.shape[0];
        if (c !== undefined && dimEquals(c, n) === false) {
          throw new ShapeError(`PReLU expects ${dimToString(n)} channels (num_parameters) but the input has ${dimToString(c)} (input ${shapeToString(t.shape)})`, 'input');
        }
      }
      return tensor(t.shape, t.dtype);
    },
    category: 'activation',
  });
}
