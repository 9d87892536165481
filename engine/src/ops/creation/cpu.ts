// CPU kernels of creation ops (zeros/ones/full/empty/rand/randn/randint/arange/linspace/eye/tensor
// and the *_like and new_* spellings). Random values come from the engine's seeded generator.
import { registerKernel } from '../../backends/kernel_registry.js';
import { data, empty, intList, num, tensorArg } from '../../backends/cpu/util.js';
import { defaultGenerator } from '../../runtime/rng.js';
import { Tensor } from '../../tensor.js';
import type { EngineDType } from '../../backends/backend.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import { engineDType } from '../elementwise/cpu.js';

// Argument readers, shared with the WebGPU kernels (creation/webgpu.ts).
export function dtypeArg(v: RuntimeValue | undefined, dflt: EngineDType): EngineDType {
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor) && (v as { kind?: string }).kind === 'dtype') return engineDType((v as { dtype: string }).dtype);
  if (typeof v === 'string') return engineDType(v.replace(/^torch\./, ''));
  return dflt;
}
export function sizeArg(v: RuntimeValue | undefined): number[] {
  const s = intList(v);
  if (s.some((d) => d < 0 || !Number.isInteger(d))) throw new Error(`sizes must be non-negative integers, but got [${s.join(', ')}]`);
  return s;
}

function fill(shape: number[], dtype: EngineDType, f: (i: number) => number): Tensor {
  const t = empty(shape, dtype);
  const D = data(t);
  for (let i = 0; i < D.length; i++) D[i] = f(i);
  return t;
}

export function maybeGrad(t: Tensor, args: OpArgs): Tensor {
  return args.requires_grad === true ? t.setRequiresGrad(true) : t;
}

/** randint(high, size) / randint(low, high, size): [low, high, shape]. */
export function randintArgs(args: OpArgs): [number, number, number[]] {
  const hasLow = args.size !== null && args.size !== undefined;
  return [hasLow ? num(args.low, 0) : 0, hasLow ? num(args.high, 0) : num(args.low, 0), sizeArg(hasLow ? args.size : args.high)];
}
/** randint_like(x, high) / randint_like(x, low, high): [low, high]. */
export function randintLikeBounds(args: OpArgs): [number, number] {
  const hasHigh = args.high !== null && args.high !== undefined;
  return [hasHigh ? num(args.low, 0) : 0, hasHigh ? num(args.high, 0) : num(args.low, 0)];
}
/** arange(end) / arange(start, end[, step]): start, step, count, and whether all are integers. */
export function arangeArgs(args: OpArgs): { start: number; step: number; n: number; allInt: boolean } {
  const hasEnd = args.end !== null && args.end !== undefined;
  const start = hasEnd ? num(args.start, 0) : 0;
  const end = hasEnd ? num(args.end, 0) : num(args.start, 0);
  const step = num(args.step, 1);
  if (step === 0) throw new Error('arange: step must be nonzero');
  return { start, step, n: Math.max(0, Math.ceil((end - start) / step)), allInt: [start, end, step].every(Number.isInteger) };
}

