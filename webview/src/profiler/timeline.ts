// The profiler's timeline: lanes of spans on a canvas, like Perfetto's. Mouse: wheel zooms around
// the cursor (pinch too), shift+wheel or a horizontal wheel pans, drag pans (both ways), shift+drag
// or a drag on the ruler marks a range, a click selects, a double-click reveals the source.
// Keys: W/S zoom, A/D pan (held: smooth, per animation frame), arrows pan and scroll, F/0 fit,
// Enter reveals, Esc clears. The geometry is timeline_view.ts (pure), drawing timeline_render.ts.
// setData does no per-event work: the first frame draws from the columns as they came.
import './timeline.css';
import type { ProfileTimeline } from '../profiler_protocol.js';
import { onThemeChange } from '../common/theme.js';
import { TimelineRenderer, type FrameInfo } from './timeline_render.js';
import {
  ROW_H, RULER_H, TimeCamera, eventNear, formatDuration, formatTimeAt, layoutRows, rowAt, rowOf, type RowLayout,
} from './timeline_view.js';

export interface TimelineOptions {
  /** An event was clicked (its index in the trace model), or empty space (null). */
  onSelect(index: number | null): void;
  /** An event was double-clicked or Enter pressed on the selection: reveal its source. */
  onReveal?(index: number): void;
}

export interface TimelineStats {
  /** Frames drawn so far. */
  draws: number;
  /** Milliseconds the last frame took to draw. */
  lastFrameMs: number;
  /** performance.now() of the first frame drawn after setData (-1 before). */
  firstDrawAt: number;
  /** Rectangles drawn in the last frame. */
  rects: number;
}

/** An event under a point, or found by index. */
export interface TimelineHit {
  /** Its position in the timeline's columns, and its index in the trace model. */
  readonly pos: number;
  readonly index: number;
  readonly row: number;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
}

/** What is in view (tests and the benchmark make exact clicks from it). */
export interface TimelineRange {
  readonly t0: number;
  readonly t1: number;
  readonly scrollY: number;
  /** Canvas size and the gutter's width (the track starts there), CSS px. */
  readonly width: number;
  readonly height: number;
  readonly gutter: number;
  /** Content height of all rows. */
  readonly contentHeight: number;
}

/** Held keys: zoom halves the window in ~0.3 s; pan moves ~0.9 of it per second. */
const ZOOM_RATE = 2.4, PAN_RATE = 0.9;
/** A tap (keydown) moves at once by this many seconds' worth, so one press does something. */
const TAP_S = 0.1;
const DRAG_PX = 3;

export class Timeline {
  readonly stats: TimelineStats = { draws: 0, lastFrameMs: 0, firstDrawAt: -1, rects: 0 };
  readonly camera = new TimeCamera();
  readonly renderer = new TimelineRenderer();
  /** The last frame's detail. */
  lastFrame: FrameInfo | null = null;
  /** Milliseconds the last setData took, and the first frame after it (the timeline's share of "open to first draw"). */
  setDataMs = 0;
  firstFrameMs = 0;
  scrollY = 0;
  /** Selected range (µs), if any. */
  range: [number, number] | null = null;
  private data: ProfileTimeline | null = null;
  private layout: RowLayout = { rowY: new Float64Array(0), lanes: [], processes: [], height: 0 };
  private selected = -1;
  private hover = -1;
  private gutter = 140;
  private width = 0;
  private height = 0;
  private pendingFirst = false;
  /** Model index → column position, built on the first `select` (O(n)). */
  private posOfIndex: Int32Array | null = null;
  /** A selection to bring into view once the timeline has a size. */
  private revealPending = -1;
  private raf = 0;
  private disposed = false;
  private readonly root: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly tip: HTMLDivElement;
  private readonly resizeObserver: ResizeObserver;
  private readonly held = new Set<string>();
  private heldSince = 0;
  private animLast = 0;
  private animRaf = 0;
  private mouse: { x: number; y: number } | null = null;
  private readonly abort = new AbortController();

