// A small JSON Schema (draft-07 subset) checker for the run config, so the schema file the editor
// uses is also the one the CLI enforces, with messages a user can act on. Supported keywords:
// type, enum, const, properties, required, additionalProperties:false, items, minItems, maxItems,
// minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, anyOf, allOf + if/then, $ref
// to #/definitions. Anything else in the schema is ignored.

export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  anyOf?: Schema[];
  allOf?: { if?: Schema; then?: Schema }[];
  $ref?: string;
  definitions?: Record<string, Schema>;
  description?: string;
  default?: unknown;
}

export interface SchemaIssue { readonly path: string; readonly message: string }

function got(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Edit distance (optimal string alignment), for "did you mean" on unknown keys and enum values. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      // A swapped pair of letters ('adma') counts as one edit.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const dist = editDistance(word.toLowerCase(), o.toLowerCase());
    if (dist < bestD) { bestD = dist; best = o; }
  }
  return best !== undefined && bestD <= Math.floor((word.length - 1) / 3) ? best : undefined;
}

/** "a positive number", "an integer >= 1", "one of 'sgd', 'adam'" — what the schema wants, in words. */
export function describe(s: Schema, root: Schema): string {
  s = deref(s, root);
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (s.anyOf) return s.anyOf.map((x) => describe(x, root)).join(' or ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => article(t)).join(' or ');
  const t = types[0];
  if (t === 'number' || t === 'integer') {
    const noun = t === 'integer' ? 'integer' : 'number';
    if (s.exclusiveMinimum === 0 && s.maximum === undefined && s.exclusiveMaximum === undefined) return `a positive ${noun}`;
    const parts: string[] = [];
    if (s.minimum !== undefined) parts.push(`>= ${s.minimum}`);
    if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined) parts.push(`<= ${s.maximum}`);
    if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
    if (s.minimum === 0 && parts.length === 1) return `a non-negative ${noun}`;
    return `${article(noun)}${parts.length ? ' ' + parts.join(' and ') : ''}`;
  }
  if (t === 'array') {
    const n = s.minItems !== undefined && s.minItems === s.maxItems ? `${s.minItems} ` : '';
    return `a list of ${n}${s.items ? plural(describe(s.items, root)) : 'values'}`;
  }
  if (t === 'string' && s.minLength) return 'a non-empty string';
  return t ? article(t) : 'a value';
}

function article(t: string): string {
  const noun = t === 'object' ? 'object' : t === 'array' ? 'list' : t;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
function plural(d: string): string {
  return d.replace(/^an? (positive |non-negative )?(number|integer|string|boolean)/, (_m, adj: string | undefined, n: string) => `${adj ?? ''}${n}s`);
}

function deref(s: Schema, root: Schema): Schema {
  if (s.$ref?.startsWith('#/definitions/')) return root.definitions?.[s.$ref.slice(14)] ?? s;
  return s;
}

function typeOk(v: unknown, t: string): boolean {
  switch (t) {
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null': return v === null;
    default: return true;
  }
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

function matches(v: unknown, s: Schema, root: Schema): boolean {
  return check(v, s, root, '').length === 0;
}

/** Every problem with `value` against `schema`, each with its field path ('optimizer.lr'). */
export function check(value: unknown, schema: Schema, root: Schema = schema, path = ''): SchemaIssue[] {
  const s = deref(schema, root);
  const issues: SchemaIssue[] = [];
  const bad = () => issues.push({ path, message: `must be ${describe(s, root)} (got ${got(value)})` });
  if (s.anyOf) {
    if (!s.anyOf.some((alt) => matches(value, alt, root))) bad();
    return issues;
  }
  if (s.const !== undefined && value !== s.const) { bad(); return issues; }
  if (s.enum && !s.enum.includes(value)) {
    const hint = typeof value === 'string' ? closest(value, s.enum.filter((e): e is string => typeof e === 'string')) : undefined;
    issues.push({ path, message: `must be ${describe(s, root)} (got ${got(value)})${hint ? `; did you mean '${hint}'?` : ''}` });
    return issues;
  }
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length && !types.some((t) => typeOk(value, t))) { bad(); return issues; }
  if (typeof value === 'number') {
    if ((s.minimum !== undefined && value < s.minimum) || (s.maximum !== undefined && value > s.maximum)
      || (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) || (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum)) bad();
  }
  if (typeof value === 'string' && s.minLength !== undefined && value.length < s.minLength) bad();
  if (Array.isArray(value)) {
    if ((s.minItems !== undefined && value.length < s.minItems) || (s.maxItems !== undefined && value.length > s.maxItems)) bad();
    else if (s.items) value.forEach((item, i) => issues.push(...check(item, s.items!, root, join(path, i))));
  }
  if (typeOk(value, 'object') && (s.properties || s.required)) {
    const obj = value as Record<string, unknown>;
    const props = s.properties ?? {};
    const known = Object.keys(props);
    for (const key of Object.keys(obj)) {
      if (key in props) issues.push(...check(obj[key], props[key], root, join(path, key)));
      else if (s.additionalProperties === false) {
        const hint = closest(key, known);
        issues.push({ path: join(path, key), message: `is not a known setting${hint ? `; did you mean '${hint}'?` : ` (known: ${known.filter((k) => k !== '$schema').join(', ')})`}` });
      }
    }
    const required = [...(s.required ?? [])];
    for (const c of s.allOf ?? []) if (c.if && c.then && matches(obj, c.if, root)) required.push(...(c.then.required ?? []));
    for (const r of required) {
      if (!(r in obj)) {
        const d = props[r];
        issues.push({ path: join(path, r), message: `is required${d ? `: ${describe(d, root)}${d.description ? ` (${d.description.replace(/\.$/, '')})` : ''}` : ''}` });
      }
    }
  }
  return issues;
}
