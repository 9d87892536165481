// Abstract interpretation of a Python model file over the op library's shape rules.
//
// Module-level code runs first (imports, constants, classes, `model = Net()`, example calls);
// calling a module instance from module-level code is an example call: its forward runs as a
// root context, recording facts and an IR. Inside forward every tensor carries an IR reference
// so the engine can execute what we saw. Anything we cannot see into becomes unknown; only a
// ShapeError from a rule becomes an error, reported where the failing call is written.

import { add, dimEquals, exactDiv, floordiv, mod, mul, prod, sub, sym, symbolsOf, type Dim } from '../shape/dim.js';
import {
  applyBinding, applyLayer, bindLayer, getLayer, resolveFunction, resolveMethod,
  type BoundArgs, type DType, type FunctionBinding, type LayerSpec, type ParamShape, type TensorType, type Value,
} from '../ops/index.js';
import type { Arg, Expr, Param, Span, Stmt } from './ast.js';
import type { IRArg, IRNode, IRValueRef, ShapeFact } from './types.js';
import {
  fromValue, int, isTensor, join, NONE, toValue, UNKNOWN, unknownTensor, valueToString,
  type BuiltinV, type ClassV, type DictV, type FuncV, type FV, type ModuleInst, type Scope, type TensorV,
} from './values.js';
import { paramShape, tagUnknown, unk, unkTensor, whyOf } from './unknowns.js';
import { braceFormat, fString, percentFormat } from './strings.js';
import { containerKind, isContainerBase, torchBaseOf, torchNnName } from './torch_bases.js';
import { guessesAsDefaults, guessItem, guessParam, isGuess } from './guesses.js';
import { changedLists, listLengths, loopJoin } from './loops.js';
import type { CoverageAcc } from './coverage.js';

/**
 * The values seen at one range. Most ranges get one value: it is held in fields, further ones
 * (other contexts) in `more`, and the text is sliced only when the output fact is built (an edit
 * re-adds every fact, and output facts are mostly reused: see buildResult). One with `more` null
 * may be a run record's own object (shared, not to be changed): a second value replaces it.
 */
export interface FactAcc {
  from: number; to: number; kind: 'assign' | 'use' | 'expr' | 'param'; hintAt?: number;
  /** `vk`: the value as text, the key that tells values apart; made when first needed (see key()). */
  value: Value; vk: string | null; ctx: string;
  more: { values: Value[]; keys: string[]; contexts: string[] } | null;
  /** The output fact built from it last time (a replayed record's object lives on): see buildResult. */
  out: ShapeFact | null;
  /** The version (OutputReuse.version) that last handed `out` out. */
  outVersion: number;
}
/**
 * Facts ordered by start offset, those at one place in recording order, and the values of one
 * place (same range and kind) seen in several contexts merged into one fact. A merged fact is a
 * new object; the others are the recorded ones (a replayed record's facts live on, with the
 * output built from them last time: see buildResult).
 */
export function mergedFacts(all: readonly FactAcc[]): FactAcc[] {
  const n = all.length;
  let mult = 1;
  while (mult < n) mult *= 2;
  // (offset, index) in one number: a typed array sorts numerically without a comparator.
  const order = new Float64Array(n);
  for (let i = 0; i < n; i++) order[i] = all[i]!.from * mult + i;
  order.sort();
  const out: FactAcc[] = [];
  let groupStart = 0;
  let groupFrom = -1;
  for (let j = 0; j < n; j++) {
    const o = all[order[j]! % mult]!;
    if (o.from !== groupFrom) { groupFrom = o.from; groupStart = out.length; out.push(o); continue; }
    let at = -1;
    for (let i = groupStart; i < out.length; i++) if (out[i]!.to === o.to && out[i]!.kind === o.kind) { at = i; break; }
    if (at < 0) { out.push(o); continue; }
    const acc = out[at]!;
    if (acc.value === o.value) continue;
    const ok = factKey(o);
    if (factKey(acc) === ok) continue;
    if (!acc.more) {
      out[at] = { from: acc.from, to: acc.to, kind: acc.kind, value: acc.value, vk: acc.vk, ctx: acc.ctx, more: { values: [o.value], keys: [ok], contexts: [o.ctx] }, hintAt: acc.hintAt, out: null, outVersion: -1 };
      continue;
    }
    if (acc.more.keys.includes(ok)) continue;
    acc.more.keys.push(ok);
    acc.more.values.push(o.value);
    acc.more.contexts.push(o.ctx);
  }
  return out;
}

/** A fact's value as text (made once: most facts never meet another at the same place). */
function factKey(f: FactAcc): string {
  return (f.vk ??= valueToString(f.value));
}
export interface DiagAcc {
  from: number; to: number; severity: 'error' | 'warning' | 'information' | 'hint'; message: string; code: string;
  related?: { from: number; to: number; message: string }[];
}
export interface LayerAcc {
  owner: string; path: string; type: string; summary: string; from: number; to: number;
  params: readonly ParamShape[]; paramCount: Dim | null;
  /** `owner NUL path`, made once (its hash is kept with the string across versions). */
  key: string;
}
export interface IRNodeAcc extends Omit<IRNode, 'range'> {
  span: Span;
  /** The output node built from it last time (a replayed run's nodes live on): see buildIRs. */
  out: IRNode | null;
}
/** `broken`: why forward's IR is incomplete; `brokenAt`..`brokenTo` the call where; `brokenNodes` the nodes recorded before it. */
export interface IRBuilder { nodes: IRNodeAcc[]; broken: string | null; brokenAt: number; brokenTo: number; brokenNodes: number }

/** One forward run from outside the model (example call, annotation, symbolic, or the engine's inputs). */
export interface RootRun {
  inst: ModuleInst;
  className: string;
  source: 'annotation' | 'example-call' | 'config' | 'symbolic' | 'none';
  inputs: { name: string; value: FV }[];
  output: FV | null;
  ir: IRBuilder;
  key: string;
}

/** A top-level statement: the unit of reuse between versions of a document. */
export interface Segment { readonly from: number; readonly to: number; readonly text: string }

/**
 * What one root run recorded, kept between versions: it is replayed (offsets shifted) when every
 * top-level statement it touched is still there with the same text.
 */
export interface RunRecord {
  segs: readonly Segment[];
  deps: string[];
  spanSegs: string[];
  /** Single-value facts (`more` null), shared with the versions' fact maps: changed only by replay's shift and buildResult's `out`. */
  facts: FactAcc[];
  diags: DiagAcc[];
  run: Omit<RootRun, 'inst'>;
  /** Classes (by the offset of their definition) whose forward ran. */
  called: number[];
  firstContexts: { cls: number; inputs: { name: string; value: FV }[]; ctxName: string }[];
  probeHits: [number, TensorType][];
  probeRankFree: boolean;
  /** Largest offset the record holds (when it is below the first moved statement, nothing moves). */
  maxOff: number;
}
export type RunCache = Map<string, RunRecord>;

/** Old offset -> this version's offset; every offset below `stableBelow` maps to itself. */
type Shift = ((off: number) => number) & { readonly stableBelow: number };

export interface InstRecord {
  segs: readonly Segment[];
  deps: string[];
  spanSegs: string[];
  /**
   * The tree as its construction left it, and the module-class instances it made in the order
   * they were registered. It is the live tree: a later change to any of its modules, lists or
   * dicts (a forward setting `self.x`, `model.fc = ...`) marks the record dirty (not reused).
   */
  snap: ModuleInst;
  made: ModuleInst[];
  dirty?: boolean;
  layers: LayerAcc[];
  diags: DiagAcc[];
  site: Span;
}

function maxOffset(facts: RunRecord['facts'], diags: readonly DiagAcc[], ir: IRBuilder, called: readonly number[], fcs: RunRecord['firstContexts']): number {
  let m = Math.max(ir.brokenAt, ir.brokenTo);
  for (const fa of facts) m = Math.max(m, fa.to, fa.hintAt ?? 0);
  for (const d of diags) { m = Math.max(m, d.to); for (const r of d.related ?? []) m = Math.max(m, r.to); }
  for (const n of ir.nodes) m = Math.max(m, n.span.to);
  for (const c of called) m = Math.max(m, c);
  for (const fc of fcs) m = Math.max(m, fc.cls);
  return m;
}

/** Same record with its offsets mapped (explicit literals: spreads are slow here). */
function shiftDiag(d: DiagAcc, shift: (off: number) => number): DiagAcc {
  const o: DiagAcc = { from: shift(d.from), to: shift(d.to), severity: d.severity, message: d.message, code: d.code };
  if (d.related) o.related = d.related.map((r) => ({ from: shift(r.from), to: shift(r.to), message: r.message }));
  return o;
}

function shiftLayer(l: LayerAcc, shift: (off: number) => number): LayerAcc {
  return { owner: l.owner, path: l.path, type: l.type, summary: l.summary, from: shift(l.from), to: shift(l.to), params: l.params, paramCount: l.paramCount, key: l.key };
}

function isPlain(v: FV): boolean {
  switch (v.kind) {
    case 'int': case 'float': case 'bool': case 'str': case 'none': case 'dtype': return true;
    case 'tuple': return v.items.every(isPlain);
    case 'list': return v.items !== null && v.items.every(isPlain);
    default: return false;
  }
}

interface Effect {
  /** Modules with a smaller id existed before the scope began. */
  firstId: number;
  impure: boolean;
  /** Lists and dicts that existed before (computed at the first list/dict change). */
  shared: Set<object> | null;
}

/** Two 32-bit FNV-1a variants of a statement text, for the mutator signature. */
function hashText(t: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return `${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}`;
}

interface Capture {
  touched: Set<number>;
  facts: RunRecord['facts'];
  diags: DiagAcc[];
  called: Set<number>;
  firstContexts: RunRecord['firstContexts'];
}

type Kind = 'module' | 'init' | 'forward';
interface Frame {
  scope: Scope;
  owner: ClassV | null;
  kind: Kind;
  facts: boolean;
  ctxName: string;
  ir: IRBuilder | null;
  scopePath: string;
  depth: number;
  returns: FV[];
}

type Completion = 'normal' | 'return' | 'break' | 'continue';

const MAX_DEPTH = 48;
const MAX_UNROLL = 512;
/** Module methods that change the module (see Interp.mutated). */
const MUTATORS = new Set(['append', 'add_module', 'register_module', 'extend', 'insert', 'register_buffer', 'register_parameter']);
const CONTAINERS = new Set(['Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict']);
const NOOP_CTX = new Set(['torch.no_grad', 'torch.enable_grad', 'torch.inference_mode', 'torch.autocast', 'torch.cuda.amp.autocast', 'torch.amp.autocast', 'torch.set_grad_enabled']);
const DTYPES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool', complex64: 'complex64',
};
const BINOPS: Record<string, [string, string]> = {
  '+': ['__add__', '__radd__'], '-': ['__sub__', '__rsub__'], '*': ['__mul__', '__rmul__'], '/': ['__truediv__', '__rtruediv__'],
  '//': ['__floordiv__', '__rfloordiv__'], '%': ['__mod__', '__rmod__'], '**': ['__pow__', '__rpow__'], '@': ['__matmul__', '__rmatmul__'],
  '<': ['__lt__', '__gt__'], '>': ['__gt__', '__lt__'], '<=': ['__le__', '__ge__'], '>=': ['__ge__', '__le__'], '==': ['__eq__', '__eq__'], '!=': ['__ne__', '__ne__'],
  '&': ['__and__', '__rand__'], '|': ['__or__', '__ror__'], '^': ['__xor__', '__rxor__'],
};
const BUILTINS = ['range', 'len', 'enumerate', 'zip', 'int', 'float', 'bool', 'str', 'list', 'tuple', 'dict', 'min', 'max', 'abs', 'sum',
  'isinstance', 'getattr', 'setattr', 'hasattr', 'print', 'super', 'reversed', 'sorted', 'round', 'any', 'all', 'type', 'iter', 'next', 'map', 'callable', 'set', 'id', 'repr', 'format', 'divmod', 'pow', 'object', 'Exception', 'ValueError', 'NotImplementedError', 'RuntimeError', 'TypeError', 'AssertionError'];

/** Marks a name dependency in a record's deps (statement texts never contain NUL). */
const NAME_DEP = '\u0000';

/** Module ids are unique across versions: constructions are reused between them. */
let nextModuleId = 1;

class ReturnSignal { constructor(readonly value: FV) {} }

export class Interp {
  readonly diags = new Map<string, DiagAcc>();
  /** Facts by start offset (a small integer key), then by end and kind (few per offset). */
  /** Every fact recorded, in recording order (replays add theirs again); merged per place by mergedFacts. */
  readonly facts: FactAcc[] = [];
  /** Layers in the order they were recorded, one per (owner, path): see layerPaths. */
  readonly layers: LayerAcc[] = [];
  readonly classes: ClassV[] = [];
  readonly instances = new Map<ClassV, ModuleInst[]>();
  readonly runs: RootRun[] = [];
  /** Module-level variables holding containers (`model = nn.Sequential(...)`). */
  readonly moduleVars = new Map<string, ModuleInst>();
  readonly moduleScope: Scope = { vars: new Map(), parent: null };
  private readonly builtins: Scope = { vars: new Map(), parent: null };
  silent = 0;
  /** Probe results: first layer each probed input meets. */
  probeHits = new Map<number, TensorType>();
  /** The probed input's rank is a guess: shape errors in that run are warnings. */
  probeRankFree = false;
  private softErrors = false;
  /** Classes whose forward ran in some context (as root or as a submodule). */
  readonly called = new Set<ClassV>();
  /** Inputs of the first call of each class used as a submodule (for its class info). */
  readonly firstContext = new Map<ClassV, { inputs: { name: string; value: FV }[]; ctxName: string }>();
  /** Runs triggered from module-level code are collected only when true. */
  collectExamples = true;
  /** Forward assignments and their values, when the coverage report is asked for (see coverage.ts). */
  coverage: CoverageAcc[] | null = null;

  /** Top-level statements of this version, and which one defined each module-level name. */
  private segs: Segment[] = [];
  private readonly definedBy = new Map<string, number>();
  private curTop = -1;
  private capture: Capture | null = null;
  /** Runs and constructions reused from the previous version (for tests and benchmarks). */
  replayed = 0;
  reusedInstances = 0;
  private readonly instCaptures: { layers: LayerAcc[]; diags: DiagAcc[]; made: ModuleInst[] }[] = [];
  /** Constructions of this version, for the next one. */
  readonly instCache = new Map<string, InstRecord>();
  prevInstCache: Map<string, InstRecord> | null = null;
  /** Construction-time touched statements of each instance (a run depends on them too). */
  /** Top-level statement texts of the previous version, and of this one (see runModule). */
  prevStmtText: Map<Stmt, string> | null = null;
  readonly stmtText = new Map<Stmt, string>();
  private readonly instSegs = new Map<ModuleInst, Set<number>>(); // a Map: WeakMaps cost the GC more, and this lives one version
  private readonly touchStack: Set<number>[] = [];
  /**
   * Side effects. A construction or run that changes what existed before it (a module made
   * earlier, a list or dict reachable from module-level names or instances) cannot be replayed:
   * it is not recorded. A top-level statement that changes such state (`model.fc = ...`,
   * `CFG['d'] = 6`, or through a call) is a mutator: later constructions and runs depend on it
   * and on what it touched, and their keys carry the signature of the mutators seen so far (so
   * adding or removing one invalidates them).
   */
  private readonly effects: Effect[] = [];
  private readonly mutatorTouched = new Set<number>();
  private mutatorSig = '';
  private mutatorAt = -1;

  constructor(readonly src: string, private prevCache: RunCache | null = null, readonly nextCache: RunCache | null = null) {
    for (const b of BUILTINS) this.builtins.vars.set(b, { kind: 'builtin', name: b } as BuiltinV);
    this.builtins.vars.set('__name__', { kind: 'str', value: '__main__' });
    (this.moduleScope as { parent: Scope | null }).parent = this.builtins;
  }

  /** Forget the previous version's caches once this version is analysed (else every version stays reachable). */
  releasePrevious(): void {
    this.prevCache = null;
    this.prevInstCache = null;
    this.prevStmtText = null;
    this.shiftMemo.clear();
  }

  // ---- recording ------------------------------------------------------------------------

  diag(span: Span, severity: DiagAcc['severity'], code: string, message: string, related?: DiagAcc['related']): void {
    if (this.silent > 0) return;
    if (this.softErrors && severity === 'error') {
      severity = 'warning';
      message = `${message} (assuming the input rank of the first layer; add an example call to be sure)`;
    }
    const mk = (): DiagAcc => {
      const o: DiagAcc = { from: span.from, to: span.to, severity, message, code };
      if (related) o.related = related;
      return o;
    };
    if (this.capture) this.capture.diags.push(mk());
    for (const cap of this.instCaptures) cap.diags.push(mk());
    this.addDiag(mk());
  }

