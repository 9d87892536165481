// Dropout family: the output has the input's shape; the probability must be in [0, 1].

import { shapeToString } from '../../shape/dim.js';
import { defineOp, fn, p } from '../common/define.js';
import { bool, float, getNumber, getTensor, tensor } from '../common/values.js';
import { ShapeError, type BoundArgs } from '../types.js';

export function checkProbability(args: BoundArgs, who: string): void {
  const prob = getNumber(args, 'p', who);
  if (prob !== null && (prob < 0 || prob > 1)) {
    throw new ShapeError(`${who}: dropout probability has to be between 0 and 1, but got ${prob}`, 'p');
  }
}

/** Dropout1d/2d/3d drop whole channels: [N, C, *spatial] or unbatched [C, *spatial]. */
export const CHANNEL_RANKS: Record<string, number[]> = { dropout1d: [2, 3], dropout2d: [3, 4], dropout3d: [4, 5] };

export function checkChannelDropoutRank(who: string, key: string, shape: readonly unknown[] | null): void {
  const ranks = CHANNEL_RANKS[key];
  if (ranks && shape && !ranks.includes(shape.length)) {
    throw new ShapeError(`${who} expects a ${ranks[0]}D (unbatched) or ${ranks[1]}D (batched) input, but got ${shapeToString(shape as never)}`, 'input');
  }
}

export function registerDropoutOps(): void {
  for (const name of ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']) {
    const op = defineOp({
      name,
      params: [p('input'), p('p', float(0.5)), p('training', bool(true)), p('inplace', bool(false))],
      shape: (args) => {
        const t = getTensor(args, 'input', name);
        checkProbability(args, name);
        checkChannelDropoutRank(name, name, t.shape);
        return tensor(t.shape, t.dtype);
      },
    });
    fn(`torch.nn.functional.${name}`, op);
    if (name === 'dropout' || name === 'alpha_dropout' || name === 'feature_alpha_dropout') {
      fn(`torch.${name}`, op, [p('input'), p('p'), p('train')]);
    }
  }
}