  constructor(readonly host: HTMLElement, readonly opts: TimelineOptions) {
    this.root = document.createElement('div');
    this.root.className = 'timeline';
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'timeline-canvas';
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-label', 'Timeline. W and S zoom, A and D pan, F fits, drag pans, shift+drag marks a range, Enter reveals the selected event\'s source.');
    this.tip = document.createElement('div');
    this.tip.className = 'timeline-tooltip';
    this.tip.hidden = true;
    this.root.append(this.canvas, this.tip);
    host.append(this.root);
    this.ctx = this.canvas.getContext('2d')!;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.root);
    onThemeChange(() => {
      if (this.disposed) return;
      this.renderer.refreshTheme();
      this.updateGutter();
      this.redraw();
    });
    this.bindInput();
    this.resize();
    this.warmUp();
  }

  /**
   * Text on a canvas costs tens of ms the first time (font, glyphs): paid now, while the page
   * waits for the trace, rather than in the first frame after it arrives.
   */
  private warmUp(): void {
    const c = document.createElement('canvas');
    c.width = c.height = 8;
    const ctx = c.getContext('2d')!;
    const f = this.renderer.colors.font;
    for (const font of [`11px ${f}`, `12px ${f}`, `600 12px ${f}`, `10px ${f}`]) {
      ctx.font = font;
      ctx.measureText('aten::matmul 0.5 ms …');
      ctx.fillText('aten::matmul 0123456789 µs …', 0, 4);
    }
    ctx.getImageData(0, 0, 1, 1);
  }

  /** Shows a trace's timeline, fitted to its whole span. */
  setData(t: ProfileTimeline): void {
    const t0 = performance.now();
    this.data = t;
    this.layout = layoutRows(t.lanes, t.rowStart.length - 1);
    this.renderer.setData(t);
    this.camera.setSpan(t.span);
    this.scrollY = 0;
    this.selected = this.hover = this.revealPending = -1;
    this.range = null;
    this.posOfIndex = null;
    this.stats.firstDrawAt = -1;
    this.pendingFirst = true;
    this.hideTip();
    this.updateGutter();
    this.redraw();
    this.setDataMs = performance.now() - t0;
  }

  /** Highlights an event (model index) and brings it into view; null clears. */
  select(index: number | null): void {
    const pos = index === null ? -1 : this.positionOf(index);
    this.selected = pos;
    if (pos >= 0) {
      if (this.width > 0) this.bringIntoView(pos); else this.revealPending = pos;
    }
    this.redraw();
  }

  /** Shows [ts, ts + dur] (µs from the trace's start). */
  zoomTo(ts: number, dur: number): void {
    this.camera.setWindow(ts, ts + Math.max(0, dur));
    this.redraw();
  }

  /** The host element's size changed (or it became visible). */
  resize(): void {
    if (this.disposed) return;
    const r = this.root.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.floor(r.width), h = Math.floor(r.height);
    if (w === this.width && h === this.height && this.canvas.width === Math.max(1, Math.round(w * dpr))) return;
    this.width = w;
    this.height = h;
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.updateGutter();
    if (this.revealPending >= 0 && w > 0) { const p = this.revealPending; this.revealPending = -1; this.bringIntoView(p); }
    this.clampScroll();
    // Drawn at once: a resize clears the canvas, and a frame of blank would flicker.
    this.drawNow();
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.raf);
    cancelAnimationFrame(this.animRaf);
    this.resizeObserver.disconnect();
    this.abort.abort();
    this.root.remove();
  }

  // ---- for tests and the benchmark (and whoever needs exact positions) ----

  /** The visible window and geometry. */
  visibleRange(): TimelineRange {
    return {
      t0: this.camera.t0, t1: this.camera.t1, scrollY: this.scrollY, width: this.width, height: this.height,
      gutter: this.gutter, contentHeight: this.layout.height,
    };
  }

  /** Canvas x (CSS px) of time `t`. */
  xOf(t: number): number { return this.gutter + this.camera.x(t); }

  /** Canvas y (CSS px) of the middle of row `r`. */
  yOfRow(r: number): number { return RULER_H + this.layout.rowY[r]! - this.scrollY + (ROW_H - 1) / 2; }

  /** The event under canvas point (x, y) (CSS px), if any: what a click there selects. */
  hitTest(x: number, y: number): TimelineHit | null {
    const t = this.data;
    if (!t || x < this.gutter || y < RULER_H || x > this.width) return null;
    const row = rowAt(this.layout, t.lanes, y - RULER_H + this.scrollY);
    if (row < 0) return null;
    const time = this.camera.time(x - this.gutter);
    const pos = eventNear(t.ts, t.dur, t.rowStart[row]!, t.rowStart[row + 1]!, time, 4 * this.camera.upp);
    return pos < 0 ? null : this.hitOf(pos, row);
  }

  /** The event with this model index (position, row, times), or null. */
  eventOf(index: number): TimelineHit | null {
    const pos = this.positionOf(index);
    return pos < 0 ? null : this.hitOf(pos, rowOf(this.data!.rowStart, pos));
  }

  /** The selected event's model index, or null. */
  selection(): number | null { return this.selected >= 0 ? this.data!.index[this.selected]! : null; }

  fit(): void {
    this.camera.fit();
    this.redraw();
  }

  /** Zoom by `factor` (< 1: in) around canvas x (the track's middle by default). */
  zoomAt(factor: number, x = this.gutter + (this.width - this.gutter) / 2): void {
    this.camera.zoomAt(factor, x - this.gutter);
    this.redraw();
  }

  /** Pan by pixels: dx > 0 shows later times, dy > 0 rows further down. */
  panBy(dx: number, dy = 0): void {
    this.camera.panBy(dx);
    this.scrollY += dy;
    this.clampScroll();
    this.redraw();
  }

  /** Draws now (the panel otherwise draws once per animation frame, when something changed). */
  drawNow(): void {
    if (this.disposed) return;
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    const w = this.width, h = this.height;
    if (w <= 0 || h <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.ctx;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const t = this.data;
    const t0 = performance.now();
    if (!t) {
      this.drawEmpty('No trace loaded');
    } else if (t.ts.length === 0) {
      this.drawEmpty('This trace has no timed events');
    } else {
      this.camera.width = Math.max(1, w - this.gutter);
      this.lastFrame = this.renderer.draw(ctx, {
        t, layout: this.layout, cam: this.camera, scrollY: this.scrollY, gutter: this.gutter,
        selected: this.selected, hover: this.hover, range: this.range, width: w, height: h,
      });
      this.stats.rects = this.lastFrame.spans + this.lastFrame.merged + this.lastFrame.instants;
    }
    const now = performance.now();
    this.stats.draws++;
    this.stats.lastFrameMs = now - t0;
    if (this.pendingFirst && t) { this.pendingFirst = false; this.stats.firstDrawAt = now; this.firstFrameMs = now - t0; }
  }

  // ---- internals ----

  private redraw(): void {
    if (this.raf || this.disposed) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.drawNow(); });
  }

  private drawEmpty(text: string): void {
    const c = this.renderer.colors, ctx = this.ctx;
    ctx.fillStyle = c.background;
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.fillStyle = c.muted;
    ctx.font = `13px ${c.font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, this.width / 2, this.height / 2);
    ctx.textAlign = 'left';
    this.stats.rects = 0;
  }

  private updateGutter(): void {
    if (!this.data) return;
    this.gutter = this.renderer.gutterFor(this.ctx, this.data, this.width);
    this.camera.width = Math.max(1, this.width - this.gutter);
  }

  private hitOf(pos: number, row: number): TimelineHit {
    const t = this.data!;
    return { pos, index: t.index[pos]!, row, name: t.names[t.name[pos]!]!, ts: t.ts[pos]!, dur: t.dur[pos]! };
  }

  private positionOf(index: number): number {
    const t = this.data;
    if (!t || index < 0) return -1;
    if (!this.posOfIndex) {
      let max = -1;
      for (let k = 0; k < t.index.length; k++) if (t.index[k]! > max) max = t.index[k]!;
      const map = new Int32Array(max + 1).fill(-1);
      for (let k = 0; k < t.index.length; k++) map[t.index[k]!] = k;
      this.posOfIndex = map;
    }
    return index < this.posOfIndex.length ? this.posOfIndex[index]! : -1;
  }

  /** Brings an event into view: pans to it when it shows at this zoom, else zooms to it; scrolls its row into view. */
  private bringIntoView(pos: number): void {
    const t = this.data!, cam = this.camera;
    const a = t.ts[pos]!, d = t.dur[pos]!, w = cam.t1 - cam.t0;
    const px = d / cam.upp;
    if (d > 0 && (px < 3 || d > w * 0.9)) {
      cam.setWindow(a + d / 2 - d / 0.6 / 2, a + d / 2 + d / 0.6 / 2);
    } else if (a < cam.t0 || a + d > cam.t1) {
      cam.setWindow(a + d / 2 - w / 2, a + d / 2 + w / 2);
    }
    const y = this.layout.rowY[rowOf(t.rowStart, pos)]!, viewH = this.height - RULER_H;
    if (y < this.scrollY || y + ROW_H > this.scrollY + viewH) this.scrollY = y - viewH / 3;
    this.clampScroll();
  }

  private clampScroll(): void {
    const max = Math.max(0, this.layout.height - (this.height - RULER_H));
    this.scrollY = Math.min(max, Math.max(0, this.scrollY));
  }

  // ---- the tooltip ----

  private showTip(h: TimelineHit, x: number, y: number): void {
    const tip = this.tip;
    tip.replaceChildren();
    const name = document.createElement('div');
    name.className = 'timeline-tooltip-name';
    name.textContent = h.name;
    const meta = document.createElement('div');
    meta.className = 'timeline-tooltip-meta';
    const cat = this.data!.cats[this.data!.cat[h.pos]!];
    meta.textContent = `${h.dur > 0 ? formatDuration(h.dur) : 'instant'} · at ${formatTimeAt(h.ts, Math.max(this.camera.upp, 1e-3))}${cat ? ` · ${cat}` : ''}`;
    tip.append(name, meta);
    tip.hidden = false;
    // Beside the cursor, flipped to stay inside the timeline.
    const r = tip.getBoundingClientRect();
    let left = x + 14, top = y + 16;
    if (left + r.width > this.width - 4) left = Math.max(4, x - r.width - 10);
    if (top + r.height > this.height - 4) top = Math.max(4, y - r.height - 10);
    tip.style.left = `${Math.round(left)}px`;
    tip.style.top = `${Math.round(top)}px`;
  }

  private hideTip(): void { this.tip.hidden = true; }

  private setHover(h: TimelineHit | null, x: number, y: number): void {
    const pos = h ? h.pos : -1;
    if (h) this.showTip(h, x, y); else this.hideTip();
    this.canvas.style.cursor = h ? 'pointer' : y < RULER_H ? 'text' : 'grab';
    if (pos !== this.hover) { this.hover = pos; this.redraw(); }
  }

  // ---- input ----

  private bindInput(): void {
    const c = this.canvas, signal = this.abort.signal;
    const local = (e: MouseEvent): { x: number; y: number } => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };

    c.addEventListener('wheel', (e) => {
      if (!this.data) return;
      e.preventDefault();
      const { x } = local(e);
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.height : 1;
      let dx = e.deltaX * unit, dy = e.deltaY * unit;
      if (e.shiftKey && dx === 0) { dx = dy; dy = 0; }
      if (x < this.gutter && !e.ctrlKey) {
        // Over the lane labels the wheel scrolls the rows.
        this.panBy(0, dy);
      } else if (e.ctrlKey || e.metaKey) {
        this.zoomAt(Math.exp(dy * 0.01), Math.max(x, this.gutter));
      } else if (Math.abs(dx) > Math.abs(dy)) {
        this.panBy(dx);
      } else {
        this.zoomAt(Math.exp(dy * 0.0015), Math.max(x, this.gutter));
      }
      this.hideTip();
    }, { passive: false, signal });

    let drag: { x: number; y: number; lastX: number; lastY: number; mode: 'pan' | 'range'; moved: boolean; t: number } | null = null;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 || !this.data) return;
      c.focus();
      c.setPointerCapture(e.pointerId);
      const { x, y } = local(e);
      const onRuler = y < RULER_H && x >= this.gutter;
      drag = { x, y, lastX: x, lastY: y, mode: onRuler || e.shiftKey ? 'range' : 'pan', moved: false, t: this.camera.time(x - this.gutter) };
    }, { signal });
    c.addEventListener('pointermove', (e) => {
      const { x, y } = local(e);
      this.mouse = { x, y };
      if (drag) {
        if (!drag.moved && Math.abs(x - drag.x) + Math.abs(y - drag.y) <= DRAG_PX) return;
        drag.moved = true;
        this.hideTip();
        if (drag.mode === 'pan') {
          c.style.cursor = 'grabbing';
          this.panBy(drag.lastX - x, drag.lastY - y);
        } else {
          const t = this.camera.time(Math.max(this.gutter, Math.min(this.width, x)) - this.gutter);
          this.range = [Math.min(drag.t, t), Math.max(drag.t, t)];
          this.redraw();
        }
        drag.lastX = x; drag.lastY = y;
        return;
      }
      this.setHover(this.hitTest(x, y), x, y);
    }, { signal });
    c.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = null;
      if (!d) return;
      const { x, y } = local(e);
      c.style.cursor = 'grab';
      if (d.moved) return;
      if (y < RULER_H) {
        // A click on the ruler clears the range.
        if (this.range) { this.range = null; this.redraw(); }
        return;
      }
      const h = this.hitTest(x, y);
      this.selected = h ? h.pos : -1;
      this.redraw();
      this.opts.onSelect(h ? h.index : null);
    }, { signal });
    c.addEventListener('pointerleave', () => { this.mouse = null; if (!drag) this.setHover(null, 0, RULER_H); }, { signal });
    c.addEventListener('dblclick', (e) => {
      const { x, y } = local(e);
      if (y < RULER_H) { this.fit(); return; }
      const h = this.hitTest(x, y);
      if (h) this.opts.onReveal?.(h.index);
    }, { signal });

    c.addEventListener('keydown', (e) => {
      if (!this.data || e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      switch (k) {
        case 'w': case 's': case 'a': case 'd':
        case 'ArrowLeft': case 'ArrowRight': case 'ArrowUp': case 'ArrowDown':
          e.preventDefault();
          if (e.repeat || this.held.has(k)) return;
          // One step now (a tap does something), then smoothly while held.
          this.move(k, TAP_S * 1000, 0);
          if (this.held.size === 0) { this.heldSince = performance.now(); this.animLast = this.heldSince; }
          this.held.add(k);
          this.hideTip();
          if (!this.animRaf) this.animRaf = requestAnimationFrame((now) => this.animate(now));
          return;
        case 'f': case '0':
          e.preventDefault();
          if (k === 'f' && this.selected >= 0) { this.camera.width = Math.max(1, this.width - this.gutter); this.focusSelection(); } else this.fit();
          return;
        case 'Enter':
          if (this.selected >= 0) { e.preventDefault(); this.opts.onReveal?.(this.data.index[this.selected]!); }
          return;
        case 'Escape':
          if (this.range || this.selected >= 0) {
            e.preventDefault();
            if (this.range) this.range = null;
            else { this.selected = -1; this.opts.onSelect(null); }
            this.redraw();
          }
          return;
      }
    }, { signal });
    c.addEventListener('keyup', (e) => {
      const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      this.held.delete(k);
    }, { signal });
    c.addEventListener('blur', () => this.held.clear(), { signal });
  }

  /** Zooms the view to the selection (F with a selection). */
  private focusSelection(): void {
    const t = this.data!, pos = this.selected;
    const a = t.ts[pos]!, d = t.dur[pos]!;
    if (d > 0) this.camera.setWindow(a - d * 0.25, a + d * 1.25);
    else this.camera.setWindow(a - (this.camera.t1 - this.camera.t0) / 2, a + (this.camera.t1 - this.camera.t0) / 2);
    this.bringIntoView(pos);
    this.redraw();
  }

  /** One key's motion for `ms` of holding (`held`: ms it has been held, to speed up long holds). */
  private move(k: string, ms: number, held: number): void {
    const s = (ms / 1000) * Math.min(2.5, 1 + held / 1500);
    const tw = Math.max(1, this.width - this.gutter);
    const at = this.mouse && this.mouse.x >= this.gutter ? this.mouse.x : this.gutter + tw / 2;
    switch (k) {
      case 'w': this.zoomAt(Math.exp(-ZOOM_RATE * s), at); break;
      case 's': this.zoomAt(Math.exp(ZOOM_RATE * s), at); break;
      case 'a': case 'ArrowLeft': this.panBy(-PAN_RATE * s * tw); break;
      case 'd': case 'ArrowRight': this.panBy(PAN_RATE * s * tw); break;
      case 'ArrowUp': this.panBy(0, -s * 600); break;
      case 'ArrowDown': this.panBy(0, s * 600); break;
    }
  }

  private animate(now: number): void {
    this.animRaf = 0;
    if (this.held.size === 0 || this.disposed) return;
    const ms = Math.min(100, now - this.animLast);
    this.animLast = now;
    for (const k of this.held) this.move(k, ms, now - this.heldSince);
    // In this frame, not the next: held keys move the view once per frame.
    this.drawNow();
    this.animRaf = requestAnimationFrame((n) => this.animate(n));
  }
}