  private addDiag(d: DiagAcc): void {
    const { from, to, severity, message, code, related } = d;
    const span = { from, to };
    const key = `${span.from}:${span.to}:${code}`;
    if (this.diags.has(key)) return;
    // One root cause, one error: an error at an enclosing range already explains this one.
    const o: DiagAcc = { from: span.from, to: span.to, severity, message, code };
    if (related) o.related = related;
    this.diags.set(key, o);
  }

  fact(f: Frame, span: Span, kind: FactAcc['kind'], v: FV, hintAt?: number): void {
    if (!f.facts || this.silent > 0) return;
    const value = toValue(v);
    if (value.kind === 'unknown' || (value.kind === 'tensor' && value.shape === null)) return;
    // hintAt always present: adding it later moves the object to a slower shape with a property store.
    const o: FactAcc = { from: span.from, to: span.to, kind, value, vk: null, ctx: f.ctxName, more: null, hintAt, out: null, outVersion: -1 };
    if (this.capture) this.capture.facts.push(o);
    this.addFact(o);
  }

  /** Record a single-value fact; `o` is kept as it is (a run record may share it). */
  private addFact(o: FactAcc): void {
    this.facts.push(o);
  }

  private breakIR(f: Frame, why: string, at: Span): void {
    if (f.ir && f.ir.broken === null) { f.ir.broken = why; f.ir.brokenAt = at.from; f.ir.brokenTo = at.to; f.ir.brokenNodes = f.ir.nodes.length; }
  }

  private text(s: Span): string {
    return this.src.slice(s.from, s.to);
  }

  // ---- module level ---------------------------------------------------------------------

  runModule(stmts: Stmt[]): void {
    const f: Frame = { scope: this.moduleScope, owner: null, kind: 'module', facts: true, ctxName: '<module>', ir: null, scopePath: '', depth: 0, returns: [] };
    // A statement object reused from the previous version (its chunk's text is unchanged) has
    // the same text: the previous string is taken, its hash already computed and compared by
    // identity in the records' dependency checks.
    const prevText = this.prevStmtText;
    this.segs = stmts.map((s) => {
      const text = prevText?.get(s) ?? this.src.slice(s.from, s.to);
      this.stmtText.set(s, text);
      return { from: s.from, to: s.to, text };
    });
    const vars = this.moduleScope.vars;
    const set = vars.set.bind(vars);
    // Remember which top-level statement defined each module-level name (a run depends on it).
    vars.set = (k: string, v: FV) => { if (this.curTop >= 0) this.definedBy.set(k, this.curTop); return set(k, v); };
    stmts.forEach((s, i) => {
      this.curTop = i;
      // Modules built by this statement depend on what it touches (helper functions, constants).
      this.touchStack.push(new Set([i]));
      try {
        // `if __name__ == "__main__":` and friends run like straight-line code.
        this.execTop(s, f);
      } finally {
        this.touchStack.pop();
      }
    });
    this.curTop = -1;
    // Back to Map's own `set`: the closure above would keep this whole interpreter (facts,
    // diagnostics, maps) alive through every module scope a cached tree's classes close over.
    delete (vars as { set?: unknown }).set;
  }

