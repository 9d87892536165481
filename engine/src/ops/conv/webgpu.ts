// WebGPU kernels of the conv family: conv2d (groups 1) forward and its input, weight and bias
// gradients, either as im2col + the tuned GEMM of the linear family, batched per image (default:
// measured ~3x faster on lavapipe) or as direct loops (one thread per output element), per
// adapter (tuning.ts: convIm2col). Other convolutions (1d/3d, groups, transposed) run in
// webgpu_variants.ts.
import { getKernel, registerKernel, type Kernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage, runReduce } from '../../backends/webgpu/codegen.js';
import { UNIFORM_HEADER, webgpuBackend, type WebGPUBackend } from '../../backends/webgpu/backend.js';
import { conv2dVariant, convGradVariant } from './webgpu_variants.js';
import { Tensor } from '../../tensor.js';
import type { OpArgs, RuntimeValue } from '../../runtime/value.js';
import { convGeom, convParams } from './cpu.js';
import { gemmGpu } from '../linear/webgpu.js';

function tensorArg(v: RuntimeValue | undefined, name: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new Error(`'${name}' must be a tensor`);
}

interface Geo { N: number; Ci: number; H: number; W: number; Co: number; KH: number; KW: number; OH: number; OW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number }

/** The geometry when this is a case the WGSL kernels handle (4-d input, groups 1), else null. */
function geometry(args: OpArgs): Geo | null {
  const x = args.input, w = args.weight;
  if (!(x instanceof Tensor) || !(w instanceof Tensor) || x.ndim !== 4 || w.ndim !== 4) return null;
  const p = convParams(args, 2, w.shape.slice(2), false);
  if (p.groups !== 1 || w.shape[1] !== x.shape[1]) return null;
  const g = convGeom(x.shape.slice(2), w.shape.slice(2), p);
  return { N: x.shape[0]!, Ci: x.shape[1]!, H: x.shape[2]!, W: x.shape[3]!, Co: w.shape[0]!, KH: w.shape[2]!, KW: w.shape[3]!,
    OH: g.outSp[0]!, OW: g.outSp[1]!, sh: p.stride[0]!, sw: p.stride[1]!, ph: p.padBefore[0]!, pw: p.padBefore[1]!, dh: p.dilation[0]!, dw: p.dilation[1]! };
}
const uniOf = (g: Geo, total: number): number[] => [total, g.N, g.Ci, g.H, g.W, g.Co, g.KH, g.KW, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw];
const GEO_WGSL = `let N = P(1u); let Ci = P(2u); let H = i32(P(3u)); let W = i32(P(4u)); let Co = P(5u); let KH = P(6u); let KW = P(7u);
  let OH = i32(P(8u)); let OW = i32(P(9u)); let sh = i32(P(10u)); let sw = i32(P(11u)); let ph = i32(P(12u)); let pw = i32(P(13u)); let dh = i32(P(14u)); let dw = i32(P(15u));`;

function launch(b: WebGPUBackend, label: string, key: string, body: string, bufs: string[], bindings: Tensor[], out: Tensor, uni: number[]): void {
  const wg = b.params.elementwiseWorkgroup;
  const decls = bufs.map((name, i) => `@group(0) @binding(${i + 1}) var<storage, read> ${name}: array<f32>;`).join('\n');
  const wgsl = (): string => `${UNIFORM_HEADER}
${decls}
@group(0) @binding(${bufs.length + 1}) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${GEO_WGSL}
  ${body}
}`;
  const [gx, gy] = b.grid(out.numel, wg);
  b.run({ label, key: `${key}|${wg}`, wgsl, bindings: [...bindings.map((t) => gpuStorage(t)), gpuStorage(out)], uniforms: uni, groups: [gx, gy] });
}

function forward(args: OpArgs, g: Geo): Tensor {
  const b = webgpuBackend();
  const x = tensorArg(args.input, 'input'), w = tensorArg(args.weight, 'weight');
  const bias = args.bias instanceof Tensor ? args.bias : null;
  const out = gpuEmpty(b, [g.N, g.Co, g.OH, g.OW], 'float32', 'conv2d');
  if (out.numel === 0) return out;
  const body = `var r = i; let ow = i32(r % u32(OW)); r /= u32(OW); let oh = i32(r % u32(OH)); r /= u32(OH); let co = r % Co; let n = r / Co;
  var acc = ${bias ? 'BIAS[co]' : '0.0'};
  for (var ci = 0u; ci < Ci; ci++) {
    let xb = (n * Ci + ci) * u32(H * W); let wb = (co * Ci + ci) * KH * KW;
    for (var kh = 0u; kh < KH; kh++) {
      let ih = oh * sh - ph + i32(kh) * dh;
      if (ih < 0 || ih >= H) { continue; }
      for (var kw = 0u; kw < KW; kw++) {
        let iw = ow * sw - pw + i32(kw) * dw;
        if (iw < 0 || iw >= W) { continue; }
        acc += X[xb + u32(ih * W + iw)] * Wt[wb + kh * KW + kw];
      }
    }
  }
  O[i] = acc;`;
  launch(b, `conv2d [${x.shape.join(', ')}] * [${w.shape.join(', ')}]`, `conv2d|${bias !== null}`, body, bias ? ['X', 'Wt', 'BIAS'] : ['X', 'Wt'], bias ? [x, w, bias] : [x, w], out, uniOf(g, out.numel));
  return out;
}

