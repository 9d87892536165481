// callOp: the one door every op goes through, on every backend.
//   1. fill defaults from the op's Python signature and check shapes with the op's OWN shape
//      rule from the op library (an op is defined once: no second shape logic here);
//   2. run the kernel registered for (op, backend);
//   3. record the autograd tape when grad is enabled and an input requires grad;
//   4. optionally watch outputs for NaN/Inf and name the first op that produced one.
import { getOp } from '../ops/index.js';
import { ShapeError, type OpDef, type Value } from '../ops/types.js';
import { shapeToString } from '../shape/dim.js';
import { Tensor, getDefaultBackend } from '../tensor.js';
import { getKernel, type KernelContext } from '../backends/kernel_registry.js';
import { getGrad, type GradResult } from '../autograd/grad_registry.js';
import { getComposite } from './composite.js';
import type { TapeNode } from '../autograd/engine.js';
import { isGradEnabled } from './grad_mode.js';
import { describe, tensorsIn, type OpArgs, type RuntimeValue } from './value.js';
import { registerCpuKernels } from '../backends/cpu/kernels.js';
import { registerAllGrads } from '../autograd/grads.js';
import '../autograd/engine.js';

export { noGrad, isGradEnabled, enableGrad } from './grad_mode.js';
export { manualSeed, defaultGenerator } from './rng.js';
export type { RuntimeValue, OpArgs } from './value.js';

registerCpuKernels();
registerAllGrads();

/** A user-facing error from an op: names the op, the call site when known, and the inputs. */
export class OpError extends Error {
  constructor(message: string, readonly op: string, readonly site?: string) {
    super(message);
    this.name = 'OpError';
  }
}

export interface CallOptions {
  /** Where the call comes from (e.g. 'model.py:23 self.conv1'), for error and NaN reports. */
  readonly site?: string;
}

// ---- call sites -------------------------------------------------------------------------
let currentSite: string | undefined;
/** The model-file call site being executed ('model.py:23 self.conv1'), if any. */
export function currentCallSite(): string | undefined { return currentSite; }
/** Label every op called inside fn with `site` (unless a call gives its own). */
export function withSite<T>(site: string | undefined, fn: () => T): T {
  const prev = currentSite;
  currentSite = site;
  // The profiler shows a site as a span too: a layer call, or one gradient rule in backward.
  const obs = opObserver;
  const token = obs && site !== undefined ? obs.beginSite(site) : -1;
  try { return fn(); } finally { currentSite = prev; if (token >= 0) obs!.end(token); }
}

// ---- op observer (the profiler, engine/src/profile) ---------------------------------------------
export interface OpObserver {
  /** Before op `name` runs; the returned token is handed to end() when it returns or throws. */
  begin(name: string, args: OpArgs, site: string | undefined): number;
  /** When withSite() starts a labelled span (a layer call, a gradient rule); < 0: not recorded. */
  beginSite(site: string): number;
  end(token: number): void;
}
let opObserver: OpObserver | null = null;
export function setOpObserver(o: OpObserver | null): void { opObserver = o; }

// ---- non-finite watch ----------------------------------------------------------------------
export interface NonFiniteReport {
  readonly op: string;
  readonly site?: string;
  /** Which output (flattened) holds the first NaN/Inf, and what it is. */
  readonly output: number;
  readonly value: number;
  readonly message: string;
}
let nonFiniteWatch: ((r: NonFiniteReport) => void) | null = null;
/**
 * When set, every op's float outputs are checked; an op whose inputs are finite but whose output
 * holds NaN/Inf (the op that produced it, not the ones it flowed through) is reported.
 */
export function setNonFiniteWatch(cb: ((r: NonFiniteReport) => void) | null): void { nonFiniteWatch = cb; }

function firstNonFinite(t: Tensor): number | undefined {
  if (t.dtype !== 'float32') return undefined;
  const d = t.backend.read(t.storage);
  for (let i = 0; i < d.length; i++) { const v = d[i]!; if (v - v !== 0) return v; }
  return undefined;
}

