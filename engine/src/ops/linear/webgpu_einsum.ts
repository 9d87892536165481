// WebGPU einsum (and the internal _einsum its gradients use) and bilinear: one thread per output
// element sums the product of the operands over the contracted letters, with the letter sizes and
// per-operand strides as uniforms (the CPU kernel's layout: output letters first, then the summed
// ones; broadcast or absent letters have stride 0). Products that are plain matmuls reach einsum
// only when the user writes them so; this kernel is for correctness and small contractions.
import { registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runMap } from '../../backends/webgpu/codegen.js';
import { GpuError, UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { optTensor, tensorArg } from '../../backends/cpu/util.js';
import type { Tensor } from '../../tensor.js';
import { einsumLayout, operandsOf, parseEinsum, type EinsumSpec } from './cpu.js';

function einsumGpu(spec: EinsumSpec, ops: readonly Tensor[], sizes = new Map<string, number>()): Tensor {
  // Integer operands are read as floats, as on the CPU.
  ops = ops.map((t) => (t.dtype === 'float32' ? t : runMap('einsum operand', 'x', [{ name: 'x', value: t }], [], [], 'float32')));
  const { outLetters, letters, dims, outShape, strides } = einsumLayout(spec, ops.map((t) => t.shape), sizes);
  const b = webgpuBackend();
  const out = gpuEmpty(b, outShape, 'float32', 'einsum');
  const nOut = out.numel;
  const inner = dims.slice(outLetters.length).reduce((a, d) => a * d, 1);
  if (nOut === 0) return out;
  const L = letters.length, nO = outLetters.length, Q = ops.length;
  const uni = [nOut, inner, ...dims, ...strides.flat()];
  if (uni.length > 63) throw new GpuError(`einsum: ${L} letters over ${Q} operands exceed the kernel's ${63} parameters`);
  const dimAt = (k: number): string => `P(${2 + k}u)`;
  const stAt = (q: number, k: number): string => `P(${2 + L + q * L + k}u)`;
  const decode = (v: string, from: number, to: number, off: string): string[] => {
    const lines: string[] = [`var rem_${off} = ${v};`];
    for (let k = to - 1; k >= from; k--) {
      lines.push(`{ let c = rem_${off} % ${dimAt(k)}; rem_${off} = rem_${off} / ${dimAt(k)};${ops.map((_, q) => ` ${off}${q} += c * ${stAt(q, k)};`).join('')} }`);
    }
    return lines;
  };
  const wg = b.params.elementwiseWorkgroup;
  const wgsl = (): string => `${UNIFORM_HEADER}
${ops.map((_, q) => `@group(0) @binding(${q + 1}) var<storage, read> X${q}: array<f32>;`).join('\n')}
@group(0) @binding(${Q + 1}) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${ops.map((_, q) => `var b${q} = 0u;`).join(' ')}
  ${decode('i', 0, nO, 'b').join('\n  ')}
  var s = 0.0;
  for (var r = 0u; r < P(1u); r++) {
    ${ops.map((_, q) => `var o${q} = b${q};`).join(' ')}
    ${decode('r', nO, L, 'o').join('\n    ')}
    s += ${ops.map((_, q) => `X${q}[o${q}]`).join(' * ')};
  }
  O[i] = s;
}`;
  const [gx, gy] = b.grid(nOut, wg);
  b.run({ label: `einsum ${spec.inputs.join(',')}->${spec.output} [${outShape.join(', ')}]`, key: `einsum|${Q}|${L}|${nO}|${wg}`, wgsl,
    bindings: [...ops.map((t) => gpuStorage(t)), gpuStorage(out)], uniforms: uni, groups: [gx, gy] });
  return out;
}

export function registerEinsumWebgpu(): void {
  registerKernel('einsum', 'webgpu', (args) => {
    const ops = operandsOf(args.operands);
    return einsumGpu(parseEinsum(String(args.equation), ops.map((t) => t.ndim)), ops);
  });
  registerKernel('_einsum', 'webgpu', (args) => {
    const ops = operandsOf(args.operands);
    return einsumGpu({ inputs: args.inputs as string[], output: args.output as string }, ops, new Map(Object.entries(args.sizes as unknown as Record<string, number>)));
  });
  registerKernel('bilinear', 'webgpu', (args) => {
    const x1 = tensorArg(args.input1, 'input1'), x2 = tensorArg(args.input2, 'input2'), w = tensorArg(args.weight, 'weight');
    const bias = optTensor(args.bias);
    const [O, I, J] = w.shape as [number, number, number];
    const lead = x1.shape.slice(0, -1);
    const n = x1.numel / I;
    let y = einsumGpu({ inputs: ['ni', 'oij', 'nj'], output: 'no' }, [x1.withShape([n, I]), w, x2.withShape([n, J])]);
    if (bias) y = runMap('bilinear bias', 'y + b', [{ name: 'y', value: y }, { name: 'b', value: bias }], [], [], 'float32');
    return y.withShape([...lead, O]);
  });
}