  /** Index of the top-level statement containing `offset` (-1 when none). */
  segOf(offset: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const sg = this.segs[mid]!;
      if (offset < sg.from) hi = mid - 1;
      else if (offset > sg.to) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** Records whose tree holds each module/list/dict (a change to one makes them dirty). */
  private readonly owners = new Map<object, InstRecord[]>(); // this version's (a reused tree registers again in the next)
  private own(objs: readonly object[], rec: InstRecord): void {
    for (const o of objs) {
      const l = this.owners.get(o);
      if (l) l.push(rec);
      else this.owners.set(o, [rec]);
    }
  }

  private beginEffect(touched: Set<number>, firstId = nextModuleId): Effect {
    const e: Effect = { firstId, impure: false, shared: null };
    this.effects.push(e);
    for (const i of this.mutatorTouched) touched.add(i);
    return e;
  }

  private endEffect(e: Effect): void {
    if (this.effects[this.effects.length - 1] === e) this.effects.pop();
  }

  /** `obj` (a module, list or dict) is about to change. */
  private mutated(obj: FV): void {
    const recs = this.owners.get(obj);
    if (recs) for (const r of recs) r.dirty = true;
    let shared = this.effects.length === 0;
    for (const e of this.effects) {
      if (e.impure || !this.existedBefore(e, obj)) continue;
      e.impure = true;
      shared = true;
    }
    if (!shared || this.curTop < 0) return;
    this.mutatorTouched.add(this.curTop);
    for (const t of this.touchStack) for (const i of t) this.mutatorTouched.add(i);
    if (this.mutatorAt !== this.curTop) {
      this.mutatorAt = this.curTop;
      this.mutatorSig = `${this.mutatorSig}${hashText(this.segs[this.curTop]!.text)}.`;
    }
  }

  private existedBefore(e: Effect, obj: FV): boolean {
    if (obj.kind === 'module') return obj.id < e.firstId;
    if (obj.kind !== 'list' && obj.kind !== 'dict') return false;
    if (!e.shared) {
      // Lists and dicts reachable from module-level names and modules made before the scope began.
      const seen = new Set<object>();
      const walk = (v: FV): void => {
        if (seen.has(v)) return;
        if (v.kind === 'module') {
          if (v.id >= e.firstId) return;
          seen.add(v);
          for (const c of v.children.values()) walk(c);
          for (const x of v.fields.values()) walk(x);
        } else if (v.kind === 'list' || v.kind === 'dict') {
          seen.add(v);
          for (const x of v.kind === 'list' ? v.items ?? [] : v.entries.values()) walk(x);
        } else if (v.kind === 'tuple') {
          for (const x of v.items) walk(x);
        } else if (v.kind === 'class') {
          // Class attributes (`registry = []`) are shared by every instance.
          seen.add(v);
          for (const x of v.members.values()) walk(x);
        }
      };
      for (const v of this.moduleScope.vars.values()) walk(v);
      for (const list of this.instances.values()) for (const m of list) walk(m);
      e.shared = seen;
    }
    return e.shared.has(obj);
  }

  private touch(offset: number): void {
    const top = this.touchStack[this.touchStack.length - 1];
    if (!top) return;
    const i = this.segOf(offset);
    if (i >= 0) top.add(i);
  }

  private execTop(s: Stmt, f: Frame): void {
    try {
      this.exec(s, f);
    } catch (e) {
      if (e instanceof ReturnSignal) return;
      this.internal(s, e);
    }
  }

  private internal(at: Span, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.diag(at, 'hint', 'internal-error', `Tensor Studio could not analyse this statement (${msg.slice(0, 200)})`);
  }

  // ---- statements -----------------------------------------------------------------------

  execBlock(stmts: readonly Stmt[], f: Frame): Completion {
    for (const s of stmts) {
      let c: Completion;
      try {
        c = this.exec(s, f);
      } catch (e) {
        if (e instanceof ReturnSignal) throw e;
        this.internal(s, e);
        c = 'normal';
      }
      if (c !== 'normal') return c;
    }
    return 'normal';
  }

  exec(s: Stmt, f: Frame): Completion {
    if (this.touchStack.length) this.touch(s.from);
    switch (s.k) {
      case 'assign': {
        if (!s.value) return 'normal';
        const v = this.eval(s.value, f);
        for (const t of s.targets) this.assign(t, v, f, s.to);
        return 'normal';
      }
      case 'aug': {
        const cur = this.eval(s.target, f);
        const rhs = this.eval(s.value, f);
        const v = this.binop(s.op, cur, rhs, s, f);
        this.assign(s.target, v, f, s.to);
        return 'normal';
      }
      case 'expr':
        this.eval(s.e, f);
        return 'normal';
      case 'return':
        f.returns.push(s.e ? this.eval(s.e, f) : NONE);
        return 'return';
      case 'if':
        return this.execIf(s, f);
      case 'for':
        return this.execFor(s, f);
      case 'while':
        if (f.kind === 'forward') {
          this.diag({ from: s.from, to: s.from + 5 }, 'hint', 'unsupported-construct', 'while loops are not followed by shape inference; values assigned inside are unknown');
          this.breakIR(f, 'a while loop', s);
        }
        this.invalidateAssigned(s.body, f);
        return 'normal';
      case 'with':
        for (const it of s.items) {
          const v = this.eval(it.e, f);
          if (it.as) this.assign(it.as, v.kind === 'none' ? UNKNOWN : v, f);
        }
        return this.execBlock(s.body, f);
      case 'try': {
        const c = this.execBlock(s.body, f);
        if (c !== 'normal') return c;
        const c2 = this.execBlock(s.orelse, f);
        if (c2 !== 'normal') return c2;
        return this.execBlock(s.final, f);
      }
      case 'def': {
        const fn: FuncV = { kind: 'func', name: s.name, params: s.params, body: s.body, closure: f.scope, owner: null, def: s };
        f.scope.vars.set(s.name, fn);
        return 'normal';
      }
      case 'class':
        this.defineClass(s, f);
        return 'normal';
      case 'import':
        for (const n of s.names) {
          if (n.as) f.scope.vars.set(n.as, { kind: 'ns', qual: n.mod });
          else f.scope.vars.set(n.mod.split('.')[0]!, { kind: 'ns', qual: n.mod.split('.')[0]! });
        }
        return 'normal';
      case 'from':
        for (const n of s.names) {
          if (n.name === '*') continue;
          f.scope.vars.set(n.as ?? n.name, { kind: 'ns', qual: `${s.mod}.${n.name}` });
        }
        return 'normal';
      case 'break':
        return 'break';
      case 'continue':
        return 'continue';
      default:
        return 'normal';
    }
  }

  private invalidateAssigned(body: readonly Stmt[], f: Frame): void {
    const names = new Set<string>();
    const walk = (ss: readonly Stmt[]): void => {
      for (const s of ss) {
        if (s.k === 'assign') for (const t of s.targets) collectNames(t, names);
        else if (s.k === 'aug') collectNames(s.target, names);
        else if (s.k === 'if') { walk(s.body); walk(s.orelse); }
        else if (s.k === 'for') { collectNames(s.target, names); walk(s.body); }
        else if (s.k === 'while' || s.k === 'with') walk(s.body);
      }
    };
    walk(body);
    for (const n of names) if (f.scope.vars.has(n)) f.scope.vars.set(n, unk('assigned in a while loop'));
  }

  private execIf(s: Stmt & { k: 'if' }, f: Frame): Completion {
    const test = this.eval(s.test, f);
    const t = this.truth(test);
    if (t === true) return this.execBlock(s.body, f);
    if (t === false) return this.execBlock(s.orelse, f);
    if (f.kind === 'forward' && dependsOnTensor(test)) {
      this.diag(s.test, 'hint', 'unsupported-construct', 'this condition depends on tensor values: shapes from both branches are joined');
      this.breakIR(f, 'an if statement whose condition depends on tensor values', s.test);
    } else if (f.kind === 'forward') {
      this.breakIR(f, 'an if statement whose condition is not known before running', s.test);
    }
    // Both branches on copies of the local scope, then join.
    const before = new Map(f.scope.vars);
    const retBefore = f.returns.length;
    const c1 = this.execBlock(s.body, f);
    const after1 = new Map(f.scope.vars);
    f.scope.vars.clear();
    for (const [k, v] of before) f.scope.vars.set(k, v);
    const c2 = this.execBlock(s.orelse, f);
    const after2 = f.scope.vars;
    if (c1 !== 'normal' && c2 !== 'normal') return c1 === c2 ? c1 : 'return';
    if (c1 !== 'normal') return 'normal'; // continue with the else branch's state
    if (c2 !== 'normal') {
      f.scope.vars.clear();
      for (const [k, v] of after1) f.scope.vars.set(k, v);
      return 'normal';
    }
    const keys = new Set([...after1.keys(), ...after2.keys()]);
    const joined = new Map<string, FV>();
    for (const k of keys) {
      const a = after1.get(k);
      const b = after2.get(k);
      joined.set(k, a && b ? join(a, b) : (a ?? b)!);
    }
    f.scope.vars.clear();
    for (const [k, v] of joined) f.scope.vars.set(k, v);
    void retBefore;
    return 'normal';
  }

  private execFor(s: Stmt & { k: 'for' }, f: Frame): Completion {
    const it = this.eval(s.iter, f);
    const items = this.iterate(it);
    const cap = f.kind === 'module' ? 16 : MAX_UNROLL;
    if (items === null || items.length > cap) {
      if (f.kind === 'forward') this.breakIR(f, 'a loop over values not known before running', s.iter);
      // Run the body once with an unknown loop variable (or the one element known of a container
      // of unknown length), so the code inside is still analysed.
      const sample = it.kind === 'module' ? it.sampleChild : it.kind === 'list' ? it.sample : undefined;
      this.assign(s.target, items && items.length ? items[0]! : sample ?? unk(whyOf(it) ?? 'loop over values not known before running'), f);
      const lists = listLengths(f.scope, this.moduleScope);
      const before = new Map(f.scope.vars);
      const c = this.execBlock(s.body, f);
      for (const l of changedLists(lists)) { this.mutated(l); l.items = null; }
      // Zero, one or many runs: what the body changed is what both agree on.
      for (const [k, v] of f.scope.vars) { const b = before.get(k); if (b !== undefined && b !== v) f.scope.vars.set(k, loopJoin(b, v)); }
      return c === 'return' ? 'return' : 'normal';
    }
    for (const item of items) {
      this.assign(s.target, item, f);
      const c = this.execBlock(s.body, f);
      if (c === 'break') return 'normal';
      if (c === 'return') return 'return';
    }
    return this.execBlock(s.orelse, f);
  }

  assign(t: Expr, v: FV, f: Frame, hintAt?: number): void {
    if (this.coverage && hintAt !== undefined && f.kind === 'forward' && this.silent === 0 && (t.k === 'name' || t.k === 'attr' || t.k === 'index')) this.coverage.push({ from: t.from, to: t.to, value: v });
    switch (t.k) {
      case 'name':
        f.scope.vars.set(t.id, v);
        if (hintAt !== undefined) this.fact(f, t, 'assign', v, hintAt);
        return;
      case 'tuple':
      case 'list': {
        const items = this.iterate(v);
        const starAt = t.items.findIndex((x) => x.k === 'star');
        t.items.forEach((target, i) => {
          let item: FV = items ? unk('unpacking: fewer values than targets') : unk(whyOf(v) ?? `unpacking a ${v.kind === 'unknown' ? 'value not known' : v.kind}`);
          if (items) {
            if (starAt < 0) item = items[i] ?? UNKNOWN;
            else if (i < starAt) item = items[i] ?? UNKNOWN;
            else if (i === starAt) item = { kind: 'list', items: items.slice(starAt, items.length - (t.items.length - 1 - starAt)) };
            else item = items[items.length - (t.items.length - i)] ?? UNKNOWN;
          }
          this.assign(target.k === 'star' ? target.e : target, item, f, hintAt);
        });
        return;
      }
      case 'attr': {
        const obj = this.eval(t.obj, f);
        this.setAttr(obj, t.name, v, t, f);
        if (hintAt !== undefined && f.kind !== 'init' && v.kind === 'tensor') this.fact(f, t, 'assign', v, hintAt);
        return;
      }
      case 'index': {
        const obj = this.eval(t.obj, f);
        const idx = this.eval(t.index, f);
        if (hintAt !== undefined && v.kind === 'tensor') this.fact(f, t, 'assign', v, hintAt);
        if (obj.kind === 'dict' || obj.kind === 'list' || obj.kind === 'module') this.mutated(obj);
        if (obj.kind === 'dict') {
          const k = keyOf(idx);
          if (k !== null) obj.entries.set(k, v);
        } else if (obj.kind === 'list' && obj.items && idx.kind === 'int' && typeof idx.value === 'number') {
          const i = idx.value < 0 ? obj.items.length + idx.value : idx.value;
          if (i >= 0 && i < obj.items.length) obj.items[i] = v;
        } else if (obj.kind === 'module' && v.kind === 'module') {
          const k = keyOf(idx);
          if (k !== null) obj.children.set(k, v);
        } else if (obj.kind === 'tensor' && f.kind === 'forward') {
          // In-place writes keep the shape; the engine cannot replay them yet.
          this.breakIR(f, 'an in-place indexed assignment', t);
        }
        return;
      }
      case 'star':
        this.assign(t.e, v, f, hintAt);
        return;
      default:
        return;
    }
  }

  // ---- classes and modules --------------------------------------------------------------

  private defineClass(s: Stmt & { k: 'class' }, f: Frame): void {
    const bases: FV[] = [];
    for (const a of s.bases) if (a.kind === 'pos') bases.push(this.eval(a.value, f));
    const isModule = bases.some((b) => (b.kind === 'ns' && isModuleBase(b.qual)) || (b.kind === 'class' && b.isModule));
    const cls: ClassV = { kind: 'class', name: s.name, def: s, bases, members: new Map(), isModule };
    // Class body: methods close over the enclosing scope (Python semantics), attributes land in members.
    const bodyScope: Scope = { vars: new Map(), parent: f.scope };
    const bf: Frame = { ...f, scope: bodyScope, kind: f.kind === 'forward' ? 'forward' : 'init', returns: [] };
    for (const st of s.body) {
      try {
        if (st.k === 'def') {
          cls.members.set(st.name, { kind: 'func', name: st.name, params: st.params, body: st.body, closure: f.scope, owner: cls, def: st });
        } else if (st.k === 'assign' && st.value) {
          const v = this.eval(st.value, bf);
          for (const t of st.targets) if (t.k === 'name') cls.members.set(t.id, v);
        } else if (st.k === 'assign' && !st.value) {
          // Dataclass field without default: remember its order.
          for (const t of st.targets) if (t.k === 'name' && !cls.members.has(t.id)) cls.members.set(t.id, { kind: 'unknown', field: true } as unknown as FV);
        } else if (st.k !== 'class') {
          this.exec(st, bf);
        }
      } catch (e) {
        this.internal(st, e);
      }
    }
    // Built on a torch.nn container or layer, or on a class imported from elsewhere that has a
    // forward here: a module too (its forward runs with what the analysis can see).
    if (!isModule && (torchBaseOf(cls) || (cls.members.has('forward') && bases.some((b) => b.kind === 'ns' && !b.qual.startsWith('torch.') && !/^(typing|abc|object|enum|collections)\b/.test(b.qual))))) {
      (cls as { isModule: boolean }).isModule = true;
    }
    f.scope.vars.set(s.name, cls);
    this.classes.push(cls);
    this.classAtMap.set(s.from, cls);
    this.classByDefMap.set(s, cls);
  }

  lookupMember(cls: ClassV, name: string, after?: ClassV): FV | undefined {
    // Depth-first MRO approximation: own members, then bases left to right.
    const order: ClassV[] = [];
    const visit = (c: ClassV): void => {
      if (order.includes(c)) return;
      order.push(c);
      for (const b of c.bases) if (b.kind === 'class') visit(b);
    };
    visit(cls);
    // What a class lacks is read too: a run or construction depends on every class statement it
    // looked a member up in (else a missing `forward`/`__init__` is replayed after it is added back).
    if (this.touchStack.length) for (const c of order) this.touch(c.def.from);
    let start = 0;
    if (after) start = order.indexOf(after) + 1;
    for (let i = start; i < order.length; i++) {
      const v = order[i]!.members.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  newModule(type: string, cls: ClassV | null, spec: LayerSpec | null, ctor: Span | null, summary: string): ModuleInst {
    const m: ModuleInst = { kind: 'module', type, cls, spec, attrs: {}, params: [], children: new Map(), fields: new Map(), path: '', ctor: ctor ? { from: ctor.from, to: ctor.to } : null, summary, inContainer: false, broken: false, id: nextModuleId++, treeOut: null, childPaths: null };
    const top = this.touchStack[this.touchStack.length - 1];
    if (top) this.instSegs.set(m, top);
    return m;
  }

  instantiate(cls: ClassV, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): ModuleInst {
    // Constructions with plain arguments are reused from the previous version when every
    // statement they touched is unchanged (__init__ is most of the module-level work).
    const plain = [...pos, ...Object.values(kw)].every(isPlain);
    const baseKey = plain && this.nextCache ? `new|${cls.name}|${this.text(site)}|${this.silent > 0}|${this.mutatorSig}|${[...pos, ...Object.entries(kw)].map((v) => (Array.isArray(v) ? `${v[0]}=${valueToString(v[1])}` : valueToString(v))).join(',')}` : null;
    const cacheKey = baseKey ? this.occurrence(baseKey) : null;
    const parent = this.touchStack[this.touchStack.length - 1];
    if (cacheKey) {
      const reused = this.reuseInstance(cacheKey, site);
      if (reused) {
        if (parent) for (const t of this.instSegs.get(reused) ?? []) parent.add(t);
        return reused;
      }
    }
    const inst = this.newModule(cls.name, cls, null, site, `${cls.name}(${compact(this.argsText(site))})`);
    const tb = torchBaseOf(cls);
    if (tb) inst.torchBase = tb;
    if (this.constructing.has(cls)) {
      // Python would recurse until RecursionError; we stop at once (2**depth submodules otherwise).
      this.diag(site, 'warning', 'recursive-module', `${cls.name} constructs itself: this recursion never ends in Python`);
      inst.broken = true;
      return inst;
    }
    this.constructing.add(cls);
    try {
      return this.instantiateNew(inst, cls, pos, kw, site, f, cacheKey, parent);
    } finally {
      this.constructing.delete(cls);
    }
  }

  private readonly constructing = new Set<ClassV>();

  private instantiateNew(inst: ModuleInst, cls: ClassV, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame, cacheKey: string | null, parent: Set<number> | undefined): ModuleInst {
    const touched = new Set<number>();
    const seg = this.segOf(site.from);
    if (seg >= 0) touched.add(seg);
    this.touchStack.push(touched);
    const cap = { layers: [] as LayerAcc[], diags: [] as DiagAcc[], made: [] as ModuleInst[] };
    const firstId = inst.id; // the instance itself is the construction's own
    this.instCaptures.push(cap);
    const effect = this.beginEffect(touched, firstId);
    try {
      this.construct(inst, cls, pos, kw, site, f);
    } finally {
      this.endEffect(effect);
      this.touchStack.pop();
      this.instCaptures.pop();
    }
    if (parent) for (const t of touched) parent.add(t);
    this.instSegs.set(inst, touched);
    if (cacheKey && this.nextCache && !effect.impure) {
      const offs: number[] = [site.from];
      const walk = (m: ModuleInst): void => { if (m.ctor) offs.push(m.ctor.from); if (m.cls) offs.push(m.cls.def.from); for (const c of m.children.values()) walk(c); };
      walk(inst);
      for (const l of cap.layers) offs.push(l.from);
      for (const d of cap.diags) { offs.push(d.from); for (const r of d.related ?? []) offs.push(r.from); }
      const objs = constructionObjects(inst, cap.made, firstId);
      if (objs) {
        const rec: InstRecord = { segs: this.segs, deps: [...touched].map((i) => this.depText(i)), spanSegs: this.spanSegTexts(offs), snap: inst, made: cap.made, layers: cap.layers, diags: cap.diags, site: { from: site.from, to: site.to } };
        this.instCache.set(cacheKey, rec);
        this.own(objs, rec);
      }
    }
    return inst;
  }

  private reuseInstance(cacheKey: string, site: Span): ModuleInst | null {
    const rec = this.prevInstCache?.get(cacheKey);
    if (!rec) return null;
    if (!this.reusable(rec.deps, rec.spanSegs)) return null;
    const shift = this.shiftFrom(rec.segs);
    if (shift(rec.site.from) !== site.from) return null; // same text elsewhere: build it again
    if (rec.dirty) return null;
    // The moved tree must point at this version's classes: a class statement whose chunk was reused
    // is the same object (shifted in place); one re-parsed (its chunk's blank lines changed) is
    // found at its shifted offset. An old class would run old statements in the old module scope.
    const classByDef = this.classByDef();
    const classAt = this.classAt();
    const rebind = (c: ClassV): ClassV | null => {
      const same = classByDef.get(c.def);
      if (same) return same;
      const moved = classAt.get(shift(c.def.from));
      return moved && moved.name === c.name && moved.def.to - moved.def.from === c.def.to - c.def.from ? moved : null;
    };
    // The previous version's tree is moved into this one (the previous version is done with it;
    // DocumentAnalyzer drops every cache when an analysis fails half-way).
    const objects = moveConstruction(rec.snap, rebind, shift);
    if (!objects) return null;
    const live = { root: rec.snap, made: rec.made, objects };
    const touched = new Set<number>();
    const segsByText = this.segsByText();
    for (const t of rec.deps) {
      if (t.startsWith(NAME_DEP)) touched.add(this.nameDepIdOf(t));
      else for (const i of segsByText.get(t) ?? []) touched.add(i);
    }
    const visit = (m: ModuleInst): void => {
      this.instSegs.set(m, touched);
      for (const c of m.children.values()) visit(c);
    };
    visit(live.root);
    // Registered in the order the construction registered them (which instance a class shows).
    for (const m of live.made) {
      const list = this.instances.get(m.cls!) ?? [];
      list.push(m);
      this.instances.set(m.cls!, list);
      for (const cap of this.instCaptures) cap.made.push(m);
    }
    // Layers (immutable) wholly above the first moved statement are kept as they are.
    const below = shift.stableBelow;
    const layers = rec.layers.every((l) => l.to < below) ? rec.layers : rec.layers.map((l) => shiftLayer(l, shift));
    for (const moved of layers) {
      let paths = this.layerPaths.get(moved.owner);
      if (!paths) this.layerPaths.set(moved.owner, (paths = new Set()));
      if (!paths.has(moved.path)) { paths.add(moved.path); this.layers.push(moved); }
      for (const cap of this.instCaptures) cap.layers.push(moved);
    }
    const diags = rec.diags.every((d) => d.to < below && (d.related ?? []).every((r) => r.to < below)) ? rec.diags : rec.diags.map((d) => shiftDiag(d, shift));
    for (const moved of diags) {
      this.addDiag(moved);
      for (const cap of this.instCaptures) cap.diags.push(moved);
    }
    const next: InstRecord = { segs: this.segs, deps: rec.deps, spanSegs: rec.spanSegs, snap: live.root, made: live.made, layers, diags, site: { from: site.from, to: site.to } };
    this.instCache.set(cacheKey, next);
    this.own(live.objects, next);
    this.reusedInstances++;
    return live.root;
  }

  private readonly seen = new Map<string, number>();
  /** Same-looking runs/constructions (duplicated code) get distinct keys, in order. */
  private occurrence(key: string): string {
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return `${key}#${n}`;
  }

  /** Classes of this version by the offset of their definition. */
  private classAt(): Map<number, ClassV> {
    return this.classAtMap;
  }
  /** Kept up to date as classes are defined (rebuilding it per lookup was quadratic). */
  private readonly classAtMap = new Map<number, ClassV>();
  private readonly classByDefMap = new Map<Stmt, ClassV>();

  private textCountMemo: Map<string, number> | null = null;
  /** How often each top-level statement text occurs in this version. */
  private textCount(): Map<string, number> {
    if (this.textCountMemo) return this.textCountMemo;
    const m = new Map<string, number>();
    for (const sg of this.segs) m.set(sg.text, (m.get(sg.text) ?? 0) + 1);
    return (this.textCountMemo = m);
  }

  /** A record is reusable when what it read is still there and what it points into can be located. */
  private reusable(deps: readonly string[], spanSegs: readonly string[]): boolean {
    const count = this.textCount();
    const start = this.startByText();
    return deps.every((t) => (t.startsWith(NAME_DEP) ? this.nameDepHolds(t) : count.has(t))) && spanSegs.every((t) => start.has(t));
  }

  // Dependencies on how a module-level name is bound: negative ids in touched sets, strings
  // `NAME_DEP name NAME_DEP binder` in records (binder: the binding statement's text, or a marker).
  private readonly nameDepIds = new Map<string, number>();
  private readonly nameDepTexts: string[] = [];
  private binderText(name: string): string {
    if (!this.moduleScope.vars.has(name)) return '\u0001';
    const d = this.definedBy.get(name);
    return d === undefined ? '\u0002' : this.segs[d]!.text;
  }
  private nameDepIdOf(dep: string): number {
    let id = this.nameDepIds.get(dep);
    if (id === undefined) {
      this.nameDepTexts.push(dep);
      id = -this.nameDepTexts.length;
      this.nameDepIds.set(dep, id);
    }
    return id;
  }
  /** name -> binder text -> id: both strings are kept objects (AST names, statement texts), so no key is built per lookup. */
  private readonly nameDepByName = new Map<string, Map<string, number>>();
  private nameDepId(name: string, binder: string): number {
    let inner = this.nameDepByName.get(name);
    if (!inner) this.nameDepByName.set(name, (inner = new Map()));
    let id = inner.get(binder);
    if (id === undefined) inner.set(binder, (id = this.nameDepIdOf(`${NAME_DEP}${name}${NAME_DEP}${binder}`)));
    return id;
  }
  private nameDepHolds(dep: string): boolean {
    const at = dep.indexOf(NAME_DEP, NAME_DEP.length);
    return this.binderText(dep.slice(NAME_DEP.length, at)) === dep.slice(at + NAME_DEP.length);
  }
  private depText(i: number): string {
    return i >= 0 ? this.segs[i]!.text : this.nameDepTexts[-i - 1]!;
  }

  private spanSegTexts(offsets: Iterable<number>): string[] {
    const out = new Set<string>();
    for (const o of offsets) { const i = this.segOf(o); if (i >= 0) out.add(this.segs[i]!.text); }
    return [...out];
  }

  private readonly shiftMemo = new Map<readonly Segment[], Shift>();
  /** Offset mapping from an old version's statements (one per old version, shared by its records). */
  private shiftFrom(oldSegs: readonly Segment[]): Shift {
    let fn = this.shiftMemo.get(oldSegs);
    if (fn) return fn;
    const startByText = this.startByText();
    const n = oldSegs.length;
    const froms = new Float64Array(n);
    const tos = new Float64Array(n);
    const deltas = new Float64Array(n);
    let stableBelow = Infinity;
    for (let i = 0; i < n; i++) {
      const sg = oldSegs[i]!;
      froms[i] = sg.from;
      tos[i] = sg.to;
      const start = startByText.get(sg.text);
      deltas[i] = start === undefined ? 0 : start - sg.from;
      if (stableBelow === Infinity && start !== sg.from) stableBelow = sg.from;
    }
    let last = 0; // a record's offsets come mostly in order: try the last statement first
    fn = Object.assign((off: number): number => {
      if (last < n && off >= froms[last]! && off <= tos[last]!) return off + deltas[last]!;
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (off < froms[mid]!) hi = mid - 1;
        else if (off > tos[mid]!) lo = mid + 1;
        else { last = mid; return off + deltas[mid]!; }
      }
      return off;
    }, { stableBelow });
    this.shiftMemo.set(oldSegs, fn);
    return fn;
  }

  private segsByTextMemo: Map<string, number[]> | null = null;
  /** Indices of this version's statements by text. */
  private segsByText(): Map<string, number[]> {
    if (this.segsByTextMemo) return this.segsByTextMemo;
    const m = new Map<string, number[]>();
    this.segs.forEach((sg, i) => { const l = m.get(sg.text); if (l) l.push(i); else m.set(sg.text, [i]); });
    return (this.segsByTextMemo = m);
  }

  private classByDef(): Map<Stmt, ClassV> {
    return this.classByDefMap;
  }

  private startByTextMemo: Map<string, number> | null = null;
  private startByText(): Map<string, number> {
    if (this.startByTextMemo) return this.startByTextMemo;
    // Only statements whose text is unique: a repeated text cannot say which copy moved where.
    const m = new Map<string, number>();
    const dup = new Set<string>();
    for (const sg of this.segs) {
      if (m.has(sg.text)) dup.add(sg.text);
      else m.set(sg.text, sg.from);
    }
    for (const d of dup) m.delete(d);
    return (this.startByTextMemo = m);
  }

  private construct(inst: ModuleInst, cls: ClassV, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): void {
    const init = this.lookupMember(cls, '__init__');
    if (init && init.kind === 'func') {
      const frame: Frame = { scope: { vars: new Map(), parent: init.closure }, owner: init.owner, kind: 'init', facts: false, ctxName: '', ir: null, scopePath: '', depth: f.depth + 1, returns: [] };
      this.callFunction({ ...init, self: inst }, pos, kw, site, frame, f);
    } else if (!cls.isModule) {
      // Dataclass-style: fields in declaration order.
      const fields = [...cls.members.entries()].filter(([, v]) => v.kind !== 'func').map(([k]) => k);
      pos.forEach((v, i) => { if (fields[i]) inst.fields.set(fields[i]!, v); });
      for (const [k, v] of Object.entries(kw)) inst.fields.set(k, v);
    }
    if (cls.isModule) {
      const list = this.instances.get(cls) ?? [];
      list.push(inst);
      this.instances.set(cls, list);
      for (const cap of this.instCaptures) cap.made.push(inst);
    }
  }

  private argsText(site: Span): string {
    const t = this.text(site);
    const i = t.indexOf('(');
    return i >= 0 ? t.slice(i + 1, t.endsWith(')') ? -1 : undefined) : '';
  }

  makeLayer(spec: LayerSpec, pos: FV[], kw: Record<string, FV>, site: Span): ModuleInst {
    const inst = this.newModule(spec.name, null, spec, site, `${spec.name}(${compact(this.argsText(site))})`);
    ({ pos, kw } = guessesAsDefaults(spec, pos, kw));
    const r = bindLayer(spec, pos.map(toValue), mapValues(kw, toValue));
    if ('error' in r) {
      const isShape = !/argument|positional|keyword/.test(r.error);
      this.diag(site, isShape ? 'error' : 'warning', isShape ? 'shape-mismatch' : 'bad-arguments', r.error);
      inst.broken = true;
      return inst;
    }
    inst.attrs = r.attrs;
    try {
      inst.params.push(...spec.params(r.attrs));
    } catch {
      // Unknown constructor arguments: no parameter shapes.
    }
    return inst;
  }

  makeContainer(type: string, pos: FV[], kw: Record<string, FV>, site: Span, args: readonly Arg[]): ModuleInst {
    const inst = this.newModule(type, null, null, site, `${type}(...)`);
    const add = (key: string, v: FV, span: Span | null): void => {
      if (v.kind === 'module') {
        const inside = v.ctor && v.ctor.from >= site.from && v.ctor.to <= site.to;
        if ((span && v.ctor === null) || (inside && !v.inContainer)) this.mutated(v);
        if (span && v.ctor === null) (v as { ctor: Span | null }).ctor = { from: span.from, to: span.to };
        if (v.ctor && v.ctor.from >= site.from && v.ctor.to <= site.to) v.inContainer = true;
        inst.children.set(key, v);
      } else if (v.kind === 'tensor' && type.startsWith('Parameter')) {
        inst.params.push(paramShape(key, v));
      } else if (!type.startsWith('Parameter')) {
        // A layer the analysis cannot see (an imported class, a factory's result) still holds its
        // place: dropping it would feed the next layer the wrong tensor.
        const ph = this.newModule('Unknown', null, null, span ?? site, whyOf(v) ?? `a ${v.kind} the analysis cannot see`);
        ph.broken = true;
        inst.children.set(key, ph);
      }
    };
    if (type === 'Sequential' || type === 'ModuleList' || type === 'ParameterList') {
      let items: FV[] = [];
      const spans: (Span | null)[] = [];
      if (type === 'Sequential' && pos.length === 1 && pos[0]!.kind === 'dict') {
        for (const [k, v] of pos[0].entries) add(k, v, null);
        return inst;
      }
      if (type === 'Sequential') {
        items = pos;
        // Element spans for error locations inside the Sequential expression.
        let i = 0;
        for (const a of args) {
          if (a.kind === 'pos') { spans[i++] = a.value; }
          else if (a.kind === 'star') { const n = pos.length - (args.length - 1); for (let j = 0; j < n; j++) spans[i++] = null; }
        }
      } else if (pos[0]) {
        const it = this.iterate(pos[0]);
        if (!it) {
          inst.childrenUnknown = true;
          const smp = pos[0].kind === 'list' ? pos[0].sample : undefined;
          if (smp?.kind === 'module') inst.sampleChild = smp;
        }
        items = it ?? [];
      }
      items.forEach((v, i) => add(String(i), v, spans[i] ?? null));
    } else if (pos[0]) {
      const d = pos[0];
      if (d.kind === 'dict') for (const [k, v] of d.entries) add(k, v, null);
      else for (const pair of this.iterate(d) ?? []) {
        const kv = this.iterate(pair);
        if (kv && kv.length === 2) { const k = keyOf(kv[0]!); if (k !== null) add(k, kv[1]!, null); }
      }
    }
    void kw;
    return inst;
  }

  private setAttr(obj: FV, name: string, v: FV, at: Span, f: Frame): void {
    if (obj.kind !== 'module') return;
    this.mutated(obj);
    if (v.kind === 'module') {
      obj.fields.delete(name);
      obj.children.set(name, v);
      if (obj.cls && f.kind === 'init') this.recordLayer(obj.cls.name, name, v);
    } else if (v.kind === 'tensor' && (v as { param?: boolean }).param) {
      const i = obj.params.findIndex((p) => p.name === name);
      const ps: ParamShape = paramShape(name, v);
      if (i >= 0) obj.params[i] = ps;
      else obj.params.push(ps);
    } else if (obj.params.some((p) => p.name === name) && v.kind === 'tensor') {
      // Reassigning a registered buffer keeps it registered.
      const i = obj.params.findIndex((p) => p.name === name);
      const { shape, rankUnknown } = paramShape(name, v);
      obj.params[i] = { ...obj.params[i]!, shape, rankUnknown };
    } else {
      obj.fields.set(name, v);
    }
    void at;
  }

  /** owner -> paths recorded in `layers` (no `owner NUL path` key is built to find out). */
  private readonly layerPaths = new Map<string, Set<string>>();
  private recordLayer(owner: string, path: string, m: ModuleInst): void {
    let paths = this.layerPaths.get(owner);
    if (!paths) this.layerPaths.set(owner, (paths = new Set()));
    if (!paths.has(path) && m.ctor) {
      paths.add(path);
      const key = `${owner}\u0000${path}`;
      const params = flatParams(m, '');
      const rec: LayerAcc = { owner, path, type: m.type, summary: m.summary, from: m.ctor.from, to: m.ctor.to, params, paramCount: countParams(params), key };
      for (const cap of this.instCaptures) cap.layers.push(rec);
      this.layers.push(rec);
    }
    for (const [k, c] of m.children) this.recordLayer(owner, `${path}.${k}`, c);
  }

  // ---- expressions ----------------------------------------------------------------------

  eval(e: Expr, f: Frame): FV {
    switch (e.k) {
      case 'name': {
        const v = lookup(f.scope, e.id);
        if (this.touchStack.length && !isLocal(f.scope, e.id, this.moduleScope)) {
          // A module-level (or builtin, or missing) name: depend on which statement binds it now,
          // absence included (a run that saw no `nn` must not be replayed once `import ... as nn` parses).
          const top = this.touchStack[this.touchStack.length - 1]!;
          const d = this.definedBy.get(e.id);
          if (d !== undefined && v !== undefined) top.add(d);
          top.add(this.nameDepId(e.id, this.binderText(e.id)));
        }
        if (v === undefined) return unk(`name not defined in this file: ${e.id}`);
        if (v.kind === 'tensor') this.fact(f, e, 'use', v);
        return v;
      }
      case 'num':
        return e.int ? int(e.v) : { kind: 'float', value: e.v };
      case 'str':
        return { kind: 'str', value: e.v };
      case 'fstr':
        return { kind: 'str', value: fString(this.text(e), (dotted) => this.dottedValue(dotted, e, f)) };
      case 'bool':
        return { kind: 'bool', value: e.v };
      case 'none':
        return NONE;
      case 'ellipsis':
        return { kind: 'ellipsis' };
      case 'attr':
        return this.getAttr(this.eval(e.obj, f), e.name, e, f);
      case 'call':
        return this.evalCall(e, f);
      case 'index':
        return this.getItem(this.eval(e.obj, f), e.index, e, f);
      case 'slice': {
        const part = (x: Expr | undefined): Dim | null => {
          if (!x) return null;
          const v = this.eval(x, f);
          if (v.kind === 'none') return null;
          if (v.kind === 'int') return v.value;
          return sym(`?${x.from}`);
        };
        return { kind: 'slice', start: part(e.lo), stop: part(e.hi), step: part(e.step) };
      }
      case 'bin': {
        if (e.op === 'and' || e.op === 'or') {
          const l = this.eval(e.l, f);
          const t = this.truth(l);
          if (e.op === 'and') return t === false ? l : t === true ? this.eval(e.r, f) : joinBool(l, this.eval(e.r, f));
          return t === true ? l : t === false ? this.eval(e.r, f) : joinBool(l, this.eval(e.r, f));
        }
        return this.binop(e.op, this.eval(e.l, f), this.eval(e.r, f), e, f);
      }
      case 'unary': {
        const v = this.eval(e.e, f);
        if (e.op === 'not') {
          const t = this.truth(v);
          return { kind: 'bool', value: t === null ? null : !t };
        }
        if (v.kind === 'int') return e.op === '-' ? int(mul(v.value, -1)) : e.op === '+' ? v : UNKNOWN;
        if (v.kind === 'float') return e.op === '-' ? { kind: 'float', value: v.value === null ? null : -v.value } : v;
        if (v.kind === 'tensor') {
          const m = e.op === '-' ? '__neg__' : e.op === '~' ? '__invert__' : e.op === '+' ? '__pos__' : null;
          if (m) return this.callTensorMethod(v, m, [], {}, e, f);
        }
        return UNKNOWN;
      }
      case 'cond': {
        const t = this.truth(this.eval(e.test, f));
        if (t === true) return this.eval(e.then, f);
        if (t === false) return this.eval(e.else, f);
        return join(this.eval(e.then, f), this.eval(e.else, f));
      }
      case 'tuple':
        return { kind: 'tuple', items: this.evalItems(e.items, f) };
      case 'list':
      case 'set':
        return { kind: 'list', items: this.evalItems(e.items, f) };
      case 'dict': {
        const d: DictV = { kind: 'dict', entries: new Map() };
        for (const en of e.entries) {
          if (!en.key) {
            const src = this.eval(en.value, f);
            if (src.kind === 'dict') for (const [k, v] of src.entries) d.entries.set(k, v);
            continue;
          }
          const k = keyOf(this.eval(en.key, f));
          if (k !== null) d.entries.set(k, this.eval(en.value, f));
        }
        return d;
      }
      case 'comp':
        return this.evalComp(e, f);
      case 'star':
        return this.eval(e.e, f);
      case 'lambda':
        return { kind: 'func', name: '<lambda>', params: e.params, body: e.body, closure: f.scope, owner: f.owner, def: null };
      default:
        return UNKNOWN;
    }
  }

  private evalItems(items: readonly Expr[], f: Frame): FV[] {
    const out: FV[] = [];
    for (const x of items) {
      if (x.k === 'star') {
        const v = this.iterate(this.eval(x.e, f));
        if (v) out.push(...v);
        else out.push(UNKNOWN);
      } else {
        out.push(this.eval(x, f));
      }
    }
    return out;
  }

  private evalComp(e: Expr & { k: 'comp' }, f: Frame): FV {
    const scope: Scope = { vars: new Map(), parent: f.scope };
    const cf: Frame = { ...f, scope };
    const outList: FV[] = [];
    const d: DictV = { kind: 'dict', entries: new Map() };
    let ok = true;
    let budget = MAX_UNROLL;
    let sample: FV | undefined;
    const loop = (i: number): void => {
      if (!ok) return;
      if (i === e.fors.length) {
        if (--budget < 0) { ok = false; return; }
        if (e.kind === 'dict' && e.key) {
          const k = keyOf(this.eval(e.key, cf));
          if (k !== null) d.entries.set(k, this.eval(e.elt, cf));
        } else {
          outList.push(this.eval(e.elt, cf));
        }
        return;
      }
      const cl = e.fors[i]!;
      const items = this.iterate(this.eval(cl.iter, cf));
      if (items === null) {
        // `[Block(cfg) for _ in range(cfg.n_layer)]`: the length is unknown, one element is not.
        if (i === 0 && e.fors.length === 1 && e.kind !== 'dict' && cl.ifs.length === 0) {
          this.assign(cl.target, unk('loop over values not known before running'), cf);
          sample = this.eval(e.elt, cf);
        }
        ok = false;
        return;
      }
      for (const it of items) {
        this.assign(cl.target, it, cf);
        let pass = true;
        for (const c of cl.ifs) {
          const t = this.truth(this.eval(c, cf));
          if (t === null) { ok = false; return; }
          if (!t) { pass = false; break; }
        }
        if (pass) loop(i + 1);
      }
    };
    loop(0);
    if (e.kind === 'dict') return ok ? d : UNKNOWN;
    if (ok) return { kind: 'list', items: outList };
    return sample ? { kind: 'list', items: null, sample } : { kind: 'list', items: null };
  }

  truth(v: FV): boolean | null {
    switch (v.kind) {
      case 'bool': return v.value;
      case 'int': return typeof v.value === 'number' ? v.value !== 0 : null;
      case 'float': return v.value === null ? null : v.value !== 0;
      case 'str': return v.value === null ? null : v.value.length > 0;
      case 'none': return false;
      case 'tuple': return v.items.length > 0;
      case 'list': return v.items ? v.items.length > 0 : null;
      case 'dict': return v.entries.size > 0;
      case 'module': case 'func': case 'class': case 'ns': case 'method': case 'builtin': case 'dtype': case 'partial': return true;
      default: return null;
    }
  }

  iterate(v: FV): FV[] | null {
    switch (v.kind) {
      case 'tuple': return [...v.items];
      case 'list': return v.items ? [...v.items] : null;
      case 'dict': return [...v.entries.keys()].map((k) => ({ kind: 'str', value: k }) as FV);
      case 'module':
        if (v.childrenUnknown) return null;
        if (containerKind(v) === 'ModuleDict') return [...v.children.keys()].map((k) => ({ kind: 'str', value: k }) as FV);
        if (containerKind(v) === 'Sequential' || containerKind(v) === 'ModuleList') return [...v.children.values()];
        return null;
      case 'str': return v.value === null ? null : [...v.value].map((c) => ({ kind: 'str', value: c }) as FV);
      case 'tensor': {
        // Iterating a tensor yields its rows (e.g. `for t in x.unbind(0)` arrives as a tuple instead).
        if (v.shape && v.shape.length > 0 && typeof v.shape[0] === 'number' && v.shape[0] <= 64) {
          const row: TensorV = { kind: 'tensor', shape: v.shape.slice(1), dtype: v.dtype };
          return Array.from({ length: v.shape[0] }, () => row);
        }
        return null;
      }
      default: return null;
    }
  }

  // ---- attribute access -----------------------------------------------------------------

  getAttr(obj: FV, name: string, at: Span, f: Frame): FV {
    switch (obj.kind) {
      case 'ns': {
        const qual = `${obj.qual}.${name}`;
        if ((obj.qual === 'torch') && DTYPES[name]) return { kind: 'dtype', dtype: DTYPES[name]! };
        if (qual === 'math.pi') return { kind: 'float', value: Math.PI };
        if (qual === 'math.e') return { kind: 'float', value: Math.E };
        return { kind: 'ns', qual };
      }
      case 'module': {
        const child = obj.children.get(name);
        if (child) return child;
        if (obj.fields.has(name)) return obj.fields.get(name)!;
        const p = obj.params.find((x) => x.name === name);
        if (p) {
          const t: TensorV = { kind: 'tensor', shape: p.rankUnknown ? null : p.shape, dtype: p.dtype ?? 'float32', ref: { kind: 'param', path: obj.path ? `${obj.path}.${name}` : name }, ...(p.rankUnknown ? { why: 'parameter or buffer of unknown shape' } : {}) };
          return t;
        }
        if ((obj.spec || obj.torchBase) && name in obj.attrs) return fromValue(obj.attrs[name]!);
        if (name === 'training') return { kind: 'bool', value: true };
        if (obj.cls) {
          const m = this.lookupMember(obj.cls, name);
          if (m !== undefined) {
            if (m.kind === 'func') {
              const isStatic = m.def?.k === 'def' && m.def.decorators.some((d) => d.k === 'name' && d.id === 'staticmethod');
              const isProp = m.def?.k === 'def' && m.def.decorators.some((d) => d.k === 'name' && d.id === 'property');
              if (isProp) return this.callFunction({ ...m, self: obj }, [], {}, at, this.childFrame(f, m), f);
              return isStatic ? m : { ...m, self: obj };
            }
            if ((m as { field?: boolean }).field) return guessParam(name);
            return m;
          }
        }
        return { kind: 'method', recv: obj, name };
      }
      case 'tensor': {
        if (name === 'shape') return obj.shape ? { kind: 'tuple', items: obj.shape.map(int) } : UNKNOWN;
        if (name === 'ndim') return obj.shape ? int(obj.shape.length) : UNKNOWN;
        if (name === 'dtype') return { kind: 'dtype', dtype: obj.dtype };
        if (name === 'data') return obj;
        if (name === 'device' || name === 'grad') return UNKNOWN;
        if (name === 'requires_grad' || name === 'is_cuda') return { kind: 'bool', value: null };
        if (name === 'T' || name === 'mT' || name === 'H' || name === 'mH') return this.callTensorMethod(obj, name, [], {}, at, f);
        return { kind: 'method', recv: obj, name };
      }
      case 'super': {
        const m = this.lookupMember(obj.cls, name, obj.cls);
        if (m && m.kind === 'func') return { ...m, self: obj.self };
        if (obj.self.kind === 'module' && obj.self.torchBase && (name === '__init__' || name === 'forward')) return { kind: 'method', recv: obj.self, name: `__base_${name}__` };
        return { kind: 'builtin', name: name === '__init__' ? 'noop' : 'unknown' };
      }
      case 'class': {
        const m = this.lookupMember(obj, name);
        return m ?? UNKNOWN;
      }
      case 'dtype':
        if (name === 'is_floating_point') return { kind: 'bool', value: obj.dtype.startsWith('float') || obj.dtype === 'bfloat16' };
        return UNKNOWN;
      case 'int':
        if (isGuess(obj)) return guessParam(name); // `config.n_embd`
        return { kind: 'method', recv: obj, name };
      case 'tuple': case 'list': case 'dict': case 'str': case 'float':
        return { kind: 'method', recv: obj, name };
      default:
        return unk(whyOf(obj) ?? `attribute of ${obj.kind === 'unknown' ? 'an unknown value' : `a ${obj.kind}`}`);
    }
  }

  /** `a.b.c` inside an f-string: a local name and its attributes, or null. */
  private dottedValue(dotted: string, at: Span, f: Frame): FV | null {
    const [head, ...rest] = dotted.split('.');
    let v = lookup(f.scope, head!);
    if (!v) return null;
    for (const a of rest) v = this.getAttr(v, a, at, f);
    return v;
  }

  // ---- indexing -------------------------------------------------------------------------

  private getItem(obj: FV, indexExpr: Expr, at: Span, f: Frame): FV {
    const idx = this.eval(indexExpr, f);
    switch (obj.kind) {
      case 'tensor': {
        const b = resolveMethod('__getitem__');
        if (!b) { this.breakIR(f, 'indexing (no __getitem__ rule)', at); return unkTensor('indexing'); }
        return this.applyOp(b, [idx], {}, at, f, obj);
      }
      case 'tuple':
      case 'list': {
        const items = obj.kind === 'tuple' ? obj.items : obj.items;
        if (!items) return UNKNOWN;
        if (idx.kind === 'int' && typeof idx.value === 'number') {
          const i = idx.value < 0 ? items.length + idx.value : idx.value;
          return items[i] ?? UNKNOWN;
        }
        if (idx.kind === 'slice') {
          const sl = sliceItems(items, idx);
          if (!sl) return UNKNOWN;
          return obj.kind === 'tuple' ? { kind: 'tuple', items: sl } : { kind: 'list', items: sl };
        }
        return UNKNOWN;
      }
      case 'dict': {
        const k = keyOf(idx);
        return k !== null ? obj.entries.get(k) ?? UNKNOWN : UNKNOWN;
      }
      case 'module': {
        if (obj.childrenUnknown) return this.opaqueModule(at, 'an element of a container whose length is not known');
        if (containerKind(obj) === 'ModuleDict') {
          const k = keyOf(idx);
          return k !== null ? obj.children.get(k) ?? UNKNOWN : UNKNOWN;
        }
        const kids = [...obj.children.values()];
        if (idx.kind === 'int' && typeof idx.value === 'number') {
          const i = idx.value < 0 ? kids.length + idx.value : idx.value;
          return kids[i] ?? UNKNOWN;
        }
        if (idx.kind === 'slice' && containerKind(obj) === 'Sequential') {
          const sl = sliceItems(kids, idx);
          if (!sl) return UNKNOWN;
          const m = this.newModule('Sequential', null, null, obj.ctor, 'Sequential(...)');
          const keys = [...obj.children.keys()];
          for (const k of sliceItems(keys.map((x) => ({ kind: 'str', value: x }) as FV), idx) ?? []) {
            const key = (k as { value: string }).value;
            m.children.set(key, obj.children.get(key)!);
          }
          return m;
        }
        return UNKNOWN;
      }
      case 'int':
        return (isGuess(obj) && guessItem(obj, idx)) || unk('index of an int');
      case 'ns':
        // Type subscripts (`Float[Tensor, "b c"]`, `Optional[Tensor]`) are annotations only.
        return unk('index of an imported name');
      default:
        return unk(whyOf(obj) ?? `index of ${obj.kind === 'unknown' ? 'an unknown value' : `a ${obj.kind}`}`);
    }
  }

  // ---- operators ------------------------------------------------------------------------

  binop(op: string, l: FV, r: FV, at: Span, f: Frame): FV {
    if (l.kind === 'tensor' || r.kind === 'tensor') {
      const names = BINOPS[op];
      if (!names) {
        if (op === 'is' || op === 'is not') return { kind: 'bool', value: op === 'is not' };
        return UNKNOWN;
      }
      if (l.kind === 'tensor') return this.callTensorMethod(l, names[0], [r], {}, at, f);
      return this.callTensorMethod(r as TensorV, names[1], [l], {}, at, f);
    }
    if (op === 'is' || op === 'is not' || op === '==' || op === '!=') {
      const eq = valuesEqual(l, r);
      if (eq === null) return { kind: 'bool', value: null };
      return { kind: 'bool', value: op === 'is' || op === '==' ? eq : !eq };
    }
    if (op === 'in' || op === 'not in') {
      const items = r.kind === 'dict' ? [...r.entries.keys()].map((k) => ({ kind: 'str', value: k }) as FV) : this.iterate(r);
      if (!items) return { kind: 'bool', value: null };
      let found: boolean | null = false;
      for (const it of items) {
        const eq = valuesEqual(l, it);
        if (eq === true) { found = true; break; }
        if (eq === null) found = null;
      }
      return { kind: 'bool', value: found === null ? null : op === 'in' ? found : !found };
    }
    if (l.kind === 'int' && r.kind === 'int') return intOp(op, l.value, r.value);
    if ((l.kind === 'int' || l.kind === 'float' || l.kind === 'bool') && (r.kind === 'int' || r.kind === 'float' || r.kind === 'bool')) {
      const a = numOf(l);
      const b = numOf(r);
      if (a === null || b === null) return cmpOps.has(op) ? { kind: 'bool', value: null } : { kind: 'float', value: null };
      return floatOp(op, a, b);
    }
    if (op === '+' && (l.kind === 'tuple' || l.kind === 'list') && l.kind === r.kind) {
      const a = this.iterate(l);
      const b = this.iterate(r);
      if (!a || !b) return UNKNOWN;
      return l.kind === 'tuple' ? { kind: 'tuple', items: [...a, ...b] } : { kind: 'list', items: [...a, ...b] };
    }
    if (op === '*' && (l.kind === 'tuple' || l.kind === 'list') && r.kind === 'int' && typeof r.value === 'number') {
      const a = this.iterate(l);
      if (!a) return UNKNOWN;
      const out: FV[] = [];
      for (let i = 0; i < r.value && i < MAX_UNROLL; i++) out.push(...a);
      return l.kind === 'tuple' ? { kind: 'tuple', items: out } : { kind: 'list', items: out };
    }
    if (op === '+' && l.kind === 'str' && r.kind === 'str') return { kind: 'str', value: l.value !== null && r.value !== null ? l.value + r.value : null };
    if (op === '%' && l.kind === 'str') return { kind: 'str', value: l.value === null ? null : percentFormat(l.value, r) };
    if (cmpOps.has(op)) return { kind: 'bool', value: null };
    return UNKNOWN;
  }

  // ---- calls ----------------------------------------------------------------------------

  private evalCall(e: Expr & { k: 'call' }, f: Frame): FV {
    const fn = this.eval(e.fn, f);
    const pos: FV[] = [];
    const kw: Record<string, FV> = {};
    for (const a of e.args) {
      if (a.kind === 'pos') pos.push(this.eval(a.value, f));
      else if (a.kind === 'star') {
        const items = this.iterate(this.eval(a.value, f));
        if (items) pos.push(...items);
        else return this.unknownResult(fn, f, e);
      } else if (a.kind === 'kw' && a.name) kw[a.name] = this.eval(a.value, f);
      else if (a.kind === 'dstar') {
        const d = this.eval(a.value, f);
        if (d.kind === 'dict') for (const [k, v] of d.entries) kw[k] = v;
        else return this.unknownResult(fn, f, e);
      }
    }
    const out = this.call(fn, pos, kw, e, f);
    if (f.kind === 'forward' && (out.kind === 'tensor' || (out.kind === 'tuple' && out.items.some(isTensor)))) this.fact(f, e, 'expr', out);
    return out;
  }

  private unknownResult(fn: FV, f: Frame, at: Span): FV {
    const cname = fn.kind === 'ns' ? torchNnName(fn.qual.replace(/^torch\.nn\.modules\.[a-z_]+\./, 'torch.nn.')) : null;
    if (cname && isContainerBase(cname)) {
      // `nn.Sequential(*layers)` with a list of unknown length: a container of unknown layers.
      const m = this.newModule(cname, null, null, at, `${cname}(...)`);
      m.childrenUnknown = true;
      return m;
    }
    if (f.kind === 'forward') this.breakIR(f, 'a call with arguments unpacked from unknown values', at);
    const why = 'a call with arguments unpacked from unknown values';
    return fn.kind === 'module' || fn.kind === 'method' ? unkTensor(why) : unk(why);
  }

  call(fn: FV, pos: FV[], kw: Record<string, FV>, site: Expr & { k: 'call' } | Span, f: Frame): FV {
    if (f.depth > MAX_DEPTH) return unk('call depth limit');
    switch (fn.kind) {
      case 'func': {
        const before = nextModuleId;
        const out = this.callFunction(fn, pos, kw, site, this.childFrame(f, fn), f);
        // Layers a helper builds (`self.dec1 = double_conv(32, 32)`) remember the outermost call.
        if (f.kind !== 'forward' && fn.name !== '__init__' && out.kind === 'module') markMadeAt(out, site, before);
        return out;
      }
      case 'class':
        return this.instantiate(fn, pos, kw, site, f);
      case 'ns':
        return this.callNs(fn.qual, pos, kw, site, f);
      case 'module':
        return this.callModuleFrom(fn, pos, kw, site, f);
      case 'method':
        if (fn.recv.kind === 'tensor') return this.callTensorMethod(fn.recv, fn.name, pos, kw, site, f);
        return this.callObjMethod(fn.recv, fn.name, pos, kw, site, f);
      case 'builtin':
        return this.callBuiltin(fn.name, pos, kw, site, f);
      case 'partial':
        return this.call(fn.fn, [...fn.pos, ...pos], { ...fn.kw, ...kw }, site, f);
      case 'int':
        // A factory called in __init__ makes a layer; a module passed in, called in forward, gives a tensor.
        if (isGuess(fn)) return f.kind === 'forward' ? unkTensor('output of a module passed to the constructor') : this.opaqueModule(site, 'a layer made by a constructor parameter');
        return unk('call of an int');
      default:
        if (f.kind === 'forward' && pos.some(isTensor)) this.breakIR(f, `a call to something not known to Tensor Studio`, site);
        return unk(whyOf(fn) ?? `call of a ${fn.kind === 'unknown' ? 'value not known' : fn.kind}`);
    }
  }

  private childFrame(f: Frame, fn: FuncV): Frame {
    return { scope: { vars: new Map(), parent: fn.closure }, owner: fn.owner, kind: f.kind, facts: f.facts, ctxName: f.ctxName, ir: f.ir, scopePath: f.scopePath, depth: f.depth + 1, returns: [] };
  }

  callFunction(fn: FuncV, pos: FV[], kw: Record<string, FV>, site: Span, frame: Frame, caller: Frame): FV {
    void caller;
    const args = fn.self !== undefined ? [fn.self, ...pos] : pos;
    this.bindParams(fn.params, args, kw, frame);
    if (!Array.isArray(fn.body)) return this.eval(fn.body as Expr, frame);
    void site;
    const c = this.execBlock(fn.body as Stmt[], frame);
    void c;
    if (frame.returns.length === 0) return NONE;
    return frame.returns.reduce((a, b) => join(a, b));
  }

  private bindParams(params: readonly Param[], args: FV[], kw: Record<string, FV>, frame: Frame): void {
    let i = 0;
    const rest: Record<string, FV> = { ...kw };
    for (const p of params) {
      let v: FV | undefined;
      if (p.kind === 'star') {
        frame.scope.vars.set(p.name, { kind: 'tuple', items: args.slice(i) });
        i = args.length;
        continue;
      }
      if (p.kind === 'dstar') {
        const d: DictV = { kind: 'dict', entries: new Map(Object.entries(rest)) };
        frame.scope.vars.set(p.name, d);
        continue;
      }
      if (p.kind === 'normal' && i < args.length) v = args[i++];
      else if (p.name in rest) { v = rest[p.name]; delete rest[p.name]; }
      else if (p.default) v = this.eval(p.default, { ...frame, scope: frame.scope.parent ?? frame.scope, facts: false });
      frame.scope.vars.set(p.name, v ?? unk('a parameter given no value'));
      if (frame.kind === 'forward' && v && v.kind === 'tensor') this.fact(frame, p, 'param', v);
    }
  }

  private callNs(qual: string, pos: FV[], kw: Record<string, FV>, site: Span & Partial<{ k: 'call'; args: Arg[] }>, f: Frame): FV {
    const q = qual.replace(/^torch\.nn\.modules\.[a-z_]+\./, 'torch.nn.').replace(/^torch\.nn\.modules\./, 'torch.nn.');
    if (q.startsWith('torch.nn.') && !q.startsWith('torch.nn.functional.') && !q.startsWith('torch.nn.init.') && !q.startsWith('torch.nn.utils.')) {
      const name = q.slice('torch.nn.'.length);
      if (CONTAINERS.has(name)) return this.makeContainer(name, pos, kw, site, site.args ?? []);
      if (name === 'Parameter' || name === 'parameter.Parameter') {
        const t = pos[0] ?? kw.data;
        if (t && t.kind === 'tensor') return { kind: 'tensor', shape: t.shape, dtype: t.dtype, param: true } as TensorV;
        return UNKNOWN;
      }
      if (name === 'Module') return UNKNOWN;
      const spec = getLayer(name);
      if (spec) return this.makeLayer(spec, pos, kw, site);
      // A torch.nn layer the op library does not know: a module whose calls give unknown.
      const m = this.newModule(name, null, null, site, `${name}(${compact(this.argsText(site))})`);
      m.broken = true;
      return m;
    }
    // einops' layers are layer specs of the op library (engine/src/ops/einops/layers.ts).
    if (q.startsWith('einops.layers.torch.')) {
      const spec = getLayer(q.slice('einops.layers.torch.'.length));
      if (spec) return this.makeLayer(spec, pos, kw, site);
    }
    if (NOOP_CTX.has(q)) return NONE;
    if (q === 'functools.partial' && pos[0]) return { kind: 'partial', fn: pos[0], pos: pos.slice(1), kw };
    if ((q === 'torch.as_tensor' || q === 'torch.tensor') && isGuess(pos[0] ?? kw.data)) return unkTensor('a tensor made from a constructor parameter');
    if (q === 'torch.jit.is_scripting' || q === 'torch.jit.is_tracing' || q === 'torch._C._get_tracing_state' || q === 'torch.jit.is_tracing') return { kind: 'bool', value: false };
    if (q === 'torch.jit.annotate' || q === 'torch.jit._unwrap_optional') return pos[1] ?? pos[0] ?? UNKNOWN;
    if (q === 'torch.Size') return pos[0] ? { kind: 'tuple', items: this.iterate(pos[0]) ?? [] } : { kind: 'tuple', items: [] };
    if (q === 'collections.OrderedDict' || q === 'typing.OrderedDict') {
      const d: DictV = { kind: 'dict', entries: new Map() };
      if (pos[0]) {
        if (pos[0].kind === 'dict') for (const [k, v] of pos[0].entries) d.entries.set(k, v);
        else for (const pair of this.iterate(pos[0]) ?? []) {
          const kv = this.iterate(pair);
          if (kv && kv.length === 2) { const k = keyOf(kv[0]!); if (k !== null) d.entries.set(k, kv[1]!); }
        }
      }
      return d;
    }
    if (q.startsWith('math.')) return mathCall(q.slice(5), pos);
    if (q === 'torch.cuda.is_available' || q === 'torch.backends.mps.is_available') return { kind: 'bool', value: false };
    if (q === 'torch.device' || q === 'torch.manual_seed') return UNKNOWN;
    const b = resolveFunction(q) ?? resolveFunction(qual);
    if (b) return this.applyOp(b, pos, kw, site, f);
    if (q.startsWith('torch.') && f.kind === 'forward' && (pos.some(isTensor) || Object.values(kw).some(isTensor))) {
      this.breakIR(f, `${q} (not in the op library)`, site);
      return unkTensor(`not in the op library: ${q}`);
    }
    return unk(q.startsWith('torch.') ? `not in the op library: ${q}` : `call of an imported function: ${q}`);
  }

  /** Bind and run an op, record its IR node, report a ShapeError where the call is written. */
  applyOp(b: FunctionBinding, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame, self?: TensorV): FV {
    const r = applyBinding(b, pos.map(forRule), mapValues(kw, forRule), self ? forRule(self) : undefined);
    if ('error' in r) {
      if (/argument|positional|keyword/.test(r.error) && !/shape|size|dim/i.test(r.error)) {
        if (f.kind === 'forward') this.diag(site, 'warning', 'bad-arguments', r.error);
        this.breakIR(f, `a call with arguments ${b.op.name}() does not accept`, site);
      } else {
        this.diag(site, 'error', 'shape-mismatch', r.error);
        this.breakIR(f, 'a shape error', site);
      }
      return unkTensor('after a shape error or bad arguments');
    }
    const out = fromValue(r.value);
    return this.recordNode(f, 'op', b.op.name, r.args, isUnknownish(out) ? tagUnknown(out, [...(self ? [self] : []), ...pos, ...Object.values(kw)], `${b.op.name}: result not known from these arguments`) : out, site);
  }

  private recordNode(f: Frame, call: 'op' | 'layer', target: string, args: BoundArgs, out: FV, site: Span): FV {
    if (!producesTensor(out)) return out;
    if (!f.ir || this.silent > 0) return stripRefs(out);
    const irArgs: Record<string, IRArg> = {};
    for (const k in args) {
      const a = this.irArg(args[k] as FV, f, site);
      if (a) irArgs[k] = a;
    }
    const id = f.ir.nodes.length;
    f.ir.nodes.push({ id, call, target, args: irArgs, output: toValue(out), scope: f.scopePath, span: { from: site.from, to: site.to }, out: null });
    return withRefs(out, id);
  }

  private irArg(v: FV, f: Frame, at: Span): IRArg | null {
    switch (v.kind) {
      case 'tensor':
        if (v.ref) return v.ref;
        this.breakIR(f, 'a tensor that was not computed inside forward', at);
        return { kind: 'const', value: toValue(v) };
      case 'tuple':
        return { kind: 'tuple', items: v.items.map((x) => this.irArg(x, f, at) ?? { kind: 'const', value: { kind: 'unknown' } }) };
      case 'list':
        if (!v.items) return { kind: 'const', value: { kind: 'unknown' } };
        return { kind: 'list', items: v.items.map((x) => this.irArg(x, f, at) ?? { kind: 'const', value: { kind: 'unknown' } }) };
      default:
        return { kind: 'const', value: toValue(v) };
    }
  }

  callTensorMethod(recv: TensorV, name: string, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): FV {
    const b = resolveMethod(name);
    if (b) return this.applyOp(b, pos, kw, site, f, recv);
    // Facts about the tensor itself need no op: they are ints over the same symbols.
    switch (name) {
      case 'size': {
        if (!recv.shape) return UNKNOWN;
        const d = pos[0] ?? kw.dim;
        if (!d) return { kind: 'tuple', items: recv.shape.map(int) };
        if (d.kind === 'int' && typeof d.value === 'number') {
          const i = d.value < 0 ? recv.shape.length + d.value : d.value;
          return recv.shape[i] !== undefined ? int(recv.shape[i]!) : UNKNOWN;
        }
        return UNKNOWN;
      }
      case 'dim': case 'ndimension':
        return recv.shape ? int(recv.shape.length) : UNKNOWN;
      case 'numel': case 'nelement':
        return recv.shape ? int(prod(recv.shape)) : UNKNOWN;
      case 'item':
        return recv.dtype.startsWith('int') ? int(sym('item')) : { kind: 'float', value: null };
      case 'cpu': case 'cuda': case 'detach': case 'to': case 'requires_grad_': case 'pin_memory':
        return recv;
      case 'tolist': case 'numpy':
        return UNKNOWN;
      default:
        if (f.kind === 'forward') this.breakIR(f, `Tensor.${name} (not in the op library)`, site);
        return unkTensor(`not in the op library: Tensor.${name}`);
    }
  }

  private callObjMethod(recv: FV, name: string, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): FV {
    if (recv.kind === 'list' && recv.items) {
      if (name === 'append' || name === 'extend' || name === 'insert' || name === 'pop') this.mutated(recv);
      if (name === 'append' && pos[0]) { recv.items.push(pos[0]); return NONE; }
      if (name === 'extend' && pos[0]) { const it = this.iterate(pos[0]); if (it) recv.items.push(...it); else recv.items = null; return NONE; }
      if (name === 'insert' && pos.length === 2 && pos[0]!.kind === 'int' && typeof pos[0]!.value === 'number') { recv.items.splice(pos[0]!.value, 0, pos[1]!); return NONE; }
      if (name === 'pop') return recv.items.pop() ?? UNKNOWN;
      if (name === 'copy') return { kind: 'list', items: [...recv.items] };
      return UNKNOWN;
    }
    if (recv.kind === 'dict') {
      if (name === 'pop' || name === 'update') this.mutated(recv);
      if (name === 'items') return { kind: 'list', items: [...recv.entries].map(([k, v]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, v] }) as FV) };
      if (name === 'keys') return { kind: 'list', items: [...recv.entries.keys()].map((k) => ({ kind: 'str', value: k }) as FV) };
      if (name === 'values') return { kind: 'list', items: [...recv.entries.values()] };
      if (name === 'get' || name === 'pop') { const k = pos[0] ? keyOf(pos[0]) : null; const v = k !== null ? recv.entries.get(k) : undefined; if (name === 'pop' && k !== null) recv.entries.delete(k); return v ?? pos[1] ?? NONE; }
      if (name === 'update' && pos[0]?.kind === 'dict') { for (const [k, v] of pos[0].entries) recv.entries.set(k, v); return NONE; }
      return UNKNOWN;
    }
    if (recv.kind === 'module') return this.callModuleMethod(recv, name, pos, kw, site, f);
    if (recv.kind === 'str' && name === 'format') return { kind: 'str', value: recv.value === null ? null : braceFormat(recv.value, pos, kw) };
    if (recv.kind === 'tuple' && name === 'index') return UNKNOWN;
    return UNKNOWN;
  }