export function registerCreationCpu(): void {
  const gen = defaultGenerator;
  const makers: Record<string, (shape: number[], dtype: EngineDType, args: OpArgs) => Tensor> = {
    zeros: (s, d) => empty(s, d),
    empty: (s, d) => empty(s, d),
    ones: (s, d) => fill(s, d, () => 1),
    rand: (s, d) => fill(s, d, () => gen().uniform()),
    randn: (s, d) => fill(s, d, () => gen().normal()),
  };
  for (const [name, make] of Object.entries(makers)) {
    registerKernel(name, 'cpu', (args) => maybeGrad(make(sizeArg(args.size), dtypeArg(args.dtype, 'float32'), args), args));
    registerKernel(`new_${name}`, 'cpu', (args) => maybeGrad(make(sizeArg(args.size), dtypeArg(args.dtype, tensorArg(args.input, 'input').dtype), args), args));
    registerKernel(`${name}_like`, 'cpu', (args) => {
      const x = tensorArg(args.input, 'input');
      return maybeGrad(make([...x.shape], dtypeArg(args.dtype, x.dtype), args), args);
    });
  }
  const fillDtype = (v: RuntimeValue | undefined): EngineDType => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' && Number.isInteger(v) ? 'int32' : 'float32');
  registerKernel('full', 'cpu', (args) => maybeGrad(fill(sizeArg(args.size), dtypeArg(args.dtype, fillDtype(args.fill_value)), () => num(args.fill_value, 0)), args));
  registerKernel('new_full', 'cpu', (args) => maybeGrad(fill(sizeArg(args.size), dtypeArg(args.dtype, tensorArg(args.input, 'input').dtype), () => num(args.fill_value, 0)), args));
  registerKernel('full_like', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return maybeGrad(fill([...x.shape], dtypeArg(args.dtype, x.dtype), () => num(args.fill_value, 0)), args);
  });
  const randint = (low: number, high: number, shape: number[], dtype: EngineDType): Tensor => {
    if (high <= low) throw new Error(`randint: high (${high}) must be greater than low (${low})`);
    return fill(shape, dtype, () => gen().int(low, high));
  };
  registerKernel('randint', 'cpu', (args) => {
    const [low, high, shape] = randintArgs(args);
    return randint(low, high, shape, dtypeArg(args.dtype, 'int32'));
  });
  registerKernel('randint_like', 'cpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return randint(...randintLikeBounds(args), [...x.shape], dtypeArg(args.dtype, x.dtype));
  });
  registerKernel('arange', 'cpu', (args) => {
    const { start, step, n, allInt } = arangeArgs(args);
    return maybeGrad(fill([n], dtypeArg(args.dtype, allInt ? 'int32' : 'float32'), (i) => start + i * step), args);
  });
  registerKernel('linspace', 'cpu', (args) => {
    const a = num(args.start, 0), b = num(args.end, 0), n = num(args.steps, 0);
    return fill([n], dtypeArg(args.dtype, 'float32'), (i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
  });
  registerKernel('logspace', 'cpu', (args) => {
    const a = num(args.start, 0), b = num(args.end, 0), n = num(args.steps, 0), base = num(args.base, 10);
    return fill([n], dtypeArg(args.dtype, 'float32'), (i) => Math.pow(base, n === 1 ? a : a + ((b - a) * i) / (n - 1)));
  });
  registerKernel('eye', 'cpu', (args) => {
    const n = num(args.n, 0), m = args.m === null || args.m === undefined ? n : num(args.m, n);
    return fill([n, m], dtypeArg(args.dtype, 'float32'), (i) => (Math.floor(i / m) === i % m ? 1 : 0));
  });
  registerKernel('tensor', 'cpu', (args) => {
    const v = args.data;
    if (v instanceof Tensor) return v.clone();
    const shape: number[] = [];
    let cur: RuntimeValue | undefined = v;
    while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0]; }
    const flat = intListFloat(v);
    const isInt = flatIsInt(v);
    const dt = dtypeArg(args.dtype, typeof cur === 'boolean' ? 'bool' : isInt ? 'int32' : 'float32');
    const t = Tensor.fromArray(flat, shape, dt);
    return maybeGrad(t, args);
  });
}

function intListFloat(v: RuntimeValue | undefined): number[] {
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (Array.isArray(v)) return (v as RuntimeValue[]).flatMap((x) => intListFloat(x));
  if (v instanceof Tensor) return Array.from(v.toFloat32Array());
  throw new Error(`cannot build a tensor from ${String(v)}`);
}
function flatIsInt(v: RuntimeValue | undefined): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  if (Array.isArray(v)) return (v as RuntimeValue[]).every(flatIsInt);
  return typeof v === 'boolean';
}
