// WebGPU var / std / logsumexp and the dtype casts (to, type, type_as), composed from the generic
// maps and reductions (codegen.ts) in the same passes the CPU kernels make: mean, squared
// deviations, sum; max, exp(x - max), sum, log. Nothing is read back, so steps using them stay
// capturable in compiled mode.
import { registerKernel } from '../../backends/kernel_registry.js';
import { runMap, runReduce } from '../../backends/webgpu/codegen.js';
import { bool } from '../../backends/cpu/util.js';
import type { EngineDType } from '../../backends/backend.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { engineDType } from '../elementwise/cpu.js';
import { correctionOf, reduceShapes, reducedDims } from './cpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

function castTo(x: Tensor, dtype: EngineDType, copy: boolean): Tensor {
  if (dtype === x.dtype) return copy ? runMap('clone', 'x', [{ name: 'x', value: x }], [], [], dtype) : x.withShape(x.shape);
  // Floats to ints truncate toward zero (the int map output does), to bool: nonzero.
  return runMap(`to ${dtype}`, dtype === 'bool' ? 'x != 0 ? 1 : 0' : 'x', [{ name: 'x', value: x }], [], [], dtype);
}

export function registerReduceStatsWebgpu(): void {
  for (const isStd of [false, true]) {
    registerKernel(isStd ? 'std' : 'var', 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      const dims = reducedDims(x, args.dim);
      const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
      const n = x.numel / Math.max(1, kept.reduce((a, d) => a * d, 1));
      const mean = runReduce('var mean', x, kept, '0', 'acc + x', 'acc / n', 'float32');
      const dev = runMap('var deviations', '(x - m) * (x - m)', [{ name: 'x', value: x }, { name: 'm', value: mean }], [], [], 'float32');
      const m2 = runReduce('var sum', dev, kept, '0', 'acc + x', 'acc', 'float32');
      const d = Math.max(0, n - correctionOf(args));
      return runMap(isStd ? 'std' : 'var', isStd ? 'sqrt(s / d)' : 's / d', [{ name: 's', value: m2 }], ['d'], [d], 'float32').withShape(out);
    });
  }
  registerKernel('logsumexp', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const dims = reducedDims(x, args.dim);
    const { kept, out } = reduceShapes(x.shape, dims, bool(args.keepdim, false));
    // The max shifts exp into range; an all -inf (or +inf) slice shifts by 0, as on the CPU.
    const mx = runReduce('logsumexp max', x, kept, '-Infinity', 'x > acc || x != x ? x : acc', 'acc', 'float32');
    const m = runMap('logsumexp shift', 'abs(m) < Infinity ? m : 0', [{ name: 'm', value: mx }], [], [], 'float32');
    const e = runMap('logsumexp exp', 'exp(x - m)', [{ name: 'x', value: x }, { name: 'm', value: m }], [], [], 'float32');
    const s = runReduce('logsumexp sum', e, kept, '0', 'acc + x', 'acc', 'float32');
    return runMap('logsumexp', 'log(s) + m', [{ name: 's', value: s }, { name: 'm', value: m }], [], [], 'float32').withShape(out);
  });
  registerKernel('to', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    let target: EngineDType = x.dtype;
    const pick = (v: RuntimeValue | undefined): void => {
      if (v instanceof Tensor) target = v.dtype;
      else if (v && typeof v === 'object' && !Array.isArray(v) && (v as { kind?: string }).kind === 'dtype') target = engineDType((v as { dtype: string }).dtype);
      else if (typeof v === 'string' && /^(torch\.)?(float|int|long|bool|double|half)/.test(v)) target = engineDType(v.replace('torch.', ''));
    };
    for (const v of (Array.isArray(args.args) ? args.args : []) as RuntimeValue[]) pick(v);
    pick(args.dtype);
    return castTo(x, target, args.copy === true);
  });
  registerKernel('type', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    const d = args.dtype;
    if (d === null || d === undefined) return x.dtype === 'float32' ? 'torch.FloatTensor' : x.dtype === 'bool' ? 'torch.BoolTensor' : 'torch.LongTensor';
    const name = typeof d === 'string' ? d : (d as { dtype?: string }).dtype ?? 'float32';
    return castTo(x, engineDType(name.replace(/^torch\./, '').replace('FloatTensor', 'float32').replace('LongTensor', 'int64')), false);
  });
  registerKernel('type_as', 'webgpu', (args) => castTo(tensorArg(args.input, 'input'), tensorArg(args.other, 'other').dtype, false));
}
