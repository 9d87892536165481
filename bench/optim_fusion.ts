// `node --import tsx bench/optim_fusion.ts`: does one dispatch per parameter group pay off?
// Times Adam on WebGPU over real parameter lists (the Fashion CNN, the MLP) against Adam over ONE
// parameter of the same total size, i.e. the cost of a perfectly fused update (its lower bound).
import { Tensor } from '../engine/src/tensor.js';
import { initWebGPU } from '../engine/src/backends/webgpu/index.js';
import { Adam } from '../engine/src/optim/index.js';

const SETS: Record<string, number[][]> = {
  fashion_cnn: [[16, 1, 3, 3], [16], [32, 16, 3, 3], [32], [128, 800], [128], [10, 128], [10]],
  mlp: [[256, 784], [256], [10, 256], [10]],
};

async function main(): Promise<void> {
  const b = await initWebGPU();
  const msPerStep = (shapes: number[][], steps: number): number => {
    const ps = shapes.map((s, j): [string, Tensor] => {
      const n = s.reduce((a, c) => a * c, 1);
      const p = Tensor.fromArray(new Float32Array(n).fill(0.1), s, 'float32', b).setRequiresGrad();
      p.grad = Tensor.fromArray(new Float32Array(n).fill(0.01), s, 'float32', b);
      return [`p${j}`, p];
    });
    const opt = new Adam(ps, { lr: 1e-3 });
    for (let i = 0; i < 5; i++) opt.step();
    b.sync();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) opt.step();
    b.sync();
    return (performance.now() - t0) / steps;
  };
  for (const [name, shapes] of Object.entries(SETS)) {
    const total = shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    const per: number[] = [], one: number[] = [];
    for (let r = 0; r < 5; r++) { per.push(msPerStep(shapes, 200)); one.push(msPerStep([[total]], 200)); }
    const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1]!.toFixed(3);
    console.log(`${name}: ${shapes.length} dispatches ${med(per)} ms/step, one dispatch over ${total} values ${med(one)} ms/step (median of 5)`);
  }
  b.destroy();
}
void main();
