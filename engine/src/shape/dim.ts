// Symbolic dimensions: the ground floor under shape inference and the engine.
//
// A Dim is either a plain non-negative integer or a symbolic expression over named sizes
// (`N`, `H`, `batch`). Symbolic expressions are kept in one canonical form — a polynomial
// whose atoms are symbols or floor-divisions/modulos of a polynomial by a constant — so that
// equal expressions print equally and `H - H` folds to 0. Equality is three-valued: two dims
// are definitely equal, definitely different (their difference is a non-zero constant, or both
// are different integers), or unknown (the user may bind the symbols either way). Shape errors
// are only reported for definite mismatches.

export type Dim = number | SymDim;

/** A non-constant polynomial. Construct only through the functions below. */
export class SymDim {
  /** @internal monomial key -> coefficient; key '' is the constant term. */
  readonly terms: ReadonlyMap<string, number>;
  /** @internal monomial key -> the atoms multiplied in it (in the order first multiplied, for display). */
  readonly monos: ReadonlyMap<string, readonly Atom[]>;
  private text: string | undefined;
  /** @internal */
  constructor(terms: Map<string, number>, monos: Map<string, readonly Atom[]>) {
    this.terms = terms;
    this.monos = monos;
  }
  toString(): string {
    return (this.text ??= polyToString(this));
  }
}

type Atom =
  | { kind: 'sym'; name: string; key: string }
  | { kind: 'floordiv' | 'mod'; arg: SymDim; by: number; key: string }
  | { kind: 'opaque'; text: string; key: string };

type Poly = { terms: Map<string, number>; monos: Map<string, readonly Atom[]> };

function fromPoly(p: Poly): Dim {
  for (const [k, c] of p.terms) if (c === 0) { p.terms.delete(k); p.monos.delete(k); }
  if (p.terms.size === 0) return 0;
  if (p.terms.size === 1 && p.terms.has('')) return p.terms.get('')!;
  return new SymDim(p.terms, p.monos);
}

function toPoly(d: Dim): Poly {
  if (typeof d === 'number') {
    return { terms: new Map(d === 0 ? [] : [['', d]]), monos: new Map(d === 0 ? [] : [['', []]]) };
  }
  return { terms: new Map(d.terms), monos: new Map(d.monos) };
}

function atomDim(a: Atom): SymDim {
  return new SymDim(new Map([[a.key, 1]]), new Map([[a.key, [a]]]));
}

/** A named size, e.g. `sym('N')`. */
export function sym(name: string): SymDim {
  return atomDim({ kind: 'sym', name, key: `s:${name}` });
}

/** A size we know exists but cannot express (e.g. the result of an unknown call). */
export function opaque(text: string): SymDim {
  return atomDim({ kind: 'opaque', text, key: `o:${text}` });
}

let unknownCounter = 0;
/**
 * A size nothing is known about (e.g. where two branches disagree). Prints as `label` but never
 * equals any other dim, even another unknown: each call gets its own atom.
 */
export function unknownDim(label = '?'): SymDim {
  unknownCounter++;
  return atomDim({ kind: 'opaque', text: label, key: `u:${unknownCounter}` });
}

export function isConcrete(d: Dim): d is number {
  return typeof d === 'number';
}

export function add(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const p = toPoly(a);
  const q = typeof b === 'number' ? toPoly(b) : b;
  for (const [k, c] of q.terms) {
    p.terms.set(k, (p.terms.get(k) ?? 0) + c);
    if (!p.monos.has(k)) p.monos.set(k, q.monos.get(k)!);
  }
  return fromPoly(p);
}

export function neg(a: Dim): Dim {
  return mul(a, -1);
}

export function sub(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return add(a, neg(b));
}

export function mul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (a === 0 || b === 0) return 0;
  const p = toPoly(a);
  const q = toPoly(b);
  const out: Poly = { terms: new Map(), monos: new Map() };
  for (const [ka, ca] of p.terms) {
    for (const [kb, cb] of q.terms) {
      // The key is order-free (sorted) for equality; the atoms keep the order they were
      // multiplied in, so N*C*H*W prints the way the user wrote it.
      const atoms = [...p.monos.get(ka)!, ...q.monos.get(kb)!];
      const key = monoKey(atoms);
      out.terms.set(key, (out.terms.get(key) ?? 0) + ca * cb);
      if (!out.monos.has(key)) out.monos.set(key, atoms);
    }
  }
  return fromPoly(out);
}

