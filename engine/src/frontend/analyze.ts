// The analysis driver: run module-level code (which runs example calls), then give every
// nn.Module class that still has no context its inputs from annotations or, failing that,
// symbolic inputs taken from the first layer its forward applies to them. Then turn the
// interpreter's records into the public AnalysisResult and ModelIRs.

import { sym, symbolsOf, type Dim } from '../shape/dim.js';
import type { DType, ParamShape, TensorType } from '../ops/index.js';
import type { Expr, Span, Stmt } from './ast.js';
import { assignPaths, countTreeParams, Interp, lookup, mergedFacts, type DiagAcc, type FactAcc, type InstRecord, type IRNodeAcc, type LayerAcc, type RootRun, type RunCache } from './interp.js';
import type { LineIndex } from './parse.js';
import type {
  AnalysisResult, BrokenModel, Diagnostic, IRArg, IRNode, LayerInfo, ModelIR, ModuleClassInfo, ModuleNode, Position, Range, ShapeFact,
} from './types.js';
import { guessParam } from './guesses.js';
import { toValue, type ClassV, type FV, type ModuleInst, type TensorV } from './values.js';

const SOURCE_RANK: Record<RootRun['source'], number> = { config: 0, annotation: 1, 'example-call': 2, symbolic: 3, none: 4 };

export interface Analysed {
  interp: Interp;
  stmts: Stmt[];
}

/** Run the whole file. `override` makes one class's root run use the given inputs (the engine's). */
export interface Caches { prev: RunCache; next: RunCache; prevInst: Map<string, InstRecord> | null; prevStmtText?: Map<Stmt, string> | null }

export function interpret(src: string, stmts: Stmt[], override?: { className: string; inputs: TensorType[] }, cache?: Caches, coverage = false): Analysed {
  const interp = new Interp(src, cache?.prev ?? null, cache?.next ?? null);
  if (coverage) interp.coverage = [];
  // Constructions are moved from the previous version when unchanged (see reuseInstance).
  interp.prevInstCache = cache?.prevInst ?? null;
  interp.prevStmtText = cache?.prevStmtText ?? null;
  if (override) interp.collectExamples = false;
  interp.runModule(stmts);
  const moduleClasses = interp.classes.filter((c) => c.isModule);

  if (override) {
    const inst = instanceFor(interp, override.className);
    if (inst) {
      const inputs: FV[] = override.inputs.map((t) => ({ kind: 'tensor', shape: t.shape, dtype: t.dtype }));
      interp.runRoot(inst, inputs, {}, 'config');
    }
    interp.releasePrevious();
    return { interp, stmts };
  }

  // Annotated forwards first: they say exactly what the author means.
  // (An example call already fixes concrete shapes: then the annotation adds no context.)
  for (const cls of moduleClasses) {
    if (interp.runs.some((r) => r.inst.cls === cls)) continue;
    const ann = annotatedInputs(interp, cls);
    if (!ann) continue;
    const inst = instanceFor(interp, cls.name);
    if (inst) interp.runRoot(inst, ann, {}, 'annotation');
  }
  // Outermost classes first (they are usually defined last): running them gives their
  // submodules real contexts, so those are not analysed standalone.
  for (const cls of [...moduleClasses].reverse()) {
    if (interp.called.has(cls)) continue;
    const inst = instanceFor(interp, cls.name);
    if (inst) symbolicRun(interp, inst);
  }
  // Module-level containers (`model = nn.Sequential(...)`) with no example call.
  for (const [name, v] of interp.moduleScope.vars) {
    if (v.kind !== 'module' || v.cls || !v.children.size) continue;
    if (interp.runs.some((r) => r.inst === v)) continue;
    void name;
    symbolicRun(interp, v);
  }
  interp.releasePrevious();
  return { interp, stmts };
}

function symbolicRun(interp: Interp, inst: ModuleInst): void {
  const n = requiredInputs(interp, inst);
  interp.probeHits = new Map();
  interp.probeRankFree = false;
  let inputs: FV[] = Array.from({ length: n }, (_, i) => ({ kind: 'tensor', shape: null, dtype: 'float32', probe: i }) as TensorV);
  interp.silent++;
  try {
    interp.runRoot(inst, inputs, {}, 'symbolic');
  } finally {
    interp.silent--;
  }
  inputs = inputs.map((_, i) => {
    const t = interp.probeHits.get(i);
    return t ? { kind: 'tensor', shape: t.shape, dtype: t.dtype } : { kind: 'tensor', shape: null, dtype: 'float32', why: 'forward input: no example call, no annotation, no first layer to derive it from' };
  });
  interp.runRoot(inst, inputs, {}, interp.probeHits.size ? 'symbolic' : 'none');
}

