// Literal values shared by the two parsers (fastparse.ts and the Lezer tree conversion in ast.ts).

/** A Python number literal's value (both parsers use it). */
export function parseNumber(t: string): { k: 'num'; v: number; int: boolean } {
  const s = t.indexOf('_') >= 0 ? t.replace(/_/g, '') : t;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return { k: 'num', v: parseInt(s.slice(2), 16), int: true };
  if (/^0[oO][0-7]+$/.test(s)) return { k: 'num', v: parseInt(s.slice(2), 8), int: true };
  if (/^0[bB][01]+$/.test(s)) return { k: 'num', v: parseInt(s.slice(2), 2), int: true };
  if (/^[0-9]+$/.test(s)) return { k: 'num', v: parseInt(s, 10), int: true };
  const v = parseFloat(s);
  return { k: 'num', v: Number.isFinite(v) ? v : NaN, int: false };
}
