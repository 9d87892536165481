// Growable typed-array columns and a string table: the model keeps a million events as a few
// flat arrays (~40-60 bytes an event) instead of a million objects (~400 bytes each with args).

type Typed = Float64Array | Uint32Array | Int32Array | Uint8Array;
type Ctor<T extends Typed> = new (n: number) => T;

export interface Column<T extends Typed> {
  readonly length: number;
  push(v: number): void;
  /** Set row `i` (growing with the fill value up to it). */
  set(i: number, v: number): void;
  get(i: number): number;
  /** The first `n` rows (filled past the written ones), as an exact-size array. */
  finish(n?: number): T;
}

type ColumnClass<T extends Typed> = new (fill: number) => Column<T>;

// One class per element type, each its own code: a single generic class would make every
// element store megamorphic (Float64/Uint32/Int32/Uint8 through one site), 5x slower cold.
function columnClass<T extends Typed>(ctor: Ctor<T>): ColumnClass<T> {
  return class implements Column<T> {
    private data: T;
    length = 0;
    constructor(private readonly fill: number) {
      this.data = new ctor(1 << 14);
      if (fill !== 0) this.data.fill(fill);
    }
    push(v: number): void {
      if (this.length === this.data.length) this.grow(this.length + 1);
      this.data[this.length++] = v;
    }
    set(i: number, v: number): void {
      if (i >= this.data.length) this.grow(i + 1);
      this.data[i] = v;
      if (i >= this.length) this.length = i + 1;
    }
    get(i: number): number { return i < this.length ? this.data[i]! : this.fill; }
    private grow(min: number): void {
      const next = new ctor(Math.max(min, this.data.length * 2));
      if (this.fill !== 0) next.fill(this.fill, this.data.length);
      next.set(this.data);
      this.data = next;
    }
    finish(n = this.length): T {
      if (n > this.data.length) this.grow(n);
      return this.data.length === n ? this.data : (this.data.slice(0, n) as T);
    }
  };
}

const classes = new Map<Ctor<Typed>, ColumnClass<Typed>>();

/** A growable column of `ctor` elements, unwritten rows reading as `fill`. */
export function column<T extends Typed>(ctor: Ctor<T>, fill = 0): Column<T> {
  let C = classes.get(ctor);
  if (!C) classes.set(ctor, (C = columnClass(ctor)));
  return new (C as ColumnClass<T>)(fill);
}

/**
 * A column that costs nothing until a row gets a value other than its default: most args
 * fields (FLOPs, correlation ids) exist in some traces only.
 */
export class SparseColumn<T extends Typed> {
  private col: Column<T> | undefined;
  constructor(private readonly ctor: Ctor<T>, private readonly fill: number) {}
  set(i: number, v: number): void {
    if (v === this.fill || (Number.isNaN(v) && Number.isNaN(this.fill))) return;
    (this.col ??= column(this.ctor, this.fill)).set(i, v);
  }
  get(i: number): number { return this.col ? this.col.get(i) : this.fill; }
  finish(n: number): T | undefined { return this.col?.finish(n); }
}

/** Interned strings: each distinct name, category, module path stored once. */
export class Strings {
  private readonly ids = new Map<string, number>();
  readonly list: string[] = [];
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(s, id);
      this.list.push(s);
    }
    return id;
  }
}

/** Reorder a column by `order` (new row k = old row order[k]). */
export function permute<T extends Typed>(a: T, order: Uint32Array): T {
  const out = new (a.constructor as Ctor<T>)(order.length);
  for (let k = 0; k < order.length; k++) out[k] = a[order[k]!]!;
  return out;
}
