// What an einops pattern does to a shape, written once over symbolic sizes: the shape rules use
// it with `Dim`s (unknown sizes as null), the engine's composites with plain numbers, so the plan
// a composite executes is the plan the shape rule checked. Follows einops' own recipe
// (einops/einops.py: _prepare_transformation_recipe, _reconstruct_from_shape): reshape the input
// into its elementary axes, permute, reduce the trailing reduced axes, insert repeated axes, reshape
// into the right side's compositions. Errors keep einops' wording.

import { add, dimEquals, dimToString, exactDiv, floordiv, mul, opaque, sub, type Dim } from '../../shape/dim.js';
import { ShapeError } from '../types.js';
import { analyzePackPattern, anonymousLength, axisNameProblem, axisText, ELLIPSIS, isAnonymous, parseSide, patternError, pySet, splitArrow, type AxisKey, type ParsedSide } from './pattern.js';

/** A size the rule may not know (null). */
export type Size = Dim | null;

/** The einops reductions; `rearrange`/`repeat` are reduce() with those names, as in einops. */
export const REDUCTIONS = ['min', 'max', 'sum', 'mean', 'prod', 'any', 'all'] as const;
export type Reduction = (typeof REDUCTIONS)[number];
/** What the transform does: a rearrange, a repeat, a named reduction, or a callable reduction (null). */
export type Operation = 'rearrange' | 'repeat' | Reduction | null;

export interface Plan {
  /** Reshape into the elementary axes first (null when every input dim is one axis). */
  readonly initShape: readonly Size[] | null;
  /** Permutation of the elementary axes (kept axes in output order, then the reduced ones); null = identity. */
  readonly permutation: readonly number[] | null;
  /** Dims (after the permutation) to reduce: the trailing ones. */
  readonly reducedAxes: readonly number[];
  /** Repeat's new axes: [position in the result's elementary axes, length], ascending. */
  readonly addedAxes: readonly (readonly [number, Size])[];
  /** The last reshape into the right side's compositions (null when not needed). */
  readonly finalShape: readonly Size[] | null;
  /**
   * The result's shape. A size the rule cannot know is an opaque dim named after its axes (`d`,
   * `h*w`): it prints the pattern's own name and is the same in every analysis of the same code.
   */
  readonly output: readonly Dim[];
}

const opText = (op: Operation): string => (op === null ? 'callable' : op);

function product(sizes: readonly Size[]): Size {
  let p: Dim = 1;
  for (const s of sizes) {
    if (s === null) return null;
    p = mul(p, s);
  }
  return p;
}

const sizeText = (s: Size): string => (s === null ? '?' : dimToString(s));

/** Checks that need only the pattern and the names of the given axes (einops checks them for any tensor). */
function checkIdentifiers(pattern: string, op: Operation, left: ParsedSide, right: ParsedSide, names: readonly string[], fail: (m: string, arg?: string) => never): void {
  if (!left.hasEllipsis && right.hasEllipsis) fail(`Ellipsis found in right side, but not left side of a pattern ${pattern}`);
  if (left.hasEllipsis && left.hasEllipsisParenthesized) fail(`Ellipsis inside parenthesis in the left side is not allowed: ${pattern}`);
  const onlyIn = (a: ParsedSide, b: ParsedSide): AxisKey[] => [...a.identifiers].filter((k) => !b.identifiers.has(k));
  if (op === 'rearrange') {
    if (left.hasNonUnitaryAnonymousAxes || right.hasNonUnitaryAnonymousAxes) fail('Non-unitary anonymous axes are not supported in rearrange (exception is length 1)');
    const diff = [...onlyIn(left, right), ...onlyIn(right, left)];
    if (diff.length > 0) fail(`Identifiers only on one side of expression (should be on both): ${pySet(diff)}`);
  } else if (op === 'repeat') {
    const diff = onlyIn(left, right);
    if (diff.length > 0) fail(`Unexpected identifiers on the left side of repeat: ${pySet(diff)}`);
    const given = new Set<AxisKey>([...left.identifiers, ...names]);
    const withoutSize = [...right.identifiers].filter((k) => !isAnonymous(k) && !given.has(k));
    if (withoutSize.length > 0) fail(`Specify sizes for new axes in repeat: ${pySet(withoutSize)}`, 'axes_lengths');
  } else {
    const diff = onlyIn(right, left);
    if (diff.length > 0) fail(`Unexpected identifiers on the right side of reduce ${opText(op)}: ${pySet(diff)}`);
  }
}

