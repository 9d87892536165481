// einops patterns: one side of `'b c (h w) -> b (c h) w'` parsed the way einops' ParsedExpression
// does (einops/parsing.py), so the same patterns are accepted and the same ones refused, with
// einops' own error wording (a user can search for it). Pure: no shapes here.

import { ShapeError } from '../types.js';

/**
 * An elementary axis, by key: a name (`h`), an anonymous axis (`#3:2`, each occurrence its own
 * axis, as in einops where anonymous axes never equal each other) or the ellipsis (`…`).
 */
export type AxisKey = string;
export const ELLIPSIS = '…' as const;

export interface ParsedSide {
  /** One entry per written dim: its elementary axes (`[]` for `()` or `1`); the ellipsis alone is `ELLIPSIS`. */
  readonly composition: readonly (readonly AxisKey[] | typeof ELLIPSIS)[];
  readonly identifiers: ReadonlySet<AxisKey>;
  readonly hasEllipsis: boolean;
  /** The ellipsis sits inside parentheses (`(... c)`), allowed on the right only. */
  readonly hasEllipsisParenthesized: boolean;
  readonly hasNonUnitaryAnonymousAxes: boolean;
}

// Anonymous axes are keyed `#<occurrence>:<length>`: each occurrence its own axis, its length in the key.
let anonymousCounter = 0;

export function isAnonymous(k: AxisKey): boolean { return k.startsWith('#'); }
export function anonymousLength(k: AxisKey): number | undefined { return isAnonymous(k) ? Number(k.slice(k.indexOf(':') + 1)) : undefined; }
/** How an axis key reads in a message: `h`, `2`, `...`. */
export function axisText(k: AxisKey): string {
  if (k === ELLIPSIS) return '...';
  if (isAnonymous(k)) return String(anonymousLength(k));
  return k;
}
/** A set written the way Python prints it in einops' messages: `{'c', 'd'}` (sorted, for stable text). */
export function pySet(keys: Iterable<AxisKey>): string {
  const items = [...keys].map((k) => (isAnonymous(k) ? `${axisText(k)}-axis` : `'${k}'`)).sort();
  return `{${items.join(', ')}}`;
}

/** A pattern that einops refuses, whatever the tensor: always a definite error. */
export function patternError(message: string): ShapeError {
  return new ShapeError(message, 'pattern');
}

/** einops' check_axis_name_return_reason: null when valid, else the reason. */
export function axisNameProblem(name: string, allowUnderscore = false): string | null {
  // Python's str.isidentifier (keywords pass it: einops only warns about them).
  if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) return 'not a valid python identifier';
  if (name.startsWith('_') || name.endsWith('_')) {
    if (name === '_' && allowUnderscore) return null;
    return 'axis name should should not start or end with underscore';
  }
  return null;
}

/** Parse one side of a pattern (einops' ParsedExpression). Throws ShapeError with einops' wording. */
export function parseSide(expression: string, opts: { allowUnderscore?: boolean; allowDuplicates?: boolean } = {}): ParsedSide {
  const composition: (AxisKey[] | typeof ELLIPSIS)[] = [];
  const identifiers = new Set<AxisKey>();
  let hasEllipsis = false;
  let hasEllipsisParenthesized = false;
  let hasNonUnitary = false;
  let expr = expression;
  if (expr.includes('.')) {
    if (!expr.includes('...')) throw patternError('Expression may contain dots only inside ellipsis (...)');
    if (expr.split('...').length !== 2 || expr.split('.').length !== 4) {
      throw patternError('Expression may contain dots only inside ellipsis (...); only one ellipsis for tensor ');
    }
    expr = expr.replace('...', ELLIPSIS);
    hasEllipsis = true;
  }
  let group: AxisKey[] | null = null;

  const addAxis = (x: string): void => {
    if (identifiers.has(x) && !(opts.allowUnderscore && x === '_') && !opts.allowDuplicates) {
      throw patternError(`Indexing expression contains duplicate dimension "${x}"`);
    }
    if (x === ELLIPSIS) {
      identifiers.add(ELLIPSIS);
      if (group === null) composition.push(ELLIPSIS);
      else { group.push(ELLIPSIS); hasEllipsisParenthesized = true; }
    } else if (x === '1') {
      // A length-1 axis: an empty composition outside brackets, nothing inside them.
      if (group === null) composition.push([]);
    } else if (/^[0-9]+$/.test(x)) {
      const value = Number(x);
      if (value <= 1) throw patternError(value === 1 ? 'No need to create anonymous axis of length 1. Report this as an issue' : `Anonymous axis should have positive length, not ${value}`);
      const key = `#${++anonymousCounter}:${value}`;
      hasNonUnitary = true;
      identifiers.add(key);
      if (group === null) composition.push([key]);
      else group.push(key);
    } else {
      const problem = axisNameProblem(x, opts.allowUnderscore);
      if (problem) throw patternError(`Invalid axis identifier: ${x} (${problem})`);
      identifiers.add(x);
      if (group === null) composition.push([x]);
      else group.push(x);
    }
  };

  let current: string | null = null;
  for (const ch of expr) {
    if (ch === '(' || ch === ')' || ch === ' ') {
      if (current !== null) addAxis(current);
      current = null;
      if (ch === '(') {
        if (group !== null) throw patternError('Axis composition is one-level (brackets inside brackets not allowed)');
        group = [];
      } else if (ch === ')') {
        if (group === null) throw patternError('Brackets are not balanced');
        composition.push(group);
        group = null;
      }
    } else if (/[\p{L}\p{N}_]/u.test(ch) || ch === ELLIPSIS) {
      current = current === null ? ch : current + ch;
    } else if (/\s/.test(ch)) {
      // einops splits on ' ' only; tabs and newlines in a pattern are rare but harmless: treat as spaces.
      if (current !== null) addAxis(current);
      current = null;
    } else {
      throw patternError(`Unknown character '${ch}'`);
    }
  }
  if (group !== null) throw patternError(`Imbalanced parentheses in expression: "${expression}"`);
  if (current !== null) addAxis(current);
  return { composition, identifiers, hasEllipsis, hasEllipsisParenthesized, hasNonUnitaryAnonymousAxes: hasNonUnitary };
}

/** Split `'left -> right'`; einops requires exactly one arrow. */
export function splitArrow(pattern: string): [string, string] {
  const parts = pattern.split('->');
  if (parts.length !== 2) {
    throw patternError(parts.length === 1 ? `Pattern "${pattern}" has no "->"` : `Pattern "${pattern}" has more than one "->"`);
  }
  return [parts[0]!, parts[1]!];
}

/** pack/unpack patterns (`'b * d'`): einops' analyze_pattern -> [axes before *, axes after *, minimum rank]. */
export function analyzePackPattern(pattern: string, opname: 'pack' | 'unpack'): [number, number, number] {
  const axes = pattern.split(/\s+/).filter((a) => a.length > 0);
  if (new Set(axes).size !== axes.length) throw patternError(`Duplicates in axes names in ${opname}(..., "${pattern}")`);
  if (!axes.includes('*')) throw patternError(`No *-axis in ${opname}(..., "${pattern}")`);
  for (const a of axes) {
    if (a !== '*' && axisNameProblem(a)) throw patternError(`Invalid axis name ${a} in ${opname}(..., "${pattern}")`);
  }
  const before = axes.indexOf('*');
  const after = axes.length - before - 1;
  return [before, after, before + after];
}
