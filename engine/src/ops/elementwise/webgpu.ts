// WebGPU kernels of the elementwise family, generated from the same table as the CPU kernels
// (runtime/op_tables.ts) through backends/webgpu/codegen.ts. Dtype rules mirror cpu.ts.
import { registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { runMap, sumToShape, type MapOperand } from '../../backends/webgpu/codegen.js';
import { BINARY, UNARY } from '../../runtime/op_tables.js';
import { Tensor } from '../../tensor.js';
import type { EngineDType } from '../../backends/backend.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import { binaryEntryFor, binaryParams, preluWeightView, unaryByName, binaryByName, unaryEntryFor, unaryParams } from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}
function operand(v: RuntimeValue | undefined, name: string, as: string): MapOperand & { isInt: boolean; shape: readonly number[] } {
  if (v instanceof Tensor) return { name: as, value: v, isInt: v.dtype !== 'float32', shape: v.shape };
  if (typeof v === 'number' || typeof v === 'boolean') { const x = Number(v); return { name: as, value: x, isInt: Number.isInteger(x), shape: [] }; }
  throw new Error(`'${name}' must be a tensor or a number`);
}
const names = (ps: readonly { name: string }[] | undefined): string[] => (ps ?? []).map((p) => p.name);

function unaryKernel(op: string): Kernel {
  return (args) => {
    const e = unaryEntryFor(op, args);
    const x = tensorArg(args.input, 'input');
    const params = unaryParams(e, args);
    const dtype: EngineDType = e.bool ? 'bool' : e.keepsInt && x.dtype !== 'float32' && params.every(Number.isInteger) ? (x.dtype === 'bool' ? 'int32' : x.dtype) : 'float32';
    return runMap(op, e.fwd, [{ name: 'x', value: x }], names(e.params), params, dtype, x.shape);
  };
}

function binaryKernel(op: string): Kernel {
  return (args: OpArgs) => {
    const e = binaryEntryFor(op, args);
    const a = operand(args.input, 'input', 'a');
    const b = operand(args.other ?? args.exponent, 'other', 'b');
    const params = binaryParams(e, args);
    const dtype: EngineDType = e.out === 'bool' ? 'bool' : e.out === 'promote' && a.isInt && b.isInt && params.every(Number.isInteger) ? 'int32' : 'float32';
    const shape = a.value instanceof Tensor || b.value instanceof Tensor ? undefined : [];
    return runMap(op, e.fwd, [a, b], names(e.params), params, dtype, shape);
  };
}

export function registerElementwiseWebgpu(): void {
  for (const e of UNARY) if (e.name !== 'gelu_tanh') registerKernel(e.name, 'webgpu', unaryKernel(e.name));
  for (const e of BINARY) if (e.name !== 'div_trunc' && e.name !== 'prelu') registerKernel(e.name, 'webgpu', binaryKernel(e.name));
  registerKernel('prelu', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return binaryKernel('prelu')({ input: x, other: preluWeightView(x, tensorArg(args.weight, 'weight')) }, { saved: {} });
  });
  registerKernel('where', 'webgpu', (args) => {
    const c = operand(args.condition, 'condition', 'c'), a = operand(args.input, 'input', 'a'), b = operand(args.other, 'other', 'b');
    return runMap('where', 'c != 0 ? a : b', [c, a, b], [], [], a.isInt && b.isInt ? 'int32' : 'float32');
  });
  registerKernel('masked_fill', 'webgpu', (args) => {
    const x = operand(args.input, 'input', 'x'), m = operand(args.mask, 'mask', 'm'), v = operand(args.value, 'value', 'v');
    return runMap('masked_fill', 'm != 0 ? v : x', [x, m, v], [], [], x.isInt && v.isInt ? 'int32' : 'float32', x.shape);
  });
  registerKernel('contiguous', 'webgpu', (args) => tensorArg(args.input, 'input').withShape(tensorArg(args.input, 'input').shape));
  registerKernel('detach', 'webgpu', (args) => tensorArg(args.input, 'input').detach());
  registerKernel('clone', 'webgpu', (args) => tensorArg(args.input, 'input').clone());

  // ---- internal kernels used by gradient rules (same names and arguments as on the CPU) ----
  registerKernel('_unary_grad', 'webgpu', (args) => {
    const e = unaryByName.get(args.name as string)!;
    const x = tensorArg(args.input, 'input');
    return runMap(`${e.name} backward`, e.grad!, [{ name: 'x', value: x }, { name: 'y', value: tensorArg(args.output, 'output') }, { name: 'g', value: tensorArg(args.grad, 'grad') }],
      names(e.params), args.params as number[], 'float32', x.shape);
  });
  registerKernel('_binary_grad', 'webgpu', (args) => {
    const e = binaryByName.get(args.name as string)!;
    const a = operand(args.input, 'input', 'a'), b = operand(args.other, 'other', 'b');
    const y = tensorArg(args.output, 'output'), g = tensorArg(args.grad, 'grad');
    const expr = args.which === 0 ? e.gradA! : e.gradB!;
    const full = runMap(`${e.name} backward`, expr, [a, b, { name: 'y', value: y }, { name: 'g', value: g }], names(e.params), args.params as number[], 'float32');
    return sumToShape(full, args.which === 0 ? a.shape : b.shape);
  });
  registerKernel('_sum_to_shape', 'webgpu', (args) => sumToShape(tensorArg(args.input, 'input'), args.shape as number[]));
  registerKernel('_broadcast_to', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const shape = args.shape as number[];
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return runMap('_broadcast_to', 'x', [{ name: 'x', value: x }], [], [], x.dtype, shape);
  });
  registerKernel('_where_grad', 'webgpu', (args) => {
    const c = operand(args.condition, 'condition', 'c');
    const g = tensorArg(args.grad, 'grad');
    const full = runMap('where backward', args.which === 0 ? 'c != 0 ? g : 0' : 'c != 0 ? 0 : g', [c, { name: 'g', value: g }], [], [], 'float32');
    return sumToShape(full, args.shape as number[]);
  });
}
