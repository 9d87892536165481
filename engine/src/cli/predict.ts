// `tensor-studio predict MODEL.py --weights W.safetensors --input X.npy ...`: run a trained model
// on an input in eval mode with no grad, write the output as .npy, optionally print top-k labels.
import { readFileSync, existsSync } from 'node:fs';
import { readNpy, writeNpy } from '../io/index.js';
import { arrayToTensor, loadCheckpoint } from '../nn/index.js';
import { loadModel } from '../model/index.js';
import { decodePng, imageToTensor } from '../model/image_input.js';
import { noGrad } from '../runtime/dispatch.js';
import { Tensor, setDefaultBackend } from '../tensor.js';
import type { Subcommand } from './types.js';
import type { TensorType } from '../ops/types.js';
import { sym } from '../shape/dim.js';

const HELP = `Usage: tensor-studio predict MODEL.py --weights W.safetensors --input X.npy [options]

Runs the model in eval mode (no grad) on the input and writes/prints its output.

Options:
  --weights FILE     safetensors checkpoint with PyTorch state_dict names (required)
  --input FILE       input array (.npy), a batch such as [N, 1, 28, 28]; or a .png image
                     (one sample, values in [0, 1], channels fitted to the model) (required)
  --class NAME       the nn.Module class to run when the file has several
  --output FILE      write the output as float32 .npy
  --device DEV       cpu | webgpu | auto (default: cpu)
  --topk K           print the K most probable classes per row (softmax over the last dim)
  --labels FILE      class names, one per line (with --topk)
  -h, --help         this text`;

interface PredictArgs {
  model: string;
  weights: string;
  input: string;
  className?: string;
  output?: string;
  device: 'cpu' | 'webgpu' | 'auto';
  topk?: number;
  labels?: string;
}

class UsageError extends Error {}

function parse(args: readonly string[]): PredictArgs | 'help' {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  const known = new Set(['--weights', '--input', '--class', '--output', '--device', '--topk', '--labels']);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (!known.has(name)) throw new UsageError(`unknown option '${name}'`);
      const value = eq < 0 ? args[++i] : a.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`option ${name} needs a value`);
      opts[name] = value;
    } else positional.push(a);
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing MODEL.py' : `expected one model file, got ${positional.join(' ')}`);
  if (!opts['--weights']) throw new UsageError('missing --weights W.safetensors');
  if (!opts['--input']) throw new UsageError('missing --input X.npy');
  const device = opts['--device'] ?? 'cpu';
  if (device !== 'cpu' && device !== 'webgpu' && device !== 'auto') throw new UsageError(`--device must be cpu, webgpu or auto, got '${device}'`);
  let topk: number | undefined;
  if (opts['--topk'] !== undefined) {
    topk = Number(opts['--topk']);
    if (!Number.isInteger(topk) || topk < 1) throw new UsageError(`--topk must be a positive integer, got '${opts['--topk']}'`);
  }
  if (opts['--labels'] !== undefined && topk === undefined) throw new UsageError('--labels needs --topk K');
  return {
    model: positional[0]!, weights: opts['--weights'], input: opts['--input'], device,
    ...(opts['--class'] !== undefined ? { className: opts['--class'] } : {}),
    ...(opts['--output'] !== undefined ? { output: opts['--output'] } : {}),
    ...(topk !== undefined ? { topk } : {}),
    ...(opts['--labels'] !== undefined ? { labels: opts['--labels'] } : {}),
  };
}