/** `X//a + c` (one floor atom with coefficient 1, plus a constant), or undefined. */
function nestedFloor(p: SymDim): { arg: SymDim; by: number; c: number } | undefined {
  let atom: Atom | undefined;
  for (const [k, coef] of p.terms) {
    if (k === '') continue;
    const atoms = p.monos.get(k)!;
    if (atom || coef !== 1 || atoms.length !== 1 || atoms[0]!.kind !== 'floordiv') return undefined;
    atom = atoms[0];
  }
  if (!atom || atom.kind !== 'floordiv' || atom.by <= 0) return undefined;
  return { arg: atom.arg, by: atom.by, c: p.terms.get('') ?? 0 };
}

function monoKey(atoms: readonly Atom[]): string {
  return atoms.map((x) => x.key).sort().join('*');
}

/** Python's `a // b`. Symbolic divisors give an opaque atom. */
export function floordiv(a: Dim, b: Dim): Dim {
  if (typeof b === 'number') {
    if (b === 0) return opaque(`(${dimToString(a)})//0`);
    if (typeof a === 'number') return Math.floor(a / b);
    if (b === 1) return a;
    if (b < 0) return floordiv(neg(a), -b);
    // Pull out the terms whose coefficients b divides: (b*A + B) // b == A + B // b.
    const exact: Poly = { terms: new Map(), monos: new Map() };
    const rest: Poly = { terms: new Map(), monos: new Map() };
    for (const [k, c] of a.terms) {
      const target = c % b === 0 ? exact : rest;
      target.terms.set(k, c % b === 0 ? c / b : c);
      target.monos.set(k, a.monos.get(k)!);
    }
    const whole = fromPoly(exact);
    const remainder = fromPoly(rest);
    if (typeof remainder === 'number') return add(whole, Math.floor(remainder / b));
    // Nested floors fold: (X//a + c)//b == (X + c*a)//(a*b) for positive a, b, so stacked
    // stride-2 layers read (H+7)//8 rather than (((H+1)//2+1)//2+1)//2, and equal paths compare equal.
    const nested = nestedFloor(remainder);
    if (nested && b > 0) return add(whole, floordiv(add(nested.arg, nested.c * nested.by), nested.by * b));
    // Keep a non-negative constant below b inside the atom so equal things print equally.
    const c0 = remainder.terms.get('') ?? 0;
    const shift = Math.floor(c0 / b);
    const inner = shift === 0 ? remainder : sub(remainder, shift * b);
    if (typeof inner === 'number') return add(whole, shift + Math.floor(inner / b));
    const atom: Atom = { kind: 'floordiv', arg: inner, by: b, key: `f:(${inner.toString()})//${b}` };
    return add(add(whole, shift), atomDim(atom));
  }
  if (typeof a !== 'number' && dimToString(a) === dimToString(b)) return 1;
  const q = polyDiv(a, b);
  if (q !== undefined) return q;
  return opaque(`(${dimToString(a)})//(${dimToString(b)})`);
}

/**
 * Divide `a` and `b` by the symbols of `b` when `b` is a monomial whose atoms appear in every
 * term of `a` (`7*B` and `2*B` -> 7 and 2). Undefined when there is nothing to cancel.
 */
export function cancelCommon(a: Dim, b: Dim): [Dim, Dim] | undefined {
  if (typeof a === 'number' || typeof b === 'number' || b.terms.size !== 1) return undefined;
  const [[bk, bc]] = [...b.terms];
  const bAtoms = b.monos.get(bk!)!;
  const out: Poly = { terms: new Map(), monos: new Map() };
  for (const [k, c] of a.terms) {
    const rest = [...a.monos.get(k)!];
    for (const atom of bAtoms) {
      const at = rest.findIndex((x) => x.key === atom.key);
      if (at < 0) return undefined;
      rest.splice(at, 1);
    }
    const key = monoKey(rest);
    out.terms.set(key, c);
    out.monos.set(key, rest);
  }
  return [fromPoly(out), bc!];
}

/**
 * `a // b` for a symbolic `b` we can divide by: a monomial whose atoms appear in every term of
 * `a` (`800*N // N` = 800, `N*L*D // (4*N*L)` = D//4), or a polynomial `a` is a constant multiple
 * of (`2*N+2 // (N+1)` = 2). Sizes are positive, so cancelling common atoms keeps floor semantics.
 */