  private callModuleMethod(m: ModuleInst, name: string, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): FV {
    if (m.type === 'Unknown') return name === 'forward' ? unkTensor(m.summary) : unk(m.summary);
    const keyFor = (): string => String(m.children.size);
    if (MUTATORS.has(name)) this.mutated(m);
    switch (name) {
      case 'append': case 'add_module': case 'register_module': {
        const [k0, v] = name === 'append' ? [keyFor(), pos[0]] : [pos[0] && keyOf(pos[0]), pos[1]];
        // A name we cannot compute still holds a place: dropping the layer would change what runs.
        const k = k0 ?? (pos[0] ? `<?${m.children.size}>` : null);
        if (k !== null && v && v.kind === 'module') {
          m.children.set(k, v);
          if (m.cls && f.kind === 'init') this.recordLayer(m.cls.name, k, v);
        }
        return containerKind(m) === 'Sequential' || containerKind(m) === 'ModuleList' ? m : NONE;
      }
      case 'extend': {
        const it = this.iterate(pos[0] ?? UNKNOWN);
        if (!it) m.childrenUnknown = true;
        for (const v of it ?? []) if (v.kind === 'module') m.children.set(keyFor(), v);
        return m;
      }
      case 'insert': {
        // Rebuild keys 0..n in the new order.
        const i = pos[0]?.kind === 'int' && typeof pos[0].value === 'number' ? pos[0].value : m.children.size;
        const kids = [...m.children.values()];
        if (pos[1]?.kind === 'module') kids.splice(i, 0, pos[1]);
        m.children.clear();
        kids.forEach((c, j) => m.children.set(String(j), c));
        return NONE;
      }
      case 'register_buffer': case 'register_parameter': {
        const k = pos[0] ? keyOf(pos[0]) : null;
        const t = pos[1] ?? kw.tensor ?? kw.param;
        if (k !== null && t && t.kind === 'tensor') {
          const persistent = kw.persistent;
          if (!(persistent && persistent.kind === 'bool' && persistent.value === false)) {
            m.params.push(paramShape(k, t, name === 'register_buffer' ? { buffer: true } : undefined));
          } else {
            m.fields.set(k, t);
          }
        }
        return NONE;
      }
      case 'keys': case 'values': case 'children': case 'modules': case 'items': case 'named_children':
        if (m.childrenUnknown) return { kind: 'list', items: null };
        break;
      default: break;
    }
    switch (name) {
      case 'keys': return { kind: 'list', items: [...m.children.keys()].map((k) => ({ kind: 'str', value: k }) as FV) };
      case 'values': case 'children': case 'modules': return { kind: 'list', items: [...m.children.values()] };
      case 'items': case 'named_children': return { kind: 'list', items: [...m.children].map(([k, v]) => ({ kind: 'tuple', items: [{ kind: 'str', value: k }, v] }) as FV) };
      case 'to': case 'cuda': case 'cpu': case 'eval': case 'train': case 'float': case 'double': case 'half': case 'requires_grad_':
        return m;
      case 'forward':
        return this.callModuleFrom(m, pos, kw, site, f);
      case '__base___init____':
        baseInit(this, m, pos, kw, site, f.kind === 'init');
        return NONE;
      case '__base_forward__':
        return this.callBaseForward(m, pos, kw, site, f);
      default:
        return unk(`module method: ${name}`);
    }
  }