function requiredInputs(interp: Interp, inst: ModuleInst): number {
  if (!inst.cls) return 1;
  const fwd = interp.lookupMember(inst.cls, 'forward');
  if ((!fwd || fwd.kind !== 'func') && inst.torchBase) return 1; // the torch.nn base's forward
  if (!fwd || fwd.kind !== 'func') return 0;
  return fwd.params.slice(1).filter((p) => p.kind === 'normal' && !p.default).length;
}

/** The instance module-level code built for this class/variable, or one built with symbolic constructor arguments. */
function instanceFor(interp: Interp, name: string): ModuleInst | null {
  const v = interp.moduleScope.vars.get(name);
  if (v && v.kind === 'module') return v;
  const cls = interp.classes.find((c) => c.name === name && c.isModule);
  if (!cls) return null;
  const existing = interp.instances.get(cls);
  if (existing && existing.length) return existing[0]!;
  const init = interp.lookupMember(cls, '__init__');
  const kw: Record<string, FV> = {};
  if (init && init.kind === 'func') {
    for (const p of init.params.slice(1)) if (p.kind === 'normal' && !p.default) kw[p.name] = guessParam(p.name);
  }
  interp.silent++;
  try {
    return interp.instantiate(cls, [], kw, cls.def, { scope: interp.moduleScope, owner: null, kind: 'module', facts: false, ctxName: '', ir: null, scopePath: '', depth: 0, returns: [] });
  } finally {
    interp.silent--;
  }
}

const JAX_DTYPES: Record<string, DType> = {
  Float: 'float32', Float32: 'float32', Float64: 'float64', Float16: 'float16', BFloat16: 'bfloat16', Shaped: 'float32',
  Int: 'int64', Int64: 'int64', Int32: 'int32', Int8: 'int8', UInt8: 'uint8', Integer: 'int64', Bool: 'bool', Num: 'float32', Real: 'float32',
};

/** Inputs from jaxtyping annotations on every required forward parameter, or null. */
function annotatedInputs(interp: Interp, cls: ClassV): FV[] | null {
  const fwd = interp.lookupMember(cls, 'forward');
  if (!fwd || fwd.kind !== 'func') return null;
  const params = fwd.params.slice(1).filter((p) => p.kind === 'normal' && !p.default);
  if (params.length === 0) return null;
  const out: FV[] = [];
  for (const p of params) {
    const t = p.ann ? jaxtyping(interp, p.ann) : null;
    if (!t) return null;
    out.push(t);
  }
  return out;
}

function jaxtyping(interp: Interp, ann: Expr): TensorV | null {
  if (ann.k !== 'index' || ann.index.k !== 'tuple' || ann.index.items.length !== 2) return null;
  const head = ann.obj;
  const name = head.k === 'name' ? head.id : head.k === 'attr' ? head.name : null;
  if (!name) return null;
  const bound = head.k === 'name' ? lookup(interp.moduleScope, name) : null;
  if (head.k === 'name' && !(bound && bound.kind === 'ns' && bound.qual.startsWith('jaxtyping.'))) return null;
  const dtype = JAX_DTYPES[bound && bound.kind === 'ns' ? bound.qual.slice('jaxtyping.'.length) : name];
  const spec = ann.index.items[1]!;
  if (!dtype || spec.k !== 'str') return null;
  const shape: Dim[] = [];
  for (const tok of spec.v.trim().split(/\s+/).filter(Boolean)) {
    if (/^\d+$/.test(tok)) shape.push(parseInt(tok, 10));
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(tok)) shape.push(sym(tok));
    else return null; // variadic (`...`, `*batch`) or expressions: not a fixed rank
  }
  return { kind: 'tensor', shape, dtype };
}

// ---- results --------------------------------------------------------------------------

