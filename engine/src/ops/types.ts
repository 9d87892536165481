// The op contract. An op is defined once: its symbolic shape rule lives here (used by the
// language server through the frontend, and by the engine to check and allocate), its gradient
// and kernels are registered against the same name by the engine's backends.
//
// Three tables of "layer knowledge as data" map PyTorch's Python surface onto ops:
//   - functions: `torch.cat`, `torch.nn.functional.conv2d`, ... -> op name + Python signature
//   - methods:   `Tensor.view`, `Tensor.flatten`, ...             -> op name + Python signature (self = `input`)
//   - layers:    `nn.Conv2d`, `nn.LSTM`, ...                      -> constructor signature, parameters, forward rule
// The frontend binds Python arguments to these signatures and calls the rules; the engine
// executes the same names.

import type { Dim } from '../shape/dim.js';

export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool' | 'complex64';

/** What the analysis knows about a tensor: its shape (null = unknown rank) and dtype. */
export interface TensorType {
  readonly kind: 'tensor';
  readonly shape: readonly Dim[] | null;
  readonly dtype: DType;
}

/**
 * Values that flow through shape rules. Sizes may be symbolic (Dim); `unknown` is anything the
 * analysis cannot see into (never an error by itself).
 */
export type Value =
  | TensorType
  | { readonly kind: 'int'; readonly value: Dim }
  | { readonly kind: 'float'; readonly value: number | null }
  | { readonly kind: 'bool'; readonly value: boolean | null }
  | { readonly kind: 'str'; readonly value: string | null }
  | { readonly kind: 'none' }
  /** `names` marks a named tuple (torch.return_types.max: `.values`, `.indices`), one name per item. */
  | { readonly kind: 'tuple'; readonly items: readonly Value[]; readonly names?: readonly string[] }
  | { readonly kind: 'list'; readonly items: readonly Value[] | null }
  | { readonly kind: 'dtype'; readonly dtype: DType }
  /** Indexing pieces: `a:b:c` (null = omitted) and `...`; `None` in an index is { kind: 'none' }. */
  | { readonly kind: 'slice'; readonly start: Dim | null; readonly stop: Dim | null; readonly step: Dim | null }
  | { readonly kind: 'ellipsis' }
  /** `why`: what the analysis could not see (for the coverage report; never an error). */
  | { readonly kind: 'unknown'; readonly why?: string };

/** One parameter of a Python signature. `default` undefined means required. */
export interface ParamSpec {
  readonly name: string;
  readonly default?: Value;
  /** `*args`: collects the remaining positional arguments as a tuple (e.g. `x.view(*shape)`). */
  readonly variadic?: boolean;
  readonly keywordOnly?: boolean;
  /** `**kwargs`: collects the keywords no other parameter takes, as a tuple of (name, value) pairs. */
  readonly varkw?: boolean;
}

/** Arguments after binding to a signature: every parameter name present (defaults filled). */
export type BoundArgs = Readonly<Record<string, Value>>;

/**
 * A definite shape mismatch. `arg` names the offending parameter so the frontend can point at
 * it; `related` describes another location (e.g. the layer constructor) by parameter name.
 */
export class ShapeError extends Error {
  constructor(message: string, readonly arg?: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Result of a shape rule: the output value (a tensor, a tuple of tensors, an int...). */
export type ShapeRule = (args: BoundArgs) => Value;

/**
 * FLOPs of one call, given the bound args and the shape rule's output (a multiply-add counts 2,
 * as PyTorch's profiler counts them); undefined when a needed size is not a concrete number.
 */
export type FlopRule = (args: BoundArgs, output: Value) => number | undefined;

export interface OpDef {
  /** Canonical op name shared by frontend, IR and engine kernels, e.g. 'conv2d', 'add', 'view'. */
  readonly name: string;
  /** Python signature (PyTorch's parameter names and defaults). */
  readonly params: readonly ParamSpec[];
  /** Symbolic shape rule. Throws ShapeError only for a definite mismatch; returns unknown when unsure. */
  readonly shape: ShapeRule;
  /** FLOP count of a call, for the profiler's trace; ops without one report none. Never throws. */
  readonly flops?: FlopRule;
}

export interface ParamShape {
  /** state_dict name relative to the layer: 'weight', 'bias', 'weight_ih_l0', 'running_mean'. */
  readonly name: string;
  readonly shape: readonly Dim[];
  /** Buffers (running_mean, num_batches_tracked) are in state_dict but are not trained. */
  readonly buffer?: boolean;
  readonly dtype?: DType;
  /** Registered from a tensor of unknown rank: `shape` is a placeholder, not a 0-d tensor. */
  readonly rankUnknown?: boolean;
  /**
   * For a user's `nn.Parameter(...)` / `register_buffer(...)`: how its value was made, when the
   * frontend can tell (`torch.ones(4)` -> 'ones'); the engine initialises with it (default zeros).
   */
  readonly init?: 'zeros' | 'ones' | 'randn' | 'rand' | { readonly fill: number };
}

export interface LayerSpec {
  /** Class name under torch.nn, e.g. 'Conv2d'. */
  readonly name: string;
  /** Constructor signature, PyTorch names and defaults. */
  readonly ctor: readonly ParamSpec[];
  /** Validate constructor arguments (e.g. embed_dim divisible by num_heads); throw ShapeError. */
  readonly check?: (attrs: BoundArgs) => void;
  /** Parameters and buffers in PyTorch's state_dict order. */
  readonly params: (attrs: BoundArgs) => readonly ParamShape[];
  /** Signature of the layer's forward call. */
  readonly forward: readonly ParamSpec[];
  /** Shape rule of the forward call, given the constructor attributes. */
  readonly shape: (attrs: BoundArgs, args: BoundArgs) => Value;
  /**
   * The input a layer expects when no example input is known, with symbolic dims
   * (e.g. Conv2d -> [N, in_channels, H, W]; Embedding -> int64 [N, L]). Used to analyse a
   * model with no annotations and no example call.
   */
  readonly symbolicInput?: (attrs: BoundArgs) => TensorType | null;
  /** Display category for the graph view (Netron-style): 'layer', 'activation', 'pool', 'norm', 'shape', 'dropout', 'container'. */
  readonly category: string;
}