/** Rows of `k` (index, probability) pairs, softmax over the last dim of a 2-D output. */
export function topK(logits: Tensor, k: number): { index: number; prob: number }[][] {
  if (logits.ndim !== 2) throw new Error(`--topk needs a 2-D output [N, classes], got [${logits.shape.join(', ')}]`);
  const [n, c] = [logits.shape[0]!, logits.shape[1]!];
  const d = logits.toFloat32Array();
  const rows: { index: number; prob: number }[][] = [];
  for (let r = 0; r < n; r++) {
    const row = d.subarray(r * c, (r + 1) * c);
    const max = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    rows.push(e.map((v, index) => ({ index, prob: v / sum })).sort((a, b) => b.prob - a.prob).slice(0, Math.min(k, c)));
  }
  return rows;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${what} '${path}' does not exist`);
  return readFileSync(path, 'utf8');
}

async function run(a: PredictArgs): Promise<number> {
  if (a.device === 'webgpu') {
    // Every tensor made from here on (parameters, input) lives on the GPU backend.
    let backend: Awaited<ReturnType<typeof import('../backends/webgpu/index.js')['initWebGPU']>>;
    try {
      const { initWebGPU } = await import('../backends/webgpu/index.js');
      backend = await initWebGPU();
    } catch (e) {
      console.error(`tensor-studio predict: webgpu backend not available (${e instanceof Error ? e.message : String(e)}); use --device cpu`);
      return 1;
    }
    setDefaultBackend(backend);
  }
  if (a.device === 'auto') console.error('note: --device auto runs predict on cpu (use --device webgpu to pick the GPU backend)');
  const source = readText(a.model, 'model file');
  if (!existsSync(a.input)) throw new Error(`input file '${a.input}' does not exist`);
  const png = /\.png$/i.test(a.input) ? decodePng(readFileSync(a.input), a.input) : null;
  let input = png ? imageToTensor(png) : arrayToTensor(readNpy(a.input));
  // When the file does not say what forward takes, analyse it with this input (any batch size).
  const fallback: TensorType = { kind: 'tensor', shape: input.ndim ? [sym('N'), ...input.shape.slice(1)] : [], dtype: input.dtype === 'int32' ? 'int64' : 'float32' };
  const model = loadModel(source, { fileName: a.model, fallbackInputs: [fallback], ...(a.className ? { className: a.className } : {}) });
  if (png) {
    // Fit the image to the model's input: its channel count ([N, C, H, W]) or no channel dim ([N, H, W]).
    const want = model.ir.inputs[0]?.type.shape;
    if (want?.length === 4 && typeof want[1] === 'number') input = imageToTensor(png, want[1]);
    else if (want?.length === 3) input = imageToTensor(png, 1).withShape([1, png.height, png.width]);
  }
  if (!existsSync(a.weights)) throw new Error(`weights file '${a.weights}' does not exist`);
  loadCheckpoint(model.module, a.weights);
  let labels: string[] | undefined;
  if (a.labels) labels = readText(a.labels, 'labels file').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);

  model.module.eval();
  const out = noGrad(() => model.forward(input));
  const y = out instanceof Tensor ? out : Array.isArray(out) && out[0] instanceof Tensor ? out[0] : null;
  if (!y) throw new Error(`${model.className}.forward did not return a tensor`);
  if (a.output) {
    writeNpy(a.output, { dtype: 'float32', shape: [...y.shape], data: y.toFloat32Array() });
    console.log(`output Tensor[${y.shape.join(', ')}] -> ${a.output}`);
  }
  if (a.topk !== undefined) {
    const classes = y.shape[y.ndim - 1]!;
    if (labels && labels.length !== classes) throw new Error(`labels file '${a.labels}' has ${labels.length} labels but the model outputs ${classes} classes`);
    topK(y, a.topk).forEach((row, r) => {
      console.log(`${r}: ${row.map(({ index, prob }) => `${labels ? labels[index] : index} ${prob.toFixed(4)}`).join(', ')}`);
    });
  }
  if (!a.output && a.topk === undefined) {
    console.log(`output Tensor[${y.shape.join(', ')}]`);
    const d = y.toFloat32Array();
    const width = y.ndim >= 2 ? y.shape[y.ndim - 1]! : d.length;
    for (let r = 0; r * width < Math.min(d.length, 20 * width); r++) {
      console.log(Array.from(d.subarray(r * width, (r + 1) * width), (v) => v.toPrecision(6)).join(' '));
    }
  }
  return 0;
}

export const predictCommand: Subcommand = {
  name: 'predict',
  summary: 'run a model file with trained weights on an input (.npy)',
  async run(args) {
    let parsed: PredictArgs | 'help';
    try {
      parsed = parse(args);
    } catch (e) {
      if (e instanceof UsageError) {
        console.error(`tensor-studio predict: ${e.message}\n\n${HELP}`);
        return 2;
      }
      throw e;
    }
    if (parsed === 'help') { console.log(HELP); return 0; }
    try {
      return await run(parsed);
    } catch (e) {
      console.error(`tensor-studio predict: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};
