// Recurrent layers' shape rule (RNN, LSTM, GRU and their cells), shared by the layers and the
// 'rnn'/'lstm'/'gru' ops the engine executes. Output is (output, h_n) or, for LSTM,
// (output, (h_n, c_n)); batch_first swaps the first two dims of input and output only.

import { dimEquals, dimToString, mul, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, p, sizeAttr } from '../common/define.js';
import { listToString } from '../common/shapes.js';
import { bool, float, getBool, getConcreteInt, getTensor, int, isNone, itemsOf, NONE, str, tensor, tuple } from '../common/values.js';
import { ShapeError, type BoundArgs, type ParamShape, type ParamSpec, type TensorType, type Value } from '../types.js';

export type RnnMode = 'RNN' | 'LSTM' | 'GRU';
export const GATES: Record<RnnMode, number> = { RNN: 1, LSTM: 4, GRU: 3 };

export interface RnnConfig {
  readonly inputSize: Dim;
  readonly hidden: Dim;
  readonly layers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly directions: number;
  readonly proj: Dim;
}

export function rnnConfig(a: BoundArgs, who: string, mode: RnnMode): RnnConfig {
  const layers = getConcreteInt(a, 'num_layers', who);
  if (layers < 1) throw new ShapeError(`${who}: num_layers must be at least 1, but got ${layers}`, 'num_layers');
  const proj = mode === 'LSTM' && !isNone(a.proj_size) ? sizeAttr(a, 'proj_size', who) : 0;
  const hidden = sizeAttr(a, 'hidden_size', who);
  if (typeof proj === 'number' && proj < 0) throw new ShapeError(`${who}: proj_size must be non-negative, but got ${proj}`, 'proj_size');
  if (typeof proj === 'number' && typeof hidden === 'number' && proj >= hidden && proj !== 0) {
    throw new ShapeError(`${who}: proj_size ${proj} has to be smaller than hidden_size ${hidden}`, 'proj_size');
  }
  return {
    inputSize: sizeAttr(a, 'input_size', who),
    hidden,
    layers,
    bias: getBool(a, 'bias', who),
    batchFirst: getBool(a, 'batch_first', who),
    directions: getBool(a, 'bidirectional', who) ? 2 : 1,
    proj,
  };
}

/** state_dict entries in PyTorch's order: per layer, per direction: w_ih, w_hh, b_ih, b_hh, (w_hr). */
export function rnnParams(c: RnnConfig, mode: RnnMode): ParamShape[] {
  const g = mul(GATES[mode], c.hidden);
  const hOut = c.proj !== 0 ? c.proj : c.hidden;
  const out: ParamShape[] = [];
  for (let l = 0; l < c.layers; l++) {
    for (let d = 0; d < c.directions; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const inSize = l === 0 ? c.inputSize : mul(c.directions, hOut);
      out.push({ name: `weight_ih${sfx}`, shape: [g, inSize] }, { name: `weight_hh${sfx}`, shape: [g, hOut] });
      if (c.bias) out.push({ name: `bias_ih${sfx}`, shape: [g] }, { name: `bias_hh${sfx}`, shape: [g] });
      if (c.proj !== 0) out.push({ name: `weight_hr${sfx}`, shape: [c.proj, c.hidden] });
    }
  }
  return out;
}

function checkState(who: string, name: string, h: Value, expected: readonly Dim[]): void {
  if (h.kind !== 'tensor' || !h.shape) return;
  if (h.shape.length !== expected.length || h.shape.some((d, i) => dimEquals(d, expected[i]!) === false)) {
    throw new ShapeError(`${who} expects ${name} of shape ${listToString(expected)} but got ${shapeToString(h.shape)}`, 'hx');
  }
}

