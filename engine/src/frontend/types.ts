// The analysis core's public result. parse -> bind -> interpret over the op library gives, for
// one Python source text, everything the language server shows and everything the engine runs.
// The core does no IO, never throws on user code, and returns `{ value, diagnostics }`-style
// results: this whole object is the value, `diagnostics` rides along.
//
// Positions are 0-based line and UTF-16 character offsets, as in LSP, so the server maps them 1:1.

import type { Dim } from '../shape/dim.js';
import type { DType, ParamShape, TensorType, Value } from '../ops/types.js';

export interface Position { readonly line: number; readonly character: number }
export interface Range { readonly start: Position; readonly end: Position }

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedInfo { readonly range: Range; readonly message: string }

export interface Diagnostic {
  readonly range: Range;
  readonly severity: Severity;
  readonly message: string;
  /** Stable code, e.g. 'shape-mismatch', 'unsupported-construct'. */
  readonly code: string;
  readonly related?: readonly RelatedInfo[];
}

/**
 * What is known at one source range inside forward/helper code: a variable (at its definition
 * or a use) or an expression. A module called from several places has one entry per call
 * context in `values` with `contexts` naming them (e.g. 'Net.forward via self.block1').
 */
export interface ShapeFact {
  readonly range: Range;
  /** The source text of the range (variable name or expression). */
  readonly text: string;
  /** 'assign' marks the target of an assignment: the inlay hint goes after its statement. */
  readonly kind: 'assign' | 'use' | 'expr' | 'param';
  /** Position where an inlay hint for this fact is shown (end of the assignment statement). */
  readonly hintAt?: Position;
  readonly values: readonly Value[];
  readonly contexts: readonly string[];
}

/** A layer attribute (`self.conv1 = nn.Conv2d(...)`) and what it holds. */
export interface LayerInfo {
  /** Class that owns it and its attribute path inside that class: 'conv1', 'layers.0', 'blocks.2.attn'. */
  readonly owner: string;
  readonly path: string;
  /** 'Conv2d', 'Sequential', or a user class name. */
  readonly type: string;
  /** Short constructor summary, e.g. 'Conv2d(1, 32, kernel_size=3)'. */
  readonly summary: string;
  /** The constructor expression. */
  readonly range: Range;
  /** Every place this attribute is referenced (`self.conv1`), for hover. */
  readonly refs: readonly Range[];
  readonly params: readonly ParamShape[];
  /** Total trainable parameter count (null when a size is symbolic/unknown). */
  readonly paramCount: Dim | null;
}

export interface ModuleClassInfo {
  readonly name: string;
  /** Whole class statement and the class name token. */
  readonly range: Range;
  readonly nameRange: Range;
  readonly paramCount: Dim | null;
  /** Number of bytes of float32 parameters (null when unknown). */
  readonly paramBytes: Dim | null;
  /** Inputs of forward (after self) as inferred for the top-level call, and its output. */
  readonly inputs: readonly { readonly name: string; readonly value: Value }[];
  readonly output: Value | null;
  /** Where the input shapes came from. */
  readonly inputSource: 'annotation' | 'example-call' | 'config' | 'symbolic' | 'none';
}

// ---- The model IR: what the engine executes and the graph panel draws -------------------

/** The module tree with resolved constructor arguments. */
export interface ModuleNode {
  /** Dotted path from the root ('' for the root), PyTorch state_dict style: 'features.0'. */
  readonly path: string;
  /** torch.nn layer name ('Conv2d'), container ('Sequential', 'ModuleList', 'ModuleDict') or user class name. */
  readonly type: string;
  readonly builtin: boolean;
  /** Bound constructor arguments for builtin layers (every parameter present). */
  readonly attrs: Readonly<Record<string, Value>>;
  readonly params: readonly ParamShape[];
  readonly children: readonly ModuleNode[];
  readonly range: Range | null;
}

export type IRValueRef =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'node'; readonly id: number; readonly output?: number }
  | { readonly kind: 'param'; readonly path: string }
  | { readonly kind: 'const'; readonly value: Value };

/**
 * One executed call: either a builtin layer (`call: 'layer'`, `target` = module path) or an op
 * (`call: 'op'`, `target` = op name from the op library). Arguments are bound by name to the
 * layer's forward signature or the op's signature. Sizes inside `args` may be symbolic: the
 * engine evaluates them with the dims bound from the actual inputs.
 */
export interface IRNode {
  readonly id: number;
  readonly call: 'layer' | 'op';
  readonly target: string;
  readonly args: Readonly<Record<string, IRArg>>;
  readonly output: Value;
  /** Module path of the user module this call happens in ('' = root), for graph hierarchy and traces. */
  readonly scope: string;
  readonly range: Range;
}

export type IRArg =
  | IRValueRef
  | { readonly kind: 'tuple'; readonly items: readonly IRArg[] }
  | { readonly kind: 'list'; readonly items: readonly IRArg[] };

export interface ModelIR {
  readonly className: string;
  readonly root: ModuleNode;
  readonly inputs: readonly { readonly name: string; readonly type: TensorType }[];
  /** Topologically ordered (the order forward runs them). */
  readonly nodes: readonly IRNode[];
  /** Forward's return value as refs (a tuple return gives a tuple arg). */
  readonly output: IRArg;
  /** Symbols used in input shapes, e.g. ['N', 'H', 'W']. */
  readonly symbols: readonly string[];
}

export interface AnalysisResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly facts: readonly ShapeFact[];
  readonly layers: readonly LayerInfo[];
  readonly classes: readonly ModuleClassInfo[];
  /** One IR per analysable nn.Module class (and module-level `name = nn.Sequential(...)`), keyed by name. */
  readonly models: ReadonlyMap<string, ModelIR>;
  /** Classes whose forward's analysis stopped part way (a shape error, an unsupported construct): not in `models`. */
  readonly brokenModels: ReadonlyMap<string, BrokenModel>;
  /** Only with AnalyzeOptions.coverage: every assignment target in forward code and what it got. */
  readonly coverage?: readonly CoverageEntry[];
}

/**
 * `concrete`: a shape of numbers only; `rank`: a shape of known rank (some dims symbolic);
 * `unknown`: nothing known (may or may not be a tensor); `not-tensor`: an int, a module, ...;
 * `not-reached`: the analysis never ran this statement.
 */
export type CoverageStatus = 'concrete' | 'rank' | 'unknown' | 'not-tensor' | 'not-reached';

export interface CoverageEntry {
  readonly range: Range;
  readonly text: string;
  /** 'Class.method' or the function's name. */
  readonly func: string;
  readonly status: CoverageStatus;
  /** For `unknown` and `not-reached`: what the analysis could not see. */
  readonly why?: string;
}

/** What forward recorded before its analysis stopped, for the graph panel (the engine runs only complete IRs). */
export interface BrokenModel {
  /** The calls before the failing one; `output` is an unknown constant. */
  readonly ir: ModelIR;
  /** What failed: the diagnostic at the failing call, or why the analysis could not go on. */
  readonly message: string;
  readonly range: Range | null;
  /** Source text of the failing call ('' when unknown). */
  readonly text: string;
}

export type { Dim, DType, TensorType, Value };