// ---- Value conversion (runtime -> shape-rule world and back) ------------------------------
export function toValue(v: RuntimeValue): Value {
  if (v instanceof Tensor) return { kind: 'tensor', shape: v.shape, dtype: v.dtype === 'int32' ? 'int64' : v.dtype };
  if (v === null) return { kind: 'none' };
  if (Array.isArray(v)) return { kind: 'tuple', items: (v as readonly RuntimeValue[]).map(toValue) };
  switch (typeof v) {
    case 'number': return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
    case 'boolean': return { kind: 'bool', value: v };
    case 'string': return { kind: 'str', value: v };
  }
  const o = v as Exclude<RuntimeValue, Tensor | null | readonly RuntimeValue[] | number | boolean | string>;
  if (o.kind === 'slice') return { kind: 'slice', start: o.start, stop: o.stop, step: o.step };
  if (o.kind === 'ellipsis') return { kind: 'ellipsis' };
  return { kind: 'dtype', dtype: o.dtype };
}

function fromValue(v: Value, op: string, param: string): RuntimeValue {
  switch (v.kind) {
    case 'int':
      if (typeof v.value !== 'number') throw new OpError(`${op}: default of '${param}' is symbolic`, op);
      return v.value;
    case 'float': return v.value;
    case 'bool': return v.value;
    case 'str': return v.value;
    case 'none': case 'unknown': return null;
    case 'tuple': return v.items.map((x) => fromValue(x, op, param));
    case 'list': return (v.items ?? []).map((x) => fromValue(x, op, param));
    case 'dtype': return { kind: 'dtype', dtype: v.dtype };
    case 'slice': return { kind: 'slice', start: v.start as number | null, stop: v.stop as number | null, step: v.step as number | null };
    case 'ellipsis': return { kind: 'ellipsis' };
    case 'tensor': throw new OpError(`${op}: default of '${param}' is a tensor`, op);
  }
}

function fillDefaults(def: OpDef, args: OpArgs): Record<string, RuntimeValue> {
  const out: Record<string, RuntimeValue> = {};
  for (const p of def.params) {
    if (p.name in args && args[p.name] !== undefined) out[p.name] = args[p.name]!;
    else if (p.default !== undefined) out[p.name] = fromValue(p.default, def.name, p.name);
    else if (p.variadic) out[p.name] = [];
    else throw new OpError(`${def.name}: missing required argument '${p.name}'`, def.name);
  }
  for (const k of Object.keys(args)) {
    if (!(k in out)) throw new OpError(`${def.name}: unexpected argument '${k}' (parameters: ${def.params.map((p) => p.name).join(', ')})`, def.name);
  }
  return out;
}