function gradInput(dy: Tensor, w: Tensor, g: Geo): Tensor {
  const b = webgpuBackend();
  const out = gpuEmpty(b, [g.N, g.Ci, g.H, g.W], 'float32', 'conv2d backward (input)');
  // dx[n, ci, ih, iw] = sum over co, kh, kw with oh*sh = ih + ph - kh*dh (and the same for w).
  const body = `var r = i; let iw = i32(r % u32(W)); r /= u32(W); let ih = i32(r % u32(H)); r /= u32(H); let ci = r % Ci; let n = r / Ci;
  var acc = 0.0;
  for (var kh = 0u; kh < KH; kh++) {
    let th = ih + ph - i32(kh) * dh;
    if (th < 0 || th % sh != 0) { continue; }
    let oh = th / sh; if (oh >= OH) { continue; }
    for (var kw = 0u; kw < KW; kw++) {
      let tw = iw + pw - i32(kw) * dw;
      if (tw < 0 || tw % sw != 0) { continue; }
      let ow = tw / sw; if (ow >= OW) { continue; }
      for (var co = 0u; co < Co; co++) {
        acc += G[((n * Co + co) * u32(OH) + u32(oh)) * u32(OW) + u32(ow)] * Wt[((co * Ci + ci) * KH + kh) * KW + kw];
      }
    }
  }
  O[i] = acc;`;
  launch(b, `conv2d backward (input) [${dy.shape.join(', ')}]`, 'conv2d_dx', body, ['G', 'Wt'], [dy, w], out, uniOf(g, out.numel));
  return out;
}

function gradWeight(dy: Tensor, x: Tensor, g: Geo): Tensor {
  const b = webgpuBackend();
  const out = gpuEmpty(b, [g.Co, g.Ci, g.KH, g.KW], 'float32', 'conv2d backward (weight)');
  const body = `var r = i; let kw = r % KW; r /= KW; let kh = r % KH; r /= KH; let ci = r % Ci; let co = r / Ci;
  var acc = 0.0;
  for (var n = 0u; n < N; n++) {
    let gb = (n * Co + co) * u32(OH * OW); let xb = (n * Ci + ci) * u32(H * W);
    for (var oh = 0; oh < OH; oh++) {
      let ih = oh * sh - ph + i32(kh) * dh;
      if (ih < 0 || ih >= H) { continue; }
      for (var ow = 0; ow < OW; ow++) {
        let iw = ow * sw - pw + i32(kw) * dw;
        if (iw < 0 || iw >= W) { continue; }
        acc += G[gb + u32(oh * OW + ow)] * X[xb + u32(ih * W + iw)];
      }
    }
  }
  O[i] = acc;`;
  launch(b, `conv2d backward (weight) [${dy.shape.join(', ')}]`, 'conv2d_dw', body, ['G', 'X'], [dy, x], out, uniOf(g, out.numel));
  return out;
}


// ---- im2col + GEMM -------------------------------------------------------------------------
// Per image n, with P = OH*OW and Kc = Ci*KH*KW:
//   forward   y[n] [Co, P]  = W [Co, Kc] · colsT[n] [Kc, P]          (bias per row)
//   input     dcols[n] [P, Kc] = dy[n]ᵀ · W, then col2im (a gather: no races)
//   weight    dW = sum over n of dy[n] [Co, P] · cols[n] [P, Kc]     (batched, then summed)
// as batched GEMMs, so every operand and result is in its natural layout: no permutes. The
// geometry is baked into the WGSL as constants: lavapipe (a CPU) has no vector integer
// division, and divisions by constants become multiplications.
// Rows of the column matrices are padded to a multiple of 4 for the rows kernel's vec4 loads.

