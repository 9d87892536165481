// nn.RNN / nn.LSTM / nn.GRU and their cells.

import { mul, sym } from '../../shape/dim.js';
import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, float, getBool, getNumber, getTensor, getStr, int, NONE, str, tensor } from '../common/values.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { ShapeError, type BoundArgs, type ParamShape } from '../types.js';
import { cellShape, GATES, rnnConfig, rnnParams, rnnShape, type RnnMode } from './shape.js';

function ctorFor(mode: RnnMode) {
  return [
    p('input_size'), p('hidden_size'), p('num_layers', int(1)),
    ...(mode === 'RNN' ? [p('nonlinearity', str('tanh'))] : []),
    p('bias', bool(true)), p('batch_first', bool(false)), p('dropout', float(0)), p('bidirectional', bool(false)),
    ...(mode === 'LSTM' ? [p('proj_size', int(0))] : []),
    ...DEVICE_DTYPE,
  ];
}

export function registerRnnLayers(): void {
  for (const mode of ['RNN', 'LSTM', 'GRU'] as const) {
    defineLayer({
      name: mode,
      ctor: ctorFor(mode),
      check: (a: BoundArgs) => {
        rnnConfig(a, mode, mode);
        const dropout = getNumber(a, 'dropout', mode);
        if (dropout !== null && (dropout < 0 || dropout > 1)) throw new ShapeError(`${mode}: dropout should be a number in range [0, 1], but got ${dropout}`, 'dropout');
        if (mode === 'RNN') {
          const nl = getStr(a, 'nonlinearity', mode);
          if (nl !== 'tanh' && nl !== 'relu') throw new ShapeError(`RNN: unknown nonlinearity '${nl}' (expected 'tanh' or 'relu')`, 'nonlinearity');
        }
      },
      params: (a) => rnnParams(rnnConfig(a, mode, mode), mode),
      forward: [p('input'), p('hx', NONE)],
      shape: (a, args) => rnnShape(mode, mode, rnnConfig(a, mode, mode), getTensor(args, 'input', mode), args.hx ?? NONE),
      unknown: 'value',
      symbolicInput: (a) => {
        const f = sizeAttr(a, 'input_size', mode);
        return tensor(getBool(a, 'batch_first', mode) ? [sym('N'), sym('L'), f] : [sym('L'), sym('N'), f]);
      },
      category: 'layer',
    });
    const cell = `${mode}Cell`;
    defineLayer({
      name: cell,
      ctor: [p('input_size'), p('hidden_size'), p('bias', bool(true)), ...(mode === 'RNN' ? [p('nonlinearity', str('tanh'))] : []), ...DEVICE_DTYPE],
      params: (a) => {
        const h = sizeAttr(a, 'hidden_size', cell);
        const g = mul(GATES[mode], h);
        const ps: ParamShape[] = [{ name: 'weight_ih', shape: [g, sizeAttr(a, 'input_size', cell)] }, { name: 'weight_hh', shape: [g, h] }];
        if (getBool(a, 'bias', cell)) ps.push({ name: 'bias_ih', shape: [g] }, { name: 'bias_hh', shape: [g] });
        return ps;
      },
      forward: [p('input'), p('hx', NONE)],
      shape: (a, args) => cellShape(cell, mode, sizeAttr(a, 'input_size', cell), sizeAttr(a, 'hidden_size', cell), getTensor(args, 'input', cell), args.hx ?? NONE),
      unknown: 'value',
      symbolicInput: (a) => tensor([sym('N'), sizeAttr(a, 'input_size', cell)]),
      category: 'layer',
    });
  }
}
