// Executes a ModelIR: IR nodes in order, layer calls on the module at their path, op calls
// through callOp. Symbolic sizes in the IR (N, T, C//heads) are evaluated with the symbols bound
// from the actual input shapes.
import { dimToString, evalDim, symbolsOf, type Dim } from '../shape/dim.js';
import type { IRArg, IRNode, ModelIR, Value } from '../frontend/types.js';
import { callOp, OpError, withSite } from '../runtime/dispatch.js';
import { describe, type RuntimeValue } from '../runtime/value.js';
import { Tensor } from '../tensor.js';
import { Layer, Module, Sequential } from '../nn/index.js';
import { valueToRuntime, type DimEnv } from '../nn/values.js';

/** A run-time failure, located at the model file's line. */
export class ModelRunError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'ModelRunError';
  }
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
export const INT_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'bool']);

/**
 * Binds the IR's input symbols from actual tensors and checks every concrete size. Returns the
 * (possibly dtype-converted) inputs and the symbol environment.
 */
export function bindInputs(ir: ModelIR, inputs: readonly Tensor[], file: string): { env: DimEnv; inputs: Tensor[] } {
  if (inputs.length !== ir.inputs.length) {
    const names = ir.inputs.map((i) => i.name).join(', ');
    throw new ModelRunError(`${file}: ${ir.className}.forward takes ${ir.inputs.length} input(s) (${names}) but ${inputs.length} were given`);
  }
  const env: Record<string, number> = {};
  const out: Tensor[] = [];
  const deferred: [number, Dim, number][] = [];
  ir.inputs.forEach((spec, i) => {
    let t = inputs[i]!;
    const expected = spec.type.shape;
    const label = `${file}: input '${spec.name}'`;
    if (expected) {
      if (expected.length !== t.ndim) {
        throw new ModelRunError(`${label}: expected ${expected.length} dims [${expected.map(dimToString).join(', ')}], got ${shapeText(t.shape)}`);
      }
      expected.forEach((d, j) => {
        const actual = t.shape[j]!;
        if (typeof d === 'number') {
          if (d !== actual) throw new ModelRunError(`${label}: dim ${j} must be ${d} (model expects [${expected.map(dimToString).join(', ')}]), got ${shapeText(t.shape)}`);
        } else {
          const syms = symbolsOf(d);
          if (syms.length === 1 && dimToString(d) === syms[0]) {
            const s = syms[0]!;
            if (s in env && env[s] !== actual) throw new ModelRunError(`${label}: dim ${j} is ${s}, which another dim already bound to ${env[s]}, got ${actual}`);
            env[s] = actual;
          } else deferred.push([i, d, actual]);
        }
      });
    }
    // Integer inputs (token ids) may arrive as floats from a .npy: convert exact integers.
    if (INT_DTYPES.has(spec.type.dtype) && t.dtype === 'float32') {
      const d = t.toFloat32Array();
      if (!d.every((v) => Number.isInteger(v))) throw new ModelRunError(`${label}: model expects integer ${spec.type.dtype} values, got non-integer floats`);
      t = Tensor.fromArray(d, t.shape, 'int32');
    } else if (!INT_DTYPES.has(spec.type.dtype) && t.dtype === 'int32') {
      t = Tensor.fromArray(t.toFloat32Array(), t.shape, 'float32');
    }
    out.push(t);
  });
  for (const [i, d, actual] of deferred) {
    const v = evalDim(d, env);
    if (v !== undefined && v !== actual) throw new ModelRunError(`${file}: input '${ir.inputs[i]!.name}': a dim must be ${dimToString(d)} = ${v}, got ${actual}`);
  }
  return { env, inputs: out };
}

function lineOf(node: IRNode): number { return node.range.start.line + 1; }

export interface RunOptions {
  /** Compare every node's actual output shape with what the analysis inferred (tests turn this on). */
  readonly checkShapes?: boolean;
}

/** A mismatch between the analysis's shape for a node and the engine's result (a bug in one of them). */
function checkNodeShape(node: IRNode, expected: Value, got: RuntimeValue, env: DimEnv, site: string): void {
  if (expected.kind === 'tensor') {
    if (!(got instanceof Tensor) || !expected.shape) return;
    const dims = expected.shape.map((d) => evalDim(d, env));
    if (dims.some((d) => d === undefined)) return;
    if (dims.length !== got.ndim || dims.some((d, i) => d !== got.shape[i])) {
      throw new ModelRunError(`${site}: internal: the analysis says ${node.call === 'layer' ? `self.${node.target}` : node.target} gives [${expected.shape.map(dimToString).join(', ')}] but the engine produced ${shapeText(got.shape)}`, lineOf(node));
    }
  } else if (expected.kind === 'tuple' && Array.isArray(got)) {
    expected.items.forEach((v, i) => checkNodeShape(node, v, (got as readonly RuntimeValue[])[i] ?? null, env, site));
  }
}

/** Runs the IR forward with `root` holding the modules and parameters. */
export function runIR(ir: ModelIR, root: Module, rawInputs: readonly Tensor[], file = 'model.py', options: RunOptions = {}): RuntimeValue {
  const { env, inputs } = bindInputs(ir, rawInputs, file);
  const results = new Map<number, RuntimeValue>();
  const evalArg = (a: IRArg, arg: string): RuntimeValue => {
    switch (a.kind) {
      case 'input': return inputs[a.index]!;
      case 'node': {
        if (!results.has(a.id)) throw new ModelRunError(`internal: IR node ${a.id} used before it ran`);
        const v = results.get(a.id)!;
        if (a.output === undefined) return v;
        if (!Array.isArray(v)) throw new ModelRunError(`internal: IR node ${a.id} is not a tuple (wanted item ${a.output})`);
        return (v as readonly RuntimeValue[])[a.output]!;
      }
      case 'param': return root.getTensor(a.path);
      case 'const': return valueToRuntime(a.value, env, `argument '${arg}'`);
      case 'tuple':
      case 'list': return a.items.map((x, i) => evalArg(x, `${arg}[${i}]`));
    }
  };
  for (const node of ir.nodes) {
    const site = `${file}:${lineOf(node)}`;
    // What ops inside this call report (errors, NaN watch, profiler): the line and the module path.
    const path = node.call === 'layer' ? node.target : node.scope;
    const opSite = path ? `${site} self.${path}` : site;
    let out: RuntimeValue;
    try {
      const args: Record<string, RuntimeValue> = {};
      for (const [k, v] of Object.entries(node.args)) args[k] = evalArg(v, k);
      out = node.call === 'layer' ? withSite(opSite, () => callLayer(root, node.target, args)) : callOp(node.target, args, { site: opSite });
    } catch (e) {
      if (e instanceof ModelRunError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const what = node.call === 'layer' ? `self.${node.target}` : node.target;
      throw new ModelRunError(`${site}: ${what}: ${msg.replace(` (at ${opSite})`, '')}`, lineOf(node));
    }
    if (options.checkShapes) checkNodeShape(node, node.output, out, env, site);
    results.set(node.id, out);
  }
  try {
    return evalArg(ir.output, 'return value');
  } catch (e) {
    throw new ModelRunError(`${file}: ${ir.className}.forward: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function callLayer(root: Module, path: string, args: Record<string, RuntimeValue>): RuntimeValue {
  const m = root.getSubmodule(path);
  if (m instanceof Layer) return m.call(args);
  if (m instanceof Sequential) return m.forward(args.input ?? Object.values(args)[0] ?? null);
  throw new OpError(`${m.typeName} at '${path}' cannot be called directly here (args: ${Object.values(args).map(describe).join(', ')})`, path);
}
