// Custom requests this server answers, beyond standard LSP. Typed and versioned: the client and
// the graph webview import these definitions; bump the version when a shape changes incompatibly.
import { RequestType } from 'vscode-languageserver-protocol';
import type { Range } from '../../engine/src/frontend/index.js';

/** Version of the `tensorStudio/graph` result shape. */
export const GRAPH_PROTOCOL_VERSION = 1;

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
  /** Netron-style display category: 'layer', 'activation', 'pool', 'norm', 'shape', 'dropout', 'container', 'op', 'input', 'output'. */
  readonly category: string;
  /** Short `name=value` strings (constructor arguments of a layer, constant arguments of an op). */
  readonly attributes: readonly string[];
  /** Module path of the call's owner ('' = root); for a layer, the layer's own path. */
  readonly modulePath: string;
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
