// CPU kernels of the linear family: matmul/mm/bmm (batch broadcasting), linear, bilinear, outer,
// einsum (any equation, by index loops), and `_gemm`, the batched op(A)·op(B) the gradients use.
import { registerKernel } from '../../backends/kernel_registry.js';
import { broadcastShapes, planBroadcast } from '../../backends/cpu/codegen.js';
import { gemm, gemmNT } from '../../backends/cpu/gemm.js';
import { empty, f32, numelOf, optTensor, tensorArg, wrap } from '../../backends/cpu/util.js';
import { Tensor } from '../../tensor.js';
import type { RuntimeValue } from '../../runtime/value.js';

/** For a broadcast batch: the output batch shape and, per output matrix, the a/b matrix index. */
function batchPairs(ba: readonly number[], bb: readonly number[]): { batch: number[]; ia: Int32Array; ib: Int32Array } {
  const batch = broadcastShapes([ba, bb]);
  const n = numelOf(batch);
  const ia = new Int32Array(n), ib = new Int32Array(n);
  const plan = planBroadcast([batch, ba, bb]);
  if (plan.offsets === null) { for (let i = 0; i < n; i++) { ia[i] = i; ib[i] = i; } return { batch, ia, ib }; }
  const [, oa, ob] = plan.offsets;
  const sa = plan.innerStrides[1]!, sb = plan.innerStrides[2]!;
  let w = 0;
  for (let r = 0; r < oa!.length; r++) {
    let x = oa![r]!, y = ob![r]!;
    for (let i = 0; i < plan.inner; i++) { ia[w] = x; ib[w] = y; w++; x += sa; y += sb; }
  }
  return { batch, ia, ib };
}

/**
 * Batched op(A)·op(B) with batch broadcasting. a: [...Ba, M, K] ([..., K, M] when ta),
 * b: [...Bb, K, N] ([..., N, K] when tb). Returns [...batch, M, N].
 */
