// The training loop behind `tensor-studio train`: load everything (config, data, model) before
// touching the output folder, then train with progress, metrics, checkpoints, evaluation each
// epoch, exact resume and a NaN stop that names the op.
//
// Resume is exact because everything the next step depends on is saved or recomputable:
// weights and optimizer state (safetensors), the lr (a function of the step), the data order (a
// function of seed and epoch, so we save epoch + batch index), the engine RNG (reseeded from
// (seed, step) before every step, so dropout masks are a function of the step too), and the
// running loss window.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tensor, getDefaultBackend, setDefaultBackend } from '../tensor.js';
import { callOp, manualSeed, noGrad, setNonFiniteWatch, type NonFiniteReport } from '../runtime/dispatch.js';
import type { RuntimeValue } from '../runtime/value.js';
import { DataLoader, loadSource, mixSeed, trainValSplit, type Dataset } from '../data/index.js';
import type { Batch } from '../data/loader.js';
import { Adam, AdamW, SGD, clipGradNorm, lrAt, loadOptimizerState, saveOptimizerState, type Optimizer } from '../optim/index.js';
import { makeArray, type NdArray } from '../io/array.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';
import type { RunConfig } from './config.js';
import { computeLoss, makeTarget } from './losses.js';
import { MetricsLog, checkpointName, listCheckpoints, optimizerStateName, writeJsonAtomic, type MetricPoint } from './run_dir.js';
import { Progress, formatDuration, type ProgressState } from './progress.js';
import { RunRecord } from './run_record.js';
import { TrainError, isEngineBug, runErrorOf } from './errors.js';
import type { RunSummary, TrainStartInfo } from './run_summary.js';

export type { TrainStartInfo };
import { autoDevice } from './device_auto.js';
import { Profiler } from '../profile/profiler.js';
import { WebGPUKernelTimer, type KernelTiming } from '../profile/webgpu.js';
import type { WebGPUBackend } from '../backends/webgpu/backend.js';
import type { StepCompiler } from '../backends/webgpu/compiled.js';

export const ENGINE_VERSION = process.env.TENSOR_STUDIO_VERSION ?? '0.1.0';

/** What the trainer needs from a model (engine/src/nn Module satisfies it). */
export interface TrainableModel {
  namedParameters(): [string, Tensor][];
  stateDict(): Map<string, Tensor>;
  loadStateDict(state: ReadonlyMap<string, Tensor>): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  forward(...args: RuntimeValue[]): RuntimeValue;
  /** Whether forward's input i takes integers (token ids); the batch is then uploaded as int32. */
  inputIsInteger?(i: number): boolean;
}

/** Builds the model of a run (seeded before the call). `inputShape` is one batch's shape. */
export type ModelFactory = (model: RunConfig['model'], inputShape: readonly number[]) => TrainableModel | Promise<TrainableModel>;

export { TrainError };

/** What a run reports while it goes (Keras `fit` callbacks): the engine host forwards them. */
export interface TrainEvents {
  /** The run folder exists and the first step is next. */
  started?(info: TrainStartInfo): void;
  /** After every optimizer step. */
  step?(state: ProgressState & { readonly time: number }): void;
  /** Every point written to metrics.jsonl. */
  metric?(point: MetricPoint): void;
  /** After an epoch's evaluation: the last value of each metric. */
  epoch?(summary: { readonly epoch: number; readonly step: number; readonly metrics: Readonly<Record<string, number>> }): void;
  checkpoint?(c: { readonly step: number; readonly path: string }): void;
  trace?(path: string): void;
}


