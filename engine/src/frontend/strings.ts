// String formatting the way model code names its layers: `"denselayer%d" % (i + 1)`,
// f"layer{i}", "block{}".format(i). Module names decide state_dict paths and which layer
// `getattr(self, name)` finds, so a name left unknown loses the layer. Anything not plainly
// known gives null (an unknown string).

import { dimToString } from '../shape/dim.js';
import type { FV } from './values.js';

function plain(v: FV): string | null {
  switch (v.kind) {
    case 'str': return v.value;
    case 'int': return typeof v.value === 'number' ? String(v.value) : null;
    case 'float': return v.value === null ? null : String(v.value);
    case 'bool': return v.value === null ? null : v.value ? 'True' : 'False';
    case 'none': return 'None';
    default: return null;
  }
}

/** `fmt % args` for %s %d %i %r (and %%); null when a piece is unknown or the format is fancier. */
export function percentFormat(fmt: string, args: FV): string | null {
  const items = args.kind === 'tuple' ? args.items : [args];
  let k = 0;
  let bad = false;
  const out = fmt.replace(/%([%sdir])/g, (_, c: string) => {
    if (c === '%') return '%';
    const v = items[k++];
    const s = v ? plain(v) : null;
    if (s === null) bad = true;
    return s ?? '';
  });
  if (bad || /%[^%sdir]/.test(fmt.replace(/%[%sdir]/g, ''))) return null;
  return out;
}

/** `"a{}b{0}".format(...)` with plain values; null otherwise. */
export function braceFormat(fmt: string, pos: readonly FV[], kw: Readonly<Record<string, FV>>): string | null {
  let auto = 0;
  let bad = false;
  const out = fmt.replace(/\{\{|\}\}|\{([A-Za-z_0-9]*)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = name === undefined || name === '' ? pos[auto++] : /^\d+$/.test(name) ? pos[Number(name)] : kw[name];
    const s = v ? plain(v) : null;
    if (s === null) bad = true;
    return s ?? '';
  });
  return bad ? null : out;
}

/**
 * An f-string's value from its source text, when each `{...}` is a name, a dotted attribute or
 * `name +/- int` (`evalPiece` evaluates the names); null otherwise.
 */
export function fString(text: string, evalName: (dotted: string) => FV | null): string | null {
  const m = /^[rRbB]?[fF][rRbB]?('''|"""|'|")([\s\S]*)\1$/.exec(text);
  if (!m) return null;
  let bad = false;
  const out = m[2]!.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, inner: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const e = /^\s*([A-Za-z_][\w.]*)\s*(?:([+-])\s*(\d+)\s*)?$/.exec(inner ?? '');
    if (!e) { bad = true; return ''; }
    const v = evalName(e[1]!);
    if (!v) { bad = true; return ''; }
    if (e[2]) {
      if (v.kind !== 'int' || typeof v.value !== 'number') { bad = true; return ''; }
      return String(e[2] === '+' ? v.value + Number(e[3]) : v.value - Number(e[3]));
    }
    const s = plain(v) ?? (v.kind === 'int' ? dimToString(v.value) : null);
    if (s === null || (v.kind === 'int' && typeof v.value !== 'number')) { bad = true; return ''; }
    return s;
  });
  return bad ? null : out;
}
