// The TF.js side of the engine benchmark (bundled by engine_bench.ts with esbuild, see there):
// the same MLP / CNN training steps and 1024 matmul, written with TF.js's own API.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export async function useBackend(name: 'cpu' | 'wasm', wasmDir: string): Promise<string | null> {
  try {
    if (name === 'wasm') setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok ? null : `tf.setBackend('${name}') failed`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function mlp(): () => void {
  const x = tf.randomNormal([128, 784]);
  const y = tf.oneHot(tf.randomUniform([128], 0, 10, 'int32') as tf.Tensor1D, 10);
  const w1 = tf.variable(tf.randomNormal([784, 256], 0, 0.03)), b1 = tf.variable(tf.zeros([256]));
  const w2 = tf.variable(tf.randomNormal([256, 10], 0, 0.06)), b2 = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  return () => {
    tf.tidy(() => {
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)) as tf.Scalar);
    });
  };
}

export function cnn(): () => void {
  const x = tf.randomNormal([64, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32') as tf.Tensor1D, 10);
  const k1 = tf.variable(tf.randomNormal([3, 3, 1, 16], 0, 0.3)) as tf.Variable<tf.Rank.R4>, c1 = tf.variable(tf.zeros([16]));
  const k2 = tf.variable(tf.randomNormal([3, 3, 16, 32], 0, 0.08)) as tf.Variable<tf.Rank.R4>, c2 = tf.variable(tf.zeros([32]));
  const w = tf.variable(tf.randomNormal([800, 10], 0, 0.03)), b = tf.variable(tf.zeros([10]));
  const opt = tf.train.sgd(0.01);
  return () => {
    tf.tidy(() => {
      opt.minimize(() => {
        let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, k1, 1, 'valid'), c1)) as tf.Tensor4D, 2, 2, 'valid');
        h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, k2, 1, 'valid'), c2)) as tf.Tensor4D, 2, 2, 'valid');
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.reshape(h, [64, 800]), w), b)) as tf.Scalar;
      });
    });
  };
}

export function matmul(): () => Promise<void> {
  const a = tf.randomNormal([1024, 1024]), b = tf.randomNormal([1024, 1024]);
  return async () => { const c = tf.matMul(a, b); await c.data(); c.dispose(); };
}
