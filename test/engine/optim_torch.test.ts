// Optimizers against PyTorch 1.13 (goldens from train_fixtures/torch_optim.py): several steps of
// SGD (momentum, dampening, nesterov, weight decay), Adam and AdamW within 1e-6; clip_grad_norm_;
// schedules; state_dict save/load continues exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Tensor } from '../../engine/src/tensor.js';
import { SGD, Adam, AdamW, clipGradNorm, lrAt, saveOptimizerState, loadOptimizerState, type Optimizer } from '../../engine/src/optim/index.js';

const G = JSON.parse(readFileSync(join(import.meta.dirname, 'train_fixtures', 'optim_goldens.json'), 'utf8'));
const f = Math.fround;

function params(): [string, Tensor][] {
  return [['w', Tensor.fromArray(G.init[0], [3, 4]).setRequiresGrad()], ['b', Tensor.fromArray(G.init[1], [3]).setRequiresGrad()]];
}

/** g = c * (p - t), in float32 like the torch script. */
function setGrads(ps: [string, Tensor][]): void {
  ps.forEach(([, p], j) => {
    const v = p.toFloat32Array();
    const g = v.map((x, i) => f(f(0.5 + 0.25 * ((i * 7 + j) % 5)) * f(x - f(Math.sin(1.3 * i + j)))));
    p.grad = Tensor.fromArray(g, p.shape);
  });
}

function make(name: string, ps: [string, Tensor][]): Optimizer {
  const kw = G.cases[name].kwargs;
  const common = { lr: kw.lr, weightDecay: kw.weight_decay };
  if (name.startsWith('sgd')) return new SGD(ps, { ...common, momentum: kw.momentum, dampening: kw.dampening, nesterov: kw.nesterov });
  if (name === 'adamw') return new AdamW(ps, { ...common, betas: kw.betas, eps: kw.eps });
  return new Adam(ps, { ...common, betas: kw.betas, eps: kw.eps });
}

function assertClose(actual: ArrayLike<number>, want: number[], tol: number, what: string): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(actual[i] - want[i]));
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} > ${tol}`);
}

for (const name of Object.keys(G.cases)) {
  test(`optim ${name}: ${G.cases[name].traj.length} steps match PyTorch within 1e-6`, () => {
    const ps = params();
    const opt = make(name, ps);
    G.cases[name].traj.forEach((want: number[][], k: number) => {
      setGrads(ps);
      opt.step();
      ps.forEach(([n, p], j) => assertClose(p.toFloat32Array(), want[j], 1e-6, `${name} step ${k + 1} ${n}`));
    });
  });
}

test('optim: state_dict save/load (safetensors) continues exactly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-optim-'));
  try {
    for (const name of ['sgd_momentum_nesterov_wd', 'adamw']) {
      const ps = params();
      const opt = make(name, ps);
      for (let k = 0; k < 2; k++) { setGrads(ps); opt.step(); }
      const file = join(dir, `${name}.safetensors`);
      saveOptimizerState(file, opt.stateDict());
      // A fresh optimizer on copies of the parameters, loaded from disk, must continue identically.
      const ps2: [string, Tensor][] = ps.map(([n, p]) => [n, p.clone().setRequiresGrad()]);
      const opt2 = make(name, ps2);
      opt2.loadStateDict(loadOptimizerState(file));
      for (let k = 2; k < 5; k++) { setGrads(ps2); opt2.step(); }
      ps2.forEach(([n, p], j) => assertClose(p.toFloat32Array(), G.cases[name].traj[4][j], 1e-6, `${name} resumed ${n}`));
    }
    const st = loadOptimizerState(join(dir, 'adamw.safetensors'));
    assert.deepEqual([...st.buffers.keys()].sort(), ['b.exp_avg', 'b.exp_avg_sq', 'w.exp_avg', 'w.exp_avg_sq']);
    assert.deepEqual(st.steps, { w: 2, b: 2 });
    const sgd = new SGD(params(), { lr: 0.1 });
    assert.throws(() => sgd.loadStateDict(st), /optimizer state is for 'adamw', this run uses 'sgd'/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('clip_grad_norm_: total L2 norm over all params, scaled like PyTorch', () => {
  const ps = params();
  setGrads(ps);
  const total = clipGradNorm(ps.map(([name, param]) => ({ name, param })), 1.0).item();
  assert.ok(Math.abs(total - G.clip.total) < 1e-5, `${total} vs ${G.clip.total}`);
  ps.forEach(([n, p], j) => assertClose(p.grad!.toFloat32Array(), G.clip.grads[j], 1e-6, `clipped ${n}`));
});

test('schedules: step and cosine equal torch.optim.lr_scheduler; warm-up ramps linearly', () => {
  for (let s = 0; s < 12; s++) assert.ok(Math.abs(lrAt({ name: 'step', stepSize: 3, gamma: 0.5 }, 0.1, s, 12) - G.schedules.step[s]) < 1e-12, `step ${s}`);
  for (let s = 0; s <= 10; s++) assert.ok(Math.abs(lrAt({ name: 'cosine', minLr: 0.001 }, 0.1, s, 10) - G.schedules.cosine[s]) < 1e-12, `cosine ${s}`);
  assert.deepEqual([0, 1, 2, 3, 4].map((s) => lrAt({ name: 'warmup_constant', warmupSteps: 4 }, 1, s, 10)), [0.25, 0.5, 0.75, 1, 1]);
  const wc = [0, 1, 2, 12].map((s) => lrAt({ name: 'warmup_cosine', warmupSteps: 2 }, 1, s, 12));
  assert.deepEqual(wc.slice(0, 3), [0.5, 1, 1]);
  assert.ok(wc[3] < 1e-12, 'cosine reaches min_lr at the last step');
});