/**
 * Output layers of earlier versions by owner NUL path, handed out again when nothing about them
 * changed (an edit rebuilt every output object, and every version's garbage survived a scavenge
 * or two: GC was a quarter of an edit). Facts do the same through FactAcc.out.
 */
export interface OutputReuse {
  layers: Map<string, LayerInfo>;
  /** Counts the results built; a fact's output from the last one is known to be current below `stableBelow`. */
  version: number;
  /** Offsets below this one have the previous version's text (and so its lines): the start of the first re-scanned chunk. */
  stableBelow: number;
}

export function buildResult(a: Analysed, lines: LineIndex, reuse?: OutputReuse): AnalysisResult {
  const { interp } = a;
  const range = (s: Span): Range => ({ start: lines.position(s.from), end: lines.position(s.to) });

  // Sorted by start offset before conversion (the same order as by start position, ties kept).
  const byFrom = <T extends { from: number }>(xs: Iterable<T>): T[] => [...xs].sort((x, y) => x.from - y.from);
  const diagnostics: Diagnostic[] = [];
  for (const d of byFrom(interp.diags.values())) {
    const o: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { range: range(d), severity: d.severity, message: d.message, code: d.code };
    if (d.related) o.related = d.related.map((r) => ({ range: range(r), message: r.message }));
    diagnostics.push(o);
  }

  const facts: ShapeFact[] = [];
  // Facts are grouped by start offset, each group in recording order. A fact a replayed run
  // recorded is the same object in every version: its last output is handed out again when
  // nothing about it changed (only new facts and moved lines get new objects).
  const prevVersion = reuse ? reuse.version : -2;
  const version = prevVersion + 1;
  if (reuse) reuse.version = version;
  const stable = reuse ? reuse.stableBelow : 0;
  for (const f of mergedFacts(interp.facts)) {
    const old = f.out;
    // Handed out last time, single-valued, and wholly in the text before the first changed chunk:
    // nothing about it can differ (a fact's value, kind and context never change).
    if (old && f.outVersion === prevVersion && f.more === null && f.to <= stable && (f.hintAt === undefined || f.hintAt <= stable)) {
      f.outVersion = version;
      facts.push(old);
      continue;
    }
    if (old && sameFact(old, f, interp.src, lines)) {
      f.outVersion = version;
      facts.push(old);
      continue;
    }
    const values = f.more ? [f.value, ...f.more.values] : [f.value];
    const contexts = f.more ? [f.ctx, ...f.more.contexts] : [f.ctx];
    const text = interp.src.slice(f.from, f.to);
    const made: ShapeFact = f.hintAt !== undefined
      ? { range: range(f), text, kind: f.kind, hintAt: lines.position(f.hintAt), values, contexts }
      : { range: range(f), text, kind: f.kind, values, contexts };
    facts.push(made);
    f.out = made;
    f.outVersion = version;
  }

  // `self.x` occurrences per class, for hover on layer references.
  const refsByClass = new Map<string, Map<string, Span[]>>();
  for (const cls of interp.classes) {
    // Class statements are reused between versions (offsets shifted in place): so are their refs.
    let refs = refsCache.get(cls.def);
    if (!refs) refsCache.set(cls.def, (refs = selfRefs(cls.def.body)));
    refsByClass.set(cls.name, refs);
  }
  const layers: LayerInfo[] = [];
  for (const l of interp.layers) {
    const spans = l.path.includes('.') ? [] : (refsByClass.get(l.owner)?.get(l.path) ?? []);
    const old = reuse?.layers.get(l.key);
    if (old && sameLayer(old, l, spans, lines)) { layers.push(old); continue; }
    const made: LayerInfo = {
      owner: l.owner, path: l.path, type: l.type, summary: l.summary, range: range(l),
      refs: spans.map(range), params: l.params, paramCount: l.paramCount,
    };
    layers.push(made);
    reuse?.layers.set(l.key, made);
  }
  if (reuse && reuse.layers.size > 2 * layers.length + 64) {
    reuse.layers = new Map();
    let i = 0;
    for (const l of interp.layers) reuse.layers.set(l.key, layers[i++]!); // one output per layer, in order
  }

  const classes: ModuleClassInfo[] = [];
  for (const cls of interp.classes) {
    if (!cls.isModule) continue;
    const runs = interp.runs.filter((r) => r.inst.cls === cls).sort((x, y) => SOURCE_RANK[x.source] - SOURCE_RANK[y.source]);
    const run = runs[0];
    const inst = run?.inst ?? interp.instances.get(cls)?.[0];
    const count = inst ? countTreeParams(inst) : null;
    classes.push({
      name: cls.name, range: range(cls.def), nameRange: range({ from: cls.def.nameFrom, to: cls.def.nameTo }),
      paramCount: count, paramBytes: count === null ? null : typeof count === 'number' ? count * 4 : null,
      inputs: run ? run.inputs.map((i) => ({ name: i.name, value: toValue(i.value) }))
        : (interp.firstContext.get(cls)?.inputs ?? []).map((i) => ({ name: i.name, value: toValue(i.value) })),
      output: run && run.output ? toValue(run.output) : null,
      inputSource: run ? run.source : 'none',
    });
  }

  const models = new Map<string, ModelIR>();
  const brokenModels = new Map<string, BrokenModel>();
  for (const [name, e] of buildIRs(a, lines)) {
    if (e.ir) models.set(name, e.ir);
    else if (e.broken) brokenModels.set(name, e.broken);
  }
  return { diagnostics, facts, layers, classes, models, brokenModels };
}

