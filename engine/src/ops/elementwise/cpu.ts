// CPU kernels of the elementwise family, generated from the table in runtime/op_tables.ts.
import { registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { compileMap, planBroadcast, type BroadcastPlan } from '../../backends/cpu/codegen.js';
import { data, empty, num, sameShape, tensorArg } from '../../backends/cpu/util.js';
import { BINARY, UNARY, type BinaryEntry, type UnaryEntry } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import type { EngineDType } from '../../backends/backend.js';

export const unaryByName = new Map(UNARY.map((e) => [e.name, e]));
export const binaryByName = new Map(BINARY.map((e) => [e.name, e]));

function samePlan(n: number): BroadcastPlan {
  return { outShape: [], n, offsets: null, inner: n, innerStrides: [] };
}

/** The table entry an op call uses (gelu's approximate='tanh', div's rounding_mode pick variants). */
export function unaryEntryFor(op: string, args: OpArgs): UnaryEntry {
  if (op === 'gelu' && args.approximate === 'tanh') return unaryByName.get('gelu_tanh')!;
  return unaryByName.get(op)!;
}
export function binaryEntryFor(op: string, args: OpArgs): BinaryEntry {
  if (op === 'div' && args.rounding_mode === 'trunc') return binaryByName.get('div_trunc')!;
  if (op === 'div' && args.rounding_mode === 'floor') return binaryByName.get('floor_divide')!;
  return binaryByName.get(op)!;
}

export function unaryParams(e: UnaryEntry, args: OpArgs): number[] {
  return (e.params ?? []).map((p) => {
    const v = args[p.name];
    return v === null || v === undefined ? p.default : num(v, p.default);
  });
}

function runUnary(e: UnaryEntry, x: Tensor, params: readonly number[]): Tensor {
  const out = empty(x.shape, e.bool ? 'bool' : e.keepsInt && x.dtype !== 'float32' && params.every(Number.isInteger) ? (x.dtype === 'bool' ? 'int32' : x.dtype) : 'float32');
  compileMap(e.fwd, ['x'], (e.params ?? []).map((p) => p.name))(data(out), [data(x)], samePlan(x.numel), params);
  return out;
}

function unaryKernel(op: string): Kernel {
  return (args) => {
    const e = unaryEntryFor(op, args);
    return runUnary(e, tensorArg(args.input, 'input'), unaryParams(e, args));
  };
}

/** A Python number operand as a 0-d array. */
function operand(v: RuntimeValue | undefined, name: string): { arr: Float32Array | Int32Array; shape: readonly number[]; isInt: boolean } {
  if (v instanceof Tensor) return { arr: data(v), shape: v.shape, isInt: v.dtype !== 'float32' };
  if (typeof v === 'number' || typeof v === 'boolean') {
    const x = Number(v);
    return { arr: Float32Array.of(x), shape: [], isInt: Number.isInteger(x) };
  }
  throw new Error(`'${name}' must be a tensor or a number`);
}

export function binaryParams(e: BinaryEntry, args: OpArgs): number[] {
  return (e.params ?? []).map((p) => num(args[p.name], p.default));
}

function binaryKernel(op: string): Kernel {
  return (args) => {
    const e = binaryEntryFor(op, args);
    const a = operand(args.input, 'input');
    const b = operand(args.other ?? args.exponent, 'other');
    const params = binaryParams(e, args);
    const plan = planBroadcast([a.shape, b.shape]);
    const dtype: EngineDType = e.out === 'bool' ? 'bool' : e.out === 'promote' && a.isInt && b.isInt && params.every(Number.isInteger) ? 'int32' : 'float32';
    const out = empty(plan.outShape, dtype);
    compileMap(e.fwd, ['a', 'b'], (e.params ?? []).map((p) => p.name))(data(out), [a.arr, b.arr], plan, params);
    return out;
  };
}

/** The engine dtype a PyTorch dtype maps to (int64 and narrower ints -> int32, floats -> float32). */
export function engineDType(d: string): EngineDType {
  if (d === 'bool') return 'bool';
  if (/int|long|short|char|byte/.test(d)) return 'int32';
  return 'float32';
}

/** The dtype `x.to(...)` asks for: a dtype, a tensor's dtype or a dtype name, positional or dtype=. */
export function toTarget(args: OpArgs, current: EngineDType): EngineDType {
  let target = current;
  const pick = (v: RuntimeValue | undefined): void => {
    if (v instanceof Tensor) target = v.dtype;
    else if (v && typeof v === 'object' && !Array.isArray(v) && (v as { kind?: string }).kind === 'dtype') target = engineDType((v as { dtype: string }).dtype);
    else if (typeof v === 'string' && /^(torch\.)?(float|int|long|bool|double|half)/.test(v)) target = engineDType(v.replace('torch.', ''));
  };
  for (const v of (Array.isArray(args.args) ? args.args : []) as RuntimeValue[]) pick(v);
  pick(args.dtype);
  return target;
}

/** `x.type(dtype)`'s target, or with no dtype the type name PyTorch returns. */
export function typeTarget(args: OpArgs, x: Tensor): EngineDType | string {
  const d = args.dtype;
  if (d === null || d === undefined) return x.dtype === 'float32' ? 'torch.FloatTensor' : x.dtype === 'bool' ? 'torch.BoolTensor' : 'torch.LongTensor';
  const name = typeof d === 'string' ? d : (d as { dtype?: string }).dtype ?? 'float32';
  return engineDType(name.replace(/^torch\./, '').replace('FloatTensor', 'float32').replace('LongTensor', 'int64'));
}

function castTo(x: Tensor, dtype: EngineDType, copy: boolean): Tensor {
  if (dtype === x.dtype) return copy ? x.clone() : x.withShape(x.shape);
  const out = empty(x.shape, dtype);
  const X = data(x), O = data(out);
  if (dtype === 'float32') O.set(X);
  else if (dtype === 'bool') for (let i = 0; i < X.length; i++) O[i] = X[i] ? 1 : 0;
  else for (let i = 0; i < X.length; i++) O[i] = Math.trunc(X[i]!);
  return out;
}

/** prelu's weight [C] (or [1]) viewed as [C, 1, ..., 1] to broadcast over dim 1. */
export function preluWeightView(x: Tensor, w: Tensor): Tensor {
  if (w.numel === 1 || x.ndim < 2) return w.withShape([]);
  return w.withShape([w.numel, ...new Array<number>(x.ndim - 2).fill(1)]);
}

/** Sum a broadcast tensor back down to `shape` (the gradient of broadcasting). */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const out = empty(shape, 'float32');
  const O = data(out);
  const X = data(x);
  const plan = planBroadcast([x.shape, shape]);
  if (!sameShape(plan.outShape, x.shape)) throw new Error(`cannot sum Tensor[${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  if (plan.offsets === null) { O.set(X); return out; }
  const off = plan.offsets[1]!;
  const s = plan.innerStrides[1]!;
  const inner = plan.inner;
  let w = 0;
  for (let r = 0; r < off.length; r++) {
    let o = off[r]!;
    for (let i = 0; i < inner; i++) { O[o] += X[w++]!; o += s; }
  }
  return out;
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const plan = planBroadcast([shape, x.shape]);
  if (!sameShape(plan.outShape, shape)) throw new Error(`cannot expand Tensor[${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  const out = empty(shape, x.dtype);
  const O = data(out);
  const X = data(x);
  if (plan.offsets === null) { O.set(X); return out; }
  const off = plan.offsets[1]!;
  const s = plan.innerStrides[1]!;
  const inner = plan.inner;
  let w = 0;
  for (let r = 0; r < off.length; r++) {
    let o = off[r]!;
    for (let i = 0; i < inner; i++) { O[w++] = X[o]!; o += s; }
  }
  return out;
}

export function registerElementwiseCpu(): void {
  for (const e of UNARY) if (e.name !== 'gelu_tanh') registerKernel(e.name, 'cpu', unaryKernel(e.name));
  for (const e of BINARY) if (e.name !== 'div_trunc' && e.name !== 'prelu') registerKernel(e.name, 'cpu', binaryKernel(e.name));
  registerKernel('prelu', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const w = tensorArg(args.weight, 'weight');
    return binaryKernel('prelu')({ input: x, other: preluWeightView(x, w) }, { saved: {} });
  });

  // ---- dtype casts and copies -------------------------------------------------------------
  registerKernel('to', 'cpu', (args) => castTo(tensorArg(args.input, 'input'), toTarget(args, tensorArg(args.input, 'input').dtype), args.copy === true));
  registerKernel('type', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const t = typeTarget(args, x);
    return typeof t === 'string' ? t : castTo(x, t, false);
  });
  registerKernel('type_as', 'cpu', (args) => castTo(tensorArg(args.input, 'input'), tensorArg(args.other, 'other').dtype, false));
  registerKernel('clone', 'cpu', (args) => tensorArg(args.input, 'input').clone());
  registerKernel('contiguous', 'cpu', (args) => tensorArg(args.input, 'input').withShape(tensorArg(args.input, 'input').shape));
  registerKernel('detach', 'cpu', (args) => tensorArg(args.input, 'input').detach());

  registerKernel('where', 'cpu', (args) => {
    const c = operand(args.condition, 'condition');
    const a = operand(args.input, 'input');
    const b = operand(args.other, 'other');
    const plan = planBroadcast([c.shape, a.shape, b.shape]);
    const out = empty(plan.outShape, a.isInt && b.isInt ? 'int32' : 'float32');
    compileMap('c != 0 ? a : b', ['c', 'a', 'b'], [])(data(out), [c.arr, a.arr, b.arr], plan, []);
    return out;
  });
  registerKernel('masked_fill', 'cpu', (args) => {
    const x = operand(args.input, 'input');
    const m = operand(args.mask, 'mask');
    const v = operand(args.value, 'value');
    const plan = planBroadcast([x.shape, m.shape, v.shape]);
    if (!sameShape(plan.outShape, x.shape)) throw new Error(`mask Tensor[${m.shape.join(', ')}] does not broadcast to the input's shape [${x.shape.join(', ')}]`);
    const out = empty(plan.outShape, x.isInt && v.isInt ? 'int32' : 'float32');
    compileMap('m != 0 ? v : x', ['x', 'm', 'v'], [])(data(out), [x.arr, m.arr, v.arr], plan, []);
    return out;
  });

  // ---- internal kernels used by gradient rules -------------------------------------------
  registerKernel('_unary_grad', 'cpu', (args) => {
    const e = unaryByName.get(args.name as string)!;
    const x = tensorArg(args.input, 'input');
    const out = empty(x.shape, 'float32');
    compileMap(e.grad!, ['x', 'y', 'g'], (e.params ?? []).map((p) => p.name))(
      data(out), [data(x), data(tensorArg(args.output, 'output')), data(tensorArg(args.grad, 'grad'))], samePlan(x.numel), args.params as number[]);
    return out;
  });
  registerKernel('_binary_grad', 'cpu', (args) => {
    const e = binaryByName.get(args.name as string)!;
    const a = operand(args.input, 'input');
    const b = operand(args.other, 'other');
    const y = tensorArg(args.output, 'output');
    const g = tensorArg(args.grad, 'grad');
    const plan = planBroadcast([a.shape, b.shape, y.shape, g.shape]);
    const full = empty(plan.outShape, 'float32');
    const expr = args.which === 0 ? e.gradA! : e.gradB!;
    compileMap(expr, ['a', 'b', 'y', 'g'], (e.params ?? []).map((p) => p.name))(data(full), [a.arr, b.arr, data(y), data(g)], plan, args.params as number[]);
    return sumToShape(full, args.which === 0 ? a.shape : b.shape);
  });
  registerKernel('_sum_to_shape', 'cpu', (args) => sumToShape(tensorArg(args.input, 'input'), args.shape as number[]));
  registerKernel('_broadcast_to', 'cpu', (args) => broadcastTo(tensorArg(args.input, 'input'), args.shape as number[]));
  registerKernel('_where_grad', 'cpu', (args) => {
    // d input = g where cond (which 0) / where not cond (which 1), summed to the operand's shape.
    const c = operand(args.condition, 'condition');
    const g = tensorArg(args.grad, 'grad');
    const plan = planBroadcast([c.shape, g.shape]);
    const full = empty(plan.outShape, 'float32');
    compileMap(args.which === 0 ? 'c != 0 ? g : 0' : 'c != 0 ? 0 : g', ['c', 'g'], [])(data(full), [c.arr, data(g)], plan, []);
    return sumToShape(full, args.shape as number[]);
  });
}