  private callBuiltin(name: string, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): FV {
    const a = pos[0];
    switch (name) {
      case 'noop': case 'print': case 'setattr':
        if (name === 'setattr' && pos.length === 3) { const k = keyOf(pos[1]!); if (k !== null) this.setAttr(pos[0]!, k, pos[2]!, site, f); }
        return NONE;
      case 'range': {
        const ns = pos.map((p) => (p.kind === 'int' && typeof p.value === 'number' ? p.value : null));
        if (ns.some((x) => x === null) || ns.length === 0) return { kind: 'list', items: null };
        const [start, stop, step] = ns.length === 1 ? [0, ns[0]!, 1] : [ns[0]!, ns[1]!, ns[2] ?? 1];
        if (step === 0) return { kind: 'list', items: null };
        const out: FV[] = [];
        for (let i = start; step > 0 ? i < stop : i > stop; i += step) { out.push(int(i)); if (out.length > 100000) return { kind: 'list', items: null }; }
        return { kind: 'list', items: out };
      }
      case 'len': {
        if (!a) return UNKNOWN;
        if (a.kind === 'tensor') return a.shape && a.shape.length ? int(a.shape[0]!) : UNKNOWN;
        if (a.kind === 'module') return a.childrenUnknown ? unk('length of a container whose length is not known') : int(a.children.size);
        if (a.kind === 'str' && a.value !== null) return int(a.value.length);
        const it = this.iterate(a);
        return it ? int(it.length) : UNKNOWN;
      }
      case 'enumerate': {
        const it = a ? this.iterate(a) : null;
        const start = pos[1]?.kind === 'int' && typeof pos[1].value === 'number' ? pos[1].value : 0;
        return it ? { kind: 'list', items: it.map((v, i) => ({ kind: 'tuple', items: [int(i + start), v] }) as FV) } : { kind: 'list', items: null };
      }
      case 'zip': {
        const its = pos.map((p) => this.iterate(p));
        if (its.some((x) => x === null) || its.length === 0) return { kind: 'list', items: null };
        const n = Math.min(...its.map((x) => x!.length));
        return { kind: 'list', items: Array.from({ length: n }, (_, i) => ({ kind: 'tuple', items: its.map((x) => x![i]!) }) as FV) };
      }
      case 'reversed': { const it = a ? this.iterate(a) : null; return { kind: 'list', items: it ? it.reverse() : null }; }
      case 'list': case 'tuple': case 'sorted': case 'set': {
        if (!a) return name === 'tuple' ? { kind: 'tuple', items: [] } : { kind: 'list', items: [] };
        const it = this.iterate(a);
        if (name === 'tuple') return it ? { kind: 'tuple', items: it } : UNKNOWN;
        return { kind: 'list', items: it };
      }
      case 'dict': {
        const d: DictV = { kind: 'dict', entries: new Map() };
        if (a?.kind === 'dict') for (const [k, v] of a.entries) d.entries.set(k, v);
        for (const [k, v] of Object.entries(kw)) d.entries.set(k, v);
        return d;
      }
      case 'int': {
        if (!a) return int(0);
        if (a.kind === 'int') return a;
        if (a.kind === 'float') return a.value === null ? UNKNOWN : int(Math.trunc(a.value));
        if (a.kind === 'bool') return a.value === null ? UNKNOWN : int(a.value ? 1 : 0);
        if (a.kind === 'str' && a.value !== null && /^-?\d+$/.test(a.value.trim())) return int(parseInt(a.value, 10));
        return UNKNOWN;
      }
      case 'float': {
        if (!a) return { kind: 'float', value: 0 };
        if (a.kind === 'str') {
          const t = a.value?.trim().toLowerCase();
          const v = t === undefined ? NaN : t === 'inf' || t === '+inf' || t === 'infinity' ? Infinity : t === '-inf' || t === '-infinity' ? -Infinity : Number(t);
          return { kind: 'float', value: Number.isNaN(v) && t !== 'nan' ? null : v };
        }
        const n = numOf(a);
        return { kind: 'float', value: n };
      }
      case 'bool': return a ? { kind: 'bool', value: this.truth(a) } : { kind: 'bool', value: false };
      case 'str': case 'repr': case 'format': return { kind: 'str', value: a?.kind === 'str' ? a.value : null };
      case 'abs': return a?.kind === 'int' && typeof a.value === 'number' ? int(Math.abs(a.value)) : a?.kind === 'float' && a.value !== null ? { kind: 'float', value: Math.abs(a.value) } : UNKNOWN;
      case 'min': case 'max': {
        const items = pos.length === 1 ? this.iterate(a!) : pos;
        if (!items || items.length === 0) return UNKNOWN;
        const nums = items.map(numOf);
        if (nums.some((x) => x === null)) return UNKNOWN;
        const v = name === 'min' ? Math.min(...(nums as number[])) : Math.max(...(nums as number[]));
        const idx = nums.indexOf(v);
        return items[idx]!;
      }
      case 'sum': {
        const items = a ? this.iterate(a) : null;
        if (!items) return UNKNOWN;
        let acc: FV = pos[1] ?? int(0);
        for (const it of items) acc = this.binop('+', acc, it, site, f);
        return acc;
      }
      case 'round': { const n = a ? numOf(a) : null; return n === null ? UNKNOWN : int(Math.round(n)); }
      case 'divmod': {
        if (a?.kind === 'int' && pos[1]?.kind === 'int') return { kind: 'tuple', items: [int(floordiv(a.value, pos[1].value)), int(mod(a.value, pos[1].value))] };
        return UNKNOWN;
      }
      case 'pow': return pos.length === 2 ? this.binop('**', pos[0]!, pos[1]!, site, f) : UNKNOWN;
      case 'any': case 'all': {
        const it = a ? this.iterate(a) : null;
        if (!it) return { kind: 'bool', value: null };
        const ts = it.map((x) => this.truth(x));
        if (name === 'any') return { kind: 'bool', value: ts.some((x) => x === true) ? true : ts.some((x) => x === null) ? null : false };
        return { kind: 'bool', value: ts.some((x) => x === false) ? false : ts.some((x) => x === null) ? null : true };
      }
      case 'isinstance': {
        const t = pos[1];
        if (isGuess(a)) return { kind: 'bool', value: null };
        if (a && t?.kind === 'ns') {
          if (/\.(Tensor|Parameter)$/.test(t.qual)) return { kind: 'bool', value: a.kind === 'tensor' };
          if (t.qual === 'torch.nn.Module') return { kind: 'bool', value: a.kind === 'module' };
          const m = /\.([A-Za-z0-9_]+)$/.exec(t.qual);
          if (m && a.kind === 'module') return { kind: 'bool', value: a.type === m[1] };
        }
        if (a && t?.kind === 'builtin') {
          const map: Record<string, string[]> = { int: ['int'], float: ['float', 'int'], bool: ['bool'], str: ['str'], list: ['list'], tuple: ['tuple'], dict: ['dict'] };
          const kinds = map[t.name];
          if (kinds && a.kind !== 'unknown') return { kind: 'bool', value: kinds.includes(a.kind) };
        }
        if (a && t?.kind === 'class' && a.kind === 'module') {
          const c: ClassV | null = a.cls;
          const isSub = (x: ClassV | null): boolean => !!x && (x === t || x.bases.some((b) => b.kind === 'class' && isSub(b)));
          return { kind: 'bool', value: isSub(c) };
        }
        return { kind: 'bool', value: null };
      }
      case 'getattr': {
        const k = pos[1] ? keyOf(pos[1]) : null;
        if (!a || k === null) return pos[2] ?? UNKNOWN;
        const v = this.getAttr(a, k, site, f);
        if (v.kind === 'method' && pos[2]) return pos[2];
        return v;
      }
      case 'hasattr': {
        const k = pos[1] ? keyOf(pos[1]) : null;
        if (a?.kind === 'module' && k !== null) return { kind: 'bool', value: a.children.has(k) || a.fields.has(k) || a.params.some((p) => p.name === k) };
        return { kind: 'bool', value: null };
      }
      case 'super': {
        const cls = pos[0]?.kind === 'class' ? pos[0] : f.owner;
        const self = pos[1] ?? lookup(f.scope, 'self');
        if (!cls || !self) return UNKNOWN;
        return { kind: 'super', cls, self };
      }
      case 'callable': return { kind: 'bool', value: a ? ['func', 'module', 'class', 'builtin', 'ns'].includes(a.kind) : false };
      case 'map': {
        const it = pos[1] ? this.iterate(pos[1]) : null;
        if (!it || !a) return { kind: 'list', items: null };
        return { kind: 'list', items: it.map((x) => this.call(a, [x], {}, site, f)) };
      }
      default:
        return UNKNOWN;
    }
  }

