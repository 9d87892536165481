// The graph as the panel shows it: the server's flat nodes placed in their module tree, runs of
// identical sibling blocks folded into one item ("Block ×12"), and — given what the user has
// expanded — the visible items and the edges between them. Pure: no DOM, so Node tests run it.
import type { GraphEdge, GraphModule, GraphNode, GraphResult } from '../../../server/src/protocol.js';

export interface TreeModule {
  readonly kind: 'module';
  readonly key: string;
  readonly mod: GraphModule;
  readonly parent: TreeModule | null;
  /** Leaf nodes, sub-modules and folds, in the order forward first reaches them. */
  readonly children: TreeChild[];
}
export interface TreeFold {
  readonly kind: 'fold';
  readonly key: string;
  readonly members: readonly TreeModule[];
}
export interface TreeNode {
  readonly kind: 'node';
  readonly key: string;
  readonly node: GraphNode;
}
export type TreeChild = TreeModule | TreeFold | TreeNode;

export interface ModelTree {
  readonly root: TreeModule;
  readonly byKey: ReadonlyMap<string, TreeChild>;
  /** Graph node id → its tree leaf. */
  readonly leafOf: ReadonlyMap<string, TreeNode>;
  /** Every expandable key (modules below the root, folds), in tree order. */
  readonly expandable: readonly string[];
}

/** Runs of at least this many identical consecutive siblings fold. */
const MIN_FOLD = 2;

export function buildTree(g: GraphResult): ModelTree {
  const mods = new Map<string, GraphModule>(g.modules.map((m) => [m.path, m]));
  if (!mods.has('')) mods.set('', { path: '', parent: null, type: g.className, builtin: false, category: 'container', attributes: [], params: null, fingerprint: '', range: null });
  const treeOf = new Map<string, TreeModule>();
  const byKey = new Map<string, TreeChild>();
  const getModule = (path: string): TreeModule => {
    const have = treeOf.get(path);
    if (have) return have;
    const mod = mods.get(path);
    // A group the module list does not name (older server): hang it from its nearest named prefix.
    const parentPath = mod ? mod.parent : parentOfPath(path, mods);
    const parent = path === '' ? null : getModule(parentPath ?? '');
    const made: TreeModule = { kind: 'module', key: `m:${path}`, mod: mod ?? { ...mods.get('')!, path, parent: parentPath, type: path }, parent, children: [] };
    treeOf.set(path, made);
    byKey.set(made.key, made);
    if (parent) parent.children.push(made);
    return made;
  };
  getModule('');
  // Leaves in forward order; a module joins its parent the first time one of its nodes runs.
  const leafOf = new Map<string, TreeNode>();
  const seen = new Map<string, number>();
  for (const n of g.nodes) {
    const owner = getModule(n.group);
    const base = `n:${n.group}|${n.op}|${n.modulePath}`;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    const leaf: TreeNode = { kind: 'node', key: `${base}#${k}`, node: n };
    owner.children.push(leaf);
    byKey.set(leaf.key, leaf);
    leafOf.set(n.id, leaf);
  }
  const expandable: string[] = [];
  const fold = (m: TreeModule): void => {
    const out: TreeChild[] = [];
    const kids = m.children;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i]!;
      if (c.kind !== 'module') { out.push(c); continue; }
      let j = i + 1;
      while (j < kids.length && sameBlock(kids[j]!, c)) j++;
      if (j - i >= MIN_FOLD) {
        const members = kids.slice(i, j) as TreeModule[];
        const f: TreeFold = { kind: 'fold', key: `f:${c.mod.path}*${members.length}`, members };
        byKey.set(f.key, f);
        out.push(f);
        i = j - 1;
      } else out.push(c);
    }
    m.children.splice(0, m.children.length, ...out);
    for (const c of m.children) {
      if (c.kind === 'module') { expandable.push(c.key); fold(c); }
      if (c.kind === 'fold') { expandable.push(c.key); for (const mm of c.members) { expandable.push(mm.key); fold(mm); } }
    }
  };
  fold(getModule(''));
  return { root: getModule(''), byKey, leafOf, expandable };
}

function sameBlock(a: TreeChild, b: TreeModule): boolean {
  return a.kind === 'module' && a.mod.fingerprint !== '' && a.mod.fingerprint === b.mod.fingerprint && a.mod.type === b.mod.type;
}

function parentOfPath(path: string, mods: ReadonlyMap<string, unknown>): string {
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const p = parts.slice(0, i).join('.');
    if (mods.has(p)) return p;
  }
  return '';
}

// ---- expansion ----

export interface Expansion {
  /** Keys the user expanded, and keys the user collapsed that were expanded by default. */
  readonly expanded: ReadonlySet<string>;
  readonly collapsed: ReadonlySet<string>;
}