function samePos(p: Position, offset: number, lines: LineIndex): boolean {
  return lines.isAt(offset, p.line, p.character);
}

function sameLayer(old: LayerInfo, l: LayerAcc, refs: readonly Span[], lines: LineIndex): boolean {
  if (old.owner !== l.owner || old.path !== l.path || old.type !== l.type || old.summary !== l.summary) return false;
  if (old.params !== l.params || old.paramCount !== l.paramCount || old.refs.length !== refs.length) return false;
  if (!samePos(old.range.start, l.from, lines) || !samePos(old.range.end, l.to, lines)) return false;
  for (let i = 0; i < refs.length; i++) if (!samePos(old.refs[i]!.start, refs[i]!.from, lines) || !samePos(old.refs[i]!.end, refs[i]!.to, lines)) return false;
  return true;
}

function sameFact(old: ShapeFact, f: FactAcc, src: string, lines: LineIndex): boolean {
  const n = f.more ? f.more.values.length + 1 : 1;
  if (old.kind !== f.kind || old.values.length !== n || old.values[0] !== f.value || old.contexts[0] !== f.ctx) return false;
  for (let i = 1; i < n; i++) if (old.values[i] !== f.more!.values[i - 1] || old.contexts[i] !== f.more!.contexts[i - 1]) return false;
  if (old.text.length !== f.to - f.from || !src.startsWith(old.text, f.from)) return false;
  if (!samePos(old.range.start, f.from, lines) || !samePos(old.range.end, f.to, lines)) return false;
  return f.hintAt === undefined ? old.hintAt === undefined : old.hintAt !== undefined && samePos(old.hintAt, f.hintAt, lines);
}

/** IR of the best run of every class / module-level container, or why there is none (and what forward recorded before it broke). */
export interface IREntry { ir: ModelIR | null; why?: string; at?: number; broken?: BrokenModel }

export function buildIRs(a: Analysed, lines: LineIndex): Map<string, IREntry> {
  const { interp } = a;
  const range = (s: Span): Range => ({ start: lines.position(s.from), end: lines.position(s.to) });
  const byName = new Map<string, RootRun[]>();
  for (const r of interp.runs) {
    let name = r.inst.cls ? r.inst.cls.name : null;
    if (!name) for (const [k, v] of interp.moduleScope.vars) if (v === r.inst) { name = k; break; }
    if (!name) continue;
    const list = byName.get(name) ?? [];
    list.push(r);
    byName.set(name, list);
  }
  const out = new Map<string, IREntry>();
  for (const [name, runs] of byName) {
    const run = [...runs].sort((x, y) => SOURCE_RANK[x.source] - SOURCE_RANK[y.source])[0]!;
    if (run.ir.broken) { out.set(name, { ir: null, why: run.ir.broken, at: run.ir.brokenAt, broken: brokenModel(a, run, name, lines, range) }); continue; }
    const inputs = run.inputs.filter((i) => i.value.kind === 'tensor' && i.value.shape !== null)
      .map((i) => ({ name: i.name, type: { kind: 'tensor', shape: (i.value as TensorV).shape, dtype: (i.value as TensorV).dtype } as TensorType }));
    if (inputs.length !== run.inputs.length) { out.set(name, { ir: null, why: 'an input whose shape is unknown' }); continue; }
    if (hasUnknownParam(run.inst)) { out.set(name, { ir: null, why: 'a parameter or buffer whose shape is unknown' }); continue; }
    assignPaths(run.inst, '');
    const output = outputArg(run.output);
    if (!output) { out.set(name, { ir: null, why: 'a return value that is not made of tensors' }); continue; }
    out.set(name, {
      ir: {
        className: name,
        root: treeOf(run.inst, lines, range),
        inputs,
        nodes: outNodes(run.ir.nodes, run.ir.nodes.length, lines, range),
        output,
        symbols: symbolsOfInputs(inputs),
      },
    });
  }
  return out;
}