/**
 * The plan of `rearrange`/`repeat`/`reduce(pattern)` on an input of `shape` (null: rank unknown)
 * with the keyword axis lengths `axes` (a null length: given, value unknown). Returns null when the
 * result's rank is not known (unknown rank and an ellipsis). Throws ShapeError where einops raises.
 */
export function planTransform(
  who: string,
  pattern: string,
  op: Operation,
  shape: readonly Size[] | null,
  axes: readonly (readonly [string, Size])[],
): Plan | null {
  const context = (): string => ` (pattern "${pattern}"${shape ? `, input [${shape.map(sizeText).join(', ')}]` : ''}${axes.length ? `, ${axes.map(([n, v]) => `${n}=${sizeText(v)}`).join(', ')}` : ''})`;
  const fail = (message: string, arg = 'pattern'): never => { throw new ShapeError(`${who}: ${message}${context()}`, arg); };
  const [leftText, rightText] = splitArrow(pattern);
  let left: ParsedSide, right: ParsedSide;
  try {
    left = parseSide(leftText);
    right = parseSide(rightText);
  } catch (e) {
    if (e instanceof ShapeError) fail(e.message);
    throw e;
  }
  const names = axes.map(([n]) => n);
  checkIdentifiers(pattern, op, left!, right!, names, fail);
  left = left!; right = right!;

  // The ellipsis stands for as many axes as the input has beyond the named ones.
  let ellipsisRank: number | null = 0;
  if (left.hasEllipsis) {
    const others = left.composition.length - 1;
    if (shape && shape.length < others) fail(`Wrong shape: expected >=${others} dims. Received ${shape.length}-dim tensor.`, 'input');
    ellipsisRank = shape ? shape.length - others : null;
  } else if (shape && shape.length !== left.composition.length) {
    fail(`Wrong shape: expected ${left.composition.length} dims. Received ${shape.length}-dim tensor.`, 'input');
  }

  const used = new Set<AxisKey>([...left.identifiers, ...right.identifiers]);
  for (const n of names) {
    if (axisNameProblem(n)) fail(`Invalid name for an axis ${n}`, 'axes_lengths');
    if (!used.has(n) || n === ELLIPSIS) fail(`Axis ${n} is not used in transform`, 'axes_lengths');
  }
  const given = new Map<AxisKey, Size>(axes.map(([n, v]) => [n, v]));
  const isKnown = (k: AxisKey): boolean => isAnonymous(k) || given.has(k);
  for (const g of left.composition) {
    if (g === ELLIPSIS) continue;
    const unknown = g.filter((k) => !isKnown(k));
    if (unknown.length > 1) fail(`Could not infer sizes for ${pySet(unknown)}`, 'axes_lengths');
  }
  if (ellipsisRank === null) return null;

  // Expand the ellipsis into its axes (…0, …1, ...) on both sides.
  const ell = Array.from({ length: ellipsisRank }, (_, i) => `${ELLIPSIS}${i}`);
  const leftComp: AxisKey[][] = [];
  for (const g of left.composition) {
    if (g === ELLIPSIS) for (const a of ell) leftComp.push([a]);
    else leftComp.push([...g]);
  }
  const rightComp: AxisKey[][] = [];
  for (const g of right.composition) {
    if (g === ELLIPSIS) for (const a of ell) rightComp.push([a]);
    else rightComp.push(g.flatMap((a) => (a === ELLIPSIS ? ell : [a])));
  }
  const input: readonly Size[] = shape ?? leftComp.map(() => null);

  // Sizes of the elementary axes: given (keywords, anonymous), else inferred from the input dim.
  const length = new Map<AxisKey, Size>();
  const lengthOf = (k: AxisKey): Size => (isAnonymous(k) ? anonymousLength(k)! : given.has(k) ? given.get(k)! : length.get(k) ?? null);
  leftComp.forEach((g, i) => {
    const L = input[i]!;
    const known = g.filter(isKnown);
    const unknown = g.filter((k) => !isKnown(k));
    const K = product(known.map(lengthOf));
    if (unknown.length === 0) {
      if (L !== null && K !== null && dimEquals(L, K) === false) fail(`Shape mismatch, ${dimToString(L)} != ${dimToString(K)}`, 'input');
      return;
    }
    const u = unknown[0]!;
    if (known.length === 0) { length.set(u, L); return; }
    if (L === null || K === null) { length.set(u, null); return; }
    if (typeof L === 'number' && typeof K === 'number') {
      if (K === 0) { length.set(u, null); return; }
      if (L % K !== 0) fail(`Shape mismatch, can't divide axis of length ${L} in chunks of ${K}`, 'input');
      length.set(u, L / K);
      return;
    }
    length.set(u, exactDiv(L, K) ?? floordiv(L, K));
  });

  // A right composition that contains a whole left composition has that input dim as a factor:
  // `b (h d) -> b h d -> b (h d)` gives back C, not h*(C//h).
  const leftWholes = leftComp.map((g, i) => ({ axes: g, size: input[i]! })).filter((w) => w.axes.length > 1 && w.size !== null);
  const groupSize = (g: readonly AxisKey[]): Dim => {
    let rest = [...g];
    let p: Dim = 1;
    for (const w of leftWholes) {
      if (w.axes.every((a) => rest.includes(a))) {
        rest = rest.filter((a) => !w.axes.includes(a));
        p = mul(p, w.size!);
      }
    }
    for (const a of rest) p = mul(p, lengthOf(a) ?? opaque(axisText(a)));
    return p;
  };

  const leftElems = leftComp.flat();
  const rightElems = rightComp.flat();
  const inLeft = new Set(leftElems);
  const inRight = new Set(rightElems);
  const reduced = leftElems.filter((a) => !inRight.has(a));
  const order = [...rightElems.filter((a) => inLeft.has(a)), ...reduced];
  const permutation = order.map((a) => leftElems.indexOf(a));
  const output = rightComp.map(groupSize);
  return {
    initShape: leftComp.some((g) => g.length !== 1) ? leftElems.map(lengthOf) : null,
    permutation: permutation.every((p, i) => p === i) ? null : permutation,
    reducedAxes: reduced.map((_, i) => order.length - reduced.length + i),
    addedAxes: rightElems.flatMap((a, i) => (inLeft.has(a) ? [] : [[i, lengthOf(a)] as const])),
    finalShape: rightComp.some((g) => g.length !== 1) ? output : null,
    output,
  };
}

