// WebGPU kernels of the dropout family, and the GPU's counter-based random generator (also used
// by rand / randn on the GPU).
//
// Random numbers are a hash of (seed, step, call, element): PCG's output permutation applied in
// a chain, so every element of every call gets its own value with no state to carry between
// threads. seed and step live in a 4-word device buffer, written only when the engine's
// generator is reseeded (runtime/rng.ts manualSeed) or when gpuRngNextStep() starts a new
// training step, i.e. outside the step. The call index (dropouts and random fills since the
// last reseed / step start) is a uniform word, so the same step issues the same uniforms every
// time — what compiled mode needs to capture a step once and replay it. Masks differ from the
// CPU generator's draws; tests compare statistics and determinism, not values.
import { registerKernel } from '../../backends/kernel_registry.js';
import { gpuEmpty, gpuStorage } from '../../backends/webgpu/codegen.js';
import { f32Bits, UNIFORM_HEADER, webgpuBackend, type GpuStorage } from '../../backends/webgpu/backend.js';
import { tensorArg } from '../../backends/cpu/util.js';
import { currentSeed, onReseed } from '../../runtime/rng.js';
import { DROPOUT_OPS, dropoutPlan } from './cpu.js';

let state: GpuStorage | null = null;
let step = 0;
let calls = 0;
let listening = false;

function writeState(): void {
  if (state) webgpuBackend().write(state, [currentSeed() | 0, step | 0, 0, 0]);
}

/** The device buffer [seed, step, 0, 0] (created on first use) and the next call index. */
export function gpuRngCall(): { state: GpuStorage; call: number } {
  if (!state) {
    state = webgpuBackend().allocateUninit(4, 'int32', 'random state');
    writeState();
  }
  return { state, call: calls++ };
}

/**
 * Start a new training step for the GPU generator: the step word advances (one small write,
 * made before the step's kernels are queued) and the call index restarts at 0, so every step
 * issues identical uniforms yet draws fresh masks.
 */
export function gpuRngNextStep(): void {
  step = (step + 1) >>> 0;
  calls = 0;
  writeState();
}

/** Where the generator is (for tests and for compiled mode's checks). */
export function gpuRngPosition(): { seed: number; step: number; calls: number } {
  return { seed: currentSeed(), step, calls };
}

/**
 * WGSL: the state binding and rand01(i) in [0, 1) for element i of this call (the call index is
 * uniform word `callWord`).
 */
export function rngWgsl(binding: number, callWord: number): string {
  return `@group(0) @binding(${binding}) var<storage, read> RNG: array<u32>;
fn pcg(x: u32) -> u32 {
  let s = x * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn rngKey() -> u32 { return pcg(pcg(pcg(RNG[0]) ^ RNG[1]) ^ P(${callWord}u)); }
fn rand01(key: u32, i: u32) -> f32 { return f32(pcg(pcg(i ^ key) + key) >> 8u) / 16777216.0; }`;
}


export function registerDropoutWebgpu(): void {
  if (!listening) {
    listening = true;
    onReseed(() => { step = 0; calls = 0; writeState(); });
  }
  // Create the state now, so that no training step (a compiled capture) is the one that
  // allocates and uploads it.
  gpuRngCall();
  calls = 0;
  for (const name of DROPOUT_OPS) {
    registerKernel(name, 'webgpu', (args, ctx) => {
      const x = tensorArg(args.input, 'input');
      const plan = dropoutPlan(name, args, x);
      if (!plan) return x.withShape(x.shape);
      const { p, alpha, group } = plan;
      const b = webgpuBackend();
      const y = gpuEmpty(b, x.shape, 'float32', name), mask = gpuEmpty(b, x.shape, 'float32', name);
      ctx.saved.mask = mask;
      const n = x.numel;
      if (n === 0) return y;
      const { state: st, call } = gpuRngCall();
      const scale = p === 1 ? 0 : 1 / (1 - p);
      const ap = -1.7580993408473766;
      const a = 1 / Math.sqrt((ap * ap * p + 1) * (1 - p));
      const bb = -a * ap * p;
      const wg = b.params.elementwiseWorkgroup;
      const body = alpha
        ? 'if (keep) { M[i] = F(5u); Y[i] = F(5u) * X[i] + F(6u); } else { M[i] = 0.0; Y[i] = F(5u) * F(7u) + F(6u); }'
        : 'let m = select(0.0, F(4u), keep); M[i] = m; Y[i] = X[i] * m;';
      b.run({
        label: `${name} [${x.shape.join(', ')}]`, key: `dropout|${alpha}|${wg}`,
        wgsl: () => `${UNIFORM_HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Y: array<f32>;
@group(0) @binding(3) var<storage, read_write> M: array<f32>;
${rngWgsl(4, 2)}
@compute @workgroup_size(${wg}) fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * ${wg}u;
  if (i >= P(0u)) { return; }
  let keep = rand01(rngKey(), i / P(3u)) >= F(1u);
  ${body}
}`,
        bindings: [gpuStorage(x), gpuStorage(y), gpuStorage(mask), st],
        // p, the call index, the plane size and the scales: fixed for a given step and shape.
        uniforms: [n, f32Bits(p), call, Math.max(1, group), f32Bits(scale), f32Bits(alpha ? a : 0), f32Bits(alpha ? bb : 0), f32Bits(ap)],
        groups: b.grid(n, wg),
      });
      return y;
    });
  }
}