function hasUnknownParam(m: ModuleInst): boolean {
  return m.params.some((p) => p.rankUnknown) || [...m.children.values()].some(hasUnknownParam);
}

function symbolsOfInputs(inputs: ModelIR['inputs']): string[] {
  const symbols = new Set<string>();
  for (const i of inputs) for (const d of i.type.shape ?? []) for (const s of symbolsOf(d)) symbols.add(s);
  return [...symbols];
}

/** The first `count` nodes as output objects. */
function outNodes(nodes: readonly IRNodeAcc[], count: number, lines: LineIndex, range: (s: Span) => Range): IRNode[] {
  const out: IRNode[] = [];
  for (let i = 0; i < count; i++) {
    const n = nodes[i]!;
    // A node's fields never change; only its span moves (replay): reuse the last output when its range did not.
    const o = n.out;
    if (o && samePos(o.range.start, n.span.from, lines) && samePos(o.range.end, n.span.to, lines)) out.push(o);
    else out.push(n.out = { id: n.id, call: n.call, target: n.target, args: n.args, output: n.output, scope: n.scope, range: range(n.span) });
  }
  return out;
}

/**
 * The nodes recorded before the break (later ones may read the failed call's unknown result), with
 * the diagnostic written at the failing call as the message: the IR's own reason is terse ('a shape error').
 */
function brokenModel(a: Analysed, run: RootRun, name: string, lines: LineIndex, range: (s: Span) => Range): BrokenModel | undefined {
  const { interp } = a;
  if (run.inputs.some((i) => i.value.kind !== 'tensor')) return undefined;
  const inputs = run.inputs.map((i) => ({ name: i.name, type: { kind: 'tensor', shape: (i.value as TensorV).shape, dtype: (i.value as TensorV).dtype } as TensorType }));
  assignPaths(run.inst, '');
  const { brokenAt: from, brokenTo: to } = run.ir;
  let diag: DiagAcc | undefined;
  const rank = (d: DiagAcc): number => (d.to === to ? 2 : 0) + (d.severity === 'error' ? 1 : 0);
  for (const d of interp.diags.values()) if (d.from === from && (!diag || rank(d) > rank(diag))) diag = d;
  const span = diag ?? { from, to };
  return {
    ir: {
      className: name, root: treeOf(run.inst, lines, range), inputs,
      nodes: outNodes(run.ir.nodes, run.ir.brokenNodes, lines, range),
      output: { kind: 'const', value: { kind: 'unknown' } },
      symbols: symbolsOfInputs(inputs),
    },
    message: diag?.message ?? `Analysis stopped at ${run.ir.broken}.`,
    range: range(span),
    text: interp.src.slice(span.from, span.to),
  };
}

/**
 * The IR's module tree, reusing the node built for a module last time when nothing in it changed
 * (replayed runs keep their instances: an edit rebuilt every tree of the file).
 */
const NO_ATTRS: ModuleNode['attrs'] = Object.freeze({});