export function rnnShape(who: string, mode: RnnMode, c: RnnConfig, input: TensorType, hx: Value): Value {
  const hOut = c.proj !== 0 ? c.proj : c.hidden;
  const s = input.shape;
  if (!s) {
    const o = tensor(null, input.dtype);
    return mode === 'LSTM' ? tuple([o, tuple([o, o])]) : tuple([o, o]);
  }
  if (s.length !== 2 && s.length !== 3) {
    throw new ShapeError(`${who} expects a 2D (unbatched) or 3D (batched) input, but got ${shapeToString(s)}`, 'input');
  }
  const feat = s[s.length - 1]!;
  if (dimEquals(feat, c.inputSize) === false) {
    throw new ShapeError(`${who} expects input_size ${dimToString(c.inputSize)} but the input's last dim is ${dimToString(feat)} (input ${shapeToString(s)})`, 'input');
  }
  const batched = s.length === 3;
  const L = batched && c.batchFirst ? s[1]! : s[0]!;
  const N = batched ? (c.batchFirst ? s[0]! : s[1]!) : null;
  const outFeat = mul(c.directions, hOut);
  const output = batched ? (c.batchFirst ? [N!, L, outFeat] : [L, N!, outFeat]) : [L, outFeat];
  const stack = c.directions * c.layers;
  const hShape = batched ? [stack, N!, hOut] : [stack, hOut];
  const cShape = batched ? [stack, N!, c.hidden] : [stack, c.hidden];
  if (mode === 'LSTM') {
    if (hx.kind === 'tuple' && hx.items.length === 2) {
      checkState(who, 'h_0', hx.items[0]!, hShape);
      checkState(who, 'c_0', hx.items[1]!, cShape);
    } else if (hx.kind === 'tensor') {
      throw new ShapeError(`${who} expects hx as a tuple (h_0, c_0), but got a single tensor`, 'hx');
    }
    return tuple([tensor(output, input.dtype), tuple([tensor(hShape, input.dtype), tensor(cShape, input.dtype)])]);
  }
  checkState(who, 'h_0', hx, hShape);
  return tuple([tensor(output, input.dtype), tensor(hShape, input.dtype)]);
}

/** RNNCell/LSTMCell/GRUCell: input [N, input_size] or [input_size] -> h' (and c' for LSTM). */
export function cellShape(who: string, mode: RnnMode, inputSize: Dim, hidden: Dim, input: TensorType, hx: Value): Value {
  const s = input.shape;
  if (!s) {
    const o = tensor(null, input.dtype);
    return mode === 'LSTM' ? tuple([o, o]) : o;
  }
  if (s.length !== 1 && s.length !== 2) throw new ShapeError(`${who} expects a 1D (unbatched) or 2D (batched) input, but got ${shapeToString(s)}`, 'input');
  const feat = s[s.length - 1]!;
  if (dimEquals(feat, inputSize) === false) {
    throw new ShapeError(`${who} expects input_size ${dimToString(inputSize)} but the input's last dim is ${dimToString(feat)} (input ${shapeToString(s)})`, 'input');
  }
  const h = s.length === 2 ? [s[0]!, hidden] : [hidden];
  const states = mode === 'LSTM' && hx.kind === 'tuple' ? itemsOf(hx, 'hx', who) : [hx];
  for (const st of states) checkState(who, 'hx', st, h);
  return mode === 'LSTM' ? tuple([tensor(h, input.dtype), tensor(h, input.dtype)]) : tensor(h, input.dtype);
}

export const RNN_ATTRS: ParamSpec[] = [
  p('input_size'), p('hidden_size'), p('num_layers', int(1)), p('bias', bool(true)), p('batch_first', bool(false)),
  p('dropout', float(0)), p('bidirectional', bool(false)), p('proj_size', int(0)), p('nonlinearity', str('tanh')),
];

export function registerRnnOps(): void {
  // No public functional spelling: the engine executes nn.RNN/LSTM/GRU through these ops,
  // with the layer's attributes passed as arguments.
  for (const [name, mode] of [['rnn', 'RNN'], ['lstm', 'LSTM'], ['gru', 'GRU']] as const) {
    defineOp({
      name,
      params: [p('input'), p('hx', NONE), ...RNN_ATTRS],
      shape: (args) => rnnShape(name, mode, rnnConfig(args, name, mode), getTensor(args, 'input', name), args.hx ?? NONE),
      unknown: 'value',
    });
  }
}
