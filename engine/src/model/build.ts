// ModuleNode tree (from the frontend) -> Module tree. Builtin layers are built from their
// LayerSpec and bound attributes; containers and user classes hold their children under the
// attribute names the user wrote, so state_dict keys are PyTorch's.
import { getLayer } from '../ops/index.js';
import type { ModuleNode } from '../frontend/types.js';
import type { ParamShape } from '../ops/types.js';
import { dimToString, evalDim } from '../shape/dim.js';
import { Tensor } from '../tensor.js';
import { Layer, Module, ModuleDict, ModuleList, Sequential, UserModule, init } from '../nn/index.js';
import type { DimEnv } from '../nn/values.js';
import { OutOfMemoryError } from '../backends/cpu/backend.js';

/** A model that cannot be built: the message names the layer, its path and the source line. */
export class ModelBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelBuildError';
  }
}

function where(node: ModuleNode, file: string): string {
  const path = node.path === '' ? '' : ` (self.${node.path})`;
  return node.range ? `${file}:${node.range.start.line + 1}${path}` : `${file}${path}`;
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? path : path.slice(i + 1);
}

export function buildModule(node: ModuleNode, file = 'model.py', env: DimEnv = {}): Module {
  const kids = (): [string, Module][] => node.children.map((c) => [lastSegment(c.path), buildModule(c, file, env)]);
  switch (node.type) {
    case 'Sequential': return new Sequential(new Map(kids()));
    case 'ModuleList': return new ModuleList(kids().map(([, m]) => m));
    case 'ModuleDict': return new ModuleDict(new Map(kids()));
  }
  if (node.builtin) {
    const spec = getLayer(node.type);
    if (!spec) throw new ModelBuildError(`${where(node, file)}: nn.${node.type} is not supported by the embedded engine`);
    try {
      return new Layer(spec, node.attrs, env);
    } catch (e) {
      const message = `${where(node, file)}: ${e instanceof Error ? e.message : String(e)}`;
      // Out of memory stays out of memory (the layer that asked for it is named either way).
      throw e instanceof OutOfMemoryError ? new OutOfMemoryError(message) : new ModelBuildError(message);
    }
  }
  const m = new UserModule(node.type);
  // PyTorch order: own parameters, own buffers (the frontend lists them so), then children.
  for (const ps of node.params) {
    if (ps.name.includes('.')) continue; // a child's tensor, registered by the child
    const shape = ps.shape.map((d) => {
      const v = evalDim(d, env);
      if (v === undefined) throw new ModelBuildError(`${where(node, file)}: size '${dimToString(d)}' of '${ps.name}' is not a known number`);
      return v;
    });
    const isInt = ps.dtype !== undefined && /^(u?int|bool)/.test(ps.dtype);
    const t = initialValue(ps, shape, isInt ? 'int32' : 'float32');
    if (ps.buffer) m.registerBuffer(ps.name, t);
    else m.registerParameter(ps.name, t);
  }
  for (const [name, child] of kids()) m.registerModule(name, child);
  return m;
}

function initialValue(ps: ParamShape, shape: number[], dtype: 'float32' | 'int32'): Tensor {
  const t = Tensor.zeros(shape, dtype);
  const how = ps.init;
  if (how === 'ones') init.ones_(t);
  else if (how === 'randn') init.normal_(t);
  else if (how === 'rand') init.uniform_(t);
  else if (how && typeof how === 'object') init.constant_(t, how.fill);
  return t;
}