export interface TrainOptions {
  /** Output folder (overrides config.output_dir). */
  readonly out?: string;
  /** Continue from the latest checkpoint in this run folder. */
  readonly resume?: string;
  /** Stop after this many steps in total (overrides config.max_steps). */
  readonly maxSteps?: number;
  readonly buildModel: ModelFactory;
  /** Progress and notes go here (default: stdout). */
  readonly stdout?: { isTTY?: boolean; write(s: string): boolean };
  /** Profile these steps into <out>/trace.json (overrides config.profile; start is 0-based). */
  readonly profile?: { readonly start: number; readonly steps: number };
  /** How GPU kernels are timed when profiling on WebGPU (default: timestamp-query when the adapter has it). */
  readonly kernelTiming?: KernelTiming;
  readonly events?: TrainEvents;
  /**
   * Stop: the step under way finishes, a checkpoint is written, the run ends 'stopped' and can be
   * resumed. The abort reason (a string) is kept as the summary's stopReason.
   */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly outDir: string;
  readonly steps: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly finalTrainLoss: number;
  readonly val?: { loss: number; accuracy?: number; top5?: number };
  readonly device: string;
  readonly resumedFrom?: number;
  /** 'stopped' when the signal stopped it (resumable from its last checkpoint). */
  readonly status: 'completed' | 'stopped';
  readonly summary: RunSummary;
}

interface Resume { step: number; epoch: number; batch: number; time: number; windowSum: number; windowN: number; ckpt: string; optim: string }

function loadData(cfg: RunConfig): { train: Dataset; val: Dataset | undefined } {
  let train = loadSource(cfg.data.train, 'data.train');
  let val = cfg.data.val ? loadSource(cfg.data.val, 'data.val') : undefined;
  if (!val && cfg.data.valSplit > 0) ({ train, val } = trainValSplit(train, cfg.data.valSplit, cfg.seed));
  return { train, val };
}

function makeOptimizer(cfg: RunConfig, params: [string, Tensor][]): Optimizer {
  const o = cfg.optimizer;
  switch (o.name) {
    case 'sgd': return new SGD(params, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov, weightDecay: o.weightDecay });
    case 'adam': return new Adam(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
    case 'adamw': return new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
  }
}

function toArray(t: Tensor): NdArray {
  if (t.dtype === 'float32') return makeArray('float32', t.shape, t.toFloat32Array());
  if (t.dtype === 'bool') return makeArray('bool', t.shape, Uint8Array.from(t.toInt32Array()));
  return makeArray('int32', t.shape, t.toInt32Array(), 'int64');
}

/** The model's tensors as safetensors arrays with PyTorch names (int buffers as I64). */
export function stateDictArrays(model: TrainableModel): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  for (const [k, t] of model.stateDict()) out.set(k, toArray(t));
  return out;
}

function readResume(dir: string): Resume {
  const steps = listCheckpoints(dir);
  if (!existsSync(dir)) throw new TrainError(`--resume ${dir}: no such folder`, 'config');
  if (steps.length === 0) throw new TrainError(`--resume ${dir}: no complete checkpoint (checkpoint-<step>.safetensors + .optim.safetensors) in this folder`, 'config');
  const step = steps[steps.length - 1];
  const ckpt = join(dir, checkpointName(step));
  const meta = readSafetensors(ckpt).metadata;
  const num = (k: string) => {
    const v = Number(meta[k]);
    if (meta[k] === undefined || !Number.isFinite(v)) throw new TrainError(`${ckpt}: __metadata__.${k} is missing; not a Tensor Studio training checkpoint`, 'config');
    return v;
  };
  return {
    step, epoch: num('epoch'), batch: num('batch'), time: num('time'), windowSum: num('window_sum'), windowN: num('window_n'),
    ckpt, optim: join(dir, optimizerStateName(step)),
  };
}

function argmaxRows(logits: Float32Array, rows: number, cols: number, labels: ArrayLike<number>, k: number): { top1: number; topk: number } {
  let top1 = 0;
  let topk = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const label = labels[r];
    const lv = logits[off + label];
    let higher = 0;
    for (let c = 0; c < cols; c++) {
      const v = logits[off + c];
      if (v > lv || (v === lv && c < label)) higher++;
    }
    if (higher === 0) top1++;
    if (higher < k) topk++;
  }
  return { top1, topk };
}