function geoConsts(g: Geo): { wgsl: string; key: string } {
  const v: [string, number][] = [['N', g.N], ['Ci', g.Ci], ['H', g.H], ['W', g.W], ['Co', g.Co], ['KH', g.KH], ['KW', g.KW], ['OH', g.OH], ['OW', g.OW],
    ['sh', g.sh], ['sw', g.sw], ['ph', g.ph], ['pw', g.pw], ['dh', g.dh], ['dw', g.dw]];
  return { wgsl: v.map(([k, x]) => `const ${k} = ${x};`).join(' '), key: v.map(([, x]) => x).join(',') };
}

function launchConst(b: WebGPUBackend, label: string, key: string, g: Geo, extra: string, body: string, src: Tensor, out: Tensor): void {
  const wg = b.params.elementwiseWorkgroup;
  const geo = geoConsts(g);
  const wgsl = (): string => `${UNIFORM_HEADER}
${geo.wgsl} ${extra}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  ${body}
}`;
  const [gx, gy] = b.grid(out.numel, wg);
  b.run({ label, key: `${key}|${geo.key}|${extra}|${wg}`, wgsl, bindings: [gpuStorage(src), gpuStorage(out)], uniforms: [out.numel], groups: [gx, gy] });
}

const padTo = (n: number, q: number): number => Math.ceil(n / q) * q;
const rowPad = (b: WebGPUBackend): number => (b.params.mmKernel === 'rows' ? 4 : 1);

// The receptive-field entry (n, kc, oh, ow) of x, 0 in the padding.
const FIELD = `let kw = i32(kc % u32(KW)); let kh = i32((kc / u32(KW)) % u32(KH)); let ci = kc / u32(KW * KH);
  let ih = oh * sh - ph + kh * dh; let iw = ow * sw - pw + kw * dw;
  var v = 0.0;
  if (ih >= 0 && ih < H && iw >= 0 && iw < W) { v = X[(n * u32(Ci) + ci) * u32(H * W) + u32(ih * W + iw)]; }
  O[i] = v;`;

/** colsT [N, Kc, Pp]: row kc of image n holds that kernel tap over all output positions. */
function im2colT(x: Tensor, g: Geo, Pp: number): Tensor {
  const b = webgpuBackend();
  const Kc = g.Ci * g.KH * g.KW;
  const cols = gpuEmpty(b, [g.N, Kc, Pp], 'float32', 'conv2d (im2col)');
  const body = `let p = i % PP; let kc = (i / PP) % u32(Ci * KH * KW); let n = i / (PP * u32(Ci * KH * KW));
  if (p >= u32(OH * OW)) { O[i] = 0.0; return; }
  let ow = i32(p % u32(OW)); let oh = i32(p / u32(OW));
  ${FIELD}`;
  launchConst(b, `conv2d im2col [${x.shape.join(', ')}]`, 'im2colT', g, `const PP = ${Pp}u;`, body, x, cols);
  return cols;
}

/** cols [N, P, Kp]: row p of image n holds the receptive field of output position p. */
function im2col(x: Tensor, g: Geo, Kp: number): Tensor {
  const b = webgpuBackend();
  const cols = gpuEmpty(b, [g.N, g.OH * g.OW, Kp], 'float32', 'conv2d (im2col)');
  const body = `let kc = i % KP; let p = (i / KP) % u32(OH * OW); let n = i / (KP * u32(OH * OW));
  if (kc >= u32(Ci * KH * KW)) { O[i] = 0.0; return; }
  let ow = i32(p % u32(OW)); let oh = i32(p / u32(OW));
  ${FIELD}`;
  launchConst(b, `conv2d im2col [${x.shape.join(', ')}]`, 'im2col', g, `const KP = ${Kp}u;`, body, x, cols);
  return cols;
}

/** dx[n, ci, ih, iw] = sum of the dcols [N, P, Kc] entries that read it. */
function col2im(dcols: Tensor, g: Geo): Tensor {
  const b = webgpuBackend();
  const out = gpuEmpty(b, [g.N, g.Ci, g.H, g.W], 'float32', 'conv2d backward (col2im)');
  const body = `var r = i; let iw = i32(r % u32(W)); r /= u32(W); let ih = i32(r % u32(H)); r /= u32(H); let ci = r % u32(Ci); let n = r / u32(Ci);
  let K = u32(Ci * KH * KW);
  var acc = 0.0;
  for (var kh = 0; kh < KH; kh++) {
    let th = ih + ph - kh * dh;
    if (th < 0 || th % sh != 0) { continue; }
    let oh = th / sh; if (oh >= OH) { continue; }
    for (var kw = 0; kw < KW; kw++) {
      let tw = iw + pw - kw * dw;
      if (tw < 0 || tw % sw != 0) { continue; }
      let ow = tw / sw; if (ow >= OW) { continue; }
      acc += X[((n * u32(OH) + u32(oh)) * u32(OW) + u32(ow)) * K + (ci * u32(KH) + u32(kh)) * u32(KW) + u32(kw)];
    }
  }
  O[i] = acc;`;
  launchConst(b, `conv2d col2im [${out.shape.join(', ')}]`, 'col2im', g, '', body, dcols, out);
  return out;
}