  // ---- module calls ---------------------------------------------------------------------

  private callModuleFrom(m: ModuleInst, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame): FV {
    if (f.kind === 'module') return this.exampleCall(m, pos, kw, site);
    if (f.kind === 'init') {
      // A dummy forward in __init__ (e.g. to size a Linear): shapes only, no facts, no IR.
      this.silent++;
      try {
        return this.callModule(m, pos, kw, site, { ...f, kind: 'forward', facts: false, ir: null, ctxName: '' });
      } finally {
        this.silent--;
      }
    }
    return this.callModule(m, pos, kw, site, f);
  }

  /** A module called by module-level code: a root context when it sees tensors with known shapes. */
  private exampleCall(m: ModuleInst, pos: FV[], kw: Record<string, FV>, site: Span): FV {
    const tensors = [...pos, ...Object.values(kw)].filter(isTensor);
    if (!this.collectExamples || tensors.length === 0 || tensors.every((t) => t.shape === null)) return unknownTensor();
    const run = this.runRoot(m, pos, kw, 'example-call');
    void site;
    return run ? stripRefs(run.output ?? UNKNOWN) : unknownTensor();
  }

  /** Run forward of a root instance with the given inputs: facts, diagnostics, IR. */
  runRoot(m: ModuleInst, pos: FV[], kw: Record<string, FV>, source: RootRun['source']): RootRun | null {
    assignPaths(m, '');
    const fwd = m.cls ? this.lookupMember(m.cls, 'forward') : undefined;
    const names = fwd && fwd.kind === 'func' ? fwd.params.slice(1).map((p) => p.name) : forwardParamNames(m);
    const inputs: { name: string; value: FV }[] = [];
    const refd = pos.map((v, i): FV => {
      const name = names[i] ?? `arg${i}`;
      const tagged: FV = v.kind === 'tensor' ? { kind: 'tensor', shape: v.shape, dtype: v.dtype, ref: { kind: 'input', index: inputs.length }, ...(v.probe !== undefined ? { probe: v.probe } : {}) } : v;
      if (v.kind === 'tensor') inputs.push({ name, value: tagged });
      return tagged;
    });
    const kwd: Record<string, FV> = {};
    for (const [k, v] of Object.entries(kw)) {
      const tagged: FV = v.kind === 'tensor' ? { kind: 'tensor', shape: v.shape, dtype: v.dtype, ref: { kind: 'input', index: inputs.length } } : v;
      if (v.kind === 'tensor') inputs.push({ name: k, value: tagged });
      kwd[k] = tagged;
    }
    const key = `${m.id}|${inputs.map((i) => valueToString(i.value)).join(';')}`;
    const existing = this.runs.find((r) => r.key === key);
    if (existing) return existing;
    const baseKey = `${m.cls ? m.cls.name : m.type}|${m.summary}|${m.ctor ? this.text(m.ctor) : ''}|${source}|${this.silent > 0}|${this.softErrors}|${this.mutatorSig}|${[...pos, ...Object.values(kw)].map((v) => valueToString(v) + (v.kind === 'tensor' ? `${v.dtype}/${v.probe ?? ''}` : '')).join(';')}|${Object.keys(kw).join(',')}`;
    const cacheKey = this.occurrence(baseKey);
    const cached = this.replay(cacheKey, m, key);
    if (cached) return cached;
    const capture: Capture = { touched: new Set(this.instSegs.get(m) ?? []), facts: [], diags: [], called: new Set(), firstContexts: [] };
    const outerCapture = this.capture;
    this.capture = capture;
    this.touchStack.push(capture.touched);
    const effect = this.beginEffect(capture.touched);
    try {
      const run = this.runRootNow(m, refd, kwd, source, inputs, key);
      this.endEffect(effect);
      if (!effect.impure) this.remember(cacheKey, capture, run);
      return run;
    } finally {
      this.endEffect(effect);
      this.touchStack.pop();
      this.capture = outerCapture;
    }
  }

