// Translates the op-table expression language (runtime/op_tables.ts: the strings the CPU kernels
// are generated from) into WGSL, so both backends compute the same formula by construction.
// JS `c ? a : b` becomes select(b, a, c); numbers become f32 literals; functions WGSL lacks (erf,
// sigmoid, log1p, expm1, softplus) and ones whose WGSL form is unsafe (tanh overflow, pow of a
// negative base) come from WGSL_HELPERS.

type Tok = { k: 'num' | 'id' | 'op'; v: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[-+*/%<>?:(),!&|^]))/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    m = re.exec(src);
    if (!m) {
      if (/^\s*$/.test(src.slice(pos))) break;
      throw new Error(`expression '${src}': unexpected text at ${pos}: '${src.slice(pos, pos + 10)}'`);
    }
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push({ k: 'num', v: m[1] });
    else if (m[2] !== undefined) out.push({ k: 'id', v: m[2] });
    else out.push({ k: 'op', v: m[3]! });
  }
  return out;
}

const FUNCS: Record<string, string> = {
  exp: 'exp', log: 'log', sqrt: 'sqrt', tanh: 'tanh_s', abs: 'abs', sign: 'sign', erf: 'erf_s', sigmoid: 'sigmoid_s',
  softplus: 'softplus_s', pow: 'pow_s', max: 'max', min: 'min', floor: 'floor', ceil: 'ceil', round: 'round',
  trunc: 'trunc', sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin_s', acos: 'acos_s', atan: 'atan', sinh: 'sinh',
  cosh: 'cosh', log1p: 'log1p_s', expm1: 'expm1_s', atan2: 'atan2', isnan: 'isnan_s',
};

/** Translate one expression; `vars` are the names it may use (everything else is an error). */
export function toWgsl(src: string, vars: readonly string[]): string {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const isOp = (v: string): boolean => peek()?.k === 'op' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Error(`expression '${src}': expected '${v}'`);
    i++;
  };
  const ternary = (): string => {
    const c = binary(0);
    if (isOp('?')) {
      i++;
      const a = ternary();
      expect(':');
      const b = ternary();
      return `select(${b}, ${a}, ${c})`;
    }
    return c;
  };
  // JS precedence, low to high. Bitwise operators act on int32 as in JS.
  const levels: readonly (readonly string[])[] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];
  const binary = (lvl: number): string => {
    if (lvl === levels.length) return unary();
    let left = binary(lvl + 1);
    while (peek()?.k === 'op' && levels[lvl]!.includes(peek()!.v)) {
      const op = toks[i++]!.v;
      const right = binary(lvl + 1);
      // x != x (the table's NaN test) by its bits: compilers may fold it to false.
      if ((op === '!=' || op === '==') && left === right && /^[A-Za-z_]\w*$/.test(left)) left = `(isnan_s(${left}) ${op === '!=' ? '>' : '<'} 0.5)`;
      else left = op === '&' || op === '|' || op === '^' ? `f32(i32(${left}) ${op} i32(${right}))` : `(${left} ${op} ${right})`;
    }
    return left;
  };
  const unary = (): string => {
    if (isOp('-')) { i++; return `(-${unary()})`; }
    if (isOp('!')) { i++; return `(!${unary()})`; }
    return primary();
  };
  const primary = (): string => {
    const t = toks[i++];
    if (!t) throw new Error(`expression '${src}': unexpected end`);
    if (t.k === 'num') return /[.e]/.test(t.v) ? `f32(${t.v})` : `${t.v}.0`;
    if (t.k === 'op' && t.v === '(') { const e = ternary(); expect(')'); return `(${e})`; }
    if (t.k === 'id') {
      if (isOp('(')) {
        i++;
        const fn = FUNCS[t.v];
        if (!fn) throw new Error(`expression '${src}': function '${t.v}' has no WGSL form`);
        const args: string[] = [];
        if (!isOp(')')) { args.push(ternary()); while (isOp(',')) { i++; args.push(ternary()); } }
        expect(')');
        return `${fn}(${args.join(', ')})`;
      }
      if (t.v === 'Infinity') return 'INF()';
      if (!vars.includes(t.v)) throw new Error(`expression '${src}': unknown name '${t.v}'`);
      return t.v;
    }
    throw new Error(`expression '${src}': unexpected '${t.v}'`);
  };
  const e = ternary();
  if (i !== toks.length) throw new Error(`expression '${src}': trailing '${toks[i]!.v}'`);
  return e;
}

/** Helper functions every generated kernel includes. INF comes from uniform word 63 (set by the caller). */
export const WGSL_HELPERS = `
fn INF() -> f32 { return bitcast<f32>(P(63u)); }
// Through atan2: some drivers' asin/acos are only accurate to ~2e-4.
fn asin_s(x: f32) -> f32 { return atan2(x, sqrt(max(1.0 - x * x, 0.0))); }
fn acos_s(x: f32) -> f32 { return atan2(sqrt(max(1.0 - x * x, 0.0)), x); }
fn tanh_s(x: f32) -> f32 { let c = clamp(x, -15.0, 15.0); let e = exp(2.0 * c); return (e - 1.0) / (e + 1.0); }
// NaN by its bits: shader compilers may fold x != x to false.
fn isnan_s(x: f32) -> f32 { return select(0.0, 1.0, (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u); }
fn sigmoid_s(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn log1p_s(x: f32) -> f32 { if (abs(x) < 1e-2) { return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * 0.25))); } return log(1.0 + x); }
fn expm1_s(x: f32) -> f32 { if (abs(x) < 1e-2) { return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x / 24.0))); } return exp(x) - 1.0; }
fn softplus_s(x: f32) -> f32 { if (x > 20.0) { return x; } return log1p_s(exp(x)); }
fn erf_s(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1.0 - x2 * (1.0 / 3.0 - x2 * (0.1 - x2 * (1.0 / 42.0 - x2 * (1.0 / 216.0 - x2 / 1320.0)))));
  }
  // Abramowitz-Stegun 7.1.26 (abs. error < 1.5e-7) where erf is far from 0.
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return sign(x) * y;
}
fn pow_s(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { if (a == 0.0) { if (b > 0.0) { return 0.0; } return INF(); } return exp2(b * log2(a)); }
  // A negative base has a real power only for integer exponents.
  if (fract(b) != 0.0) { return INF() - INF(); }
  let r = exp2(b * log2(-a));
  if (fract(b * 0.5) != 0.0) { return -r; }
  return r;
}`;
