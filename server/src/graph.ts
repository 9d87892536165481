// `tensorStudio/graph`: the model IR as nodes and edges for the graph panel. Layer calls and op
// calls become nodes; every tensor reference between them becomes an edge labelled with the
// producer's output shape.
import { getLayer, getOp } from '../../engine/src/ops/index.js';
import type { AnalysisResult, BrokenModel, IRArg, IRNode, ModelIR, ModuleNode } from '../../engine/src/frontend/index.js';
import type { Value } from '../../engine/src/ops/types.js';
import { dtypesOf, formatValue } from './format.js';
import { attrStrings, graphModules } from './graph_modules.js';
import { GRAPH_PROTOCOL_VERSION, type GraphEdge, type GraphNode, type GraphPort, type GraphResponse, type GraphResult } from './protocol.js';

// Ops have no category in the op library; these names are enough to colour the common ones.
const opCategories: Record<string, readonly string[]> = {
  activation: ['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'celu', 'gelu', 'silu', 'mish', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'softplus', 'hardtanh', 'hardswish', 'hardsigmoid', 'glu'],
  shape: ['view', 'reshape', 'flatten', 'unflatten', 'permute', 'transpose', 'contiguous', 'squeeze', 'unsqueeze', 'expand', 'repeat', 'cat', 'stack', 'split', 'chunk', 'getitem', 'size', 'interpolate', 'upsample'],
  pool: ['max_pool1d', 'max_pool2d', 'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_max_pool1d', 'adaptive_max_pool2d'],
  norm: ['batch_norm', 'layer_norm', 'group_norm'],
  dropout: ['dropout', 'dropout1d', 'dropout2d', 'dropout3d'],
  layer: ['linear', 'bilinear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'embedding', 'lstm', 'gru', 'rnn', 'multi_head_attention', 'scaled_dot_product_attention'],
};
const categoryOfOp = new Map<string, string>(Object.entries(opCategories).flatMap(([cat, names]) => names.map((n) => [n, cat] as const)));

/** Classes (and module-level containers) with a graph, complete or up to a shape error, in file order. */
export function graphClasses(result: AnalysisResult): string[] {
  const names = new Set([...result.models.keys(), ...result.brokenModels.keys()]);
  const ordered = result.classes.map((c) => c.name).filter((n) => names.has(n));
  return [...ordered, ...[...names].filter((n) => !ordered.includes(n))];
}

/** The class drawn when none is named: the last one with a graph that no other class holds as a layer. */
export function defaultModel(result: AnalysisResult): string | undefined {
  const names = graphClasses(result);
  const used = new Set(result.layers.map((l) => l.type));
  const top = names.filter((n) => !used.has(n));
  return top.at(-1) ?? names.at(-1);
}

export function graphFor(result: AnalysisResult | undefined, className?: string): GraphResponse {
  const available = result ? graphClasses(result) : [];
  const unavailable = (message: string): GraphResponse => ({ kind: 'error', version: GRAPH_PROTOCOL_VERSION, message, available });
  if (!result) return unavailable('This document has not been analysed (is it a Python file that is open in the editor?).');
  const name = className ?? defaultModel(result);
  if (!name) return unavailable('No nn.Module class with a forward method that can be analysed was found in this file.');
  const ir = result.models.get(name);
  if (ir) return buildGraph(ir, available);
  const broken = result.brokenModels.get(name);
  if (broken) return buildGraph(broken.ir, available, broken);
  const cls = result.classes.find((c) => c.name === name);
  return unavailable(cls
    ? `No graph for '${name}': its forward could not be analysed (see the diagnostics in the file).`
    : `No nn.Module class named '${name}' in this file.`);
}

export function buildGraph(ir: ModelIR, available: readonly string[] = [ir.className], broken?: BrokenModel): GraphResult {
  const modules = new Map<string, ModuleNode>();
  const parentOf = new Map<string, string>();
  const walk = (m: ModuleNode): void => {
    modules.set(m.path, m);
    for (const c of m.children) { parentOf.set(c.path, m.path); walk(c); }
  };
  walk(ir.root);
  const irNodes = new Map<number, IRNode>(ir.nodes.map((n) => [n.id, n]));

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const inputs: GraphPort[] = ir.inputs.map((inp) => ({ name: inp.name, shape: formatValue(inp.type), dtype: inp.type.dtype }));
  ir.inputs.forEach((inp, i) => nodes.push({
    id: `input:${i}`, label: inp.name, op: 'input', category: 'input', attributes: [formatValue(inp.type)], modulePath: '', group: '', range: null,
  }));

  // Where an edge starts and what travels along it.
  const source = (arg: IRArg): { id: string; value: Value } | undefined => {
    if (arg.kind === 'input') {
      const inp = ir.inputs[arg.index];
      return inp ? { id: `input:${arg.index}`, value: inp.type } : undefined;
    }
    if (arg.kind === 'node') {
      const n = irNodes.get(arg.id);
      if (!n) return undefined;
      let value = n.output;
      if (arg.output !== undefined && (value.kind === 'tuple' || value.kind === 'list') && value.items) value = value.items[arg.output] ?? { kind: 'unknown' };
      return { id: `n${arg.id}`, value };
    }
    return undefined;
  };
  const connect = (arg: IRArg, to: string, seen: Set<string>): void => {
    if (arg.kind === 'tuple' || arg.kind === 'list') { for (const it of arg.items) connect(it, to, seen); return; }
    const src = source(arg);
    if (!src || seen.has(src.id)) return;
    seen.add(src.id);
    edges.push({ from: src.id, to, shape: formatValue(src.value), dtype: dtypesOf(src.value).join(', ') });
  };

  for (const n of ir.nodes) {
    const id = `n${n.id}`;
    if (n.call === 'layer') {
      const mod = modules.get(n.target);
      const type = mod?.type ?? 'layer';
      const spec = getLayer(type);
      nodes.push({
        id, label: n.target || type, op: type,
        category: spec?.category ?? (mod && !mod.builtin ? 'container' : 'layer'),
        attributes: mod ? attrStrings(mod.attrs, spec?.ctor) : [],
        modulePath: n.target, group: parentOf.get(n.target) ?? '', range: n.range,
      });
    } else {
      const consts: Record<string, Value> = {};
      for (const [k, a] of Object.entries(n.args)) {
        const v = constValue(a);
        if (v) consts[k] = v;
      }
      nodes.push({
        id, label: n.target, op: n.target, category: categoryOfOp.get(n.target) ?? 'op',
        attributes: attrStrings(consts, getOp(n.target)?.params), modulePath: n.scope, group: n.scope, range: n.range,
      });
    }
    const seen = new Set<string>();
    for (const a of Object.values(n.args)) connect(a, id, seen);
  }

  const outputs: GraphPort[] = [];
  if (broken) {
    // No outputs: forward never got there. The failing call hangs off the last call that worked.
    const last = nodes.at(-1)!;
    nodes.push({
      id: 'error', label: broken.text.length > 0 && broken.text.length <= 40 ? broken.text : 'shape error', op: 'error', category: 'error',
      attributes: [], modulePath: '', group: '', range: broken.range, message: broken.message,
    });
    const lastIr = ir.nodes.at(-1);
    const value = lastIr ? lastIr.output : ir.inputs[0]?.type;
    if (value) edges.push({ from: last.id, to: 'error', shape: formatValue(value), dtype: dtypesOf(value).join(', ') });
  } else {
    const outs = ir.output.kind === 'tuple' || ir.output.kind === 'list' ? ir.output.items : [ir.output];
    outs.forEach((o, i) => {
      const id = `output:${i}`;
      const src = o.kind === 'tuple' || o.kind === 'list' ? undefined : source(o);
      const value = src?.value ?? (o.kind === 'const' ? o.value : { kind: 'unknown' as const });
      outputs.push({ name: outs.length === 1 ? 'output' : `output${i}`, shape: formatValue(value), dtype: dtypesOf(value).join(', ') });
      nodes.push({ id, label: outputs[i]!.name, op: 'output', category: 'output', attributes: [formatValue(value)], modulePath: '', group: '', range: null });
      connect(o, id, new Set());
    });
  }

  return {
    kind: 'graph', version: GRAPH_PROTOCOL_VERSION, className: ir.className, nodes, edges, inputs, outputs,
    modules: graphModules(ir.root, nodes), error: broken ? { message: broken.message, range: broken.range } : null, available,
  };
}

/** A constant argument as a value (`dim=(2, 3)` arrives as a tuple of constants); undefined when any part is a tensor. */
function constValue(a: IRArg): Value | undefined {
  if (a.kind === 'const') return a.value;
  if (a.kind === 'tuple' || a.kind === 'list') {
    const items: Value[] = [];
    for (const it of a.items) {
      const v = constValue(it);
      if (!v) return undefined;
      items.push(v);
    }
    return a.kind === 'tuple' ? { kind: 'tuple', items } : { kind: 'list', items };
  }
  return undefined;
}