export async function train(cfg: RunConfig, opts: TrainOptions): Promise<TrainResult> {
  // The backend chosen for this run is the default only while it runs; so is the profiler.
  const previous = getDefaultBackend();
  const cleanup: (() => void)[] = [];
  const run: RunState = {};
  try {
    return await trainOn(cfg, opts, cleanup, run);
  } catch (e) {
    // Once the folder exists it must say the run failed; before, there is no folder to mislead.
    if (run.record?.status === 'running') {
      const error = runErrorOf(e);
      run.record.finish('failed', { ...run.at?.(), error: isEngineBug(e) ? { ...error, message: `${error.message}\n${(e as Error).stack ?? ''}` } : error });
    }
    throw e;
  } finally {
    for (const f of cleanup) f();
    setDefaultBackend(previous);
  }
}

/** What the catch in train() needs from a run that failed part-way. */
interface RunState { record?: RunRecord; at?: () => { step: number; seconds: number } }

async function trainOn(cfg: RunConfig, opts: TrainOptions, cleanup: (() => void)[], run: RunState): Promise<TrainResult> {
  const out = opts.stdout ?? process.stdout;
  const progress = new Progress(out);
  const note = (m: string) => progress.line(m);

  // ---- everything that can fail on user input happens before the output folder exists ----
  let device: 'cpu' | 'webgpu' = 'cpu';
  let deviceNote = `device: ${cfg.device}`;
  const auto = cfg.device === 'auto' ? await autoDevice() : undefined;
  if (auto) deviceNote = auto.note;
  if (cfg.device === 'webgpu' || auto?.device === 'webgpu') {
    // The WebGPU backend (ops without a WGSL kernel yet run on the CPU kernel, with a one-time
    // warning naming them). `auto` picks it only on a hardware adapter (device_auto.ts).
    try {
      const { initWebGPU } = await import('../backends/webgpu/index.js');
      setDefaultBackend(await initWebGPU());
      device = 'webgpu';
    } catch (e) {
      if (auto) throw new TrainError(`device 'auto' picked WebGPU but the device failed (${e instanceof Error ? e.message : String(e)}); use "device": "cpu"`, 'config');
      throw new TrainError(`device 'webgpu': no WebGPU device (${e instanceof Error ? e.message : String(e)}); use "device": "cpu" (or "auto")`, 'config');
    }
  }
  const resume = opts.resume ? readResume(resolve(opts.resume)) : undefined;
  const outDir = resolve(opts.out ?? (opts.resume ? opts.resume : cfg.outputDir));
  manualSeed(cfg.seed);
  const { train: trainSet, val: valSet } = loadData(cfg);
  const loaderOpts = { batchSize: cfg.data.batchSize, normalize: cfg.data.normalize, inputShape: cfg.data.inputShape, seed: cfg.seed };
  const loader = new DataLoader(trainSet, { ...loaderOpts, shuffle: cfg.data.shuffle, dropLast: cfg.data.dropLast });
  const valLoader = valSet ? new DataLoader(valSet, { ...loaderOpts, shuffle: false }) : undefined;
  if (loader.length === 0) throw new TrainError(`${trainSet.name}: fewer samples than one batch (batch_size ${cfg.data.batchSize}) with drop_last`, 'data');
  const model = await opts.buildModel(cfg.model, [cfg.data.batchSize, ...loader.inputShape]);
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  if (params.length === 0) throw new TrainError(`${cfg.model.file}: the model has no trainable parameters`);
  const optimizer = makeOptimizer(cfg, params);
  // One forward pass on a real batch before anything is written: shape errors, unsupported ops
  // and label/output mismatches surface here with the output folder untouched. Eval mode, so
  // BatchNorm running statistics are not moved by the probe.
  model.eval();
  let outShape: readonly number[] = [];
  noGrad(() => {
    const probe = loader.makeBatch(loader.order(0), 0);
    let y: RuntimeValue;
    try { y = model.forward(Tensor.fromArray(probe.x, probe.xShape)); } catch (e) {
      // The usual cause with image data: [N, 28, 28] batches for a model that wants [N, 1, 28, 28].
      const hint = cfg.data.inputShape ? '' : `\n(the model was given batches of [${probe.xShape.join(', ')}]; if it expects another layout, set data.input_shape, e.g. [1, ${trainSet.sampleShape.join(', ')}])`;
      throw new TrainError(`${(e as Error).message}${hint}`, isEngineBug(e) ? 'engine' : 'shape');
    }
    if (!(y instanceof Tensor)) throw new TrainError(`${cfg.model.file}: forward() must return one tensor, got ${Array.isArray(y) ? 'a tuple' : String(y)}`);
    outShape = y.shape;
    try { computeLoss(cfg.loss.name, y, makeTarget(cfg.loss.name, y, probe.y, probe.yShape), cfg.loss.labelSmoothing); }
    catch (e) { throw new TrainError(`loss '${cfg.loss.name}' on the model output [${y.shape.join(', ')}]: ${(e as Error).message}`, 'data'); }
  });
  model.train();
  const stepsPerEpoch = loader.length;
  const maxSteps = opts.maxSteps ?? cfg.maxSteps;
  const totalSteps = Math.min(cfg.epochs * stepsPerEpoch, maxSteps ?? Infinity);
  const epochs = Math.ceil(totalSteps / stepsPerEpoch);

  if (resume) {
    const st = readSafetensors(resume.ckpt);
    const state = new Map<string, Tensor>();
    for (const [k, a] of st.tensors) state.set(k, Tensor.fromArray(a.data, a.shape, a.dtype === 'float32' ? 'float32' : a.dtype === 'bool' ? 'bool' : 'int32'));
    try { model.loadStateDict(state); } catch (e) { throw new TrainError(`${resume.ckpt}: ${(e as Error).message}`, 'config'); }
    try { optimizer.loadStateDict(loadOptimizerState(resume.optim)); } catch (e) { throw new TrainError(`${resume.optim}: ${(e as Error).message}`, 'config'); }
  }

  mkdirSync(outDir, { recursive: true });
  const metrics = new MetricsLog(outDir);
  if (resume) metrics.truncateAfter(resume.step);
  else {
    // A fresh run in a used folder replaces that run: stale checkpoints would mislead --resume.
    const stale = readdirSync(outDir).filter((f) => /^checkpoint-\d+(\.optim)?\.safetensors$/.test(f) || f === 'model.safetensors' || f === 'metrics.jsonl' || f === 'trace.json');
    for (const f of stale) rmSync(join(outDir, f), { force: true });
    if (stale.length) note(`replacing the previous run in ${outDir}`);
  }
  const mode = cfg.mode === 'compiled' && device === 'webgpu' ? 'compiled' : 'eager';
  writeJsonAtomic(join(outDir, 'run.json'), {
    config: cfg.raw, configPath: cfg.configPath, resolved: { ...cfg, raw: undefined },
    engine: { name: 'tensor-studio', version: ENGINE_VERSION }, device, mode, node: process.version,
    dataset: { train: trainSet.name, val: valSet?.name }, startedAt: new Date().toISOString(), resumedFrom: resume?.step,
  });
  const record = new RunRecord(outDir, cfg, { trainer: `tensor-studio ${ENGINE_VERSION}`, device, mode, totalSteps, epochs, resumedFrom: resume?.step });
  run.record = record;
  const events = opts.events;
  const logMetric = (p: MetricPoint) => {
    metrics.write(p);
    record.metric(p.name, p.value);
    events?.metric?.(p);
  };
  note(deviceNote);
  // Compiled mode (backends/webgpu/compiled.ts): the step is captured and replayed, and the loss
  // is summed on the GPU and read only at log points and checkpoints.
  let compiler: StepCompiler | undefined;
  if (cfg.mode === 'compiled') {
    if (device === 'webgpu') {
      const { StepCompiler: SC } = await import('../backends/webgpu/compiled.js');
      compiler = new SC(getDefaultBackend() as WebGPUBackend, note);
      cleanup.push(() => compiler?.dispose());
      note('mode: compiled (the first steps run eager while the step is captured, then it is replayed)');
    } else note(`mode 'compiled' needs the WebGPU backend; on the ${device} backend the run is eager`);
  }
  note(`data: ${trainSet.name}${valSet ? `; validation: ${valSet.name}` : ''}`);
  note(`training ${totalSteps} steps (${epochs} epoch${epochs > 1 ? 's' : ''} x ${stepsPerEpoch} batches of ${cfg.data.batchSize}) -> ${outDir}`);
  if (resume) note(`resumed from ${resume.ckpt} (step ${resume.step})`);

  let step = resume?.step ?? 0;
  // ---- profiling: steps [profFrom, profTo) go to trace.json (profile/profiler.ts) ----
  const profileSpec = opts.profile ?? cfg.profile;
  let profiler: Profiler | undefined;
  let profFrom = 0;
  let profTo = 0;
  const tracePath = join(outDir, 'trace.json');
  if (profileSpec) {
    // A short run still gets a trace: the window slides back to fit (the first step, which
    // compiles pipelines and grows the buffer pool, is skipped only when there is room).
    profFrom = Math.max(step, Math.min(profileSpec.start, totalSteps - profileSpec.steps));
    profTo = Math.min(totalSteps, profFrom + profileSpec.steps);
    const timer = device === 'webgpu' ? new WebGPUKernelTimer(getDefaultBackend() as WebGPUBackend, opts.kernelTiming) : undefined;
    profiler = new Profiler(timer, { device, model: cfg.model.file, profiled_steps: [profFrom + 1, profTo] });
    const p = profiler;
    cleanup.push(() => p.close());
    if (profTo > profFrom) note(`profile: steps ${profFrom + 1}-${profTo} -> ${tracePath}${timer ? ` (GPU kernels timed by ${timer.timing === 'timestamp-query' ? 'timestamp queries' : 'one submission each'})` : ''}`);
    else note('profile: no steps left to profile');
  }
  let windowSum = resume?.windowSum ?? 0;
  let windowN = resume?.windowN ?? 0;
  const timeBase = resume?.time ?? 0;
  const t0 = performance.now();
  const elapsed = () => timeBase + (performance.now() - t0) / 1000;
  run.at = () => ({ step, seconds: elapsed() });
  let lastLoss = NaN;
  let lastVal: TrainResult['val'];
  let evaluatedAt = -1;
  let samplesDone = 0;

  const saveCheckpoint = (epoch: number, batch: number) => {
    drainLoss();
    const meta: Record<string, string> = {
      format: 'pt', step: String(step), epoch: String(epoch), batch: String(batch), time: String(elapsed()),
      window_sum: String(windowSum), window_n: String(windowN),
    };
    // Optimizer state first: a model checkpoint only counts once its optimizer file exists.
    saveOptimizerState(join(outDir, optimizerStateName(step)), optimizer.stateDict());
    writeSafetensors(join(outDir, checkpointName(step)), stateDictArrays(model), meta);
    record.update(step, elapsed());
    events?.checkpoint?.({ step, path: join(outDir, checkpointName(step)) });
  };

  const evaluate = (epoch: number) => {
    evaluatedAt = step;
    if (!valLoader) return;
    model.eval();
    let lossSum = 0, n = 0, top1 = 0, top5 = 0;
    const classify = cfg.loss.name === 'cross_entropy' || cfg.loss.name === 'nll';
    noGrad(() => {
      const order = valLoader.order(0);
      for (let b = 0; b < valLoader.length; b++) {
        const batch = valLoader.makeBatch(order, b);
        const x = Tensor.fromArray(batch.x, batch.xShape);
        const y = model.forward(x);
        if (!(y instanceof Tensor)) throw new TrainError(`${cfg.model.file}: forward() must return one tensor, got ${String(y)}`);
        const loss = computeLoss(cfg.loss.name, y, makeTarget(cfg.loss.name, y, batch.y, batch.yShape), 0);
        lossSum += loss.item() * batch.size;
        n += batch.size;
        if (classify && y.shape.length === 2) {
          const r = argmaxRows(y.toFloat32Array(), batch.size, y.shape[1], batch.y, 5);
          top1 += r.top1; top5 += r.topk;
        }
      }
    });
    model.train();
    const time = elapsed();
    lastVal = { loss: lossSum / n };
    logMetric({ step, epoch, name: 'val/loss', value: lossSum / n, time });
    if (classify && cfg.metrics.includes('accuracy')) { lastVal.accuracy = top1 / n; logMetric({ step, epoch, name: 'val/accuracy', value: top1 / n, time }); }
    if (classify && cfg.metrics.includes('top5')) { lastVal.top5 = top5 / n; logMetric({ step, epoch, name: 'val/top5', value: top5 / n, time }); }
    note(`epoch ${epoch + 1}/${epochs} validation: loss ${(lossSum / n).toFixed(4)}${lastVal.accuracy !== undefined ? `, accuracy ${(100 * lastVal.accuracy).toFixed(2)}%` : ''}${lastVal.top5 !== undefined ? `, top-5 ${(100 * lastVal.top5).toFixed(2)}%` : ''}`);
  };

  /** After a non-finite loss: re-run the step's forward with the watch on to name the op. */
  // Token-id models get their batch as int32, checked here on the host where the data already is
  // (converting on the device inside forward would read it back mid-step).
  const intInput = model.inputIsInteger?.(0) ?? false;
  const makeInput = (batch: Batch): Tensor => {
    if (!intInput) return Tensor.fromArray(batch.x, batch.xShape);
    const bad = batch.x.find((v) => !Number.isInteger(v));
    if (bad !== undefined) throw new TrainError(`${cfg.model.file}: the model takes integer inputs (token ids), but the data holds ${bad}`, 'data');
    return Tensor.fromArray(batch.x, batch.xShape, 'int32');
  };
  // On WebGPU the loss is summed on the GPU and read only at log points and checkpoints (a read
  // waits for the GPU): the sum since the last drain, and the batch that was last stepped.
  let lossAcc: Tensor | null = null;
  let lossAccN = 0;
  let lastX: Tensor | undefined;
  let lastBatch: Batch | undefined;
  const accumulateLoss = (loss: Tensor, x: Tensor, batch: Batch): void => {
    const prev: Tensor | null = lossAcc;
    lossAcc = noGrad((): Tensor => callOp(prev ? 'add' : 'mul', prev ? { input: prev, other: loss } : { input: loss, other: 1 }) as Tensor);
    lossAccN++;
    lastX = x; lastBatch = batch;
  };
  /** Read the GPU loss sum into the window (log points, checkpoints, the end). */
  const drainLoss = (): void => {
    if (!lossAcc) return;
    const sum = lossAcc.item();
    const n = lossAccN;
    lossAcc = null; lossAccN = 0;
    if (!Number.isFinite(sum)) {
      throw new TrainError(`the loss became non-finite within the last ${n} step${n > 1 ? 's' : ''} (on WebGPU it is read at log points); ${explainNonFinite(lastX!, lastBatch!, sum)}`, 'non-finite');
    }
    windowSum += sum; windowN += n; lastLoss = sum / n;
  };
  const explainNonFinite = (x: Tensor, batch: { y: Int32Array | Float32Array; yShape: readonly number[] }, value: number): string => {
    let first: NonFiniteReport | undefined;
    setNonFiniteWatch((r) => { first ??= r; });
    try {
      noGrad(() => {
        const y = model.forward(x) as Tensor;
        computeLoss(cfg.loss.name, y, makeTarget(cfg.loss.name, y, batch.y, batch.yShape), cfg.loss.labelSmoothing);
      });
    } catch { /* the report is what matters */ } finally { setNonFiniteWatch(null); }
    const badParam = params.find(([, p]) => p.toFloat32Array().some((v) => !Number.isFinite(v)));
    const where = first ? `first non-finite value: ${first.message}`
      : badParam ? `parameter '${badParam[0]}' already holds NaN/Inf (the previous update diverged: lower the lr or set grad_clip)`
        : 'no single op produced it';
    const kept = listCheckpoints(outDir).at(-1);
    return `step ${step + 1}: loss is ${value}; ${where}. Training stopped${kept !== undefined ? `; the last good checkpoint is ${join(outDir, checkpointName(kept))}` : ''}.`;
  };

  const writeTrace = (prof: Profiler) => {
    prof.write(tracePath);
    prof.close();
    note(`profile: wrote ${tracePath}`);
    events?.trace?.(tracePath);
  };

  model.train();
  const startEpoch = resume?.epoch ?? 0;
  let startBatch = resume?.batch ?? 0;
  let pendingCheckpoint = false;
  let stopping = false;
  let lastBatchIndex = -1;
  events?.started?.({
    outDir, device, mode, totalSteps, epochs, stepsPerEpoch, batchSize: cfg.data.batchSize,
    dataset: trainSet.name, ...(resume ? { resumedFrom: resume.step } : {}),
  });
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    const epochStart = performance.now();
    let epochSamples = 0;
    if (startBatch >= stepsPerEpoch) { startBatch = 0; continue; }
    const dataStart = () => { if (step === profFrom) profiler?.syncGpu(); return performance.now(); };
    let dataT0 = dataStart();
    for await (const batch of loader.epoch(epoch, startBatch)) {
      if (step >= totalSteps) break;
      const prof = profiler && step >= profFrom && step < profTo ? profiler : undefined;
      prof?.beginStep(step, dataT0);
      optimizer.lr = lrAt(cfg.schedule, cfg.optimizer.lr, step, totalSteps);
      manualSeed(mixSeed(cfg.seed, step + 1));
      const x = makeInput(batch);
      let phaseT0 = prof ? prof.phaseEnd('data', dataT0) : 0;
      let lossValue = NaN;
      if (compiler) {
        // Everything that changes per step is uploaded before the captured region: the batch,
        // the targets, the optimizer's per-step scalars (lr, bias corrections), the RNG seed.
        let target: Tensor;
        try { target = makeTarget(cfg.loss.name, [batch.size, ...outShape.slice(1)], batch.y, batch.yShape); } catch (e) { throw new TrainError(`${(e as Error).message} (step ${step + 1})`, 'data'); }
        optimizer.prepareStep();
        const [loss] = compiler.run([x, target], () => {
          optimizer.zeroGrad();
          const y = model.forward(x);
          if (!(y instanceof Tensor)) throw new TrainError(`${cfg.model.file}: forward() must return one tensor, got ${String(y)}`);
          const l = computeLoss(cfg.loss.name, y, target, cfg.loss.labelSmoothing);
          l.backward();
          if (cfg.gradClip) clipGradNorm(params.map(([name, param]) => ({ name, param })), cfg.gradClip);
          optimizer.applyStep();
          return [l];
        });
        // The capture's gradients are stale after a replay; the program's loss buffer is reused.
        optimizer.zeroGrad();
        accumulateLoss(loss!, x, batch);
        // One phase: forward, backward and the update are one replayed program (or its capture).
        if (prof) prof.phaseEnd('compiled step', phaseT0);
        if (prof) { prof.endStep(); if (step + 1 === profTo) writeTrace(prof); }
      } else {
        optimizer.zeroGrad();
        const y = model.forward(x);
        if (!(y instanceof Tensor)) throw new TrainError(`${cfg.model.file}: forward() must return one tensor, got ${String(y)}`);
        let target: Tensor;
        try { target = makeTarget(cfg.loss.name, y, batch.y, batch.yShape); } catch (e) { throw new TrainError(`${(e as Error).message} (step ${step + 1})`, 'data'); }
        const loss = computeLoss(cfg.loss.name, y, target, cfg.loss.labelSmoothing);
        if (device === 'webgpu') accumulateLoss(loss, x, batch);
        else {
          lossValue = loss.item();
          if (!Number.isFinite(lossValue)) throw new TrainError(explainNonFinite(x, batch, lossValue), 'non-finite');
        }
        if (prof) phaseT0 = prof.phaseEnd('forward', phaseT0);
        loss.backward();
        if (cfg.gradClip) clipGradNorm(params.map(([name, param]) => ({ name, param })), cfg.gradClip);
        if (prof) phaseT0 = prof.phaseEnd('backward', phaseT0);
        optimizer.step();
        if (prof) {
          prof.phaseEnd('optimizer', phaseT0);
          prof.endStep();
          if (step + 1 === profTo) writeTrace(prof);
        }
      }
      step++;
      if (device !== 'webgpu') { lastLoss = lossValue; windowSum += lossValue; windowN++; }
      samplesDone += batch.size;
      epochSamples += batch.size;
      const logPoint = step % cfg.logEvery === 0 || step === totalSteps;
      if (logPoint) {
        drainLoss();
        const time = elapsed();
        logMetric({ step, epoch, name: 'train/loss', value: windowSum / windowN, time });
        logMetric({ step, epoch, name: 'train/lr', value: optimizer.lr, time });
        windowSum = 0; windowN = 0;
      }
      const secs = (performance.now() - t0) / 1000;
      const rate = samplesDone / Math.max(secs, 1e-9);
      const state: ProgressState = {
        epoch, epochs, step, totalSteps, epochSteps: Math.min(stepsPerEpoch, totalSteps - epoch * stepsPerEpoch), epochStep: batch.index + 1,
        loss: device === 'webgpu' ? lastLoss : lossValue, samplesPerSec: rate, etaSec: ((totalSteps - step) * cfg.data.batchSize) / rate,
      };
      progress.update(state, logPoint);
      events?.step?.({ ...state, time: elapsed() });
      if (typeof cfg.checkpointEvery === 'number' && step % cfg.checkpointEvery === 0 && step < totalSteps) {
        // At an epoch's end the checkpoint waits for the evaluation, so a resume never skips it.
        if (batch.index + 1 === stepsPerEpoch) pendingCheckpoint = true;
        else saveCheckpoint(epoch, batch.index + 1);
      }
      lastBatchIndex = batch.index;
      if (opts.signal?.aborted && step < totalSteps) { stopping = true; break; }
      dataT0 = dataStart();
    }
    startBatch = 0;
    const epochSecs = (performance.now() - epochStart) / 1000;
    const finishedEpoch = step % stepsPerEpoch === 0 || step >= totalSteps;
    // A stopped epoch's throughput would be a second, partial figure for it after the resume.
    if (epochSamples && (finishedEpoch || !stopping)) logMetric({ step, epoch, name: 'train/samples_per_s', value: epochSamples / epochSecs, time: elapsed() });
    if (finishedEpoch) {
      evaluate(epoch);
      events?.epoch?.({ epoch, step, metrics: record.finalMetrics() });
    }
    if (stopping) {
      // The checkpoint comes after the epoch's evaluation, so a resume never skips it.
      saveCheckpoint(finishedEpoch ? epoch + 1 : epoch, finishedEpoch ? 0 : lastBatchIndex + 1);
      const stopReason = typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'stop requested';
      const seconds = elapsed();
      note(`stopped at step ${step} (${stopReason}); checkpoint: ${join(outDir, checkpointName(step))}; resume with --resume ${outDir}`);
      const summary = record.finish('stopped', { step, seconds, stopReason });
      return { outDir, steps: step, epochs, seconds, finalTrainLoss: lastLoss, val: lastVal, device, resumedFrom: resume?.step, status: 'stopped', summary };
    }
    if ((cfg.checkpointEvery === 'epoch' || pendingCheckpoint) && step < totalSteps) saveCheckpoint(epoch + 1, 0);
    pendingCheckpoint = false;
    if (step >= totalSteps) break;
  }
  if (evaluatedAt !== step) evaluate(Math.max(0, Math.ceil(step / stepsPerEpoch) - 1));

  writeSafetensors(join(outDir, 'model.safetensors'), stateDictArrays(model), { format: 'pt', step: String(step) });
  const seconds = elapsed();
  note(`done: ${step} steps in ${formatDuration(seconds)}; weights: ${join(outDir, 'model.safetensors')}`);
  const summary = record.finish('completed', { step, seconds });
  return { outDir, steps: step, epochs, seconds, finalTrainLoss: lastLoss, val: lastVal, device, resumedFrom: resume?.step, status: 'completed', summary };
}
