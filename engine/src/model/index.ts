// Run the user's model file on the embedded engine: the ONE frontend parses and analyses it into
// a ModelIR; we build the Module tree from the IR's ModuleNode and execute the IR's nodes.
import { analyze, buildModel } from '../frontend/index.js';
import type { Diagnostic, ModelIR, ModuleClassInfo, ModuleNode, TensorType } from '../frontend/types.js';
import type { RuntimeValue } from '../runtime/value.js';
import { Tensor } from '../tensor.js';
import { sym } from '../shape/dim.js';
import { Module, UserModule } from '../nn/index.js';
import { buildModule, ModelBuildError } from './build.js';
import { INT_DTYPES, runIR } from './run.js';

export { ModelBuildError } from './build.js';
export { ModelRunError, runIR, bindInputs, type RunOptions } from './run.js';
export { buildModule } from './build.js';

export interface LoadModelOptions {
  /** Which nn.Module class to run when the file has several. */
  readonly className?: string;
  /** File name shown in messages (no file is read). */
  readonly fileName?: string;
  /** Input types for forward (symbolic dims allowed); default: what the file itself implies. */
  readonly inputs?: readonly TensorType[];
  /** Input types to use only when the file itself does not determine them (predict passes its input's shape). */
  readonly fallbackInputs?: readonly TensorType[];
}

export class LoadedModel {
  /** Check each IR node's output shape against the analysis (see RunOptions). */
  checkShapes = false;
  constructor(readonly ir: ModelIR, readonly module: Module, readonly fileName: string) {
    if (module instanceof UserModule) module.forwardImpl = (...args) => this.forward(...(args as Tensor[]));
  }
  get className(): string { return this.ir.className; }
  /** forward(*inputs) in the module's current mode (train()/eval()) and grad mode. */
  forward(...inputs: Tensor[]): RuntimeValue {
    return runIR(this.ir, this.module, inputs, this.fileName, { checkShapes: this.checkShapes });
  }
  /** Whether forward's input i holds integers (token ids): callers can upload such data as int32. */
  inputIsInteger(i: number): boolean {
    const spec = this.ir.inputs[i];
    return spec !== undefined && INT_DTYPES.has(spec.type.dtype);
  }
  /** forward for the usual single-tensor output. */
  forwardTensor(...inputs: Tensor[]): Tensor {
    const out = this.forward(...inputs);
    if (!(out instanceof Tensor)) throw new Error(`${this.fileName}: ${this.className}.forward returns ${Array.isArray(out) ? 'a tuple' : 'a non-tensor'}; expected one tensor`);
    return out;
  }
}

/** Diagnostics that stop the engine (errors, and constructs the engine cannot run) as `file:line: message`. */
function blocking(diags: readonly Diagnostic[], file: string): string[] {
  return diags
    .filter((d) => d.severity === 'error' || /unsupported|data-dependent|dynamic/.test(d.code))
    .map((d) => `${file}:${d.range.start.line + 1}: ${d.message}${/unsupported|data-dependent|dynamic/.test(d.code) ? ' (not supported by the embedded engine)' : ''}`);
}

/** Classes used as a child of another analysed class are not candidates for "the" model. */
function rootCandidates(models: ReadonlyMap<string, ModelIR>, names: readonly string[]): string[] {
  const used = new Set<string>();
  const walk = (n: ModuleNode): void => { for (const c of n.children) { if (!c.builtin) used.add(c.type); walk(c); } };
  for (const ir of models.values()) walk(ir.root);
  return names.filter((k) => !used.has(k));
}