  private remember(cacheKey: string, c: Capture, run: RootRun): void {
    if (!this.nextCache) return;
    const { inst: _inst, ...rest } = run;
    void _inst;
    const offs: number[] = [run.ir.brokenAt];
    for (const fa of c.facts) offs.push(fa.from);
    for (const d of c.diags) { offs.push(d.from); for (const r of d.related ?? []) offs.push(r.from); }
    for (const n of run.ir.nodes) offs.push(n.span.from);
    offs.push(...c.called, ...c.firstContexts.map((fc) => fc.cls));
    const maxOff = maxOffset(c.facts, c.diags, run.ir, [...c.called], c.firstContexts);
    this.nextCache.set(cacheKey, {
      segs: this.segs, deps: [...c.touched].map((i) => this.depText(i)), spanSegs: this.spanSegTexts(offs), facts: c.facts, diags: c.diags, run: rest,
      called: [...c.called], firstContexts: c.firstContexts, probeHits: [...this.probeHits], probeRankFree: this.probeRankFree, maxOff,
    });
  }

  /** Reuse the previous version's run when every statement it touched is unchanged. */
  private replay(cacheKey: string, m: ModuleInst, key: string): RootRun | null {
    const rec = this.prevCache?.get(cacheKey);
    if (!rec) return null;
    if (!this.reusable(rec.deps, rec.spanSegs)) return null;
    const shift = this.shiftFrom(rec.segs);
    const inReplay = this.silent === 0;
    // Offsets shifted once, in place: the previous version is done with its records (this one
    // takes them over; DocumentAnalyzer drops every cache when an analysis fails half-way), and
    // copies were most of what an edit allocated. A record wholly before the first moved
    // statement is kept as it is (most of a file, for an edit low down).
    const same = rec.maxOff < shift.stableBelow;
    const facts = rec.facts;
    if (!same) {
      for (const fa of facts) {
        fa.from = shift(fa.from);
        fa.to = shift(fa.to);
        if (fa.hintAt !== undefined) fa.hintAt = shift(fa.hintAt);
      }
    }
    const diags = same ? rec.diags : rec.diags.map((d) => shiftDiag(d, shift));
    if (inReplay) {
      for (const fa of facts) this.addFact(fa);
      for (const d of diags) this.addDiag(d);
    }
    const called = same ? rec.called : rec.called.map(shift);
    const firstContexts = same ? rec.firstContexts : rec.firstContexts.map((fc) => ({ ...fc, cls: shift(fc.cls) }));
    const classAt = this.classAt();
    for (const at of called) { const c = classAt.get(at); if (c) this.called.add(c); }
    for (const fc of firstContexts) {
      const c = classAt.get(fc.cls);
      if (c && !this.firstContext.has(c)) this.firstContext.set(c, { inputs: fc.inputs, ctxName: fc.ctxName });
    }
    for (const [i, t] of rec.probeHits) if (!this.probeHits.has(i)) this.probeHits.set(i, t);
    if (rec.probeRankFree) this.probeRankFree = true;
    // The IR's spans are its own (copied when recorded): moved in place too.
    const ir: IRBuilder = rec.run.ir;
    if (!same) {
      for (const n of ir.nodes) {
        const sp = n.span as { from: number; to: number }; // each node's own copy (recordNode)
        sp.from = shift(sp.from);
        sp.to = shift(sp.to);
      }
      ir.brokenAt = shift(ir.brokenAt);
      ir.brokenTo = shift(ir.brokenTo);
    }
    const r = rec.run; // explicit literals: spreads are slow here
    const run: RootRun = { inst: m, className: r.className, source: r.source, inputs: r.inputs, output: r.output, ir, key };
    this.replayed++;
    if (inReplay) this.runs.push(run);
    if (this.nextCache) {
      this.nextCache.set(cacheKey, {
        segs: this.segs, deps: rec.deps, spanSegs: rec.spanSegs, facts, diags, run: r, called, firstContexts,
        probeHits: rec.probeHits, probeRankFree: rec.probeRankFree,
        maxOff: same ? rec.maxOff : maxOffset(facts, diags, ir, called, firstContexts),
      });
    }
    return run;
  }

  private runRootNow(m: ModuleInst, refd: FV[], kwd: Record<string, FV>, source: RootRun['source'], inputs: { name: string; value: FV }[], key: string): RootRun {
    const ir: IRBuilder = { nodes: [], broken: null, brokenAt: 0, brokenTo: 0, brokenNodes: 0 };
    const ctxName = `${m.cls ? m.cls.name : m.type}.forward`;
    const f: Frame = { scope: this.moduleScope, owner: null, kind: 'forward', facts: true, ctxName, ir, scopePath: '', depth: 1, returns: [] };
    const soft = this.softErrors;
    this.softErrors = source === 'symbolic' && this.probeRankFree;
    let output: FV;
    try {
      output = this.callModule(m, refd, kwd, m.ctor ?? { from: 0, to: 0 }, f, true);
    } finally {
      this.softErrors = soft;
    }
    const run: RootRun = { inst: m, className: m.cls ? m.cls.name : m.type, source, inputs, output, ir, key };
    if (this.silent === 0) this.runs.push(run);
    return run;
  }

  /** `fedFromOutside`: the Sequential's input is what its caller passed (not an earlier sibling's output). */
  private callSequential(m: ModuleInst, pos: FV[], site: Span, f: Frame, seqSite?: Span, fedFromOutside = true): FV {
    if (m.childrenUnknown) {
      this.breakIR(f, 'a Sequential whose layers are not known', site);
      return unkTensor('a Sequential whose layers are not known');
    }
    let x: FV = pos[0] ?? UNKNOWN;
    let first = fedFromOutside;
    for (const child of m.children.values()) {
      const at = child.ctor ?? site;
      const inner = child.spec || child.type === 'Sequential';
      x = this.callModule(child, [x], {}, at, f, false, inner ? (seqSite ?? site) : undefined, first);
      first = false;
      if (!inner && producesTensor(x)) this.fact(f, at, 'expr', x);
    }
    return x;
  }

  /** The forward of the torch.nn class a user class is built on. */
  callBaseForward(m: ModuleInst, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame, seqSite?: Span): FV {
    const base = m.torchBase!;
    if (base === 'Sequential') return this.callSequential(m, pos, site, f, seqSite);
    const spec = getLayer(base);
    if (!spec || isContainerBase(base)) return unkTensor(`${m.type} has no forward`);
    // The engine runs only torch.nn layers by path: a subclass's own IR is not there yet.
    this.breakIR(f, `a subclass of nn.${base}`, site);
    const r = applyLayer(spec, m.attrs, pos.map(forRule), mapValues(kw, forRule));
    if ('error' in r) {
      this.diag(site, 'error', 'shape-mismatch', r.error);
      return unkTensor('after a shape error or bad arguments');
    }
    return stripRefs(tagUnknown(fromValue(r.value), [...pos, ...Object.values(kw)], `${base}: result not known from these arguments`));
  }

  /** A module the analysis cannot see into: calling it gives an unknown tensor, never an error. */
  opaqueModule(site: Span, why: string): ModuleInst {
    const m = this.newModule('Unknown', null, null, site, why);
    m.broken = true;
    return m;
  }

  recordLayerOf(owner: string, path: string, m: ModuleInst): void {
    this.recordLayer(owner, path, m);
  }

  callModule(m: ModuleInst, pos: FV[], kw: Record<string, FV>, site: Span, f: Frame, root = false, seqSite?: Span, fedFromOutside = true): FV {
    if (m.broken) {
      this.breakIR(f, `${m.type} (not in the op library or not constructed)`, site);
      return unkTensor(m.type === 'Unknown' ? m.summary : m.spec || m.cls ? `${m.type} whose construction failed` : `not in the op library: nn.${m.type}`);
    }
    if (m.spec) {
      const input = pos[0];
      if (input && input.kind === 'tensor' && input.probe !== undefined && m.spec.symbolicInput) {
        if (!this.probeHits.has(input.probe)) {
          try {
            const t = m.spec.symbolicInput(m.attrs);
            if (t) {
              this.probeHits.set(input.probe, t);
              // Layers that accept any number of leading dims (Linear, LayerNorm) do not fix the rank.
              if (t.shape) {
                const wider: TensorType = { kind: 'tensor', shape: [sym('_extra'), ...t.shape], dtype: t.dtype };
                const r = applyLayer(m.spec, m.attrs, [wider], {});
                if (!('error' in r)) this.probeRankFree = true;
              }
            }
          } catch {
            // no symbolic input for these attributes
          }
        }
        return unknownTensor();
      }
      const r = applyLayer(m.spec, m.attrs, pos.map(forRule), mapValues(kw, forRule));
      if ('error' in r) {
        const isArg = /argument|positional|keyword/.test(r.error) && !/shape|size/i.test(r.error);
        if (!seqSite && m.inContainer && m.ctor) {
          // Written inside a ModuleList/ModuleDict/Sequential: the element's own line is where the bug is.
          seqSite = site;
          site = m.ctor;
        }
        if (seqSite && m.madeAt && m.ctor && fedFromOutside) {
          // Built by a helper shared by several constructions: the user's line is the call that
          // feeds this instance the wrong tensor; the helper's line and the construction say which.
          this.diag(seqSite, isArg ? 'warning' : 'error', isArg ? 'bad-arguments' : 'shape-mismatch', r.error, helperRelated(m, this.src));
        } else if (seqSite) {
          this.diag(site, isArg ? 'warning' : 'error', isArg ? 'bad-arguments' : 'shape-mismatch', r.error, [{ from: seqSite.from, to: seqSite.to, message: 'called from here' }]);
        } else if (m.madeAt && m.ctor) {
          this.diag(site, isArg ? 'warning' : 'error', isArg ? 'bad-arguments' : 'shape-mismatch', r.error, helperRelated(m, this.src));
        } else {
          const related = m.ctor && (m.ctor.from !== site.from || m.ctor.to !== site.to) ? [{ from: m.ctor.from, to: m.ctor.to, message: `${m.type} constructed here` }] : undefined;
          this.diag(site, isArg ? 'warning' : 'error', isArg ? 'bad-arguments' : 'shape-mismatch', r.error, related);
        }
        this.breakIR(f, 'a shape error', site);
        return unkTensor('after a shape error or bad arguments');
      }
      const res = fromValue(r.value);
      const out = this.recordNode(f, 'layer', m.path, r.args, isUnknownish(res) ? tagUnknown(res, [...pos, ...Object.values(kw)], `${m.type}: result not known from these arguments`) : res, site);
      if (seqSite && producesTensor(out)) this.fact(f, site, 'expr', out);
      return out;
    }
    if (m.type === 'Sequential') return this.callSequential(m, pos, site, f, seqSite, fedFromOutside);
    if (m.cls) {
      const fwd = this.lookupMember(m.cls, 'forward');
      if ((!fwd || fwd.kind !== 'func') && m.torchBase) return this.callBaseForward(m, pos, kw, site, f, seqSite);
      if (!fwd || fwd.kind !== 'func') return unkTensor(`${m.type} has no forward`);
      this.called.add(m.cls);
      this.capture?.called.add(m.cls.def.from);
      if (!this.firstContext.has(m.cls) && this.silent === 0) {
        const names = fwd.params.slice(1).map((p) => p.name);
        const fc = { inputs: pos.map((v, i) => ({ name: names[i] ?? `arg${i}`, value: v })), ctxName: f.ctxName };
        this.firstContext.set(m.cls, fc);
        this.capture?.firstContexts.push({ cls: m.cls.def.from, ...fc });
      }
      const frame: Frame = {
        scope: { vars: new Map(), parent: fwd.closure }, owner: fwd.owner, kind: 'forward', facts: f.facts,
        ctxName: root ? f.ctxName : `${f.ctxName} via ${m.path}`, ir: f.ir, scopePath: m.path, depth: f.depth + 1, returns: [],
      };
      return this.callFunction({ ...fwd, self: m }, pos, kw, site, frame, f);
    }
    this.breakIR(f, `calling a ${m.type}`, site);
    return unkTensor(`calling a ${m.type}`);
  }
}

// ---- helpers --------------------------------------------------------------------------

function isUnknownish(v: FV): boolean {
  return v.kind === 'unknown' || (v.kind === 'tensor' && v.shape === null);
}

function markMadeAt(m: ModuleInst, site: Span, firstId: number): void {
  if (m.id < firstId) return;
  m.madeAt = { from: site.from, to: site.to };
  for (const c of m.children.values()) markMadeAt(c, site, firstId);
}