/** Items the first view may show: modules open breadth-first while the count stays under this. */
export const DEFAULT_VISIBLE_BUDGET = 60;
/** Fewer items than this at first sight says too little: one container too big for the budget opens anyway. */
const FEW_VISIBLE = 12;

/** Modules open at first sight: the root, then breadth-first while the view stays small. Folds stay folded. */
export function defaultExpanded(tree: ModelTree, budget = DEFAULT_VISIBLE_BUDGET): Set<string> {
  const open = new Set<string>();
  let visible = tree.root.children.length;
  const queue = tree.root.children.filter((c): c is TreeModule => c.kind === 'module');
  const tooBig: TreeModule[] = [];
  while (queue.length) {
    const m = queue.shift()!;
    const grow = m.children.length - 1;
    if (visible + grow > budget) { tooBig.push(m); continue; }
    visible += grow;
    open.add(m.key);
    for (const c of m.children) if (c.kind === 'module') queue.push(c);
  }
  // A model that is mostly one big container (a ModuleList of 100 distinct blocks) would show as a
  // handful of boxes: open the smallest such container anyway, up to four budgets.
  if (visible < FEW_VISIBLE) {
    const m = tooBig.sort((a, b) => a.children.length - b.children.length)[0];
    if (m && visible + m.children.length - 1 <= 4 * budget) open.add(m.key);
  }
  return open;
}

export function isOpen(key: string, defaults: ReadonlySet<string>, x: Expansion): boolean {
  return x.expanded.has(key) || (defaults.has(key) && !x.collapsed.has(key));
}

// ---- the visible graph ----

/** Something drawn as one box: a node, or a folded module or fold. */
export interface VisibleLeaf {
  readonly kind: 'leaf';
  readonly key: string;
  readonly item: TreeChild;
  readonly parent: VisibleGroup;
}
/** An expanded module or fold: a frame around its visible children. */
export interface VisibleGroup {
  readonly kind: 'group';
  readonly key: string;
  readonly item: TreeModule | TreeFold;
  readonly parent: VisibleGroup | null;
  readonly children: (VisibleLeaf | VisibleGroup)[];
  /** Layout edges between direct children (keys), deduplicated. */
  readonly edges: { readonly from: string; readonly to: string }[];
}
export interface VisibleEdge {
  /** Visible leaf keys. */
  readonly from: string;
  readonly to: string;
  /** The producer's shape(s) travelling along it. */
  readonly shape: string;
  readonly dtype: string;
  /** Both ends are direct children of one group: the layout routed it. */
  readonly routedIn: string | null;
}
export interface VisibleGraph {
  readonly root: VisibleGroup;
  readonly leaves: ReadonlyMap<string, VisibleLeaf>;
  readonly groups: ReadonlyMap<string, VisibleGroup>;
  readonly edges: readonly VisibleEdge[];
  /** Graph node id → key of the visible leaf that stands for it. */
  readonly shownAs: ReadonlyMap<string, string>;
}

export function visibleGraph(g: GraphResult, tree: ModelTree, isExpanded: (key: string) => boolean): VisibleGraph {
  const leaves = new Map<string, VisibleLeaf>();
  const groups = new Map<string, VisibleGroup>();
  const shownAs = new Map<string, string>();
  const mark = (c: TreeChild, as: string): void => {
    if (c.kind === 'node') shownAs.set(c.node.id, as);
    else for (const k of c.kind === 'fold' ? c.members : c.children) mark(k, as);
  };
  const open = (item: TreeModule | TreeFold, parent: VisibleGroup | null): VisibleGroup => {
    const grp: VisibleGroup = { kind: 'group', key: item.key, item, parent, children: [], edges: [] };
    groups.set(grp.key, grp);
    for (const c of item.kind === 'fold' ? item.members : item.children) {
      if (c.kind !== 'node' && isExpanded(c.key)) grp.children.push(open(c, grp));
      else {
        const leaf: VisibleLeaf = { kind: 'leaf', key: c.key, item: c, parent: grp };
        leaves.set(leaf.key, leaf);
        grp.children.push(leaf);
        mark(c, leaf.key);
      }
    }
    return grp;
  };
  const root = open(tree.root, null);

  const edges: VisibleEdge[] = [];
  const seenEdge = new Map<string, number>();
  const seenLayout = new Set<string>();
  for (const e of g.edges) {
    const from = shownAs.get(e.from), to = shownAs.get(e.to);
    if (!from || !to || from === to) continue;
    const id = `${from}\u0000${to}`;
    const at = seenEdge.get(id);
    if (at !== undefined) { mergeShape(edges, at, e); continue; }
    const [gr, a, b] = commonGroup(leaves.get(from)!, leaves.get(to)!);
    const lid = `${gr.key}\u0000${a}\u0000${b}`;
    if (a !== b && !seenLayout.has(lid)) { seenLayout.add(lid); gr.edges.push({ from: a, to: b }); }
    seenEdge.set(id, edges.length);
    edges.push({ from, to, shape: e.shape, dtype: e.dtype, routedIn: a === from && b === to ? gr.key : null });
  }
  return { root, leaves, groups, edges, shownAs };
}

