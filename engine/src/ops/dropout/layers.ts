// Dropout layers.

import { defineLayer, p } from '../common/define.js';
import { bool, float, getTensor, tensor } from '../common/values.js';
import { checkChannelDropoutRank, checkProbability } from './shape.js';

export function registerDropoutLayers(): void {
  for (const [name, key] of [['Dropout', 'dropout'], ['Dropout1d', 'dropout1d'], ['Dropout2d', 'dropout2d'], ['Dropout3d', 'dropout3d'],
    ['AlphaDropout', 'alpha_dropout'], ['FeatureAlphaDropout', 'feature_alpha_dropout']] as const) {
    defineLayer({
      name,
      ctor: [p('p', float(0.5)), p('inplace', bool(false))],
      check: (a) => checkProbability(a, name),
      shape: (_a, args) => {
        const t = getTensor(args, 'input', name);
        checkChannelDropoutRank(name, key, t.shape);
        return tensor(t.shape, t.dtype);
      },
      category: 'dropout',
    });
  }
}