function argSummary(args: OpArgs): string {
  return Object.entries(args).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${describe(v)}`).join(', ');
}

function shapesEqual(a: readonly number[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Compare the kernel's outputs with what the shape rule promised (concrete dims only). */
function checkAgainstRule(op: string, expected: Value, got: RuntimeValue): void {
  if (expected.kind === 'tensor') {
    if (!(got instanceof Tensor) || !expected.shape || !expected.shape.every((d) => typeof d === 'number')) return;
    if (!shapesEqual(got.shape, expected.shape)) {
      throw new OpError(`internal: kernel '${op}' produced Tensor[${got.shape.join(', ')}] but its shape rule says ${shapeToString(expected.shape)}`, op);
    }
  } else if ((expected.kind === 'tuple' || expected.kind === 'list') && expected.items && Array.isArray(got)) {
    const items = expected.items;
    (got as readonly RuntimeValue[]).forEach((g, i) => { if (items[i]) checkAgainstRule(op, items[i]!, g); });
  }
}

// ---- the dispatcher -------------------------------------------------------------------------
/**
 * Run op `name` with arguments keyed by the op's parameter names (PyTorch's). Ops without an
 * OpDef in the op library (internal helpers named `_...`) run unchecked.
 */
export function callOp(name: string, args: OpArgs, options?: CallOptions): RuntimeValue {
  const obs = opObserver;
  if (!obs) return runOp(name, args, options);
  const token = obs.begin(name, args, options?.site ?? currentSite);
  try { return runOp(name, args, options); } finally { obs.end(token); }
}

function runOp(name: string, args: OpArgs, options?: CallOptions): RuntimeValue {
  const site = options?.site ?? currentSite;
  const def = getOp(name);
  let full: OpArgs = args;
  let expected: Value | undefined;
  if (def) {
    full = fillDefaults(def, args);
    const bound: Record<string, Value> = {};
    for (const [k, v] of Object.entries(full)) bound[k] = toValue(v);
    try {
      expected = def.shape(bound);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof ShapeError) throw new OpError(`${name}: ${msg}${site ? ` (at ${site})` : ''}`, name, site);
      throw new OpError(`${name}: shape rule failed: ${msg} (args: ${argSummary(full)})`, name, site);
    }
  }
  const inputs = tensorsIn(Object.values(full) as RuntimeValue[]);
  const backend = inputs[0]?.backend ?? getDefaultBackend();
  for (const t of inputs) {
    if (t.backend !== backend) throw new OpError(`${name}: inputs live on different backends (${backend.name} and ${t.backend.name})`, name, site);
  }
  const kernel = getKernel(name, backend.name);
  if (!kernel) {
    const composite = getComposite(name);
    if (!composite) throw new OpError(`${name}: no ${backend.name} kernel for this op yet`, name, site);
    // Composites record the tape through the ops they call.
    let res: RuntimeValue;
    try {
      res = composite(full);
    } catch (e) {
      if (e instanceof OpError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new OpError(`${name}: ${msg}${site ? ` (at ${site})` : ''} (args: ${argSummary(full)})`, name, site);
    }
    if (expected) checkAgainstRule(name, expected, res);
    return res;
  }
  const ctx: KernelContext = { saved: {} };
  let out: RuntimeValue;
  try {
    out = kernel(full, ctx);
  } catch (e) {
    if (e instanceof OpError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new OpError(`${name}: ${msg}${site ? ` (at ${site})` : ''} (args: ${argSummary(full)})`, name, site);
  }
  if (expected) checkAgainstRule(name, expected, out);
  const outputs = tensorsIn(out);

  if (nonFiniteWatch) {
    for (let i = 0; i < outputs.length; i++) {
      const bad = firstNonFinite(outputs[i]!);
      if (bad === undefined) continue;
      if (inputs.some((t) => firstNonFinite(t) !== undefined)) break; // inherited, not produced here
      nonFiniteWatch({ op: name, site, output: i, value: bad,
        message: `op '${name}'${site ? ` at ${site}` : ''} produced ${bad} (output ${i}, inputs ${inputs.map((t) => `[${t.shape.join(', ')}]`).join(', ')})` });
      break;
    }
  }

  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) record(name, full, out, outputs, ctx, site);
  return out;
}

type Path = readonly (string | number)[];

function record(op: string, args: OpArgs, output: RuntimeValue, outputs: Tensor[], ctx: KernelContext, site: string | undefined): void {
  const floatOutputs = outputs.filter((t) => t.dtype === 'float32');
  if (floatOutputs.length === 0) return;
  const rule = getGrad(op);
  if (rule === 'none') return;
  const inputs: Tensor[] = [];
  const paths: Path[] = [];
  const walk = (v: RuntimeValue, path: (string | number)[]): void => {
    if (v instanceof Tensor) { if (v.requiresGrad) { inputs.push(v); paths.push([...path]); } }
    else if (Array.isArray(v)) (v as readonly RuntimeValue[]).forEach((x, i) => walk(x, [...path, i]));
  };
  for (const [k, v] of Object.entries(args)) walk(v, [k]);
  const node: TapeNode = {
    op,
    inputs,
    outputs: floatOutputs,
    numOutputs: floatOutputs.length,
    site,
    backward(gradOutputs) {
      if (!rule) throw new OpError(`${op}: no gradient rule for this op yet (backward through it is not supported)`, op, site);
      // The rule sees one gradient per tensor output (ints get null).
      let fi = 0;
      const perOutput = outputs.map((t) => (t.dtype === 'float32' ? gradOutputs[fi++] ?? null : null));
      const res = rule({ args, output, saved: ctx.saved }, perOutput);
      return paths.map((p) => {
        let g: GradResult = res[p[0] as string];
        for (let i = 1; i < p.length && g; i++) g = (g as readonly GradResult[])[p[i] as number];
        return (g as Tensor | null | undefined) ?? null;
      });
    },
  };
  for (let i = 0; i < floatOutputs.length; i++) {
    const t = floatOutputs[i]!;
    t.gradFn = node;
    t.outputIndex = i;
    t.requiresGrad = true;
  }
}