function polyDiv(a: Dim, b: SymDim): Dim | undefined {
  if (typeof a === 'number') return undefined;
  if (b.terms.size === 1) {
    const cancelled = cancelCommon(a, b);
    return cancelled ? floordiv(cancelled[0], cancelled[1]) : undefined;
  }
  const [k0, c0] = [...b.terms][0]!;
  const ca = a.terms.get(k0);
  if (ca === undefined || ca % c0 !== 0) return undefined;
  const ratio = ca / c0;
  return dimEquals(mul(b, ratio), a) === true ? ratio : undefined;
}

/** Python's `a % b`. */
export function mod(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? opaque(`${a}%0`) : ((a % b) + b) % b;
  if (typeof b === 'number' && b > 0 && typeof a !== 'number') {
    // a % b == a - b * (a // b)
    return sub(a, mul(b, floordiv(a, b)));
  }
  return opaque(`(${dimToString(a)})%(${dimToString(b)})`);
}

/** Python's true division on sizes, when it is exact (e.g. `C / heads` used as a size). */
export function exactDiv(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : undefined;
  const q = floordiv(a, b);
  return dimEquals(mul(q, b), a) === true ? q : undefined;
}

/** Three-valued equality: true, false (definitely different), or undefined (unknown). */
export function dimEquals(a: Dim, b: Dim): boolean | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const d = sub(a, b);
  if (typeof d === 'number') return d === 0;
  return undefined;
}

/** Evaluate with concrete values for the symbols. Undefined when a symbol is unbound. */
export function evalDim(d: Dim, env: Readonly<Record<string, number>>): number | undefined {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const [k, c] of d.terms) {
    let v = c;
    for (const atom of d.monos.get(k)!) {
      const x = evalAtom(atom, env);
      if (x === undefined) return undefined;
      v *= x;
    }
    total += v;
  }
  return total;
}

function evalAtom(a: Atom, env: Readonly<Record<string, number>>): number | undefined {
  switch (a.kind) {
    case 'sym':
      return env[a.name];
    case 'floordiv': {
      const x = evalDim(a.arg, env);
      return x === undefined ? undefined : Math.floor(x / a.by);
    }
    case 'mod': {
      const x = evalDim(a.arg, env);
      return x === undefined ? undefined : ((x % a.by) + a.by) % a.by;
    }
    case 'opaque':
      return undefined;
  }
}

/** The symbol names a dim mentions. */
export function symbolsOf(d: Dim): string[] {
  if (typeof d === 'number') return [];
  const out = new Set<string>();
  for (const atoms of d.monos.values()) {
    for (const a of atoms) {
      if (a.kind === 'sym') out.add(a.name);
      else if (a.kind === 'floordiv' || a.kind === 'mod') for (const s of symbolsOf(a.arg)) out.add(s);
    }
  }
  return [...out];
}

export function dimToString(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.toString();
}

function atomToString(a: Atom): string {
  switch (a.kind) {
    case 'sym':
      return a.name;
    case 'opaque':
      return a.text;
    case 'floordiv':
    case 'mod': {
      const inner = a.arg.toString();
      const wrapped = a.arg.terms.size === 1 && !a.arg.terms.has('') && a.arg.terms.values().next().value === 1 ? inner : `(${inner})`;
      return `${wrapped}${a.kind === 'floordiv' ? '//' : '%'}${a.by}`;
    }
  }
}

function polyToString(p: SymDim): string {
  // Highest-degree terms first, then by text; the constant last: `2*H+W-3`.
  const keys = [...p.terms.keys()].sort((x, y) => {
    if (x === '') return 1;
    if (y === '') return -1;
    const dx = p.monos.get(x)!.length;
    const dy = p.monos.get(y)!.length;
    return dy - dx || (x < y ? -1 : x > y ? 1 : 0);
  });
  let out = '';
  for (const k of keys) {
    const c = p.terms.get(k)!;
    const atoms = p.monos.get(k)!;
    const body = atoms.map(atomToString).join('*');
    const mag = Math.abs(c);
    const text = k === '' ? String(mag) : mag === 1 ? body : `${mag}*${body}`;
    if (out === '') out = c < 0 ? `-${text}` : text;
    else out += c < 0 ? `-${text}` : `+${text}`;
  }
  return out;
}

export function shapeToString(shape: readonly Dim[] | null | undefined): string {
  if (!shape) return 'Tensor[?]';
  return `Tensor[${shape.map(dimToString).join(', ')}]`;
}

/** Product of dims (numel). */
export function prod(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = mul(p, d);
  return p;
}