function forwardGemm(x: Tensor, w: Tensor, bias: Tensor | null, g: Geo): Tensor {
  const b = webgpuBackend();
  const P = g.OH * g.OW, Kc = g.Ci * g.KH * g.KW, Pp = padTo(P, rowPad(b));
  const colsT = im2colT(x, g, Pp);
  return gemmGpu('conv2d', w.withShape([g.Co, Kc]), colsT, g.Co, P, Kc, g.N, 0, Kc * Pp, false, false, bias, [g.N, g.Co, g.OH, g.OW], undefined, { ldb: Pp, biasPerRow: true });
}

function gradInputGemm(dy: Tensor, w: Tensor, g: Geo): Tensor {
  const P = g.OH * g.OW, Kc = g.Ci * g.KH * g.KW;
  const dcols = gemmGpu('conv2d backward (input)', dy, w.withShape([g.Co, Kc]), P, Kc, g.Co, g.N, g.Co * P, 0, true, false, null, [g.N, P, Kc]);
  return col2im(dcols, g);
}

function gradWeightGemm(dy: Tensor, x: Tensor, g: Geo): Tensor {
  const b = webgpuBackend();
  const P = g.OH * g.OW, Kc = g.Ci * g.KH * g.KW, Kp = padTo(Kc, rowPad(b));
  const cols = im2col(x, g, Kp);
  const shape = [g.Co, g.Ci, g.KH, g.KW];
  const per = gemmGpu('conv2d backward (weight)', dy, cols, g.Co, Kc, P, g.N, g.Co * P, P * Kp, false, false, null, [g.N, g.Co, Kc], undefined, { ldb: Kp });
  if (g.N === 1) return per.withShape(shape);
  return runReduce('conv2d backward (weight, sum over images)', per, [1, g.Co, Kc], '0', 'acc + x', 'acc', 'float32').withShape(shape);
}

/** im2col when the adapter prefers it and the column matrices fit one binding. */
function useGemm(g: Geo): boolean {
  const b = webgpuBackend();
  const pad = rowPad(b);
  const bytes = Math.max(padTo(g.OH * g.OW, pad) * g.Ci * g.KH * g.KW, g.OH * g.OW * padTo(g.Ci * g.KH * g.KW, pad)) * g.N * 4;
  return b.params.convIm2col && g.N <= b.limits.maxComputeWorkgroupsPerDimension && bytes <= b.limits.maxStorageBufferBindingSize;
}

export function registerConvWebgpu(): void {
  const cpuConv = getKernel('conv2d', 'cpu'), cpuGrad = getKernel('_conv_grad', 'cpu');
  // The cases these kernels do not take (groups > 1, 1-d / 3-d, transposed): webgpu_variants.ts.
  const fbConv: Kernel | null = cpuConv ? conv2dVariant : null;
  const fbGrad: Kernel | null = cpuGrad ? convGradVariant : null;
  registerKernel('conv2d', 'webgpu', (args, ctx) => {
    const g = geometry(args);
    if (g && useGemm(g)) return forwardGemm(tensorArg(args.input, 'input'), tensorArg(args.weight, 'weight'), args.bias instanceof Tensor ? args.bias : null, g);
    if (g) return forward(args, g);
    if (!fbConv) throw new Error('conv2d: this case has no WebGPU kernel');
    return fbConv(args, ctx);
  });
  registerKernel('_conv_grad', 'webgpu', (args, ctx) => {
    const opArgs = args.opArgs as unknown as OpArgs;
    const g = args.n === 2 && args.transposed !== true ? geometry(opArgs) : null;
    if (!g) {
      if (!fbGrad) throw new Error('_conv_grad: this case has no WebGPU kernel');
      return fbGrad(args, ctx);
    }
    const dy = tensorArg(args.grad, 'grad');
    switch (args.which) {
      case 'input': return useGemm(g) ? gradInputGemm(dy, tensorArg(opArgs.weight, 'weight'), g) : gradInput(dy, tensorArg(opArgs.weight, 'weight'), g);
      case 'weight': return useGemm(g) ? gradWeightGemm(dy, tensorArg(opArgs.input, 'input'), g) : gradWeight(dy, tensorArg(opArgs.input, 'input'), g);
      default: return runReduce('conv2d backward (bias)', dy, [1, g.Co, 1, 1], '0', 'acc + x', 'acc', 'float32').withShape([g.Co]);
    }
  });
}