function treeOf(m: ModuleInst, lines: LineIndex, range: (s: Span) => Range): ModuleNode {
  const old = m.treeOut as ModuleNode | null ?? undefined;
  let same = old !== undefined && old.children.length === m.children.size;
  let kids: ModuleNode[] | null = same ? null : [];
  let i = 0;
  for (const c of m.children.values()) {
    const t = treeOf(c, lines, range);
    if (same && old!.children[i] !== t) { same = false; kids = old!.children.slice(0, i); }
    if (!same) kids!.push(t);
    i++;
  }
  const attrs = m.spec ? m.attrs : NO_ATTRS;
  if (same && old!.path === m.path && old!.type === m.type && old!.attrs === attrs && sameOwnParams(old!.params, m)
    && (old!.range === null ? m.ctor === null : m.ctor !== null && samePos(old!.range.start, m.ctor.from, lines) && samePos(old!.range.end, m.ctor.to, lines))) {
    return old!;
  }
  const made: ModuleNode = {
    path: m.path, type: m.type, builtin: m.cls === null, attrs, params: ownParams(m),
    children: kids ?? old!.children, range: m.ctor ? range(m.ctor) : null,
  };
  m.treeOut = made;
  return made;
}

/** Own parameters in state_dict order: a builtin layer's as its spec lists them, a user module's parameters before buffers. */
function ownParams(m: ModuleInst): readonly ParamShape[] {
  return m.spec ? m.params : [...m.params.filter((p) => !p.buffer), ...m.params.filter((p) => p.buffer)];
}

function sameOwnParams(old: readonly ParamShape[], m: ModuleInst): boolean {
  if (m.spec) return old === m.params;
  if (old.length !== m.params.length) return false;
  let i = 0;
  for (const p of m.params) if (!p.buffer && old[i++] !== p) return false;
  for (const p of m.params) if (p.buffer && old[i++] !== p) return false;
  return true;
}

function outputArg(v: FV | null): IRArg | null {
  if (!v) return null;
  if (v.kind === 'tensor') return v.ref ?? null;
  if (v.kind === 'tuple' || v.kind === 'list') {
    const items: IRArg[] = [];
    for (const x of v.items ?? []) {
      const a = outputArg(x);
      if (!a) return null;
      items.push(a);
    }
    return { kind: v.kind, items };
  }
  if (v.kind === 'int' || v.kind === 'float' || v.kind === 'none' || v.kind === 'bool') return { kind: 'const', value: toValue(v) };
  return null;
}

const refsCache = new WeakMap<Stmt, Map<string, Span[]>>();

function selfRefs(body: readonly Stmt[]): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  const visitE = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.k) {
      case 'attr':
        if (e.obj.k === 'name' && e.obj.id === 'self') {
          const l = out.get(e.name) ?? [];
          l.push(e); // the node itself: its offsets stay true when the statement moves
          out.set(e.name, l);
        } else visitE(e.obj);
        return;
      case 'call': visitE(e.fn); for (const a of e.args) visitE(a.value); return;
      case 'index': visitE(e.obj); visitE(e.index); return;
      case 'slice': visitE(e.lo); visitE(e.hi); visitE(e.step); return;
      case 'bin': visitE(e.l); visitE(e.r); return;
      case 'unary': case 'star': visitE(e.e); return;
      case 'cond': visitE(e.test); visitE(e.then); visitE(e.else); return;
      case 'tuple': case 'list': case 'set': for (const x of e.items) visitE(x); return;
      case 'dict': for (const en of e.entries) { visitE(en.key); visitE(en.value); } return;
      case 'comp': visitE(e.elt); visitE(e.key); for (const c of e.fors) { visitE(c.target); visitE(c.iter); for (const i of c.ifs) visitE(i); } return;
      case 'lambda': visitE(e.body); return;
      default: return;
    }
  };
  const visitS = (ss: readonly Stmt[]): void => {
    for (const s of ss) {
      switch (s.k) {
        case 'assign': for (const t of s.targets) visitE(t); visitE(s.value ?? undefined); break;
        case 'aug': visitE(s.target); visitE(s.value); break;
        case 'expr': visitE(s.e); break;
        case 'return': visitE(s.e); break;
        case 'if': visitE(s.test); visitS(s.body); visitS(s.orelse); break;
        case 'for': visitE(s.target); visitE(s.iter); visitS(s.body); visitS(s.orelse); break;
        case 'while': visitE(s.test); visitS(s.body); break;
        case 'with': for (const it of s.items) { visitE(it.e); visitE(it.as); } visitS(s.body); break;
        case 'try': visitS(s.body); for (const h of s.handlers) visitS(h); visitS(s.orelse); visitS(s.final); break;
        case 'def': visitS(s.body); break;
        default: break;
      }
    }
  };
  visitS(body);
  return out;
}
