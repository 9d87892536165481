// The tfjs-webgpu side of the WebGPU benchmark: the same matmul and MLP / CNN training steps
// written with TF.js's own API, on @tensorflow/tfjs-backend-webgpu over the same Dawn. Bundled
// with esbuild (tfjs-core's gradient modules need it, see engine_bench.ts); import
// webgpu_dawn_globals.ts first.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { lcg } from './webgpu_models.js';

export async function ready(): Promise<string | null> {
  try {
    if (!(await tf.setBackend('webgpu'))) return "tf.setBackend('webgpu') failed";
    await tf.ready();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** k products back to back, then the last one read back (the bench divides by k). */
export function matmul(n: number, k = 1): () => Promise<void> {
  const a = tf.tensor2d(lcg(n * n, 1, 1), [n, n]), b = tf.tensor2d(lcg(n * n, 1, 2), [n, n]);
  return async () => {
    const cs = Array.from({ length: k }, () => tf.matMul(a, b));
    await cs[k - 1]!.data();
    for (const c of cs) c.dispose();
  };
}

export function step(kind: 'mlp' | 'cnn', n: number): () => Promise<void> {
  const v = (shape: number[], fanIn: number, seed: number): tf.Variable => tf.variable(tf.tensor(lcg(shape.reduce((a, c) => a * c, 1), 1 / Math.sqrt(fanIn), seed), shape));
  const labels = Array.from(lcg(n, 1, 8), (x) => Math.floor((x + 1) * 5) % 10);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const opt = tf.train.sgd(0.05);
  let f: () => tf.Scalar;
  if (kind === 'mlp') {
    const x = tf.tensor2d(lcg(n * 784, 1, 7), [n, 784]);
    const w1 = v([784, 256], 784, 1), b1 = v([256], 784, 2), w2 = v([256, 10], 256, 3), b2 = v([10], 256, 4);
    f = () => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)) as tf.Scalar;
  } else {
    // NHWC, tfjs's native layout; the same arithmetic as our NCHW CNN.
    const x = tf.tensor4d(lcg(n * 784, 1, 7), [n, 28, 28, 1]);
    const c1 = v([3, 3, 1, 16], 9, 11) as tf.Variable<tf.Rank.R4>, c1b = v([16], 9, 12);
    const c2 = v([3, 3, 16, 32], 144, 13) as tf.Variable<tf.Rank.R4>, c2b = v([32], 144, 14);
    const fw = v([800, 10], 800, 15), fb = v([10], 800, 16);
    f = () => {
      let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, c1, 1, 'valid'), c1b)) as tf.Tensor4D, 2, 2, 'valid');
      h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c2, 1, 'valid'), c2b)) as tf.Tensor4D, 2, 2, 'valid');
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h, [n, 800]), fw), fb)) as tf.Scalar;
    };
  }
  return async () => { const loss = opt.minimize(f, true)!; await loss.data(); loss.dispose(); };
}
