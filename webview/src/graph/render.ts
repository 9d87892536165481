// Drawing a laid-out scene on a 2D canvas. Canvas rather than SVG: at 5,000 visible nodes an SVG
// DOM repaints and hit-tests too slowly to pan at 60 fps, while a canvas draws only what is in
// view, batches boxes of one colour into one path, and drops text that would be too small to read.
import type { Scene, SceneBox } from './layout.js';
import { HEADER_H } from './layout.js';
import { readPalette, type Palette } from '../common/theme.js';

export interface Camera {
  /** World point at the canvas's top-left corner, and screen pixels per world unit. */
  x: number;
  y: number;
  s: number;
}

export interface Marks {
  readonly selected: string | null;
  /** Cursor line's nodes, search matches. */
  readonly highlighted: ReadonlySet<string>;
}

/** What the last frame drew: read by the browser tests and the benchmark. */
export interface FrameStats {
  boxes: number;
  edges: number;
  labels: string[];
  titles: string[];
  ms: number;
}

/** Below this zoom a node is a few pixels: the frame is a cached picture of the whole scene. */
const FAR_ZOOM = 0.1;
/** The cached picture's size limits: 4 M pixels (16 MB), and a side a canvas can have. */
const OVERVIEW_PIXELS = 4e6, OVERVIEW_SIDE = 8192;

const TITLE_FONT = (f: string): string => `600 12px ${f}`;
const SMALL_FONT = (f: string): string => `11px ${f}`;
const LABEL_FONT = (f: string): string => `10px ${f}`;

export class Renderer {
  palette: Palette;
  private fontFamily: string;
  private overviewOf: { scene: Scene; palette: Palette; canvas: HTMLCanvasElement; k: number } | null = null;

  constructor() {
    this.palette = readPalette();
    this.fontFamily = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  }

  refreshTheme(): void {
    this.palette = readPalette();
    this.fontFamily = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  }

  measure(ctx: CanvasRenderingContext2D): (text: string, bold: boolean) => number {
    const cache = new Map<string, number>();
    return (text, bold) => {
      const k = (bold ? 'b' : 'r') + text;
      let w = cache.get(k);
      if (w === undefined) {
        ctx.font = bold ? TITLE_FONT(this.fontFamily) : SMALL_FONT(this.fontFamily);
        w = ctx.measureText(text).width;
        cache.set(k, w);
      }
      return w;
    };
  }

