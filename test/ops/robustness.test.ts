// Unknown inputs never error and bad inputs never crash: every op, spelling and layer is run
// with unknown values, unknown-shape tensors and wrong kinds of values. Rules run in strict
// mode (helpers.ts), so anything but a ShapeError escaping a rule fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allFunctions, allLayers, allMethods, allOps, applyBinding, ShapeError, type BoundArgs, type Value } from '../../engine/src/ops/index.js';
import { T, unknown } from './helpers.js';

const GARBAGE: Value[] = [
  { kind: 'str', value: 'x' }, { kind: 'none' }, { kind: 'int', value: -7 }, { kind: 'float', value: 1.5 },
  { kind: 'tuple', items: [] }, { kind: 'list', items: null }, T([2, 3]), T([]), T(null), { kind: 'ellipsis' },
  { kind: 'slice', start: null, stop: null, step: null }, { kind: 'dtype', dtype: 'int64' },
];

const TENSOR_PARAMS = new Set(['input', 'tensor', 'query', 'key', 'value', 'x1', 'x2', 'input1', 'input2', 'other', 'target', 'mask']);

function run(what: string, f: () => unknown, failures: string[], allowShapeError = true): void {
  try {
    f();
  } catch (e) {
    if (allowShapeError && e instanceof ShapeError) return;
    failures.push(`${what}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
  }
}

test('every op accepts unknown arguments without error', () => {
  const failures: string[] = [];
  for (const op of allOps()) {
    const allUnknown: Record<string, Value> = Object.fromEntries(op.params.map((p) => [p.name, unknown]));
    run(`${op.name}(all unknown)`, () => op.shape(allUnknown), failures, false);
    // The main tensor with unknown shape, every other argument unknown or defaulted.
    const nullInput: Record<string, Value> = Object.fromEntries(op.params.map((p) => [p.name, TENSOR_PARAMS.has(p.name) ? T(null) : p.default ?? unknown]));
    run(`${op.name}(Tensor[?], ...)`, () => op.shape(nullInput), failures, false);
  }
  assert.deepEqual(failures, []);
});

test('every op gives a ShapeError or a value for wrong kinds of arguments, never a crash', () => {
  const failures: string[] = [];
  for (const op of allOps()) {
    for (const target of op.params) {
      for (const g of GARBAGE) {
        const args: Record<string, Value> = Object.fromEntries(op.params.map((p) => [p.name, p.default ?? T([4, 3, 8, 8])]));
        args[target.name] = g;
        run(`${op.name}(${target.name}=${JSON.stringify(g)})`, () => op.shape(args), failures);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('every function and method spelling binds and runs with unknown inputs', () => {
  const failures: string[] = [];
  const spellings = [...allFunctions().map(([n, b]) => [n, b, false] as const), ...allMethods().map(([n, b]) => [n, b, true] as const)];
  for (const [name, binding, isMethod] of spellings) {
    const required = binding.params.filter((p) => p.default === undefined && !p.variadic && !p.keywordOnly);
    const r = applyBinding(binding, required.map(() => unknown), {}, isMethod ? unknown : undefined);
    if ('error' in r) failures.push(`${name}: ${r.error}`);
    if (isMethod && !binding.op.params.some((p) => p.name === (binding.self ?? 'input'))) failures.push(`${name}: self goes to a parameter the op does not have`);
    // Every rename target must be one of the op's parameters.
    for (const to of Object.values(binding.rename ?? {})) {
      if (!binding.op.params.some((p) => p.name === to)) failures.push(`${name}: renames onto unknown op parameter '${to}'`);
    }
  }
  assert.ok(spellings.length > 300, `only ${spellings.length} spellings`);
  assert.deepEqual(failures, []);
});

test('every layer handles unknown constructor arguments and inputs', () => {
  const failures: string[] = [];
  for (const spec of allLayers()) {
    const attrs: BoundArgs = Object.fromEntries(spec.ctor.map((p) => [p.name, unknown]));
    run(`${spec.name}.check`, () => spec.check?.(attrs), failures, false);
    run(`${spec.name}.params`, () => spec.params(attrs), failures, false);
    run(`${spec.name}.symbolicInput`, () => spec.symbolicInput?.(attrs), failures, false);
    const fwd: BoundArgs = Object.fromEntries(spec.forward.map((p) => [p.name, unknown]));
    run(`${spec.name}.shape(unknown)`, () => spec.shape(attrs, fwd), failures, false);
    const fwdNull: BoundArgs = Object.fromEntries(spec.forward.map((p) => [p.name, p.default ?? T(null)]));
    run(`${spec.name}.shape(Tensor[?])`, () => spec.shape(attrs, fwdNull), failures, false);
    for (const g of GARBAGE) {
      const bad: BoundArgs = Object.fromEntries(spec.ctor.map((p) => [p.name, p.default ?? g]));
      run(`${spec.name}(${JSON.stringify(g)})`, () => { spec.check?.(bad); spec.params(bad); spec.shape(bad, { ...fwd, input: T([2, 3, 8, 8]) }); }, failures);
    }
  }
  assert.ok(allLayers().length >= 60);
  assert.deepEqual(failures, []);
});