export function batchedGemm(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw new Error('internal: batchedGemm needs 2-d operands');
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const M = ta ? ac : ar, K = ta ? ar : ac;
  const Kb = tb ? bc : br, N = tb ? br : bc;
  if (K !== Kb) throw new Error(`inner dims ${K} and ${Kb} differ (Tensor[${a.shape.join(', ')}] @ Tensor[${b.shape.join(', ')}])`);
  const { batch, ia, ib } = batchPairs(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = empty([...batch, M, N], 'float32');
  const A = f32(a), B = f32(b), C = f32(out);
  const sizeA = M * K, sizeB = K * N;
  // Bring each operand into the A·Bᵀ form once per distinct matrix (b is often shared).
  const aN = ta ? new Map<number, Float32Array>() : null;
  const bT = tb ? null : new Map<number, Float32Array>();
  for (let t = 0; t < ia.length; t++) {
    let aArr = A, aOff = ia[t]! * sizeA;
    if (aN) {
      let m = aN.get(ia[t]!);
      if (!m) { m = new Float32Array(sizeA); transposeInto(A, aOff, K, M, m); aN.set(ia[t]!, m); }
      aArr = m; aOff = 0;
    }
    let bArr = B, bOff = ib[t]! * sizeB;
    if (bT) {
      let m = bT.get(ib[t]!);
      if (!m) { m = new Float32Array(sizeB); transposeInto(B, bOff, K, N, m); bT.set(ib[t]!, m); }
      bArr = m; bOff = 0;
    }
    gemmNT(aArr, aOff, bArr, bOff, C, t * M * N, M, N, K);
    if (aN && aN.size > 64) aN.clear();
    if (bT && bT.size > 64) bT.clear();
  }
  return out;
}

function transposeInto(src: Float32Array, off: number, rows: number, cols: number, out: Float32Array): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = src[off + i * cols + j]!;
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new Error('both arguments to matmul need to be at least 1D');
  const a2 = a.ndim === 1 ? a.withShape([1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? b.withShape([b.shape[0]!, 1]) : b;
  const r = batchedGemm(a2, b2, false, false);
  let shape = [...r.shape];
  if (b.ndim === 1) shape = shape.slice(0, -1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return r.withShape(shape);
}

export function linear(x: Tensor, w: Tensor, bias: Tensor | null): Tensor {
  const inF = x.shape[x.ndim - 1] ?? 1;
  const outF = w.ndim === 1 ? 1 : w.shape[0]!;
  if ((w.ndim === 1 ? w.shape[0] : w.shape[1]) !== inF) throw new Error(`input's last dim ${inF} does not match weight Tensor[${w.shape.join(', ')}]`);
  const M = x.numel / Math.max(inF, 1);
  const outShape = w.ndim === 1 ? x.shape.slice(0, -1) : [...x.shape.slice(0, -1), outF];
  const out = empty(outShape, 'float32');
  const C = f32(out);
  gemmNT(f32(x), 0, f32(w), 0, C, 0, M, outF, inF);
  if (bias) {
    const B = f32(bias);
    if (B.length === 1) for (let i = 0; i < C.length; i++) C[i] += B[0]!;
    else for (let i = 0; i < M; i++) { const o = i * outF; for (let j = 0; j < outF; j++) C[o + j] += B[j]!; }
  }
  return out;
}

// ---- einsum ------------------------------------------------------------------------------
export interface EinsumSpec { inputs: string[]; output: string }

/** Parse an equation, expanding '...' to capital letters by each operand's rank. */
export function parseEinsum(equation: string, ranks: readonly number[]): EinsumSpec {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsRaw] = eq.split('->') as [string, string | undefined];
  const parts = lhs.split(',');
  if (parts.length !== ranks.length) throw new Error(`einsum: equation '${equation}' has ${parts.length} operands but ${ranks.length} were given`);
  const ellLetters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let ellRank = 0;
  const inputs = parts.map((p, i) => {
    if (!p.includes('...')) return p;
    const r = ranks[i]! - (p.length - 3);
    ellRank = Math.max(ellRank, r);
    return p.replace('...', ellLetters.slice(ellLetters.length - r));
  });
  const ell = ellLetters.slice(ellLetters.length - ellRank);
  let output: string;
  if (rhsRaw !== undefined) output = rhsRaw.replace('...', ell);
  else {
    const counts = new Map<string, number>();
    for (const p of inputs) for (const c of p) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = ell + [...counts].filter(([c, n]) => n === 1 && !ell.includes(c)).map(([c]) => c).sort().join('');
  }
  inputs.forEach((p, i) => {
    if (p.length !== ranks[i]) throw new Error(`einsum: operand ${i} has ${ranks[i]} dims but subscripts '${parts[i]}'`);
    if (new Set(p).size !== p.length) throw new Error(`einsum: repeated subscripts within one operand ('${parts[i]}') are not supported`);
  });
  return { inputs, output };
}

/**
 * An einsum's loop, shared by the CPU and WebGPU kernels: its letters (the output's first, then
 * the summed ones), their sizes, the output shape, and each operand's stride per letter (0 when
 * the letter is absent or broadcast). `sizes` may predefine letters.
 */
export function einsumLayout(spec: EinsumSpec, shapes: readonly (readonly number[])[], sizes = new Map<string, number>()): {
  outLetters: string[]; letters: string[]; dims: number[]; outShape: number[]; strides: number[][];
} {
  spec.inputs.forEach((p, i) => [...p].forEach((c, k) => {
    const d = shapes[i]![k]!;
    const prev = sizes.get(c);
    if (prev === undefined || prev === 1) sizes.set(c, d);
    else if (d !== prev && d !== 1) throw new Error(`einsum: subscript '${c}' has size ${prev} and ${d}`);
  }));
  const outLetters = [...spec.output];
  const letters = [...outLetters, ...[...sizes.keys()].filter((c) => !spec.output.includes(c))];
  const dims = letters.map((c) => { const s = sizes.get(c); if (s === undefined) throw new Error(`einsum: output subscript '${c}' is not in any input`); return s; });
  const outShape = outLetters.map((c) => sizes.get(c)!);
  const strides = shapes.map((shape, i) => {
    const p = spec.inputs[i]!;
    const per = new Map<string, number>();
    let acc = 1;
    for (let k = p.length - 1; k >= 0; k--) { per.set(p[k]!, shape[k] === 1 ? 0 : acc); acc *= shape[k]!; }
    return letters.map((c) => per.get(c) ?? 0);
  });
  return { outLetters, letters, dims, outShape, strides };
}

/** out[output letters] = sum over the rest of prod operands. `sizes` may predefine letters. */
export function einsumRun(spec: EinsumSpec, ops: readonly Tensor[], sizes = new Map<string, number>()): Tensor {
  const { letters, dims, outShape, strides } = einsumLayout(spec, ops.map((t) => t.shape), sizes);
  const out = empty(outShape, 'float32');
  const O = f32(out);
  const arrs = ops.map((t) => f32(t));
  const total = numelOf(dims);
  const nOut = numelOf(outShape);
  if (total === 0) return out;
  const inner = total / Math.max(1, nOut);
  const idx = new Array<number>(letters.length).fill(0);
  const offs = new Array<number>(ops.length).fill(0);
  for (let o = 0; o < nOut; o++) {
    let s = 0;
    for (let r = 0; r < inner; r++) {
      let p = 1;
      for (let q = 0; q < arrs.length; q++) p *= arrs[q]![offs[q]!]!;
      s += p;
      // odometer over all letters (output letters are the slow ones)
      for (let k = letters.length - 1; k >= 0; k--) {
        idx[k]!++;
        for (let q = 0; q < offs.length; q++) offs[q]! += strides[q]![k]!;
        if (idx[k]! < dims[k]!) break;
        for (let q = 0; q < offs.length; q++) offs[q]! -= strides[q]![k]! * dims[k]!;
        idx[k] = 0;
      }
    }
    O[o] = s;
  }
  return out;
}

export function operandsOf(v: RuntimeValue | undefined): Tensor[] {
  const items = Array.isArray(v) ? (v as RuntimeValue[]) : [v];
  const flat = items.length === 1 && Array.isArray(items[0]) ? (items[0] as RuntimeValue[]) : items;
  return flat.map((x, i) => tensorArg(x, `operands[${i}]`));
}

export function registerLinearCpu(): void {
  registerKernel('matmul', 'cpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.other, 'other')));
  registerKernel('mm', 'cpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.mat2, 'mat2')));
  registerKernel('bmm', 'cpu', (args) => matmul(tensorArg(args.input, 'input'), tensorArg(args.mat2, 'mat2')));
  registerKernel('linear', 'cpu', (args) => linear(tensorArg(args.input, 'input'), tensorArg(args.weight, 'weight'), optTensor(args.bias)));
  registerKernel('outer', 'cpu', (args) => {
    const a = tensorArg(args.input, 'input'), b = tensorArg(args.vec2, 'vec2');
    return matmul(a.withShape([a.numel, 1]), b.withShape([1, b.numel]));
  });
  registerKernel('bilinear', 'cpu', (args) => {
    const x1 = tensorArg(args.input1, 'input1'), x2 = tensorArg(args.input2, 'input2'), w = tensorArg(args.weight, 'weight');
    const bias = optTensor(args.bias);
    const [O, I, J] = w.shape as [number, number, number];
    const N = x1.numel / I;
    // tmp[n, o*J + j] = sum_i x1[n, i] W[o, i, j]  (one GEMM), then a row-wise dot with x2.
    const wt = new Float32Array(O * J * I);
    const W = f32(w);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let j = 0; j < J; j++) wt[(o * J + j) * I + i] = W[(o * I + i) * J + j]!;
    const tmp = new Float32Array(N * O * J);
    gemmNT(f32(x1), 0, wt, 0, tmp, 0, N, O * J, I);
    const out = empty([...x1.shape.slice(0, -1), O], 'float32');
    const Y = f32(out), X2 = f32(x2), B = bias ? f32(bias) : null;
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
      let s = B ? B[o]! : 0;
      for (let j = 0; j < J; j++) s += tmp[(n * O + o) * J + j]! * X2[n * J + j]!;
      Y[n * O + o] = s;
    }
    return out;
  });
  registerKernel('einsum', 'cpu', (args) => {
    const ops = operandsOf(args.operands);
    return einsumRun(parseEinsum(String(args.equation), ops.map((t) => t.ndim)), ops);
  });
  // Internal, for gradients: einsum with given subscripts and letter sizes.
  registerKernel('_einsum', 'cpu', (args) => {
    const ops = operandsOf(args.operands);
    const sizes = new Map(Object.entries(args.sizes as unknown as Record<string, number>));
    return einsumRun({ inputs: args.inputs as string[], output: args.output as string }, ops, sizes);
  });
  registerKernel('_gemm', 'cpu', (args) => batchedGemm(tensorArg(args.a, 'a'), tensorArg(args.b, 'b'), args.ta === true, args.tb === true));
  registerKernel('_linear_grad_weight', 'cpu', (args) => {
    // dW [out, in] = gᵀ · x over all leading dims.
    const g = tensorArg(args.grad, 'grad'), x = tensorArg(args.input, 'input');
    const outF = g.shape[g.ndim - 1] ?? 1, inF = x.shape[x.ndim - 1] ?? 1;
    const M = x.numel / Math.max(1, inF);
    const dw = new Float32Array(outF * inF);
    gemm(f32(g), 0, f32(x), 0, dw, 0, outF, inF, M, true, false);
    return wrap(dw, args.weightShape as number[]);
  });
}
