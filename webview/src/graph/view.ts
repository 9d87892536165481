// The interactive canvas: camera (pan, zoom, fit), mouse and keyboard, hit testing, the minimap.
// Draws at most once per animation frame, and only when something changed.
import type { Scene, SceneBox } from './layout.js';
import { HEADER_H } from './layout.js';
import { paintOverview, Renderer, type Camera, type FrameStats, type Marks } from './render.js';

export interface ViewEvents {
  select(key: string | null): void;
  toggle(key: string): void;
}

const MIN_SCALE = 0.02, MAX_SCALE = 3;

export class GraphView {
  readonly renderer = new Renderer();
  readonly cam: Camera = { x: 0, y: 0, s: 1 };
  scene: Scene | null = null;
  marks: Marks = { selected: null, highlighted: new Set() };
  lastFrame: FrameStats | null = null;
  /** Frame times (ms) of the last draws, for the benchmark. */
  readonly frameTimes: number[] = [];
  private pending = false;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly mini: CanvasRenderingContext2D;
  private miniImage: HTMLCanvasElement | null = null;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly minimap: HTMLCanvasElement, private readonly events: ViewEvents) {
    this.ctx = canvas.getContext('2d')!;
    this.mini = minimap.getContext('2d')!;
    new ResizeObserver(() => this.resize()).observe(canvas.parentElement!);
    this.bindInput();
    this.resize();
  }

  get width(): number { return this.canvas.clientWidth; }
  get height(): number { return this.canvas.clientHeight; }

  setScene(scene: Scene | null): void {
    this.scene = scene;
    this.miniImage = null;
    this.redraw();
  }

  setMarks(marks: Marks): void {
    this.marks = marks;
    this.redraw();
  }

  fit(): void {
    if (!this.scene) return;
    const m = 24;
    this.cam.s = Math.min(this.fitScale(m), 1.2);
    this.cam.x = this.scene.width / 2 - this.width / 2 / this.cam.s;
    this.cam.y = Math.min(-m / this.cam.s, this.scene.height / 2 - this.height / 2 / this.cam.s);
    this.redraw();
  }

  /** The zoom that shows the whole scene with margin `m`. */
  private fitScale(m = 24): number {
    const s = this.scene!;
    return Math.min((this.width - 2 * m) / Math.max(1, s.width), (this.height - 2 * m) / Math.max(1, s.height));
  }

  /** Zooming out stops at the whole graph (or 2%, whichever is smaller): beyond that is only background. */
  private minScale(): number {
    return this.scene ? Math.min(MIN_SCALE, this.fitScale() * 0.8) : MIN_SCALE;
  }

  /**
   * The first view of a graph: the whole width at up to 100%, from the top. A tall model stays
   * readable (the minimap shows the rest) instead of shrinking to unreadable boxes; Fit shows all.
   */
  home(): void {
    if (!this.scene) return;
    const m = 24;
    const s = Math.min((this.width - 2 * m) / Math.max(1, this.scene.width), 1);
    if (this.scene.height * s <= this.height - 2 * m) { this.fit(); return; }
    this.cam.s = s;
    this.cam.x = this.scene.width / 2 - this.width / 2 / this.cam.s;
    this.cam.y = -m / this.cam.s;
    this.redraw();
  }

  /** Moves the camera so the box is in view (keeps the zoom when it fits). */
  reveal(key: string): void {
    const b = this.scene?.byKey.get(key);
    if (!b) return;
    if (b.w * this.cam.s > this.width * 0.9 || this.cam.s < 0.5) this.cam.s = Math.min(1, (this.width * 0.9) / b.w);
    this.cam.x = b.x + b.w / 2 - this.width / 2 / this.cam.s;
    this.cam.y = b.y + b.h / 2 - this.height / 2 / this.cam.s;
    this.redraw();
  }

  zoomAt(factor: number, sx = this.width / 2, sy = this.height / 2): void {
    const s = Math.min(MAX_SCALE, Math.max(this.minScale(), this.cam.s * factor));
    const wx = this.cam.x + sx / this.cam.s, wy = this.cam.y + sy / this.cam.s;
    this.cam.s = s;
    this.cam.x = wx - sx / s;
    this.cam.y = wy - sy / s;
    this.redraw();
  }

  panBy(dx: number, dy: number): void {
    this.cam.x -= dx / this.cam.s;
    this.cam.y -= dy / this.cam.s;
    this.redraw();
  }

  /** The box under a canvas point: the innermost leaf, else the innermost group. */
  hit(sx: number, sy: number): { box: SceneBox; onToggle: boolean } | null {
    if (!this.scene) return null;
    const wx = this.cam.x + sx / this.cam.s, wy = this.cam.y + sy / this.cam.s;
    const boxes = this.scene.boxes;
    for (let i = boxes.length - 1; i >= 0; i--) {
      const b = boxes[i]!;
      if (wx < b.x || wx > b.x + b.w || wy < b.y || wy > b.y + b.h) continue;
      const onToggle = b.kind === 'group' ? wy < b.y + HEADER_H && wx > b.x + b.w - 28 : b.text.expandable && wx > b.x + b.w - 20 && wy < b.y + 22;
      return { box: b, onToggle };
    }
    return null;
  }

  redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.drawNow(); });
  }

  drawNow(): void {
    const dpr = window.devicePixelRatio || 1;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (!this.scene) { this.ctx.clearRect(0, 0, this.width, this.height); this.minimap.hidden = true; return; }
    this.lastFrame = this.renderer.draw(this.ctx, this.scene, this.cam, this.width, this.height, this.marks);
    this.frameTimes.push(this.lastFrame.ms);
    if (this.frameTimes.length > 600) this.frameTimes.splice(0, 300);
    this.drawMinimap();
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const r = this.canvas.parentElement!.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(r.width * dpr));
    this.canvas.height = Math.max(1, Math.round(r.height * dpr));
    this.canvas.style.width = `${r.width}px`;
    this.canvas.style.height = `${r.height}px`;
    this.redraw();
  }

  // ---- minimap: the whole scene small, the view as a rectangle; click or drag to move ----

  private miniScale(): number {
    const s = this.scene!;
    return Math.min(this.minimap.width / Math.max(1, s.width), this.minimap.height / Math.max(1, s.height));
  }

  private drawMinimap(): void {
    const s = this.scene!;
    const big = s.width * this.cam.s > this.width * 1.05 || s.height * this.cam.s > this.height * 1.05;
    this.minimap.hidden = !big;
    if (!big) return;
    const k = this.miniScale();
    if (!this.miniImage) {
      const img = document.createElement('canvas');
      img.width = this.minimap.width; img.height = this.minimap.height;
      const c = img.getContext('2d')!;
      c.fillStyle = this.renderer.palette.background;
      c.fillRect(0, 0, img.width, img.height);
      paintOverview(c, s, k, this.renderer.palette, false);
      this.miniImage = img;
    }
    const m = this.mini;
    m.drawImage(this.miniImage, 0, 0);
    m.strokeStyle = this.renderer.palette.focus;
    m.lineWidth = 1.5;
    m.strokeRect(this.cam.x * k, this.cam.y * k, (this.width / this.cam.s) * k, (this.height / this.cam.s) * k);
  }

  private centreFromMinimap(e: PointerEvent): void {
    const k = this.miniScale();
    const r = this.minimap.getBoundingClientRect();
    const wx = (e.clientX - r.left) * (this.minimap.width / r.width) / k, wy = (e.clientY - r.top) * (this.minimap.height / r.height) / k;
    this.cam.x = wx - this.width / 2 / this.cam.s;
    this.cam.y = wy - this.height / 2 / this.cam.s;
    this.redraw();
  }

  private bindInput(): void {
    const c = this.canvas;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      if (e.ctrlKey || e.metaKey || !e.shiftKey) this.zoomAt(Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)), e.offsetX, e.offsetY);
      else this.panBy(-e.deltaX, -e.deltaY);
    }, { passive: false });
    let drag: { x: number; y: number; moved: boolean } | null = null;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, y: e.clientY, moved: false };
      c.focus();
    });
    c.addEventListener('pointermove', (e) => {
      if (drag) {
        const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          this.panBy(dx, dy);
          drag.x = e.clientX; drag.y = e.clientY;
        }
        return;
      }
      const h = this.hit(e.offsetX, e.offsetY);
      c.style.cursor = h ? 'pointer' : 'grab';
      c.title = h?.box.text.category === 'error' ? h.box.text.detail : '';
    });
    c.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = null;
      if (!d || d.moved) return;
      const h = this.hit(e.offsetX, e.offsetY);
      if (h?.onToggle) this.events.toggle(h.box.key);
      else this.events.select(h ? h.box.key : null);
    });
    c.addEventListener('dblclick', (e) => {
      const h = this.hit(e.offsetX, e.offsetY);
      if (h && (h.box.kind === 'group' || h.box.text.expandable)) this.events.toggle(h.box.key);
      else if (!h) this.fit();
    });
    let miniDrag = false;
    this.minimap.addEventListener('pointerdown', (e) => { miniDrag = true; this.minimap.setPointerCapture(e.pointerId); this.centreFromMinimap(e); });
    this.minimap.addEventListener('pointermove', (e) => { if (miniDrag) this.centreFromMinimap(e); });
    this.minimap.addEventListener('pointerup', () => { miniDrag = false; });
  }
}