  /** Draws the part of `scene` inside a `width`×`height` view (CSS pixels). */
  draw(ctx: CanvasRenderingContext2D, scene: Scene, cam: Camera, width: number, height: number, marks: Marks, background = true): FrameStats {
    const t0 = performance.now();
    const p = this.palette;
    const stats: FrameStats = { boxes: 0, edges: 0, labels: [], titles: [], ms: 0 };
    ctx.save();
    if (background) { ctx.fillStyle = p.background; ctx.fillRect(0, 0, width, height); }
    ctx.setTransform(ctx.getTransform().scale(cam.s, cam.s).translate(-cam.x, -cam.y));
    const x0 = cam.x, y0 = cam.y, x1 = cam.x + width / cam.s, y1 = cam.y + height / cam.s;
    const inView = (b: SceneBox): boolean => b.x < x1 && b.x + b.w > x0 && b.y < y1 && b.y + b.h > y0;
    const px = 1 / cam.s;
    if (cam.s < FAR_ZOOM && this.drawFar(ctx, scene, marks, inView, stats)) {
      ctx.restore();
      stats.ms = performance.now() - t0;
      return stats;
    }
    const showText = cam.s >= 0.4, showDetail = cam.s >= 0.6;

    // Group frames, outer first.
    const leaves: SceneBox[] = [];
    for (const b of scene.boxes) {
      if (!inView(b)) continue;
      stats.boxes++;
      if (b.kind === 'leaf') { leaves.push(b); continue; }
      ctx.fillStyle = b.depth % 2 ? p.group : p.groupAlt;
      ctx.strokeStyle = marks.selected === b.key ? p.focus : p.groupBorder;
      ctx.lineWidth = marks.selected === b.key ? 2 * px : px;
      roundRect(ctx, b.x, b.y, b.w, b.h, 6);
      ctx.fill();
      ctx.stroke();
      if (showText) {
        ctx.fillStyle = p.foreground;
        ctx.font = TITLE_FONT(this.fontFamily);
        ctx.textBaseline = 'middle';
        const title = `${b.text.title}  ${b.text.name}`;
        ctx.fillText(fit(ctx, title, b.w - 60), b.x + 10, b.y + HEADER_H / 2);
        stats.titles.push(b.text.title);
        ctx.fillStyle = p.muted;
        ctx.font = SMALL_FONT(this.fontFamily);
        ctx.textAlign = 'right';
        ctx.fillText(`${b.text.detail}  −`, b.x + b.w - 10, b.y + HEADER_H / 2);
        ctx.textAlign = 'left';
      }
    }

    // Edges: one path for all lines, one for all arrowheads.
    ctx.strokeStyle = p.edge;
    ctx.fillStyle = p.edge;
    ctx.lineWidth = Math.max(px, 1.2);
    ctx.beginPath();
    const heads: number[] = [];
    const labels: { text: string; x: number; y: number }[] = [];
    for (const e of scene.edges) {
      const pts = e.points;
      let ex0 = Infinity, ey0 = Infinity, ex1 = -Infinity, ey1 = -Infinity;
      for (let i = 0; i < pts.length; i += 2) {
        ex0 = Math.min(ex0, pts[i]!); ex1 = Math.max(ex1, pts[i]!);
        ey0 = Math.min(ey0, pts[i + 1]!); ey1 = Math.max(ey1, pts[i + 1]!);
      }
      if (ex0 > x1 || ex1 < x0 || ey0 > y1 || ey1 < y0) continue;
      stats.edges++;
      ctx.moveTo(pts[0]!, pts[1]!);
      const n = pts.length;
      if (e.curve) {
        const dy = Math.max(20, (pts[n - 1]! - pts[1]!) / 2);
        ctx.bezierCurveTo(pts[0]!, pts[1]! + dy, pts[n - 2]!, pts[n - 1]! - dy - 6, pts[n - 2]!, pts[n - 1]! - 6);
      } else {
        for (let i = 2; i < n - 2; i += 2) ctx.lineTo(pts[i]!, pts[i + 1]!);
        ctx.lineTo(pts[n - 2]!, pts[n - 1]! - 6);
      }
      heads.push(pts[n - 2]!, pts[n - 1]!);
      if (e.label && showDetail) labels.push({ text: e.label, x: e.labelX, y: e.labelY });
    }
    ctx.stroke();
    ctx.beginPath();
    for (let i = 0; i < heads.length; i += 2) {
      const hx = heads[i]!, hy = heads[i + 1]!;
      ctx.moveTo(hx, hy); ctx.lineTo(hx - 4, hy - 7); ctx.lineTo(hx + 4, hy - 7); ctx.closePath();
    }
    ctx.fill();

    // Leaves: fills batched per category, then borders and text.
    const byCat = new Map<string, SceneBox[]>();
    for (const b of leaves) {
      const list = byCat.get(b.text.category) ?? [];
      list.push(b);
      byCat.set(b.text.category, list);
    }
    for (const [cat, list] of byCat) {
      const c = p.category(cat);
      ctx.fillStyle = p.nodeFill;
      ctx.beginPath();
      for (const b of list) {
        if (b.text.expandable && b.text.title.includes('×')) { ctx.rect(b.x + 6, b.y + 6, b.w, b.h); ctx.rect(b.x + 3, b.y + 3, b.w, b.h); }
        ctx.rect(b.x, b.y, b.w, b.h);
      }
      ctx.fill();
      ctx.fillStyle = c;
      ctx.globalAlpha = p.tint;
      ctx.beginPath();
      for (const b of list) ctx.rect(b.x, b.y, b.w, b.h);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.beginPath();
      for (const b of list) ctx.rect(b.x, b.y, 4, b.h);
      ctx.fill();
      ctx.strokeStyle = cat === 'error' ? c : p.nodeBorder;
      ctx.lineWidth = px;
      ctx.beginPath();
      for (const b of list) {
        if (b.text.expandable && b.text.title.includes('×')) { ctx.rect(b.x + 6, b.y + 6, b.w, b.h); ctx.rect(b.x + 3, b.y + 3, b.w, b.h); }
        ctx.rect(b.x, b.y, b.w, b.h);
      }
      ctx.stroke();
    }
    for (const b of leaves) {
      const hi = marks.selected === b.key ? p.focus : marks.highlighted.has(b.key) ? p.highlight : null;
      if (hi) {
        ctx.strokeStyle = hi;
        ctx.lineWidth = Math.max(2 * px, 2);
        ctx.strokeRect(b.x - 2, b.y - 2, b.w + 4, b.h + 4);
      }
      if (!showText) continue;
      stats.titles.push(b.text.title);
      ctx.textBaseline = 'middle';
      ctx.font = TITLE_FONT(this.fontFamily);
      ctx.fillStyle = b.text.category === 'error' ? p.category('error') : p.foreground;
      const titleW = ctx.measureText(b.text.title).width;
      ctx.fillText(fit(ctx, b.text.title, b.w - 22), b.x + 11, b.y + (showDetail ? 13 : b.h / 2));
      if (b.text.name && titleW + 40 < b.w) {
        ctx.font = SMALL_FONT(this.fontFamily);
        ctx.fillStyle = p.muted;
        ctx.fillText(fit(ctx, b.text.name, b.w - titleW - 32), b.x + 19 + titleW, b.y + (showDetail ? 13 : b.h / 2));
      }
      if (showDetail && b.text.detail) {
        ctx.font = SMALL_FONT(this.fontFamily);
        ctx.fillStyle = p.muted;
        ctx.fillText(fit(ctx, b.text.detail, b.w - 22), b.x + 11, b.y + 29);
      }
      if (b.text.expandable) {
        ctx.fillStyle = p.muted;
        ctx.font = TITLE_FONT(this.fontFamily);
        ctx.textAlign = 'right';
        ctx.fillText('+', b.x + b.w - 7, b.y + 13);
        ctx.textAlign = 'left';
      }
    }

    // Shape labels last, over a halo of background so crossing lines do not hide them.
    if (labels.length) {
      ctx.font = LABEL_FONT(this.fontFamily);
      ctx.textBaseline = 'middle';
      for (const l of labels) {
        const w = ctx.measureText(l.text).width;
        ctx.fillStyle = p.background;
        ctx.globalAlpha = 0.85;
        ctx.fillRect(l.x - 2, l.y - 6, w + 4, 12);
        ctx.globalAlpha = 1;
        ctx.fillStyle = p.label;
        ctx.fillText(l.text, l.x, l.y);
        stats.labels.push(l.text);
      }
    }
    ctx.restore();
    stats.ms = performance.now() - t0;
    return stats;
  }