/** Related information for a layer a helper built: where the layer is written, and the call that built it. */
function helperRelated(m: ModuleInst, src: string): { from: number; to: number; message: string }[] {
  const call = src.slice(m.madeAt!.from, m.madeAt!.to).replace(/\s+/g, ' ');
  return [
    { from: m.madeAt!.from, to: m.madeAt!.to, message: `this instance was built by ${call.length > 60 ? `${call.slice(0, 57)}...` : call}` },
    { from: m.ctor!.from, to: m.ctor!.to, message: `${m.type} constructed here` },
  ];
}

/** `super().__init__(...)` of a class built on a torch.nn container or layer (see torch_bases.ts). */
function baseInit(ip: Interp, m: ModuleInst, pos: FV[], kw: Record<string, FV>, site: Span, inInit: boolean): void {
  const base = m.torchBase!;
  if (isContainerBase(base)) {
    const c = ip.makeContainer(base, pos, kw, site, []);
    for (const [k, v] of c.children) {
      m.children.set(k, v);
      if (m.cls && inInit) ip.recordLayerOf(m.cls.name, k, v);
    }
    return;
  }
  const spec = getLayer(base);
  if (!spec) return;
  const r = bindLayer(spec, pos.map(toValue), mapValues(kw, toValue));
  if ('error' in r) return;
  m.attrs = r.attrs;
  try {
    m.params.push(...spec.params(r.attrs));
  } catch {
    // unknown constructor arguments: no parameter shapes
  }
}

const cmpOps = new Set(['<', '>', '<=', '>=', '==', '!=']);

/** Whether `name` resolves in a function (or class-body) scope, before the module scope. */
function isLocal(s: Scope | null, name: string, moduleScope: Scope): boolean {
  for (let c = s; c && c !== moduleScope; c = c.parent) if (c.vars.has(name)) return true;
  return false;
}

function lookup(s: Scope | null, name: string): FV | undefined {
  for (let c = s; c; c = c.parent) {
    const v = c.vars.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

function collectNames(e: Expr, out: Set<string>): void {
  if (e.k === 'name') out.add(e.id);
  else if (e.k === 'tuple' || e.k === 'list') for (const x of e.items) collectNames(x, out);
  else if (e.k === 'star') collectNames(e.e, out);
}

function isModuleBase(qual: string): boolean {
  return qual === 'torch.nn.Module' || qual === 'nn.Module' || qual.endsWith('.nn.Module') || qual === 'torch.nn.modules.module.Module';
}

function keyOf(v: FV): string | null {
  if (v.kind === 'str' && v.value !== null) return v.value;
  if (v.kind === 'int' && typeof v.value === 'number') return String(v.value);
  return null;
}

function numOf(v: FV): number | null {
  if (v.kind === 'int') return typeof v.value === 'number' ? v.value : null;
  if (v.kind === 'float') return v.value;
  if (v.kind === 'bool') return v.value === null ? null : v.value ? 1 : 0;
  return null;
}

function valuesEqual(a: FV, b: FV): boolean | null {
  if (a.kind === 'none' || b.kind === 'none') return a.kind === 'none' && b.kind === 'none' ? true : a.kind === 'unknown' || b.kind === 'unknown' ? null : false;
  if (a.kind === 'int' && b.kind === 'int') return dimEquals(a.value, b.value) ?? null;
  if ((a.kind === 'str' && b.kind === 'str') || (a.kind === 'bool' && b.kind === 'bool')) return a.value === null || b.value === null ? null : a.value === b.value;
  if (a.kind === 'float' || b.kind === 'float') { const x = numOf(a); const y = numOf(b); return x === null || y === null ? null : x === y; }
  if (a.kind === 'module' && b.kind === 'module') return a.id === b.id;
  if (a.kind === 'dtype' && b.kind === 'dtype') return a.dtype === b.dtype;
  if (a.kind === 'unknown' || b.kind === 'unknown') return null;
  if (a.kind !== b.kind) return a.kind === 'tensor' || b.kind === 'tensor' ? null : false;
  return null;
}

function intOp(op: string, a: Dim, b: Dim): FV {
  switch (op) {
    case '+': return int(add(a, b));
    case '-': return int(sub(a, b));
    case '*': return int(mul(a, b));
    case '//': return int(floordiv(a, b));
    case '%': return int(mod(a, b));
    case '/': {
      if (typeof a === 'number' && typeof b === 'number') return { kind: 'float', value: b === 0 ? null : a / b };
      // A true division used as a size (`C / heads`): keep it symbolic when exact.
      const q = exactDiv(a, b);
      return q !== undefined ? int(q) : { kind: 'float', value: null };
    }
    case '**': return typeof a === 'number' && typeof b === 'number' ? int(a ** b) : int(sym(`(${String(a)})**${String(b)}`));
    case '<<': return typeof a === 'number' && typeof b === 'number' ? int(a << b) : UNKNOWN;
    case '>>': return typeof a === 'number' && typeof b === 'number' ? int(a >> b) : UNKNOWN;
    case '==': case '!=': {
      const eq = dimEquals(a, b);
      return { kind: 'bool', value: eq === undefined ? null : op === '==' ? eq : !eq };
    }
    case '<': case '>': case '<=': case '>=': {
      if (typeof a !== 'number' || typeof b !== 'number') {
        const d = sub(a, b);
        if (typeof d !== 'number') return { kind: 'bool', value: null };
        return floatOp(op, d, 0);
      }
      return floatOp(op, a, b);
    }
    default:
      return UNKNOWN;
  }
}

function floatOp(op: string, a: number, b: number): FV {
  switch (op) {
    case '+': return { kind: 'float', value: a + b };
    case '-': return { kind: 'float', value: a - b };
    case '*': return { kind: 'float', value: a * b };
    case '/': return { kind: 'float', value: b === 0 ? null : a / b };
    case '//': return { kind: 'float', value: b === 0 ? null : Math.floor(a / b) };
    case '%': return { kind: 'float', value: b === 0 ? null : a - b * Math.floor(a / b) };
    case '**': return { kind: 'float', value: a ** b };
    case '<': return { kind: 'bool', value: a < b };
    case '>': return { kind: 'bool', value: a > b };
    case '<=': return { kind: 'bool', value: a <= b };
    case '>=': return { kind: 'bool', value: a >= b };
    case '==': return { kind: 'bool', value: a === b };
    case '!=': return { kind: 'bool', value: a !== b };
    default: return UNKNOWN;
  }
}

function mathCall(name: string, pos: FV[]): FV {
  const xs = pos.map(numOf);
  if (xs.some((x) => x === null)) {
    // Still a float (a tensor times it keeps its shape); ceil/floor of a symbol are ints not known.
    return ['sqrt', 'log', 'log2', 'exp', 'cos', 'sin'].includes(name) ? { kind: 'float', value: null } : unk(`math.${name} of values not known`);
  }
  const x = xs[0] as number;
  switch (name) {
    case 'sqrt': return { kind: 'float', value: Math.sqrt(x) };
    case 'log': return { kind: 'float', value: xs.length > 1 ? Math.log(x) / Math.log(xs[1] as number) : Math.log(x) };
    case 'log2': return { kind: 'float', value: Math.log2(x) };
    case 'exp': return { kind: 'float', value: Math.exp(x) };
    case 'ceil': return int(Math.ceil(x));
    case 'floor': return int(Math.floor(x));
    case 'gcd': return int(gcd(x, xs[1] as number));
    case 'cos': return { kind: 'float', value: Math.cos(x) };
    case 'sin': return { kind: 'float', value: Math.sin(x) };
    default: return UNKNOWN;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

function sliceItems<T>(items: readonly T[], s: FV & { kind: 'slice' }): T[] | null {
  const n = items.length;
  const num = (d: Dim | null, def: number): number | null => (d === null ? def : typeof d === 'number' ? d : null);
  const step = num(s.step, 1);
  if (step === null || step === 0) return null;
  let start = num(s.start, step > 0 ? 0 : n - 1);
  let stop = num(s.stop, step > 0 ? n : -n - 1);
  if (start === null || stop === null) return null;
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  const out: T[] = [];
  if (step > 0) for (let i = Math.max(0, start); i < Math.min(n, stop); i += step) out.push(items[i]!);
  else for (let i = Math.min(n - 1, start); i > Math.max(-1, stop); i += step) out.push(items[i]!);
  return out;
}

function joinBool(a: FV, b: FV): FV {
  return a.kind === b.kind ? join(a, b) : { kind: 'bool', value: null };
}

function dependsOnTensor(v: FV): boolean {
  return v.kind === 'tensor' || v.kind === 'unknown';
}

function mapValues<A, B>(o: Record<string, A>, fn: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = {};
  for (const [k, v] of Object.entries(o)) out[k] = fn(v);
  return out;
}

/** What a rule sees: tensors keep their identity (so IR args can be traced back), others become plain Values. */
function forRule(v: FV): Value {
  if (v.kind === 'tensor') return v;
  if (v.kind === 'tuple') return { kind: 'tuple', items: v.items.map(forRule) };
  if (v.kind === 'list') return { kind: 'list', items: v.items ? v.items.map(forRule) : null };
  return toValue(v);
}

function producesTensor(v: FV): boolean {
  return v.kind === 'tensor' || (v.kind === 'tuple' && v.items.some(producesTensor)) || (v.kind === 'list' && !!v.items && v.items.some(producesTensor));
}

function stripRefs(v: FV): FV {
  if (v.kind === 'tensor') return v.ref || v.probe !== undefined ? (v.why ? { kind: 'tensor', shape: v.shape, dtype: v.dtype, why: v.why } : { kind: 'tensor', shape: v.shape, dtype: v.dtype }) : v;
  if (v.kind === 'tuple') return { kind: 'tuple', items: v.items.map(stripRefs) };
  return v;
}

function withRefs(v: FV, id: number, path: number[] = []): FV {
  if (v.kind === 'tensor') {
    const ref: IRValueRef = path.length === 0 ? { kind: 'node', id } : { kind: 'node', id, output: path[0]! };
    return v.why ? { kind: 'tensor', shape: v.shape, dtype: v.dtype, ref, why: v.why } : { kind: 'tensor', shape: v.shape, dtype: v.dtype, ref };
  }
  if (v.kind === 'tuple' && path.length === 0) return { kind: 'tuple', items: v.items.map((x, i) => withRefs(x, id, [i])) };
  if (v.kind === 'tuple') return stripRefs(v);
  return v;
}

function compact(s: string): string {
  const t = s.replace(/\s+/g, ' ').replace(/\(\s/g, '(').replace(/,\s*\)/g, ')').trim();
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/**
 * The modules, lists and dicts of a construction's tree, or null when the tree cannot be carried
 * to another version: it holds a module made before `firstId` (shared with other code), a
 * function or bound method (closes over one version's scope), or `made` has an instance outside it.
 */
function constructionObjects(root: ModuleInst, made: readonly ModuleInst[], firstId: number): object[] | null {
  const seen = new Set<object>();
  let ok = true;
  const val = (v: FV): void => {
    switch (v.kind) {
      case 'module':
        if (seen.has(v)) return;
        seen.add(v);
        if (v.id < firstId) ok = false;
        for (const c of v.children.values()) val(c);
        for (const x of v.fields.values()) val(x);
        return;
      case 'tuple': for (const x of v.items) val(x); return;
      case 'list': if (seen.has(v)) return; seen.add(v); for (const x of v.items ?? []) val(x); return;
      case 'dict': if (seen.has(v)) return; seen.add(v); for (const x of v.entries.values()) val(x); return;
      case 'func': case 'method': case 'super': case 'partial': ok = false; return;
      default: return;
    }
  };
  val(root);
  for (const m of made) if (!seen.has(m)) ok = false;
  return ok ? [...seen] : null;
}

/**
 * Move a recorded construction into this version, in place: fresh ids (a construction using it
 * must see it as its own), constructor spans mapped by `shift`, classes by `rebind`, paths reset
 * (a fresh construction has none yet). Null, with nothing changed, when a class cannot be placed.
 * Returns the tree's modules, lists and dicts.
 */
function moveConstruction(root: ModuleInst, rebind: (c: ClassV) => ClassV | null, shift: (off: number) => number): object[] | null {
  const seen = new Set<object>();
  const classes = new Map<ClassV, ClassV>();
  let ok = true;
  const place = (c: ClassV): void => {
    if (classes.has(c)) return;
    const to = rebind(c);
    if (to) classes.set(c, to);
    else ok = false;
  };
  const check = (v: FV): void => {
    switch (v.kind) {
      case 'module':
        if (seen.has(v)) return;
        seen.add(v);
        if (v.cls) place(v.cls);
        for (const c of v.children.values()) check(c);
        for (const x of v.fields.values()) check(x);
        return;
      case 'tuple': for (const x of v.items) check(x); return;
      case 'list': if (seen.has(v)) return; seen.add(v); for (const x of v.items ?? []) check(x); return;
      case 'dict': if (seen.has(v)) return; seen.add(v); for (const x of v.entries.values()) check(x); return;
      case 'class': place(v); return;
      default: return;
    }
  };
  check(root);
  if (!ok) return null;
  const moveVal = (v: FV): FV => {
    if (v.kind === 'class') return classes.get(v)!;
    if (v.kind === 'tuple' && v.items.some(holdsClass)) return { kind: 'tuple', items: v.items.map(moveVal) };
    return v;
  };
  const objects = [...seen];
  for (const o of objects) {
    const v = o as FV;
    if (v.kind === 'module') {
      const w = v as { -readonly [K in keyof ModuleInst]: ModuleInst[K] };
      if (w.cls) w.cls = classes.get(w.cls)!;
      if (w.ctor) w.ctor = { from: shift(w.ctor.from), to: shift(w.ctor.to) };
      if (w.madeAt) w.madeAt = { from: shift(w.madeAt.from), to: shift(w.madeAt.to) };
      w.path = '';
      w.id = nextModuleId++;
      for (const [k, x] of w.fields) if (holdsClass(x)) w.fields.set(k, moveVal(x));
    } else if (v.kind === 'list' && v.items) {
      for (let i = 0; i < v.items.length; i++) if (holdsClass(v.items[i]!)) v.items[i] = moveVal(v.items[i]!);
    } else if (v.kind === 'dict') {
      for (const [k, x] of v.entries) if (holdsClass(x)) v.entries.set(k, moveVal(x));
    }
  }
  return objects;
}

/** A class value, directly or inside tuples (lists and dicts are moved as objects of their own). */
function holdsClass(v: FV): boolean {
  return v.kind === 'class' || (v.kind === 'tuple' && v.items.some(holdsClass));
}

export function assignPaths(m: ModuleInst, path: string): void {
  m.path = path;
  if (m.children.size === 0) return;
  // Children's paths made for the path the module had then: an edit assigns the same paths again.
  let cache = m.childPaths;
  if (!cache || cache.base !== path) m.childPaths = cache = { base: path, paths: new Map() };
  for (const [k, c] of m.children) {
    let p = cache.paths.get(k);
    if (p === undefined) cache.paths.set(k, (p = path ? `${path}.${k}` : k));
    assignPaths(c, p);
  }
}

/** Parameters and buffers of a module subtree in state_dict order, names relative to `prefix`. */
export function flatParams(m: ModuleInst, prefix: string): ParamShape[] {
  const out: ParamShape[] = [];
  const own = m.spec ? m.params : [...m.params.filter((p) => !p.buffer), ...m.params.filter((p) => p.buffer)];
  for (const p of own) out.push(prefix ? { ...p, name: `${prefix}.${p.name}` } : p);
  for (const [k, c] of m.children) out.push(...flatParams(c, prefix ? `${prefix}.${k}` : k));
  return out;
}

/** countParams(flatParams(m, '')) without building the list (same parameters, same order). */
export function countTreeParams(m: ModuleInst): Dim | null {
  const sum = (x: ModuleInst, total: Dim): Dim => {
    for (const p of x.params) if (!p.buffer) total = add(total, p.rankUnknown ? sym('?') : prod(p.shape));
    for (const c of x.children.values()) total = sum(c, total);
    return total;
  };
  const total = sum(m, 0);
  return symbolsOf(total).some((s) => s.startsWith('?')) ? null : total;
}

export function countParams(params: readonly ParamShape[]): Dim | null {
  let total: Dim = 0;
  for (const p of params) {
    if (p.buffer) continue;
    total = add(total, p.rankUnknown ? sym('?') : prod(p.shape));
  }
  return symbolsOf(total).some((s) => s.startsWith('?')) ? null : total;
}

export function forwardParamNames(m: ModuleInst): string[] {
  if (m.cls) {
    const fwd = m.cls.members.get('forward') ?? undefined;
    const f = fwd && fwd.kind === 'func' ? fwd : null;
    if (f) return f.params.slice(1).map((p) => p.name);
  }
  if (m.spec) return m.spec.forward.map((p) => p.name);
  return ['input'];
}

export { lookup };
