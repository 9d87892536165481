// Normalisation: batch_norm, layer_norm, group_norm, instance_norm, rms_norm. All keep the
// input's shape; the rules check the channel / trailing dims against the statistics.

import { dimEquals, dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { listToString } from '../common/shapes.js';
import { bool, float, getConcreteInt, getOptTensor, getTensor, NONE, shapeArg, tensor, UNKNOWN } from '../common/values.js';
import { ShapeError, type TensorType } from '../types.js';

export function checkChannels(who: string, input: readonly Dim[], c: Dim, layer: boolean, what = 'channels'): void {
  if (input.length < 2) {
    throw new ShapeError(`${who} expects an input with at least 2 dims [N, C, ...], but got ${shapeToString(input)}`, 'input');
  }
  const got = input[1]!;
  if (dimEquals(got, c) === false) {
    throw new ShapeError(layer
      ? `${who} expects ${dimToString(c)} ${what} but the input has ${dimToString(got)} (input ${shapeToString(input)})`
      : `${who}: running_mean/weight have ${dimToString(c)} elements but the input has ${dimToString(got)} channels (input ${shapeToString(input)})`, 'input');
  }
}

export function checkNormalizedShape(who: string, input: readonly Dim[], normalized: readonly Dim[], layer: boolean): void {
  const n = normalized.length;
  const tail = input.slice(input.length - n);
  if (input.length < n || tail.some((d, i) => dimEquals(d, normalized[i]!) === false)) {
    throw new ShapeError(layer
      ? `${who} expects the input's last ${n === 1 ? 'dim to be' : `${n} dims to be`} ${listToString(normalized)} but the input is ${shapeToString(input)}`
      : `${who}: normalized_shape ${listToString(normalized)} does not match the last dims of the input ${shapeToString(input)}`, 'input');
  }
}

export function checkGroupNorm(who: string, input: readonly Dim[], groups: number, channels?: Dim): void {
  if (input.length < 2) throw new ShapeError(`${who} expects an input with at least 2 dims [N, C, ...], but got ${shapeToString(input)}`, 'input');
  const c = input[1]!;
  if (channels !== undefined && dimEquals(c, channels) === false) {
    throw new ShapeError(`${who} expects ${dimToString(channels)} channels but the input has ${dimToString(c)} (input ${shapeToString(input)})`, 'input');
  }
  if (typeof c === 'number' && c % groups !== 0) {
    throw new ShapeError(`${who}: the input's ${c} channels are not divisible by num_groups ${groups} (input ${shapeToString(input)})`, 'input');
  }
}

const keep = (t: TensorType): TensorType => tensor(t.shape, t.dtype);

export function registerNormOps(): void {
  const batchNorm = defineOp({
    name: 'batch_norm',
    params: [p('input'), p('running_mean'), p('running_var'), p('weight', NONE), p('bias', NONE), p('training', bool(false)),
      p('momentum', float(0.1)), p('eps', float(1e-5))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'batch_norm');
      const stats = ['running_mean', 'running_var', 'weight', 'bias'].map((n) => getOptTensor(args, n, 'batch_norm')).find((x) => x?.shape);
      if (t.shape && stats?.shape && stats.shape.length === 1) checkChannels('batch_norm', t.shape, stats.shape[0]!, false);
      return keep(t);
    },
  });
  fn(['torch.nn.functional.batch_norm', 'torch.batch_norm'], batchNorm);

  const instanceNorm = defineOp({
    name: 'instance_norm',
    params: [p('input'), p('running_mean', NONE), p('running_var', NONE), p('weight', NONE), p('bias', NONE), p('use_input_stats', bool(true)),
      p('momentum', float(0.1)), p('eps', float(1e-5))],
    shape: (args) => keep(getTensor(args, 'input', 'instance_norm')),
  });
  fn(['torch.nn.functional.instance_norm', 'torch.instance_norm'], instanceNorm);

  const layerNorm = defineOp({
    name: 'layer_norm',
    params: [p('input'), p('normalized_shape'), p('weight', NONE), p('bias', NONE), p('eps', float(1e-5))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'layer_norm');
      const ns = shapeArg(args.normalized_shape ?? UNKNOWN, 'normalized_shape', 'layer_norm');
      if (t.shape) checkNormalizedShape('layer_norm', t.shape, ns, false);
      return keep(t);
    },
  });
  fn(['torch.nn.functional.layer_norm', 'torch.layer_norm'], layerNorm);

  const groupNorm = defineOp({
    name: 'group_norm',
    params: [p('input'), p('num_groups'), p('weight', NONE), p('bias', NONE), p('eps', float(1e-5))],
    shape: (args) => {
      const t = getTensor(args, 'input', 'group_norm');
      const g = getConcreteInt(args, 'num_groups', 'group_norm');
      if (t.shape) checkGroupNorm('group_norm', t.shape, g);
      return keep(t);
    },
  });
  fn(['torch.nn.functional.group_norm', 'torch.group_norm'], groupNorm);

  const rmsNorm = defineOp({
    name: 'rms_norm',
    params: [p('input'), p('normalized_shape'), p('weight', NONE), p('eps', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'rms_norm');
      const ns = shapeArg(args.normalized_shape ?? UNKNOWN, 'normalized_shape', 'rms_norm');
      if (t.shape) checkNormalizedShape('rms_norm', t.shape, ns, false);
      return keep(t);
    },
  });
  fn(['torch.nn.functional.rms_norm', 'torch.rms_norm'], rmsNorm);

  const normalize = defineOp({
    name: 'normalize',
    params: [p('input'), p('p', float(2)), p('dim', { kind: 'int', value: 1 }), p('eps', float(1e-12)), p('out', NONE)],
    shape: (args) => keep(getTensor(args, 'input', 'normalize')),
  });
  fn('torch.nn.functional.normalize', normalize);
}