/** Pick the class to run: `className`, else the only class, else the only one no other class uses. Returns its name. */
export function chooseModel(
  models: ReadonlyMap<string, ModelIR>,
  diagnostics: readonly Diagnostic[],
  options: LoadModelOptions = {},
  classes: readonly ModuleClassInfo[] = [],
): string {
  const file = options.fileName ?? 'model.py';
  // Classes whose IR could not be built are candidates too: building them explains why.
  const names = [...new Set([...models.keys(), ...classes.map((c) => c.name)])];
  const problems = blocking(diagnostics, file);
  if (options.className) {
    if (names.includes(options.className)) return options.className;
    const why = problems.length ? `:\n  ${problems.join('\n  ')}` : names.length ? ` (model classes: ${names.join(', ')})` : ' (no nn.Module classes found)';
    throw new ModelBuildError(`${file}: cannot run class '${options.className}'${why}`);
  }
  if (names.length === 0) {
    throw new ModelBuildError(`${file}: no nn.Module class the embedded engine can run${problems.length ? `:\n  ${problems.join('\n  ')}` : ' (for a module-level model = nn.Sequential(...), name it with --class model)'}`);
  }
  if (names.length === 1) return names[0]!;
  const line = (n: string): number => classes.find((c) => c.name === n)?.range.start.line ?? Number.MAX_SAFE_INTEGER;
  const roots = rootCandidates(models, names).sort((a, b) => line(a) - line(b));
  if (roots.length === 1) return roots[0]!;
  throw new ModelBuildError(`${file}: several model classes (${(roots.length ? roots : names).join(', ')}); choose one with --class NAME`);
}

/** Build a runnable model from an IR (a fresh, default-initialised Module tree). */
export function modelFromIR(ir: ModelIR, fileName = 'model.py'): LoadedModel {
  const module = buildModule(ir.root, fileName);
  return new LoadedModel(ir, module, fileName);
}

/**
 * Analyse `source` and build the chosen class (the frontend's buildModel gives the IR). Errors
 * name the file, the line and what is wrong; constructs the IR cannot express (data-dependent
 * control flow, unknown calls) are reported as not supported by the embedded engine.
 */
export function loadModel(source: string, options: LoadModelOptions = {}): LoadedModel {
  const file = options.fileName ?? 'model.py';
  let className = options.className;
  if (!className) {
    const result = analyze(source, { fileName: file });
    className = chooseModel(result.models, result.diagnostics, options, result.classes);
  }
  let built = buildModel(source, { className, ...(options.inputs ? { inputs: options.inputs } : {}) });
  if (!built.ir && !options.inputs && options.fallbackInputs) {
    const again = buildModel(source, { className, inputs: options.fallbackInputs });
    if (again.ir) built = again;
  }
  if (!built.ir) {
    // Shape mismatches the analysis only warns about (input rank assumed) explain a broken IR too.
    const warnings = analyze(source, { fileName: file }).diagnostics.filter((d) => d.code === 'shape-mismatch' && d.severity !== 'error');
    const lines = [...built.diagnostics.filter((d) => d.severity === 'error'), ...warnings]
      .sort((x, y) => x.range.start.line - y.range.start.line)
      .map((d) => `${file}:${d.range.start.line + 1}: ${d.message}${d.code === 'no-model' && /its forward uses/.test(d.message) && !/shape error/.test(d.message) ? ' (not supported by the embedded engine)' : ''}`);
    throw new ModelBuildError(lines.length === 1 ? lines[0]! : `${file}: cannot run ${className} on the embedded engine:\n  ${lines.join('\n  ')}`);
  }
  let ir = built.ir;
  if (!options.inputs) {
    // Shapes from the file's example call are concrete (`torch.randn(64, 1, 28, 28)`): rebuild
    // with a symbolic batch so any batch size runs (sizes derived from it stay symbolic in the IR).
    const batched = symbolicBatch(ir.inputs.map((i) => i.type));
    if (batched) {
      const again = buildModel(source, { className, inputs: batched });
      if (again.ir) ir = again.ir;
    }
  }
  return modelFromIR(ir, file);
}

/** The input types with dim 0 made the symbol N, when every input is a concrete tensor of rank >= 1. */
function symbolicBatch(types: readonly TensorType[]): TensorType[] | null {
  if (types.length === 0) return null;
  if (!types.every((t) => t.shape && t.shape.length >= 1 && t.shape.every((d) => typeof d === 'number'))) return null;
  return types.map((t) => ({ ...t, shape: [sym('N'), ...t.shape!.slice(1)] }));
}