function mergeShape(edges: VisibleEdge[], at: number, e: GraphEdge): void {
  const have = edges[at]!;
  if (have.shape.split(' | ').includes(e.shape)) return;
  edges[at] = { ...have, shape: `${have.shape} | ${e.shape}` };
}

/** The innermost group holding both leaves, and its two children that hold them. */
function commonGroup(a: VisibleLeaf, b: VisibleLeaf): [VisibleGroup, string, string] {
  const chain = (x: VisibleLeaf): (VisibleLeaf | VisibleGroup)[] => {
    const out: (VisibleLeaf | VisibleGroup)[] = [x];
    for (let p: VisibleGroup | null = x.parent; p; p = p.parent) out.unshift(p);
    return out;
  };
  const ca = chain(a), cb = chain(b);
  let i = 0;
  while (i + 1 < ca.length && i + 1 < cb.length && ca[i + 1] === cb[i + 1]) i++;
  return [ca[i] as VisibleGroup, ca[i + 1]!.key, cb[i + 1]!.key];
}

// ---- what an item says ----

export interface ItemText {
  readonly title: string;
  readonly name: string;
  readonly detail: string;
  readonly category: string;
  /** Can be expanded (a folded module or fold). */
  readonly expandable: boolean;
}

/** The graph's modules by path, built once per graph (labels look one up per node). */
const modulesByPath = new WeakMap<GraphResult, Map<string, GraphModule>>();
function moduleAt(g: GraphResult, path: string): GraphModule | undefined {
  let m = modulesByPath.get(g);
  if (!m) modulesByPath.set(g, m = new Map(g.modules.map((x) => [x.path, x])));
  return m.get(path);
}

export function itemText(c: TreeChild, g: GraphResult): ItemText {
  if (c.kind === 'node') {
    const n = c.node;
    const found = n.category === 'input' || n.category === 'output' ? undefined : moduleAt(g, n.modulePath);
    const mod = found?.builtin ? found : undefined;
    const name = mod ? lastSegment(n.modulePath) : n.category === 'input' || n.category === 'output' ? n.label : '';
    const params = mod?.params ? `${formatCount(mod.params)} params` : '';
    const detail = n.category === 'error' ? (n.message ?? 'shape error') : [n.attributes.join(', '), params].filter(Boolean).join(' · ');
    return { title: n.category === 'error' ? `✖ ${n.label}` : n.op, name, detail, category: n.category, expandable: false };
  }
  if (c.kind === 'module') {
    const m = c.mod;
    return { title: m.type, name: m.path, detail: m.params !== null ? `${formatCount(m.params)} params` : '', category: 'container', expandable: true };
  }
  const first = c.members[0]!.mod, last = c.members.at(-1)!.mod;
  const total = c.members.every((m) => m.mod.params !== null) ? c.members.reduce((s, m) => s + m.mod.params!, 0) : null;
  return {
    title: `${first.type} ×${c.members.length}`, name: foldName(first.path, last.path),
    detail: total !== null ? `${formatCount(total)} params` : '', category: 'container', expandable: true,
  };
}

/** 'blocks.0'…'blocks.11' → 'blocks.0–11'. */
function foldName(a: string, b: string): string {
  const pa = a.split('.'), pb = b.split('.');
  const prefix = pa.slice(0, -1).join('.');
  return prefix === pb.slice(0, -1).join('.') ? `${prefix ? prefix + '.' : ''}${pa.at(-1)}–${pb.at(-1)}` : `${a}–${b}`;
}

export function lastSegment(path: string): string {
  return path.split('.').at(-1) ?? path;
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 2 : 1)}K`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
  return `${(n / 1e9).toFixed(2)}B`;
}

/** The source range an item stands for: a node's call, a module's construction. */
export function itemRange(c: TreeChild): GraphNode['range'] {
  if (c.kind === 'node') return c.node.range;
  if (c.kind === 'module') return c.mod.range;
  return c.members[0]!.mod.range;
}

/** Keys of the visible leaves that stand for a call or module on one of these lines. */
export function keysOnLines(v: VisibleGraph, tree: ModelTree, lines: readonly number[]): string[] {
  const hit = (r: GraphNode['range']): boolean => r !== null && lines.some((l) => l >= r.start.line && l <= r.end.line);
  const out = new Set<string>();
  for (const leaf of v.leaves.values()) if (hit(itemRange(leaf.item))) out.add(leaf.key);
  // A call inside a folded module lights the module up.
  for (const [id, key] of v.shownAs) if (!out.has(key) && hit(tree.leafOf.get(id)?.node.range ?? null)) out.add(key);
  return [...out];
}
