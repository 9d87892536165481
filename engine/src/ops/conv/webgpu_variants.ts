// WebGPU kernels for the convolutions conv/webgpu.ts leaves to the CPU: conv1d / conv3d, grouped
// and depthwise conv2d, conv_transpose1d/2d/3d, forward and all gradients. Every case is one
// geometry padded to 3 spatial dims (a 1-d conv is [1, 1, L] with kernel [1, 1, k]), so three
// kernels cover them all, in the same roles as the CPU's (cpu.ts):
//   convFwd    y[n, co, o]  = sum over (ci in co's group, taps) of x * w   (one thread per output)
//   convDx     dx[n, c, i]  = sum over the outputs that read i               (a gather: no races)
//   convDw     dw[co, ci, t] = sum over (n, o) of dy * x                     (one workgroup per weight,
//              reducing N * positions in workgroup memory: depthwise weights are few and their sums long)
// Transposed convolution is the adjoint: its forward is convDx, its input gradient convFwd.
// conv1d with groups 1 is handed to conv2d's im2col + GEMM kernels as a [N, C, 1, L] conv.
import { Tensor } from '../../tensor.js';
import { gpuEmpty, gpuStorage, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend } from '../../backends/webgpu/backend.js';
import { getKernel, registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { optTensor, tensorArg } from '../../backends/cpu/util.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import { batched, convGeom, convParams, transposeGeom, type ConvParams } from './cpu.js';

/** A conv (the non-transposed one) padded to 3 spatial dims. */
interface G3 { N: number; Cin: number; Cout: number; groups: number; inSp: number[]; outSp: number[]; k: number[]; stride: number[]; pad: number[]; dil: number[] }

const pad3 = (a: readonly number[], fill: number): number[] => [...new Array<number>(3 - a.length).fill(fill), ...a];

function g3(N: number, Cin: number, Cout: number, p: ConvParams, inSp: number[], outSp: number[], k: number[]): G3 {
  if (inSp.length > 3) throw new Error(`conv: ${inSp.length} spatial dims (at most 3)`);
  return { N, Cin, Cout, groups: p.groups, inSp: pad3(inSp, 1), outSp: pad3(outSp, 1), k: pad3(k, 1), stride: pad3(p.stride, 1), pad: pad3(p.padBefore, 0), dil: pad3(p.dilation, 1) };
}
const uni = (g: G3, total: number): number[] => [total, g.N, g.Cin, g.Cout, g.groups, ...g.inSp, ...g.outSp, ...g.k, ...g.stride, ...g.pad, ...g.dil];
const GEO = `let N = P(1u); let Cin = P(2u); let Cout = P(3u); let groups = P(4u);
  let ID = i32(P(5u)); let IH = i32(P(6u)); let IW = i32(P(7u));
  let OD = i32(P(8u)); let OH = i32(P(9u)); let OW = i32(P(10u));
  let KD = P(11u); let KH = P(12u); let KW = P(13u);
  let sd = i32(P(14u)); let sh = i32(P(15u)); let sw = i32(P(16u));
  let pd = i32(P(17u)); let ph = i32(P(18u)); let pw = i32(P(19u));
  let dd = i32(P(20u)); let dh = i32(P(21u)); let dw = i32(P(22u));
  let Cg = Cin / groups; let Og = Cout / groups;`;

function launch(label: string, key: string, body: string, reads: [string, Tensor][], out: Tensor, g: G3): void {
  const b = webgpuBackend();
  const n = out.numel;
  if (n === 0) return;
  const wg = b.params.elementwiseWorkgroup;
  const decls = reads.map(([name], i) => `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<f32>;`).join('\n');
  b.run({
    label, key: `${key}|${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
${decls}
@group(0) @binding(${reads.length + 1}) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${GEO}
  ${body}
}`,
    bindings: [...reads.map(([, t]) => gpuStorage(t)), gpuStorage(out)], uniforms: uni(g, n), groups: b.grid(n, wg),
  });
}

/** y [N, Cout, out] = conv(x [N, Cin, in], w [Cout, Cin/groups, k]) (+ bias). */
function convFwd(op: string, x: Tensor, w: Tensor, bias: Tensor | null, g: G3, outShape: number[]): Tensor {
  const out = gpuEmpty(webgpuBackend(), outShape, 'float32', op);
  const body = `var r = i;
  let ow = i32(r % u32(OW)); r /= u32(OW); let oh = i32(r % u32(OH)); r /= u32(OH); let od = i32(r % u32(OD)); r /= u32(OD);
  let co = r % Cout; let n = r / Cout;
  let c0 = (co / Og) * Cg;
  var acc = ${bias ? 'B[co]' : '0.0'};
  for (var ci = 0u; ci < Cg; ci++) {
    let xb = (n * Cin + c0 + ci) * u32(ID * IH * IW);
    let wb = (co * Cg + ci) * KD * KH * KW;
    for (var kd = 0u; kd < KD; kd++) {
      let id = od * sd - pd + i32(kd) * dd;
      if (id < 0 || id >= ID) { continue; }
      for (var kh = 0u; kh < KH; kh++) {
        let ih = oh * sh - ph + i32(kh) * dh;
        if (ih < 0 || ih >= IH) { continue; }
        for (var kw = 0u; kw < KW; kw++) {
          let iw = ow * sw - pw + i32(kw) * dw;
          if (iw < 0 || iw >= IW) { continue; }
          acc += X[xb + u32((id * IH + ih) * IW + iw)] * Wt[wb + (kd * KH + kh) * KW + kw];
        }
      }
    }
  }
  O[i] = acc;`;
  launch(`${op} [${x.shape.join(', ')}] * [${w.shape.join(', ')}]`, `convv_fwd|${bias !== null}`, body, bias ? [['X', x], ['Wt', w], ['B', bias]] : [['X', x], ['Wt', w]], out, g);
  return out;
}

/** dx [N, Cin, in] of the conv from dy [N, Cout, out] (+ bias per Cin channel: transposed conv's bias). */
function convDx(op: string, dy: Tensor, w: Tensor, bias: Tensor | null, g: G3, inShape: number[]): Tensor {
  const out = gpuEmpty(webgpuBackend(), inShape, 'float32', op);
  const body = `var r = i;
  let iw = i32(r % u32(IW)); r /= u32(IW); let ih = i32(r % u32(IH)); r /= u32(IH); let id = i32(r % u32(ID)); r /= u32(ID);
  let c = r % Cin; let n = r / Cin;
  let gi = c / Cg; let ci = c % Cg;
  var acc = ${bias ? 'B[c]' : '0.0'};
  for (var kd = 0u; kd < KD; kd++) {
    let td = id + pd - i32(kd) * dd;
    if (td < 0 || td % sd != 0 || td / sd >= OD) { continue; }
    for (var kh = 0u; kh < KH; kh++) {
      let th = ih + ph - i32(kh) * dh;
      if (th < 0 || th % sh != 0 || th / sh >= OH) { continue; }
      for (var kw = 0u; kw < KW; kw++) {
        let tw = iw + pw - i32(kw) * dw;
        if (tw < 0 || tw % sw != 0 || tw / sw >= OW) { continue; }
        let pos = u32(((td / sd) * OH + th / sh) * OW + tw / sw);
        let tap = (kd * KH + kh) * KW + kw;
        for (var o = 0u; o < Og; o++) {
          let co = gi * Og + o;
          acc += G[(n * Cout + co) * u32(OD * OH * OW) + pos] * Wt[(co * Cg + ci) * KD * KH * KW + tap];
        }
      }
    }
  }
  O[i] = acc;`;
  launch(`${op} [${dy.shape.join(', ')}] -> [${inShape.join(', ')}]`, `convv_dx|${bias !== null}`, body, bias ? [['G', dy], ['Wt', w], ['B', bias]] : [['G', dy], ['Wt', w]], out, g);
  return out;
}

/** dw [Cout, Cin/groups, k] = sum over (n, positions) of dy * x; one workgroup per weight element. */
function convDw(op: string, dy: Tensor, x: Tensor, g: G3, wShape: number[]): Tensor {
  const b = webgpuBackend();
  const out = gpuEmpty(b, wShape, 'float32', op);
  const n = out.numel;
  if (n === 0) return out;
  const wg = b.params.reduceWorkgroup;
  b.run({
    label: `${op} [${wShape.join(', ')}]`, key: `convv_dw|${wg}`,
    wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> O: array<f32>;
var<workgroup> red: array<f32, ${wg}>;
@compute @workgroup_size(${wg}) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = wid.x + wid.y * nw.x;
  if (i >= P(0u)) { return; }
  ${GEO}
  var r = i;
  let kw = r % KW; r /= KW; let kh = r % KH; r /= KH; let kd = r % KD; r /= KD;
  let ci = r % Cg; let co = r / Cg;
  let c = (co / Og) * Cg + ci;
  let OP = u32(OD * OH * OW);
  var acc = 0.0;
  for (var j = t; j < N * OP; j += ${wg}u) {
    let nn = j / OP; var q = j % OP;
    let ow = i32(q % u32(OW)); q /= u32(OW); let oh = i32(q % u32(OH)); let od = i32(q / u32(OH));
    let id = od * sd - pd + i32(kd) * dd; let ih = oh * sh - ph + i32(kh) * dh; let iw = ow * sw - pw + i32(kw) * dw;
    if (id < 0 || id >= ID || ih < 0 || ih >= IH || iw < 0 || iw >= IW) { continue; }
    acc += G[(nn * Cout + co) * OP + j % OP] * X[(nn * Cin + c) * u32(ID * IH * IW) + u32((id * IH + ih) * IW + iw)];
  }
  red[t] = acc;
  workgroupBarrier();
  for (var k = ${wg / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { red[t] = red[t] + red[t + k]; }
    workgroupBarrier();
  }
  if (t == 0u) { O[i] = red[0]; }
}`,
    bindings: [gpuStorage(dy), gpuStorage(x), gpuStorage(out)], uniforms: uni(g, n), groups: b.grid(n * wg, wg),
  });
  return out;
}

interface Plan { x: Tensor; w: Tensor; unbatched: boolean; g: G3; transposed: boolean; n: number; yShape: number[] }

/** Shapes and checks of conv{n}d / conv_transpose{n}d, the same as the CPU kernels'. */
function plan(args: OpArgs, n: number, transposed: boolean): Plan {
  const { x, unbatched } = batched(tensorArg(args.input, 'input'), n);
  const w = tensorArg(args.weight, 'weight');
  const p = convParams(args, n, w.shape.slice(2), transposed);
  const N = x.shape[0]!, C = x.shape[1]!;
  if (!transposed) {
    if (C % p.groups !== 0 || w.shape[0]! % p.groups !== 0) throw new Error(`channels (${C} in, ${w.shape[0]} out) must be divisible by groups ${p.groups}`);
    if (w.shape[1] !== C / p.groups) throw new Error(`expected weight Tensor[${w.shape.join(', ')}] to have ${C / p.groups} input channels per group (input has ${C} channels, groups=${p.groups})`);
    const geo = convGeom(x.shape.slice(2), w.shape.slice(2), p);
    return { x, w, unbatched, transposed, n, g: g3(N, C, w.shape[0]!, p, geo.inSp, geo.outSp, geo.k), yShape: [N, w.shape[0]!, ...geo.outSp] };
  }
  if (w.shape[0] !== C) throw new Error(`weight Tensor[${w.shape.join(', ')}] expects ${w.shape[0]} input channels, but the input has ${C}`);
  if (C % p.groups !== 0) throw new Error(`channels (${C}) must be divisible by groups ${p.groups}`);
  const geo = transposeGeom(x.shape.slice(2), w.shape.slice(2), p);
  // The adjoint conv: input = this op's output [N, Og*groups, geo.inSp], output = this op's input.
  const Co = w.shape[1]! * p.groups;
  return { x, w, unbatched, transposed, n, g: g3(N, Co, C, p, geo.inSp, geo.outSp, geo.k), yShape: [N, Co, ...geo.inSp] };
}

const unbatch = (t: Tensor, un: boolean): Tensor => (un ? t.withShape(t.shape.slice(1)) : t);

/**
 * conv1d with groups 1 is conv2d over [N, C, 1, L] (kernel [Co, Ci, 1, k]): the im2col + GEMM
 * kernels of conv/webgpu.ts then run it, far faster than direct loops for wide channels. Returns
 * the 2-d arguments, or null when the case stays here.
 */
function as2d(args: OpArgs): { args: OpArgs; x: Tensor; unbatched: boolean } | null {
  const w = tensorArg(args.weight, 'weight');
  const p = convParams(args, 1, w.shape.slice(2), false);
  if (p.groups !== 1) return null;
  const { x, unbatched } = batched(tensorArg(args.input, 'input'), 1);
  if (w.ndim !== 3 || w.shape[1] !== x.shape[1]) return null; // the checks and messages of plan()
  const pad = typeof args.padding === 'string' ? args.padding : [0, p.padBefore[0]!];
  return {
    x, unbatched,
    args: { ...args, input: x.withShape([x.shape[0]!, x.shape[1]!, 1, x.shape[2]!]), weight: w.withShape([w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]), stride: [1, p.stride[0]!], padding: pad, dilation: [1, p.dilation[0]!] },
  };
}

/** The forward of conv{n}d / conv_transpose{n}d on the GPU. */
export function convVariantForward(args: OpArgs, n: number, transposed: boolean): Tensor {
  const flat = n === 1 && !transposed ? as2d(args) : null;
  if (flat) {
    const y = getKernel('conv2d', 'webgpu')!(flat.args, { saved: {} }) as Tensor;
    return unbatch(y.withShape([y.shape[0]!, y.shape[1]!, y.shape[3]!]), flat.unbatched);
  }
  const pl = plan(args, n, transposed);
  const op = transposed ? `conv_transpose${n}d` : `conv${n}d`;
  const bias = optTensor(args.bias);
  const y = transposed ? convDx(op, pl.x, pl.w, bias, pl.g, pl.yShape) : convFwd(op, pl.x, pl.w, bias, pl.g, pl.yShape);
  return unbatch(y, pl.unbatched);
}

/** _conv_grad on the GPU: args = { grad, opArgs, n, transposed, which }. */
export function convVariantGrad(args: OpArgs): Tensor {
  const n = args.n as number, transposed = args.transposed === true;
  const opArgs = args.opArgs as unknown as OpArgs;
  const flat = n === 1 && !transposed ? as2d(opArgs) : null;
  if (flat) {
    const dy = tensorArg(args.grad, 'grad');
    const dy4 = dy.withShape([flat.x.shape[0]!, dy.shape[dy.ndim - 2]!, 1, dy.shape[dy.ndim - 1]!]);
    const r = getKernel('_conv_grad', 'webgpu')!({ ...args, grad: dy4, opArgs: flat.args as unknown as RuntimeValue, n: 2 }, { saved: {} }) as Tensor;
    if (args.which === 'bias') return r;
    if (args.which === 'input') return r.withShape(flat.unbatched ? r.shape.filter((_, i) => i !== 0 && i !== 2) : [r.shape[0]!, r.shape[1]!, r.shape[3]!]);
    return r.withShape([r.shape[0]!, r.shape[1]!, r.shape[3]!]);
  }
  const pl = plan(opArgs, n, transposed);
  let dy = tensorArg(args.grad, 'grad');
  if (pl.unbatched) dy = dy.withShape([1, ...dy.shape]);
  const op = `${transposed ? `conv_transpose${n}d` : `conv${n}d`} backward`;
  switch (args.which) {
    case 'bias': {
      const keep = dy.shape.map((d, i) => (i === 1 ? d : 1));
      return runReduce(`${op} (bias)`, dy, keep, '0', 'acc + x', 'acc', 'float32').withShape([dy.shape[1]!]);
    }
    case 'input': {
      const dx = transposed ? convFwd(`${op} (input)`, dy, pl.w, null, pl.g, [...pl.x.shape]) : convDx(`${op} (input)`, dy, pl.w, null, pl.g, [...pl.x.shape]);
      return unbatch(dx, pl.unbatched);
    }
    default:
      // Transposed: y = convDx(x; w), so x plays the conv's output gradient and dy its input.
      return transposed ? convDw(`${op} (weight)`, pl.x, dy, pl.g, [...pl.w.shape]) : convDw(`${op} (weight)`, dy, pl.x, pl.g, [...pl.w.shape]);
  }
}

/**
 * Registers conv1d, conv3d and conv_transpose1d/2d/3d, and returns the kernels conv/webgpu.ts
 * delegates to for the conv2d / _conv_grad cases its own kernels do not take (groups > 1, other
 * dims, transposed).
 */
export function registerConvVariantsWebgpu(): void {
  for (const n of [1, 3]) registerKernel(`conv${n}d`, 'webgpu', (args) => convVariantForward(args, n, false));
  for (const n of [1, 2, 3]) registerKernel(`conv_transpose${n}d`, 'webgpu', (args) => convVariantForward(args, n, true));
}

/** For conv/webgpu.ts: the variant kernel for conv2d cases and _conv_grad cases it does not handle itself. */
export const conv2dVariant: Kernel = (args) => convVariantForward(args, 2, false);
export const convGradVariant: Kernel = (args) => convVariantGrad(args);
