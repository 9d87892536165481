// einops.layers.torch.Rearrange / Reduce: the ops of shape.ts as modules. einops builds the recipe
// when the layer is constructed, so a pattern that cannot work is reported at the constructor.
//
// Not in the op index's FAMILIES yet: a registered layer needs an engine implementation
// (engine/src/nn/layers_impl.ts, test/engine/nn_layers.test.ts checks) and the frontend resolves
// only torch.nn.* to layers today. See the einops report for the lines that wire them.

import { mul, sym, type Dim } from '../../shape/dim.js';
import { defineLayer, p } from '../common/define.js';
import { getStr, tensor } from '../common/values.js';
import { ShapeError, type BoundArgs, type TensorType, type Value } from '../types.js';
import { anonymousLength, ELLIPSIS, isAnonymous, parseSide, splitArrow } from './pattern.js';
import { checkPatternOnly, type Operation } from './recipe.js';
import { AXES_LENGTHS, axesLengthsOf, transformShape } from './shape.js';

/**
 * The input a layer's pattern describes, for analysing a module with no example call:
 * `'b c (h p1) (w p2) -> ...'` with p1=16, p2=16 reads `[b, c, 16*h, 16*w]`. Unknown with an ellipsis.
 */
function patternInput(who: string, a: BoundArgs): TensorType | null {
  const left = parseSide(splitArrow(getStr(a, 'pattern', who))[0]);
  if (left.hasEllipsis) return null;
  const given = new Map(axesLengthsOf(a));
  const dims = left.composition.map((g) => (g === ELLIPSIS ? 1 : g.reduce<Dim>((acc, k) => mul(acc, isAnonymous(k) ? anonymousLength(k)! : given.get(k) ?? sym(k)), 1)));
  return tensor(dims);
}

function reductionOf(a: BoundArgs): Operation {
  const v: Value | undefined = a.reduction;
  if (v?.kind === 'str' && v.value !== null) {
    if (!['min', 'max', 'sum', 'mean', 'prod', 'any', 'all'].includes(v.value)) {
      throw new ShapeError(`Reduce: Unknown reduction ${v.value}. Expect one of ('min', 'max', 'sum', 'mean', 'prod', 'any', 'all').`, 'reduction');
    }
    return v.value as Operation;
  }
  return null;
}

export function registerEinopsLayers(): void {
  defineLayer({
    name: 'Rearrange',
    ctor: [p('pattern'), AXES_LENGTHS],
    check: (a) => checkPatternOnly('Rearrange', getStr(a, 'pattern', 'Rearrange'), 'rearrange', axesLengthsOf(a)),
    shape: (a, args) => transformShape('Rearrange', args, 'rearrange', getStr(a, 'pattern', 'Rearrange'), axesLengthsOf(a)),
    symbolicInput: (a) => patternInput('Rearrange', a),
    category: 'shape',
  });
  defineLayer({
    name: 'Reduce',
    ctor: [p('pattern'), p('reduction'), AXES_LENGTHS],
    check: (a) => checkPatternOnly('Reduce', getStr(a, 'pattern', 'Reduce'), reductionOf(a), axesLengthsOf(a)),
    shape: (a, args) => transformShape('Reduce', args, reductionOf(a), getStr(a, 'pattern', 'Reduce'), axesLengthsOf(a)),
    symbolicInput: (a) => patternInput('Reduce', a),
    category: 'pool',
  });
}
