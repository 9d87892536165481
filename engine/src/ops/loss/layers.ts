// Loss modules: forward(input, target) with the functional rule and the module's attributes.

import { defineLayer, p } from '../common/define.js';
import { bool, float, int, NONE, str } from '../common/values.js';
import { getOp } from '../registry.js';
import { ShapeError, type BoundArgs, type ParamSpec, type Value } from '../types.js';

const LEGACY: ParamSpec[] = [p('size_average', NONE), p('reduce', NONE)];

export function registerLossLayers(): void {
  const table: [string, string, ParamSpec[]][] = [
    ['CrossEntropyLoss', 'cross_entropy', [p('weight', NONE), ...LEGACY, p('ignore_index', int(-100)), p('reduction', str('mean')), p('label_smoothing', float(0))]],
    ['NLLLoss', 'nll_loss', [p('weight', NONE), ...LEGACY, p('ignore_index', int(-100)), p('reduction', str('mean'))]],
    ['MSELoss', 'mse_loss', [...LEGACY, p('reduction', str('mean'))]],
    ['L1Loss', 'l1_loss', [...LEGACY, p('reduction', str('mean'))]],
    ['SmoothL1Loss', 'smooth_l1_loss', [...LEGACY, p('reduction', str('mean')), p('beta', float(1))]],
    ['HuberLoss', 'huber_loss', [p('reduction', str('mean')), p('delta', float(1))]],
    ['KLDivLoss', 'kl_div', [...LEGACY, p('reduction', str('mean')), p('log_target', bool(false))]],
    ['BCELoss', 'binary_cross_entropy', [p('weight', NONE), ...LEGACY, p('reduction', str('mean'))]],
    ['BCEWithLogitsLoss', 'binary_cross_entropy_with_logits', [p('weight', NONE), ...LEGACY, p('reduction', str('mean')), p('pos_weight', NONE)]],
  ];
  for (const [name, opName, ctor] of table) {
    defineLayer({
      name,
      ctor,
      // Buffers: weight / pos_weight are registered buffers only when given; they are not trained.
      forward: [p('input'), p('target')],
      shape: (a, args) => {
        const op = getOp(opName)!;
        const merged: Record<string, Value> = {};
        for (const prm of op.params) merged[prm.name] = (args as BoundArgs)[prm.name] ?? a[prm.name] ?? prm.default ?? NONE;
        // The op names itself in its messages; name the module the user wrote instead.
        try {
          return op.shape(merged);
        } catch (e) {
          if (e instanceof ShapeError && e.message.startsWith(`${opName}: `)) throw new ShapeError(`${name}: ${e.message.slice(opName.length + 2)}`, e.arg);
          throw e;
        }
      },
      category: 'loss',
    });
  }
}
