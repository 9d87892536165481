// Custom requests this server answers, beyond standard LSP. Typed and versioned: the client and
// the graph webview import these definitions; bump the version when a shape changes incompatibly.
import { RequestType } from 'vscode-languageserver-protocol';

/** A source range, zero-based (LSP's). Declared here so that the webviews reading this protocol need nothing of the engine. */
export interface Range {
  readonly start: { readonly line: number; readonly character: number };
  readonly end: { readonly line: number; readonly character: number };
}

/** Version of the `tensorStudio/graph` result shape. */
export const GRAPH_PROTOCOL_VERSION = 2;

export interface GraphParams {
  readonly uri: string;
  /** The nn.Module class to draw; omitted = the file's top-level model (one no other class uses). */
  readonly className?: string;
}

export interface GraphNode {
  /** 'input:0', 'n12', 'output:0'. */
  readonly id: string;
  readonly label: string;
  /** Layer type ('Conv2d') for layer calls, op name ('relu') for ops, 'input' / 'output' for the ends. */
  readonly op: string;
  /** Netron-style display category: 'layer', 'activation', 'pool', 'norm', 'shape', 'dropout', 'container', 'op', 'input', 'output', 'error'. */
  readonly category: string;
  /** Short `name=value` strings (constructor arguments of a layer, constant arguments of an op). */
  readonly attributes: readonly string[];
  /** Module path of the call's owner ('' = root); for a layer, the layer's own path. */
  readonly modulePath: string;
  /** Path of the innermost module the node is drawn inside: for a layer its parent, for an op its owner. */
  readonly group: string;
  readonly range: Range | null;
  /** Only on the node of category 'error': the analysis message of the call that failed. */
  readonly message?: string;
}

/**
 * One module of the model's tree (pre-order: a parent comes before its children). The graph panel
 * draws a module as a box that folds to one node; siblings with equal fingerprints fold together.
 */
export interface GraphModule {
  /** state_dict-style path: '' = root, 'layer1', 'layer1.0', 'layer1.0.conv1'. */
  readonly path: string;
  /** Path of the parent module (null for the root). */
  readonly parent: string | null;
  /** 'Conv2d', 'Sequential', 'BasicBlock'. */
  readonly type: string;
  readonly builtin: boolean;
  /** The layer's display category for builtin layers, 'container' otherwise. */
  readonly category: string;
  readonly attributes: readonly string[];
  /** Trainable parameters, this module and everything inside it; null when a size is symbolic. */
  readonly params: number | null;
  /**
   * Equal for modules that are the same block: same type, attributes, parameter shapes, children
   * and forward ops (e.g. the 12 blocks of a GPT). A short opaque string.
   */
  readonly fingerprint: string;
  /** Where the module is constructed (`self.conv1 = nn.Conv2d(...)`). */
  readonly range: Range | null;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** Producer's output shape, e.g. 'Tensor[64, 16, 26, 26]'. */
  readonly shape: string;
  readonly dtype: string;
}

export interface GraphPort {
  readonly name: string;
  readonly shape: string;
  readonly dtype: string;
}

export interface GraphResult {
  readonly kind: 'graph';
  readonly version: number;
  readonly className: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly inputs: readonly GraphPort[];
  readonly outputs: readonly GraphPort[];
  /** The module tree, root first. */
  readonly modules: readonly GraphModule[];
  /**
   * Set when forward's analysis stopped at a shape error: the graph holds the calls before it, and
   * one node of category 'error' (id 'error') for the failing call, with this message.
   */
  readonly error: { readonly message: string; readonly range: Range | null } | null;
  /** Classes that have a graph in this document (for the panel's class picker). */
  readonly available: readonly string[];
}

/** No graph for that class (not found, not analysable, analysis failed): a message to show. */
export interface GraphUnavailable {
  readonly kind: 'error';
  readonly version: number;
  readonly message: string;
  /** Classes that do have a graph in this document. */
  readonly available: readonly string[];
}

export type GraphResponse = GraphResult | GraphUnavailable;

export const GraphRequest = new RequestType<GraphParams, GraphResponse, void>('tensorStudio/graph');
