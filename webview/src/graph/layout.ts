// Layout of what is expanded, with elkjs (layered) in web workers. Each expanded group is laid out
// on its own, children first, so a group's result depends only on its own content: results are
// cached by that content, and after an edit only the groups that changed (and their ancestors,
// when a size changed) are laid out again — nodes that did not change do not move.
import type { ElkNode, ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import ELK from 'elkjs/lib/elk-api.js';
import { itemText, type ItemText, type VisibleGraph, type VisibleGroup } from './model.js';
import type { GraphResult } from '../../../server/src/protocol.js';

export interface SceneBox {
  readonly key: string;
  readonly kind: 'leaf' | 'group';
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly depth: number;
  readonly text: ItemText;
}
export interface SceneEdge {
  readonly from: string;
  readonly to: string;
  /** Polyline points x0,y0,x1,y1…; with `curve`, a cubic from the first to the last point. */
  readonly points: readonly number[];
  readonly curve: boolean;
  /** Shape label; empty when an earlier edge from the same producer already shows it. */
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
}
export interface Scene {
  /** Groups (outer before inner), then leaves: the order they are drawn in. */
  readonly boxes: readonly SceneBox[];
  readonly byKey: ReadonlyMap<string, SceneBox>;
  readonly edges: readonly SceneEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_H = 40;
export const HEADER_H = 26;
export const PAD = 12;
const MIN_W = 84, MAX_W = 280;

/** Gap between a node and the next layer's (ELK's nodeNodeBetweenLayers; room for the shape label). */
const LAYER_GAP = 38;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': '22',
  // Room for the shape label under each producer.
  'elk.layered.spacing.nodeNodeBetweenLayers': String(LAYER_GAP),
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  // Keep forward's order where the layering allows: the drawing reads like the code.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};

export interface GroupResult {
  readonly w: number;
  readonly h: number;
  readonly pos: ReadonlyMap<string, { x: number; y: number }>;
  /** 'from\0to' → polyline relative to the group's content origin. */
  readonly routes: ReadonlyMap<string, number[]>;
}

export type Measure = (text: string, bold: boolean) => number;

/** A small pool of ELK workers, and the cache of group layouts. */
export class LayoutEngine {
  private readonly elks: ElkApi[];
  private cache = new Map<string, GroupResult>();
  /** Layouts run by the last `layout` call (the rest came from the cache). */
  lastComputed = 0;

  constructor(makeWorker: () => Worker, workers: number) {
    this.elks = Array.from({ length: Math.max(1, workers) }, () => new ELK({ workerFactory: () => makeWorker() }));
  }

  async layout(v: VisibleGraph, g: GraphResult, measure: Measure): Promise<Scene> {
    const texts = new Map<string, ItemText>();
    const sizes = new Map<string, { w: number; h: number }>();
    const results = new Map<string, GroupResult>();
    const sizeOfLeaf = (key: string): { w: number; h: number } => {
      const t = itemText(v.leaves.get(key)!.item, g);
      texts.set(key, t);
      const w = Math.max(measure(t.title, true) + (t.name ? measure(t.name, false) + 10 : 0), measure(t.detail, false)) + 22 + (t.expandable ? 14 : 0);
      const size = { w: Math.ceil(Math.min(MAX_W, Math.max(MIN_W, w + 2))), h: NODE_H };
      sizes.set(key, size);
      return size;
    };
    const used = new Map<string, GroupResult>();
    this.lastComputed = 0;
    // Children before parents: a group's box size is its laid-out content plus the frame.
    const byDepth: VisibleGroup[][] = [];
    const collect = (grp: VisibleGroup, d: number): void => {
      (byDepth[d] ??= []).push(grp);
      for (const c of grp.children) if (c.kind === 'group') collect(c, d + 1);
    };
    collect(v.root, 0);
    for (let d = byDepth.length - 1; d >= 0; d--) {
      const level = byDepth[d]!.map((grp) => {
        const kids = grp.children.map((c) => ({ id: c.key, ...(c.kind === 'leaf' ? sizeOfLeaf(c.key) : sizes.get(c.key)!) }));
        const job = JSON.stringify([kids.map((k) => [k.id, k.w, k.h]), grp.edges.map((e) => [e.from, e.to])]);
        return { grp, kids, job, result: this.cache.get(job) ?? chainLayout(kids, grp.edges) ?? null };
      });
      const fresh = level.filter((l) => !this.cache.has(l.job));
      this.lastComputed += fresh.length;
      const todo = level.filter((l) => l.result === null);
      if (todo.length) {
        const done = await this.runBatch(todo);
        todo.forEach((l, i) => { l.result = done[i]!; });
      }
      for (const { grp, job, result } of level) {
        const r = result!;
        used.set(job, r);
        results.set(grp.key, r);
        const t = itemText(grp.item, g);
        texts.set(grp.key, t);
        // The frame is wide enough for its header: title, path, parameter count and the fold button.
        const header = measure(`${t.title}  ${t.name}`, true) + measure(`${t.detail}  −`, false) + 40;
        sizes.set(grp.key, grp.parent ? { w: Math.ceil(Math.max(r.w + 2 * PAD, header)), h: r.h + HEADER_H + PAD } : { w: r.w, h: r.h });
      }
    }
    // Keep what this view used: collapsing and expanding again is instant, old edits are dropped.
    this.cache = used;
    return compose(v, results, sizes, texts);
  }

  /**
   * Lays out groups with ELK: one call per worker, each group a compound node laid out on its own
   * (ELK's cost is mostly per call, not per node: batching the small groups of a big model
   * halves it). Results in the order of `todo`.
   */
  private async runBatch(todo: readonly { grp: VisibleGroup; kids: readonly { id: string; w: number; h: number }[] }[]): Promise<GroupResult[]> {
    const chunks: number[][] = this.elks.map(() => []);
    const load = this.elks.map(() => 0);
    todo.forEach((t, i) => {
      const k = load.indexOf(Math.min(...load));
      chunks[k]!.push(i);
      load[k]! += t.kids.length + t.grp.edges.length;
    });
    const out: GroupResult[] = new Array(todo.length);
    await Promise.all(chunks.map(async (chunk, w) => {
      if (!chunk.length) return;
      const root: ElkNode = {
        id: '\u0000batch', layoutOptions: { 'elk.algorithm': 'fixed', 'elk.hierarchyHandling': 'SEPARATE_CHILDREN' },
        children: chunk.map((i) => {
          const { grp, kids } = todo[i]!;
          return {
            id: grp.key, layoutOptions: LAYOUT_OPTIONS,
            children: kids.map((k) => ({ id: k.id, width: k.w, height: k.h })),
            edges: grp.edges.map((e, j) => ({ id: `${i}:${j}`, sources: [e.from], targets: [e.to] })),
          };
        }),
      };
      const laid = await this.elks[w]!.layout(root);
      (laid.children ?? []).forEach((node, n) => {
        const i = chunk[n]!;
        const grp = todo[i]!.grp;
        const pos = new Map<string, { x: number; y: number }>();
        for (const c of node.children ?? []) pos.set(c.id, { x: c.x ?? 0, y: c.y ?? 0 });
        const routes = new Map<string, number[]>();
        (node.edges ?? []).forEach((e, j) => {
          const s = e.sections?.[0];
          const src = grp.edges[j];
          if (!s || !src) return;
          routes.set(`${src.from}\u0000${src.to}`, [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].flatMap((p) => [p.x, p.y]));
        });
        out[i] = { w: node.width ?? 0, h: node.height ?? 0, pos, routes };
      });
    }));
    return out;
  }

  dispose(): void {
    for (const e of this.elks) e.terminateWorker();
  }
}

/**
 * A group whose children form one path (a Sequential, a residual MLP, one block in a stage): a
 * centred column, which is what ELK draws for it too, without a round trip to a worker. Most groups
 * of a real model are such chains; null for anything else.
 */
export function chainLayout(kids: readonly { id: string; w: number; h: number }[], edges: readonly { from: string; to: string }[]): GroupResult | null {
  if (edges.length !== kids.length - 1) return null;
  const next = new Map<string, string>(), hasPrev = new Set<string>();
  for (const e of edges) {
    if (next.has(e.from) || hasPrev.has(e.to) || e.from === e.to) return null;
    next.set(e.from, e.to);
    hasPrev.add(e.to);
  }
  const byId = new Map(kids.map((k) => [k.id, k]));
  const start = kids.find((k) => !hasPrev.has(k.id));
  if (!start) return null;
  const order: { id: string; w: number; h: number }[] = [];
  for (let k: typeof start | undefined = start; k; k = next.has(k.id) ? byId.get(next.get(k.id)!) : undefined) {
    order.push(k);
    if (order.length > kids.length) return null; // a cycle
  }
  if (order.length !== kids.length) return null;
  const w = Math.max(...order.map((k) => k.w));
  const pos = new Map<string, { x: number; y: number }>();
  const routes = new Map<string, number[]>();
  let y = 0;
  order.forEach((k, i) => {
    pos.set(k.id, { x: (w - k.w) / 2, y });
    if (i > 0) routes.set(`${order[i - 1]!.id}\u0000${k.id}`, [w / 2, y - LAYER_GAP, w / 2, y]);
    y += k.h + LAYER_GAP;
  });
  return { w, h: y - LAYER_GAP, pos, routes };
}

/** Absolute positions: each group's content placed inside its frame, then the edges. */
function compose(v: VisibleGraph, results: ReadonlyMap<string, GroupResult>, sizes: ReadonlyMap<string, { w: number; h: number }>,
  texts: ReadonlyMap<string, ItemText>): Scene {
  const groups: SceneBox[] = [];
  const leaves: SceneBox[] = [];
  const origin = new Map<string, { x: number; y: number }>();
  const place = (grp: VisibleGroup, x: number, y: number, depth: number): void => {
    const r = results.get(grp.key)!;
    const ox = grp.parent ? x + PAD : x, oy = grp.parent ? y + HEADER_H : y;
    origin.set(grp.key, { x: ox, y: oy });
    if (grp.parent) {
      const s = sizes.get(grp.key)!;
      // Centre the content when the frame is wider than it (a narrow single-column group).
      const shift = (s.w - 2 * PAD - r.w) / 2;
      origin.set(grp.key, { x: ox + shift, y: oy });
      groups.push({ key: grp.key, kind: 'group', x, y, w: s.w, h: s.h, depth, text: texts.get(grp.key)! });
    }
    const o = origin.get(grp.key)!;
    for (const c of grp.children) {
      const p = r.pos.get(c.key)!;
      if (c.kind === 'group') place(c, o.x + p.x, o.y + p.y, depth + 1);
      else leaves.push({ key: c.key, kind: 'leaf', x: o.x + p.x, y: o.y + p.y, w: sizes.get(c.key)!.w, h: NODE_H, depth: depth + 1, text: texts.get(c.key)! });
    }
  };
  place(v.root, 0, 0, 0);
  const byKey = new Map<string, SceneBox>();
  for (const b of [...groups, ...leaves]) byKey.set(b.key, b);

  const edges: SceneEdge[] = [];
  const labelled = new Set<string>();
  for (const e of v.edges) {
    const a = byKey.get(e.from), b = byKey.get(e.to);
    if (!a || !b) continue;
    let points: number[];
    let curve = false;
    const route = e.routedIn ? results.get(e.routedIn)?.routes.get(`${e.from}\u0000${e.to}`) : undefined;
    if (route) {
      const o = origin.get(e.routedIn!)!;
      points = route.map((n, i) => n + (i % 2 === 0 ? o.x : o.y));
    } else {
      points = [a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y];
      curve = true;
    }
    const lk = `${e.from}\u0000${e.shape}`;
    const label = labelled.has(lk) ? '' : e.shape;
    labelled.add(lk);
    const [lx, ly] = labelPoint(points);
    edges.push({ from: e.from, to: e.to, points, curve, label, labelX: lx, labelY: ly });
  }
  let w = 0, h = 0;
  for (const b of byKey.values()) { w = Math.max(w, b.x + b.w); h = Math.max(h, b.y + b.h); }
  return { boxes: [...groups, ...leaves], byKey, edges, width: w, height: h };
}

/** Just below the producer, beside the line: where a reader looks for "what comes out". */
function labelPoint(p: readonly number[]): [number, number] {
  const x0 = p[0]!, y0 = p[1]!, x1 = p[2]!, y1 = p[3]!;
  const len = Math.hypot(x1 - x0, y1 - y0) || 1;
  const t = Math.min(1, 15 / len);
  return [x0 + (x1 - x0) * t + 5, y0 + (y1 - y0) * t];
}