/** The left side of a pattern (checked as einops checks it at construction), for layers built before any input. */
export function checkPatternOnly(who: string, pattern: string, op: Operation, axes: readonly (readonly [string, Size])[]): void {
  planTransform(who, pattern, op, null, axes);
}

// ---- einops.einsum --------------------------------------------------------------------------

export interface EinsumSpec {
  /** torch.einsum's equation, one letter per axis name (einops' _compactify_pattern_for_einsum). */
  readonly equation: string;
  /** Per operand: its axis names in order, ELLIPSIS for `...`. */
  readonly operands: readonly (readonly AxisKey[])[];
  readonly output: readonly AxisKey[];
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Parse `'b h i d, b h j d -> b h i j'`; throws with einops' wording. */
export function parseEinsum(pattern: string): EinsumSpec {
  if (!pattern.includes('->')) throw patternError("Einsum pattern must contain '->'.");
  const [lefts, rightText] = splitArrow(pattern);
  const sides = lefts.split(',').map((s) => parseSide(s, { allowUnderscore: true, allowDuplicates: true }));
  const right = parseSide(rightText, { allowUnderscore: true });
  const mapping = new Map<AxisKey, string>();
  const axisOf = (g: readonly AxisKey[] | typeof ELLIPSIS): AxisKey => {
    if (g === ELLIPSIS) return ELLIPSIS;
    if (g.length === 0) throw patternError('Singleton () axes are not yet supported in einsum.');
    if (g.length > 1) throw patternError('Shape rearrangement is not yet supported in einsum.');
    if (isAnonymous(g[0]!)) throw patternError('Anonymous axes are not yet supported in einsum.');
    return g[0]!;
  };
  const operands = sides.map((side) => side.composition.map((g) => {
    const a = axisOf(g);
    if (a !== ELLIPSIS && !mapping.has(a)) {
      if (mapping.size >= LETTERS.length) throw patternError('Too many axes in einsum.');
      mapping.set(a, LETTERS[mapping.size]!);
    }
    return a;
  }));
  const output = right.composition.map((g) => {
    const a = axisOf(g);
    if (a !== ELLIPSIS && !mapping.has(a)) throw patternError(`Unknown axis ${a} on right side of einsum ${pattern}.`);
    return a;
  });
  const spell = (axes: readonly AxisKey[]): string => axes.map((a) => (a === ELLIPSIS ? '...' : mapping.get(a)!)).join('');
  return { equation: `${operands.map(spell).join(',')}->${spell(output)}`, operands, output };
}

// ---- pack / unpack --------------------------------------------------------------------------

/** pack's result shape and packed shapes (einops' pack); sizes may be null (unknown). */
export function planPack(who: string, pattern: string, shapes: readonly (readonly Size[] | null)[]): { output: Size[] | null; packed: (Size[] | null)[] } {
  const [before, after, min] = analyzePackPattern(pattern, 'pack');
  if (shapes.length === 0) throw new ShapeError(`${who}: pack needs at least one tensor (pattern "${pattern}")`, 'tensors');
  const packed: (Size[] | null)[] = [];
  let outer: Size[] | null = null;
  let total: Size = 0;
  let rankKnown = true;
  shapes.forEach((s, i) => {
    if (!s) { packed.push(null); total = null; rankKnown = false; return; }
    if (s.length < min) {
      throw new ShapeError(`${who}: packed tensor #${i} (enumeration starts with 0) has shape [${s.map(sizeText).join(', ')}], while pattern ${pattern} assumes at least ${min} axes`, 'tensors');
    }
    const mid = s.slice(before, s.length - after);
    packed.push([...mid]);
    const n = product(mid);
    total = total === null || n === null ? null : add(total, n);
    const others = [...s.slice(0, before), ...s.slice(s.length - after)];
    if (!outer) { outer = others; return; }
    // torch.cat: every other dim must agree.
    others.forEach((d, j) => {
      const prev = outer![j]!;
      if (d !== null && prev !== null && dimEquals(prev, d) === false) {
        const dim = j < before ? j : j + 1;
        throw new ShapeError(`${who}: Sizes of tensors must match except in dimension ${before}. Expected size ${dimToString(prev)} but got size ${dimToString(d)} for tensor number ${i} in the list (dim ${dim}, pattern "${pattern}")`, 'tensors');
      }
      if (prev === null) outer![j] = d;
    });
  });
  if (!rankKnown || !outer) return { output: null, packed };
  const o: Size[] = outer;
  return { output: [...o.slice(0, before), total, ...o.slice(before)], packed };
}

/** unpack's output shapes: `packedShapes` items are lists of sizes (one may hold -1) or null (unknown). */
export function planUnpack(who: string, pattern: string, shape: readonly Size[] | null, packedShapes: readonly (readonly Size[] | null)[]): (Size[] | null)[] {
  const [before, after] = analyzePackPattern(pattern, 'unpack');
  if (shape && shape.length !== before + 1 + after) {
    throw new ShapeError(`${who}: unpack(..., ${pattern}) received input of wrong dim with shape [${shape.map(sizeText).join(', ')}]`, 'input');
  }
  const lengths: (Size | -1)[] = packedShapes.map((ps) => (ps === null ? null : ps.includes(-1) ? -1 : product(ps)));
  const nMinus = lengths.filter((x) => x === -1).length;
  if (nMinus > 1) throw new ShapeError(`${who}: unpack(..., ${pattern}) received more than one -1 in the packed shapes and can't infer dimensions`, 'packed_shapes');
  const axis = shape ? shape[before]! : null;
  const describePs = (): string => `[${packedShapes.map((ps) => (ps === null ? '?' : `(${ps.map(sizeText).join(', ')})`)).join(', ')}]`;
  // The -1 item's length: the axis minus the others.
  let inferred: Size = null;
  const knownSum = lengths.reduce<Size>((acc, x) => (acc === null || x === null || x === -1 ? (x === -1 ? acc : null) : add(acc, x)), 0);
  if (axis !== null && knownSum !== null) {
    if (nMinus === 0 && dimEquals(axis, knownSum) === false) {
      throw new ShapeError(`${who}: Error during unpack(..., "${pattern}"): could not split axis of size ${dimToString(axis)} into requested ${describePs()}`, 'packed_shapes');
    }
    if (nMinus === 1) inferred = sub(axis, knownSum);
    if (typeof inferred === 'number' && inferred < 0) {
      throw new ShapeError(`${who}: Error during unpack(..., "${pattern}"): could not split axis of size ${dimToString(axis)} into requested ${describePs()}`, 'packed_shapes');
    }
  }
  const startDims: Size[] = shape ? shape.slice(0, before) : Array<Size>(before).fill(null);
  const endDims: Size[] = shape ? shape.slice(before + 1) : Array<Size>(after).fill(null);
  return packedShapes.map((ps) => {
    if (ps === null) return null;
    const mid = ps.map((d) => {
      if (d !== -1) return d;
      const rest = product(ps.filter((x) => x !== -1));
      if (inferred === null || rest === null) return null;
      if (typeof inferred === 'number' && typeof rest === 'number') {
        if (rest === 0 || inferred % rest !== 0) {
          throw new ShapeError(`${who}: Error during unpack(..., "${pattern}"): could not split axis of size ${sizeText(axis)} into requested ${describePs()}`, 'packed_shapes');
        }
        return inferred / rest;
      }
      return exactDiv(inferred, rest) ?? floordiv(inferred, rest);
    });
    return [...startDims, ...mid, ...endDims];
  });
}
