// Replays the PyTorch golden cases (test/ops/goldens/shapes.json, made by make_goldens.py with
// real torch) through the op library: output shapes, dtypes, errors-or-not, and layer
// state_dict names/shapes/order must all agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getLayer, type DType, type Value } from '../../engine/src/ops/index.js';
import { callFn, callLayer, callMethod, makeLayer, show, showValue } from './helpers.js';

type J = unknown;
interface Case {
  kind: 'fn' | 'method' | 'layer';
  name: string;
  self?: J;
  ctor?: J[];
  ctor_kw?: Record<string, J>;
  args: J[];
  kw: Record<string, J>;
  result: J;
  state_dict?: [string, number[], string][];
}

const file = fileURLToPath(new URL('./goldens/shapes.json', import.meta.url));
const goldens = JSON.parse(readFileSync(file, 'utf8')) as { torch: string; cases: Case[] };

function decode(v: J): Value {
  if (v === null) return { kind: 'none' };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return { kind: 'int', value: v };
  if (typeof v === 'string') return { kind: 'str', value: v };
  const o = v as Record<string, J>;
  if ('t' in o) return { kind: 'tensor', shape: o.t as number[], dtype: o.dtype as DType };
  if ('f' in o) return { kind: 'float', value: o.f as number };
  if ('tuple' in o) return { kind: 'tuple', items: (o.tuple as J[]).map(decode) };
  if ('list' in o) return { kind: 'list', items: (o.list as J[]).map(decode) };
  if ('slice' in o) { const [a, b, c] = o.slice as (number | null)[]; return { kind: 'slice', start: a ?? null, stop: b ?? null, step: c ?? null }; }
  if ('ellipsis' in o) return { kind: 'ellipsis' };
  if ('dtype' in o) return { kind: 'dtype', dtype: o.dtype as DType };
  throw new Error(`cannot decode ${JSON.stringify(v)}`);
}

/** The torch result as the same text `show` gives ours, with dtypes. */
function expected(r: J): string {
  const o = r as Record<string, J>;
  if ('shape' in o) return `Tensor[${(o.shape as number[]).join(', ')}]:${o.dtype as string}`;
  if ('tuple' in o) return `(${(o.tuple as J[]).map(expected).join(', ')})`;
  if ('int' in o) return `int ${o.int as number}`;
  if ('none' in o) return 'None';
  return JSON.stringify(o);
}
function actual(v: Value): string {
  if (v.kind === 'tensor') return `${showValue(v)}:${v.dtype}`;
  if (v.kind === 'tuple') return `(${v.items.map(actual).join(', ')})`;
  return showValue(v);
}

function describeCase(c: Case): string {
  return `${c.kind} ${c.name}(${JSON.stringify(c.ctor ?? [])}${c.ctor_kw ? JSON.stringify(c.ctor_kw) : ''}) ${c.self ? JSON.stringify(c.self) + ' ' : ''}${JSON.stringify(c.args)} ${JSON.stringify(c.kw)}`;
}

test(`PyTorch goldens (${goldens.cases.length} cases, torch ${goldens.torch})`, () => {
  const failures: string[] = [];
  let errorsAgreed = 0;
  for (const c of goldens.cases) {
    const args = c.args.map(decode);
    const kw = Object.fromEntries(Object.entries(c.kw).map(([k, v]) => [k, decode(v)]));
    let r;
    try {
      if (c.kind === 'fn') r = callFn(c.name, args, kw);
      else if (c.kind === 'method') r = callMethod(decode(c.self!), c.name, args, kw);
      else {
        const layer = makeLayer(c.name, (c.ctor ?? []).map(decode), Object.fromEntries(Object.entries(c.ctor_kw ?? {}).map(([k, v]) => [k, decode(v)])));
        r = callLayer(layer, args, kw);
        if (c.state_dict) {
          const ours = getLayer(c.name)!.params(layer.attrs).map((p) => `${p.name}:${p.shape.join('x')}:${p.dtype ?? 'float32'}`);
          const theirs = c.state_dict.map(([n, s, d]) => `${n}:${s.join('x')}:${d}`);
          if (ours.join(' ') !== theirs.join(' ')) failures.push(`${describeCase(c)}\n    state_dict ours:  ${ours.join(' ')}\n    state_dict torch: ${theirs.join(' ')}`);
        }
      }
    } catch (e) {
      r = { error: `(constructor) ${(e as Error).message}` };
    }
    const torchErr = (c.result as Record<string, J>).error as string | undefined;
    if (torchErr !== undefined) {
      if ('error' in r) errorsAgreed++;
      else failures.push(`${describeCase(c)}\n    torch raised: ${torchErr}\n    we gave:      ${show(r)}`);
      continue;
    }
    if ('error' in r) { failures.push(`${describeCase(c)}\n    torch gave: ${expected(c.result)}\n    we raised:  ${r.error}`); continue; }
    const want = expected(c.result);
    const got = actual(r.value);
    if (want !== got) failures.push(`${describeCase(c)}\n    torch: ${want}\n    ours:  ${got}`);
  }
  assert.ok(errorsAgreed > 30, `only ${errorsAgreed} error cases agreed`);
  assert.equal(failures.length, 0, `${failures.length} of ${goldens.cases.length} cases differ from PyTorch:\n${failures.join('\n')}`);
});
