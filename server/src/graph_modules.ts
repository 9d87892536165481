// The module tree of a graph response: parameter counts for the panel's labels and fingerprints
// that let it fold a run of identical blocks (the 12 blocks of a GPT) into one node.
import { getLayer } from '../../engine/src/ops/index.js';
import type { ModuleNode } from '../../engine/src/frontend/index.js';
import { dimToString } from '../../engine/src/shape/dim.js';
import type { ParamSpec, Value } from '../../engine/src/ops/types.js';
import { formatLiteral } from './format.js';
import type { GraphModule, GraphNode } from './protocol.js';

/** The module tree in pre-order, root first. `nodes` are the graph's nodes (their `group` says where each is drawn). */
export function graphModules(root: ModuleNode, nodes: readonly GraphNode[]): GraphModule[] {
  // What forward does directly inside each module, in order: part of what makes two blocks the same.
  const opsIn = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.category === 'input' || n.category === 'output' || n.category === 'error') continue;
    const seq = opsIn.get(n.group) ?? [];
    seq.push(`${n.op}(${n.attributes.join(',')})${n.modulePath === n.group ? '' : ':' + relative(n.modulePath, n.group)}`);
    opsIn.set(n.group, seq);
  }
  const out: GraphModule[] = [];
  const visit = (m: ModuleNode, parent: string | null): { params: number | null; fingerprint: string } => {
    const spec = getLayer(m.type);
    const attributes = m.builtin ? attrStrings(m.attrs, spec?.ctor) : [];
    const at = out.length;
    out.push(null as unknown as GraphModule); // pre-order: the slot is filled once the children are known
    let params: number | null = ownParams(m);
    const parts = [m.type, attributes.join(','), m.params.map((p) => `${p.name}${p.buffer ? '~' : ''}[${p.shape.map(dimToString).join(',')}]`).join(';')];
    for (const c of m.children) {
      const r = visit(c, m.path);
      params = params === null || r.params === null ? null : params + r.params;
      parts.push(`${relative(c.path, m.path)}=${r.fingerprint}`);
    }
    parts.push((opsIn.get(m.path) ?? []).join(';'));
    const fingerprint = hash(parts.join('|'));
    out[at] = {
      path: m.path, parent, type: m.type, builtin: m.builtin, category: spec?.category ?? 'container',
      attributes, params, fingerprint, range: m.range,
    };
    return { params, fingerprint };
  };
  visit(root, null);
  return out;
}

function ownParams(m: ModuleNode): number | null {
  let total = 0;
  for (const p of m.params) {
    if (p.buffer) continue;
    let n = 1;
    for (const d of p.shape) {
      if (typeof d !== 'number') return null;
      n *= d;
    }
    total += n;
  }
  return total;
}

/** 'layer1.0.conv1' relative to 'layer1' is '0.conv1'; to '' it is itself. */
function relative(path: string, base: string): string {
  return base === '' ? path : path.startsWith(base + '.') ? path.slice(base.length + 1) : path;
}

/** Two 32-bit FNV-1a hashes with different offsets: 16 hex digits, so hundreds of blocks do not collide. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * `kernel_size=3`, `padding=1`: what a node label needs. Arguments left at their signature's
 * default (stride=1, device=None) are dropped as noise; long values are cut.
 */
export function attrStrings(attrs: Readonly<Record<string, Value>>, signature?: readonly ParamSpec[]): string[] {
  const defaults = new Map((signature ?? []).filter((p) => p.default !== undefined).map((p) => [p.name, formatLiteral(p.default!)]));
  const out: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (v.kind === 'unknown' || v.kind === 'tensor') continue;
    if (defaults.get(k) === formatLiteral(v)) continue;
    let text = formatLiteral(v);
    if (text.length > 40) text = text.slice(0, 37) + '...';
    out.push(`${k}=${text}`);
  }
  return out;
}