  /**
   * Far out, the scene as one cached picture (built once per scene and theme), when it is at least
   * as sharp as the screen; the selection and highlights on top. False: draw it box by box.
   */
  private drawFar(ctx: CanvasRenderingContext2D, scene: Scene, marks: Marks, inView: (b: SceneBox) => boolean, stats: FrameStats): boolean {
    let o = this.overviewOf;
    if (!o || o.scene !== scene || o.palette !== this.palette) {
      const w = Math.max(1, scene.width), h = Math.max(1, scene.height);
      const k = Math.min(1, Math.sqrt(OVERVIEW_PIXELS / (w * h)), OVERVIEW_SIDE / w, OVERVIEW_SIDE / h);
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(w * k); canvas.height = Math.ceil(h * k);
      paintOverview(canvas.getContext('2d')!, scene, k, this.palette, true);
      o = this.overviewOf = { scene, palette: this.palette, canvas, k };
    }
    // Screen pixels per world unit, device pixels included.
    if (o.k < ctx.getTransform().a * 0.75) return false;
    ctx.drawImage(o.canvas, 0, 0, o.canvas.width / o.k, o.canvas.height / o.k);
    const px = 1 / ctx.getTransform().a;
    for (const b of scene.boxes) {
      if (!inView(b)) continue;
      stats.boxes++;
      const hi = marks.selected === b.key ? this.palette.focus : marks.highlighted.has(b.key) ? this.palette.highlight : null;
      if (!hi) continue;
      ctx.strokeStyle = hi;
      ctx.lineWidth = 3 * px;
      ctx.strokeRect(b.x - 3 * px, b.y - 3 * px, b.w + 6 * px, b.h + 6 * px);
    }
    stats.edges = scene.edges.length;
    return true;
  }
}

/** One picture of the whole scene at `k` pixels per world unit: frames, nodes in their colours and, with `edges`, the lines. */
export function paintOverview(c: CanvasRenderingContext2D, scene: Scene, k: number, p: Palette, edges: boolean): void {
  c.save();
  c.scale(k, k);
  for (const b of scene.boxes) {
    c.fillStyle = b.kind === 'group' ? (b.depth % 2 ? p.group : p.groupAlt) : p.category(b.text.category);
    c.fillRect(b.x, b.y, Math.max(1 / k, b.w), Math.max(1 / k, b.h));
  }
  if (edges) {
    c.strokeStyle = p.edge;
    c.lineWidth = 1 / k;
    c.beginPath();
    for (const e of scene.edges) {
      const n = e.points.length;
      c.moveTo(e.points[0]!, e.points[1]!);
      c.lineTo(e.points[n - 2]!, e.points[n - 1]!);
    }
    c.stroke();
  }
  c.restore();
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, r);
}

/** `text` cut with an ellipsis to `max` pixels in the current font. */
function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= max) lo = mid; else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

export type { Palette };
