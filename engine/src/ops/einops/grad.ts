// einops on the engine: every op is a composite of reshape / permute / a reduction / unsqueeze +
// expand / cat / narrow / einsum, following the plan the shape rule computed (recipe.ts), so it
// runs on every backend and its gradient is its primitives' (GUIDE convention 1).
import { registerComposite } from '../../runtime/composite.js';
import { callOp } from '../../runtime/dispatch.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import { analyzePackPattern } from './pattern.js';
import { parseEinsum, planTransform, planUnpack, type Operation, type Size } from './recipe.js';

const REDUCE_OPS: Readonly<Record<string, string>> = { sum: 'sum', mean: 'mean', prod: 'prod', max: 'amax', min: 'amin', any: 'any', all: 'all' };

const nums = (sizes: readonly Size[], who: string): number[] => sizes.map((s) => {
  if (typeof s !== 'number') throw new Error(`${who}: a size could not be computed`);
  return s;
});

/** Runtime `axes_lengths`: (name, size) pairs. */
function axesOf(v: RuntimeValue | undefined): [string, number][] {
  if (!Array.isArray(v)) return [];
  return (v as readonly RuntimeValue[]).map((pair) => {
    const kv = pair as readonly RuntimeValue[];
    return [String(kv[0]), Number(kv[1])];
  });
}

function inputTensor(v: RuntimeValue | undefined, who: string): Tensor {
  if (v instanceof Tensor) return v;
  if (Array.isArray(v)) return callOp('stack', { tensors: v as readonly RuntimeValue[], dim: 0 }) as Tensor;
  throw new Error(`${who}: the input must be a tensor or a list of tensors`);
}

function transform(who: string, args: OpArgs, op: Operation): Tensor {
  let x = inputTensor(args.input, who);
  const plan = planTransform(who, String(args.pattern), op, x.shape, axesOf(args.axes_lengths));
  if (!plan) throw new Error(`${who}: the result's rank could not be computed`);
  if (plan.initShape) x = callOp('reshape', { input: x, shape: nums(plan.initShape, who) }) as Tensor;
  if (plan.permutation) x = callOp('permute', { input: x, dims: [...plan.permutation] }) as Tensor;
  if (plan.reducedAxes.length > 0) {
    const name = op === null ? undefined : REDUCE_OPS[op];
    if (!name) throw new Error(`${who}: a callable reduction cannot run in the embedded engine (use one of 'sum', 'mean', 'max', 'min', 'prod')`);
    x = callOp(name, { input: x, dim: [...plan.reducedAxes] }) as Tensor;
  }
  if (plan.addedAxes.length > 0) {
    for (const [pos] of plan.addedAxes) x = callOp('unsqueeze', { input: x, dim: pos }) as Tensor;
    const full = [...x.shape];
    for (const [pos, len] of plan.addedAxes) full[pos] = nums([len], who)[0]!;
    x = callOp('expand', { input: x, size: full }) as Tensor;
  }
  if (plan.finalShape) x = callOp('reshape', { input: x, shape: nums(plan.finalShape, who) }) as Tensor;
  return x;
}

export function registerEinopsComposites(): void {
  registerComposite('einops_rearrange', (args) => transform('einops.rearrange', args, 'rearrange'));
  registerComposite('einops_repeat', (args) => transform('einops.repeat', args, 'repeat'));
  registerComposite('einops_reduce', (args) => {
    const r = args.reduction;
    return transform('einops.reduce', args, typeof r === 'string' ? (r as Operation) : null);
  });
  registerComposite('einops_pack', (args) => {
    const pattern = String(args.pattern);
    const [before, after] = analyzePackPattern(pattern, 'pack');
    const ts = (args.tensors as readonly RuntimeValue[]).map((t) => t as Tensor);
    const packedShapes: number[][] = [];
    const flat = ts.map((t) => {
      const s = t.shape;
      const mid = s.slice(before, s.length - after);
      packedShapes.push([...mid]);
      const n = mid.reduce((a, b) => a * b, 1);
      return callOp('reshape', { input: t, shape: [...s.slice(0, before), n, ...s.slice(s.length - after)] });
    });
    return [callOp('cat', { tensors: flat, dim: before }), packedShapes];
  });
  registerComposite('einops_unpack', (args) => {
    const who = 'einops.unpack';
    const pattern = String(args.pattern);
    const x = args.input as Tensor;
    const [before] = analyzePackPattern(pattern, 'unpack');
    const ps = (args.packed_shapes as readonly RuntimeValue[]).map((s) => (s as readonly RuntimeValue[]).map(Number));
    const outs = planUnpack(who, pattern, x.shape, ps);
    let start = 0;
    return outs.map((shape) => {
      const full = nums(shape!, who);
      const len = full.slice(before, full.length - (x.ndim - before - 1)).reduce((a, b) => a * b, 1);
      const piece = callOp('narrow', { input: x, dim: before, start, length: len });
      start += len;
      return callOp('reshape', { input: piece, shape: full });
    });
  });
  registerComposite('einops_einsum', (args) => {
    const items = args.tensors_and_pattern as readonly RuntimeValue[];
    const spec = parseEinsum(String(items[items.length - 1]));
    return callOp('einsum', { equation: spec.equation, operands: items.slice(0, -1) });
  });
}
