// WebGPU kernels of the creation ops: zeros/empty (zero-filled buffer), ones/full (the fill
// kernel), arange/linspace/logspace/eye (a formula per element), rand/randn/randint (the
// counter-based generator of dropout/webgpu.ts: values differ from the CPU generator's), and
// torch.tensor(data), whose data is host data by definition (one upload).
import { getKernel, registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { f32Bits, UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { num, tensorArg } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { EngineDType } from '../../backends/backend.js';
import type { RuntimeValue } from '../../runtime/value.js';
import { gpuRngCall, rngWgsl } from '../dropout/webgpu.js';
import { arangeArgs, dtypeArg, maybeGrad, randintArgs, randintLikeBounds, sizeArg } from './cpu.js';

const fillDtype = (v: RuntimeValue | undefined): EngineDType => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' && Number.isInteger(v) ? 'int32' : 'float32');

/**
 * A tensor whose element i is `expr` (WGSL, f32 unless `intExpr` is given for integer dtypes),
 * with uniform words P(1..) = params; `rng` binds the generator (rand01(key, i) available).
 */
function formula(op: string, shape: readonly number[], dtype: EngineDType, expr: string, intExpr: string | null, params: readonly number[], rng = false): Tensor {
  const b = webgpuBackend();
  const out = gpuEmpty(b, shape, dtype, op);
  const n = out.numel;
  if (n === 0) return out;
  const isF = dtype === 'float32';
  const wg = b.params.elementwiseWorkgroup;
  const r = rng ? gpuRngCall() : null;
  const callWord = 1 + params.length;
  const value = isF ? expr : intExpr ?? `i32(${expr})`;
  b.run({
    label: `${op} [${shape.join(', ')}]`, key: `creation|${op}|${isF}|${value}|${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read_write> O: array<${isF ? 'f32' : 'i32'}>;
${rng ? rngWgsl(2, callWord) : ''}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${rng ? 'let key = rngKey();' : ''}
  O[i] = ${value};
}`,
    bindings: r ? [gpuStorage(out), r.state] : [gpuStorage(out)],
    uniforms: [n, ...params, ...(r ? [r.call] : [])].map((u) => u >>> 0), groups: b.grid(n, wg),
  });
  return out;
}

const RAND = 'rand01(key, i)';
// Box-Muller on two draws per element (elements 2i and 2i+1 of the call's stream); 1 - u keeps log() finite.
const RANDN = 'sqrt(-2.0 * log(1.0 - rand01(key, 2u * i))) * cos(6.283185307179586 * rand01(key, 2u * i + 1u))';

export function registerCreationWebgpu(): void {
  const makers: Record<string, (shape: number[], dtype: EngineDType) => Tensor> = {
    zeros: (s, d) => new Tensor(webgpuBackend().allocate(s.reduce((a, c) => a * c, 1), d), s),
    empty: (s, d) => new Tensor(webgpuBackend().allocate(s.reduce((a, c) => a * c, 1), d), s),
    ones: (s, d) => new Tensor(webgpuBackend().allocate(s.reduce((a, c) => a * c, 1), d, 1), s),
    rand: (s, d) => formula('rand', s, d, RAND, null, [], true),
    randn: (s, d) => formula('randn', s, d, RANDN, null, [], true),
  };
  for (const [name, make] of Object.entries(makers)) {
    registerKernel(name, 'webgpu', (args) => maybeGrad(make(sizeArg(args.size), dtypeArg(args.dtype, 'float32')), args));
    registerKernel(`new_${name}`, 'webgpu', (args) => maybeGrad(make(sizeArg(args.size), dtypeArg(args.dtype, tensorArg(args.input, 'input').dtype)), args));
    registerKernel(`${name}_like`, 'webgpu', (args) => {
      const x = tensorArg(args.input, 'input');
      return maybeGrad(make([...x.shape], dtypeArg(args.dtype, x.dtype)), args);
    });
  }
  const full = (shape: number[], dtype: EngineDType, v: number): Tensor =>
    new Tensor(webgpuBackend().allocate(shape.reduce((a, c) => a * c, 1), dtype, dtype === 'float32' ? v : Math.trunc(v)), shape);
  registerKernel('full', 'webgpu', (args) => maybeGrad(full(sizeArg(args.size), dtypeArg(args.dtype, fillDtype(args.fill_value)), num(args.fill_value, 0)), args));
  registerKernel('new_full', 'webgpu', (args) => maybeGrad(full(sizeArg(args.size), dtypeArg(args.dtype, tensorArg(args.input, 'input').dtype), num(args.fill_value, 0)), args));
  registerKernel('full_like', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return maybeGrad(full([...x.shape], dtypeArg(args.dtype, x.dtype), num(args.fill_value, 0)), args);
  });
  const randint = (low: number, high: number, shape: number[], dtype: EngineDType): Tensor => {
    if (high <= low) throw new Error(`randint: high (${high}) must be greater than low (${low})`);
    const e = `bitcast<i32>(P(1u)) + i32(floor(rand01(key, i) * f32(P(2u))))`;
    return formula('randint', shape, dtype, `f32(${e})`, e, [low | 0, (high - low) >>> 0], true);
  };
  registerKernel('randint', 'webgpu', (args) => {
    const [low, high, shape] = randintArgs(args);
    return randint(low, high, shape, dtypeArg(args.dtype, 'int32'));
  });
  registerKernel('randint_like', 'webgpu', (args) => {
    const x = tensorArg(args.input, 'input');
    return randint(...randintLikeBounds(args), [...x.shape], dtypeArg(args.dtype, x.dtype));
  });
  registerKernel('arange', 'webgpu', (args) => {
    const { start, step, n, allInt } = arangeArgs(args);
    const dtype = dtypeArg(args.dtype, allInt ? 'int32' : 'float32');
    // Integer arguments stay exact in integer arithmetic; float ones are f32 uniforms.
    const t = allInt
      ? formula('arange', [n], dtype, 'f32(bitcast<i32>(P(1u)) + i32(i) * bitcast<i32>(P(2u)))', 'bitcast<i32>(P(1u)) + i32(i) * bitcast<i32>(P(2u))', [start | 0, step | 0])
      : formula('arange', [n], dtype, 'F(1u) + f32(i) * F(2u)', null, [f32Bits(start), f32Bits(step)]);
    return maybeGrad(t, args);
  });
  const lin = 'select(F(1u) + (F(2u) - F(1u)) * f32(i) / f32(P(3u) - 1u), F(1u), P(3u) == 1u)';
  registerKernel('linspace', 'webgpu', (args) => {
    const a = num(args.start, 0), b = num(args.end, 0), n = num(args.steps, 0);
    return formula('linspace', [n], dtypeArg(args.dtype, 'float32'), lin, null, [f32Bits(a), f32Bits(b), n]);
  });
  registerKernel('logspace', 'webgpu', (args) => {
    const a = num(args.start, 0), b = num(args.end, 0), n = num(args.steps, 0), base = num(args.base, 10);
    return formula('logspace', [n], dtypeArg(args.dtype, 'float32'), `exp2(${lin} * F(4u))`, null, [f32Bits(a), f32Bits(b), n, f32Bits(Math.log2(base))]);
  });
  registerKernel('eye', 'webgpu', (args) => {
    const n = num(args.n, 0), m = args.m === null || args.m === undefined ? n : num(args.m, n);
    return formula('eye', [n, m], dtypeArg(args.dtype, 'float32'), 'select(0.0, 1.0, i / P(1u) == i % P(1u))', 'select(0, 1, i / P(1u) == i % P(1u))', [Math.max(1, m)]);
  });
  // torch.tensor(data): host data by definition; the CPU kernel builds it, one upload places it.
  const cpuTensor = getKernel('tensor', 'cpu');
  registerKernel('tensor', 'webgpu', (args, ctx) => {
    if (!cpuTensor) throw new Error('tensor: no CPU kernel');
    const t = cpuTensor(args, ctx) as Tensor;
    if (t.backend === webgpuBackend()) return t;
    const g = new Tensor(webgpuBackend().fromArray(t.backend.read(t.storage), t.dtype), t.shape);
    return t.requiresGrad ? g.setRequiresGrad(true) : g;
  });
}
