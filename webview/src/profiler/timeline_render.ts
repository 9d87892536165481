// Drawing the timeline on a 2D canvas: the visible rows only, each walked with level of detail
// (timeline_view.ts walkRow: O(width · log n) per row, whatever the trace holds), fills batched
// by colour into one path each, names drawn inside spans wide enough for them, then flows, the
// selection, the range, the gutter with lane labels and the time ruler over it all.
import type { ProfileTimeline } from '../profiler_protocol.js';
import { readPalette, seriesColors } from '../common/theme.js';
import {
  LANE_PAD, PROCESS_H, ROW_H, RULER_H, firstLaneBelow, formatDuration, mix, nameHash, rowOf, textOn,
  tickFormat, tickStep, ticksIn, walkRow, type RowLayout, type RowSink, type TimeCamera,
} from './timeline_view.js';

export interface TimelineColors {
  readonly kind: string;
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  /** The gutter, the ruler and the process bands. */
  readonly panel: string;
  readonly border: string;
  readonly grid: string;
  readonly focus: string;
  readonly flow: string;
  /** Span fills (hashed by name) and the text colour that reads on each. */
  readonly fills: readonly string[];
  readonly texts: readonly string[];
  /** Slivers of events too small to tell apart. */
  readonly merged: string;
  readonly font: string;
}

/** The theme's colours for the timeline (VS Code's chart colours, in every theme). */
export function readColors(): TimelineColors {
  const p = readPalette();
  const hc = p.kind.startsWith('high-contrast');
  const base = seriesColors();
  const dark = p.kind === 'dark' || p.kind === 'high-contrast';
  // Each chart colour, and a deeper (dark themes) or paler (light) variant of it: 16 fills.
  const fills = hc ? base : [...base.map((c) => mix(c, p.background, dark ? 0.12 : 0.05)), ...base.map((c) => mix(c, dark ? '#000000' : '#ffffff', dark ? 0.38 : 0.45))];
  const darkText = '#1b1b1b', lightText = '#f4f4f4';
  const font = getComputedStyle(document.body).getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  return {
    kind: p.kind, background: p.background, foreground: p.foreground, muted: p.muted,
    panel: p.group, border: p.nodeBorder,
    grid: mix(p.background, p.foreground, hc ? 0.25 : 0.07),
    focus: p.focus,
    flow: hc ? p.foreground : mix(p.foreground, p.background, 0.15),
    fills, texts: fills.map((c) => textOn(c, darkText, lightText)),
    merged: hc ? p.foreground : mix(p.foreground, p.background, 0.62),
    font,
  };
}

export interface TimelineScene {
  readonly t: ProfileTimeline;
  readonly layout: RowLayout;
  readonly cam: TimeCamera;
  readonly scrollY: number;
  readonly gutter: number;
  /** Event positions (into the columns), -1 for none. */
  readonly selected: number;
  readonly hover: number;
  readonly range: readonly [number, number] | null;
  /** Canvas size, CSS px. */
  readonly width: number;
  readonly height: number;
}

/** What the last frame drew (tests and the benchmark read it). */
export interface FrameInfo {
  spans: number;
  merged: number;
  instants: number;
  texts: number;
  flows: number;
  /** Rows walked. */
  rows: number;
  /** Lane and process labels drawn in the gutter. */
  labels: string[];
  ms: number;
}

const LABEL_FONT = (f: string): string => `11px ${f}`;
const GUTTER_FONT = (f: string): string => `12px ${f}`;
const BOLD_FONT = (f: string): string => `600 12px ${f}`;
const SMALL_FONT = (f: string): string => `10px ${f}`;
/** Spans narrower than this get no name. */
const TEXT_MIN_PX = 22;

/** Rects of one colour, as x, y, w, h in a growable buffer (kept between frames). */
class Batch {
  buf = new Float64Array(1024);
  n = 0;
  push(x: number, y: number, w: number, h: number): void {
    if (this.n + 4 > this.buf.length) { const b = new Float64Array(this.buf.length * 2); b.set(this.buf); this.buf = b; }
    const b = this.buf, k = this.n;
    b[k] = x; b[k + 1] = y; b[k + 2] = w; b[k + 3] = h;
    this.n = k + 4;
  }
  fill(ctx: CanvasRenderingContext2D, color: string): void {
    if (this.n === 0) return;
    ctx.fillStyle = color;
    ctx.beginPath();
    const b = this.buf;
    for (let k = 0; k < this.n; k += 4) ctx.rect(b[k]!, b[k + 1]!, b[k + 2]!, b[k + 3]!);
    ctx.fill();
    this.n = 0;
  }
  /** Diamonds centred on (x, y) (w, h: half sizes). */
  fillDiamonds(ctx: CanvasRenderingContext2D, color: string): void {
    if (this.n === 0) return;
    ctx.fillStyle = color;
    ctx.beginPath();
    const b = this.buf;
    for (let k = 0; k < this.n; k += 4) {
      const x = b[k]!, y = b[k + 1]!, w = b[k + 2]!, h = b[k + 3]!;
      ctx.moveTo(x, y - h); ctx.lineTo(x + w, y); ctx.lineTo(x, y + h); ctx.lineTo(x - w, y); ctx.closePath();
    }
    ctx.fill();
    this.n = 0;
  }
}

export class TimelineRenderer {
  colors: TimelineColors = readColors();
  /** Fill index per name (hashed once per trace). */
  private nameColor = new Uint8Array(0);
  /** Width of each name in LABEL_FONT, measured when first drawn (-1: not yet). */
  private nameW = new Float32Array(0);
  /** The same for names without their namespace. */
  private shortW = new Float32Array(0);
  /** Cut names by name and room (see fitName). */
  private readonly cut = new Map<number, string>();
  private ellipsisW = 0;
  private measuredFont = '';
  private t: ProfileTimeline | null = null;
  private readonly fills: Batch[] = [];
  private readonly diamonds: Batch[] = [];
  private readonly merged = new Batch();
  /** Names to draw: x centre, y, event position, chars (0: whole). */
  private texts = new Float64Array(4096);

  setData(t: ProfileTimeline): void {
    this.t = t;
    this.nameColor = new Uint8Array(t.names.length);
    this.colorNames();
    this.nameW = new Float32Array(t.names.length).fill(-1);
    this.shortW = new Float32Array(t.names.length).fill(-1);
    this.cut.clear();
  }

  refreshTheme(): void {
    this.colors = readColors();
    this.colorNames();
    this.measuredFont = '';
  }

  private colorNames(): void {
    const t = this.t;
    if (!t) return;
    const n = this.colors.fills.length;
    for (let k = 0; k < t.names.length; k++) this.nameColor[k] = nameHash(t.names[k]!) % n;
  }

  /** The fill of the event at position `pos`. */
  fillOf(pos: number): string {
    const t = this.t!;
    return this.colors.fills[this.nameColor[t.name[pos]!]!]!;
  }

  /**
   * A name cut to `avail` px: whole, else without its namespaces ('aten::matmul' → 'matmul'), else
   * ellipsised (measured, and kept per name and 2 px of room, so panning measures nothing); '' when
   * too little of it would show.
   */
  private fitName(ctx: CanvasRenderingContext2D, id: number, label: string, width: number, avail: number): string {
    if (width <= avail) return label;
    let text = label, w = width;
    const ns = label.lastIndexOf('::');
    if (ns > 0 && ns + 2 < label.length && !label.includes('(') && !label.includes('<')) {
      text = label.slice(ns + 2);
      w = this.shortW[id]! >= 0 ? this.shortW[id]! : (this.shortW[id] = ctx.measureText(text).width);
      if (w <= avail) return text;
    }
    const room = Math.floor(avail / 2);
    const key = id * 4096 + Math.min(4095, room);
    const hit = this.cut.get(key);
    if (hit !== undefined) return hit;
    const max = room * 2 - this.ellipsisW;
    let lo = 0, hi = Math.min(text.length - 1, Math.ceil((max / w) * text.length * 1.5) + 1);
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, m)).width <= max) lo = m; else hi = m - 1;
    }
    const out = lo >= Math.min(3, text.length - 1) && lo > 0 ? text.slice(0, lo).trimEnd() + '…' : '';
    if (this.cut.size > 50_000) this.cut.clear();
    this.cut.set(key, out);
    return out;
  }

  /** The gutter width the lanes' labels want. */
  gutterFor(ctx: CanvasRenderingContext2D, t: ProfileTimeline, width: number): number {
    ctx.font = GUTTER_FONT(this.colors.font);
    let w = 0;
    for (const l of t.lanes) w = Math.max(w, ctx.measureText(l.name).width + (l.device ? 52 : 0));
    return Math.round(Math.min(Math.max(110, w + 28), Math.max(110, Math.min(300, width * 0.3))));
  }

  draw(ctx: CanvasRenderingContext2D, s: TimelineScene): FrameInfo {
    const t0 = performance.now();
    const c = this.colors, t = s.t, cam = s.cam;
    const info: FrameInfo = { spans: 0, merged: 0, instants: 0, texts: 0, flows: 0, rows: 0, labels: [], ms: 0 };
    const W = s.width, H = s.height, G = s.gutter, TW = W - G;
    ctx.fillStyle = c.background;
    ctx.fillRect(0, 0, W, H);
    if (this.measuredFont !== c.font) {
      ctx.font = LABEL_FONT(c.font);
      this.ellipsisW = ctx.measureText('…').width;
      this.nameW.fill(-1);
      this.shortW.fill(-1);
      this.cut.clear();
      this.measuredFont = c.font;
    }
    while (this.fills.length < c.fills.length) { this.fills.push(new Batch()); this.diamonds.push(new Batch()); }

    const step = tickStep(cam.t1 - cam.t0, TW);
    const ticks = ticksIn(cam.t0, cam.t1, step);

    // ---- the track area ----
    ctx.save();
    ctx.beginPath();
    ctx.rect(G, RULER_H, TW, H - RULER_H);
    ctx.clip();
    const top = s.scrollY, bottom = s.scrollY + H - RULER_H;
    const dy = RULER_H - s.scrollY;
    // Process bands.
    for (const p of s.layout.processes) {
      if (p.top + PROCESS_H < top || p.top > bottom) continue;
      ctx.fillStyle = c.panel;
      ctx.fillRect(G, p.top + dy, TW, PROCESS_H);
    }
    // Grid lines at the ticks.
    ctx.fillStyle = c.grid;
    for (const x of ticks) ctx.fillRect(Math.round(G + cam.x(x)), RULER_H, 1, H - RULER_H);

    // Rows: spans, merged slivers and instants into the batches; names to draw after.
    let nText = 0;
    const fills = this.fills, diamonds = this.diamonds, merged = this.merged, nameColor = this.nameColor, names = t.name;
    let y = 0;
    const rowH = ROW_H - 1;
    const sink: RowSink = {
      span: (i, x0, x1) => {
        info.spans++;
        const a = Math.max(x0, -2), b = Math.min(x1, TW + 2);
        let w = b - a;
        if (w > 3) w -= 1; else if (w < 1) w = 1;
        fills[nameColor[names[i]!]!]!.push(G + a, y, w, rowH);
        if (b - a >= TEXT_MIN_PX) {
          if (nText + 4 > this.texts.length) { const n = new Float64Array(this.texts.length * 2); n.set(this.texts); this.texts = n; }
          this.texts[nText] = G + a; this.texts[nText + 1] = b - a; this.texts[nText + 2] = y; this.texts[nText + 3] = i;
          nText += 4;
        }
      },
      instant: (i, x) => {
        info.instants++;
        diamonds[nameColor[names[i]!]!]!.push(G + x, y + rowH / 2, 4, 6);
      },
      merged: (x0, x1) => {
        info.merged++;
        const a = Math.max(x0, -2), b = Math.min(x1, TW + 2);
        merged.push(G + a, y, Math.max(1, b - a), rowH);
      },
    };
    const lanes = s.layout.lanes;
    for (let k = firstLaneBelow(s.layout, top); k < lanes.length && lanes[k]!.top < bottom; k++) {
      const lane = t.lanes[lanes[k]!.lane]!;
      for (let d = 0; d < lane.rows; d++) {
        const r = lane.firstRow + d;
        const ry = s.layout.rowY[r]!;
        if (ry + ROW_H < top || ry > bottom) continue;
        y = ry + dy;
        info.rows++;
        walkRow(t.ts, t.dur, t.rowStart[r]!, t.rowStart[r + 1]!, cam, sink);
      }
    }
    merged.fill(ctx, c.merged);
    for (let k = 0; k < c.fills.length; k++) fills[k]!.fill(ctx, c.fills[k]!);
    for (let k = 0; k < c.fills.length; k++) diamonds[k]!.fillDiamonds(ctx, c.fills[k]!);

    // Names, centred in the visible part of their span, cut with an ellipsis to fit.
    if (nText) {
      ctx.font = LABEL_FONT(c.font);
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'center';
      const tx = this.texts;
      let color = '';
      for (let k = 0; k < nText; k += 4) {
        const x = tx[k]!, w = tx[k + 1]!, ty = tx[k + 2]!, i = tx[k + 3]!;
        const id = names[i]!;
        const label = t.names[id]!;
        let nw = this.nameW[id]!;
        if (nw < 0) { nw = ctx.measureText(label).width; this.nameW[id] = nw; }
        const text = this.fitName(ctx, id, label, nw, w - 6);
        if (!text) continue;
        const tc = c.texts[nameColor[id]!]!;
        if (tc !== color) { ctx.fillStyle = tc; color = tc; }
        ctx.fillText(text, x + w / 2, ty + rowH / 2 + 0.5);
        info.texts++;
      }
      ctx.textAlign = 'left';
    }

    // Flow arrows whose ends are in view.
    if (t.flows.length) this.drawFlows(ctx, s, info);

    // Hover and selection outlines.
    const outline = (pos: number, color: string, lw: number): void => {
      if (pos < 0) return;
      const r = rowOf(t.rowStart, pos);
      const ry = s.layout.rowY[r]!;
      if (ry + ROW_H < top || ry > bottom) return;
      const a = cam.x(t.ts[pos]!), b = cam.x(t.ts[pos]! + t.dur[pos]!);
      if (b < -4 || a > TW + 4) return;
      ctx.strokeStyle = color;
      ctx.lineWidth = lw;
      const x0 = Math.max(a, -4), x1 = Math.min(b, TW + 4);
      if (t.dur[pos] === 0) {
        ctx.beginPath();
        const cx = G + a, cy = ry + dy + rowH / 2;
        ctx.moveTo(cx, cy - 8); ctx.lineTo(cx + 6, cy); ctx.lineTo(cx, cy + 8); ctx.lineTo(cx - 6, cy); ctx.closePath();
        ctx.stroke();
        return;
      }
      const w = Math.max(3, x1 - x0 - (x1 - x0 > 3 ? 1 : 0));
      ctx.strokeRect(G + x0 + lw / 2 - (w === 3 ? 1 : 0), ry + dy + lw / 2, w - lw, rowH - lw);
    };
    if (s.hover !== s.selected) outline(s.hover, c.foreground, 1);
    outline(s.selected, c.focus, 2);

    // The selected range.
    if (s.range) {
      const a = G + cam.x(s.range[0]), b = G + cam.x(s.range[1]);
      ctx.globalAlpha = c.kind.startsWith('high-contrast') ? 0.25 : 0.13;
      ctx.fillStyle = c.focus;
      ctx.fillRect(a, RULER_H, b - a, H - RULER_H);
      ctx.globalAlpha = 1;
      ctx.fillRect(Math.round(a), RULER_H, 1, H - RULER_H);
      ctx.fillRect(Math.round(b), RULER_H, 1, H - RULER_H);
    }
    ctx.restore();

    // ---- the gutter: process names and lane labels ----
    ctx.fillStyle = c.panel;
    ctx.fillRect(0, RULER_H, G, H - RULER_H);
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, RULER_H, W, H - RULER_H);
    ctx.clip();
    ctx.textBaseline = 'middle';
    for (const p of s.layout.processes) {
      if (p.top + PROCESS_H < top || p.top > bottom) continue;
      ctx.font = BOLD_FONT(c.font);
      ctx.fillStyle = c.foreground;
      // The band spans the track too: a long process name may run past the gutter.
      ctx.fillText(fitText(ctx, p.name, W - 16), 8, p.top + dy + PROCESS_H / 2 + 0.5);
      info.labels.push(p.name);
    }
    for (let k = firstLaneBelow(s.layout, top); k < lanes.length && lanes[k]!.top < bottom; k++) {
      const box = lanes[k]!, lane = t.lanes[box.lane]!;
      const laneTop = box.top + dy, laneBottom = laneTop + box.height;
      // Sticky: a tall lane's label stays in view while its rows scroll.
      const ly = Math.min(Math.max(laneTop, RULER_H) + LANE_PAD + ROW_H / 2, laneBottom - ROW_H / 2);
      ctx.font = GUTTER_FONT(c.font);
      ctx.fillStyle = c.foreground;
      let x = 16;
      const badge = lane.device ? 'device' : '';
      ctx.fillText(fitText(ctx, lane.name, G - x - 8 - (badge ? 48 : 0)), x, ly + 0.5);
      x += Math.min(ctx.measureText(lane.name).width, G - x - 8 - (badge ? 48 : 0)) + 6;
      if (badge) {
        ctx.font = SMALL_FONT(c.font);
        const bw = ctx.measureText(badge).width + 8;
        ctx.strokeStyle = c.muted;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.roundRect(Math.round(x) + 0.5, Math.round(ly - 7) + 0.5, Math.round(bw), 14, 3);
        ctx.stroke();
        ctx.fillStyle = c.muted;
        ctx.fillText(badge, Math.round(x) + 4.5, ly + 0.5);
      }
      info.labels.push(lane.name);
      // The line under the lane, across gutter and track.
      ctx.fillStyle = c.border;
      ctx.fillRect(0, Math.round(laneBottom) - 1, W, 1);
    }
    for (const p of s.layout.processes) {
      if (p.top + PROCESS_H < top || p.top > bottom) continue;
      ctx.fillStyle = c.border;
      ctx.fillRect(0, Math.round(p.top + dy + PROCESS_H) - 1, W, 1);
    }
    ctx.restore();
    ctx.fillStyle = c.border;
    ctx.fillRect(G - 1, RULER_H, 1, H - RULER_H);

    // ---- the ruler ----
    ctx.fillStyle = c.panel;
    ctx.fillRect(0, 0, W, RULER_H);
    ctx.fillStyle = c.border;
    ctx.fillRect(0, RULER_H - 1, W, 1);
    const fmt = tickFormat(cam.t0, cam.t1, step);
    ctx.font = LABEL_FONT(c.font);
    ctx.textBaseline = 'middle';
    ctx.save();
    ctx.beginPath();
    ctx.rect(G, 0, TW, RULER_H);
    ctx.clip();
    ctx.fillStyle = c.muted;
    for (const x of ticks) {
      if (x < 0) continue;
      const px = Math.round(G + cam.x(x));
      ctx.fillRect(px, RULER_H - 7, 1, 6);
      const label = fmt.label(x);
      // A label that would be cut at the right edge is left out.
      if (px + 4 + ctx.measureText(label).width <= W - 2) ctx.fillText(label, px + 4, RULER_H / 2 - 1);
    }
    if (s.range) this.drawRangeLabel(ctx, s);
    ctx.restore();
    // The corner: how much time is in view (or the base the ticks count from).
    ctx.fillStyle = c.muted;
    ctx.font = LABEL_FONT(c.font);
    ctx.fillText(fitText(ctx, fmt.base ? fmt.baseLabel : `${formatDuration(cam.t1 - cam.t0)} shown`, G - 12), 8, RULER_H / 2 - 1);
    ctx.fillStyle = c.border;
    ctx.fillRect(G - 1, 0, 1, RULER_H);

    // A scroll bar when the rows are taller than the view.
    const viewH = H - RULER_H;
    if (s.layout.height > viewH) {
      const th = Math.max(24, (viewH * viewH) / s.layout.height);
      const ty = RULER_H + (s.scrollY / (s.layout.height - viewH)) * (viewH - th);
      ctx.globalAlpha = 0.45;
      ctx.fillStyle = c.muted;
      ctx.fillRect(W - 6, ty, 5, th);
      ctx.globalAlpha = 1;
    }
    info.ms = performance.now() - t0;
    return info;
  }

  /** The range's length, in a pill on the ruler over the range (kept in view). */
  private drawRangeLabel(ctx: CanvasRenderingContext2D, s: TimelineScene): void {
    const c = this.colors;
    const a = s.gutter + s.cam.x(s.range![0]), b = s.gutter + s.cam.x(s.range![1]);
    ctx.fillStyle = c.focus;
    ctx.globalAlpha = 0.25;
    ctx.fillRect(a, 0, b - a, RULER_H - 1);
    ctx.globalAlpha = 1;
    const text = formatDuration(s.range![1] - s.range![0]);
    ctx.font = BOLD_FONT(c.font);
    const w = ctx.measureText(text).width + 12;
    const cx = Math.min(Math.max((Math.max(a, s.gutter) + Math.min(b, s.width)) / 2, s.gutter + w / 2 + 2), s.width - w / 2 - 2);
    ctx.fillStyle = c.focus;
    ctx.beginPath();
    ctx.roundRect(cx - w / 2, 4, w, RULER_H - 9, 4);
    ctx.fill();
    ctx.fillStyle = textOn(c.focus, '#1b1b1b', '#ffffff');
    ctx.textAlign = 'center';
    ctx.fillText(text, cx, RULER_H / 2 - 1);
    ctx.textAlign = 'left';
  }

  private drawFlows(ctx: CanvasRenderingContext2D, s: TimelineScene, info: FrameInfo): void {
    const t = s.t, f = t.flows, cam = s.cam, G = s.gutter, c = this.colors;
    const dy = RULER_H - s.scrollY, mid = (ROW_H - 1) / 2;
    const inY = (y: number): boolean => y >= RULER_H && y <= s.height;
    const inX = (x: number): boolean => x >= G && x <= s.width;
    const sel = s.selected;
    const selRow = sel >= 0 ? rowOf(t.rowStart, sel) : -1;
    const selA = sel >= 0 ? t.ts[sel]! : 0, selB = sel >= 0 ? selA + t.dur[sel]! : 0;
    const heads: number[] = [], hot: number[] = [];
    ctx.lineWidth = 1.25;
    ctx.strokeStyle = c.flow;
    ctx.beginPath();
    for (let k = 0; k < f.length; k += 4) {
      const fr = f[k]!, ft = f[k + 1]!, tr = f[k + 2]!, tt = f[k + 3]!;
      const x1 = G + cam.x(ft), x2 = G + cam.x(tt);
      const y1 = s.layout.rowY[fr]! + dy + mid, y2 = s.layout.rowY[tr]! + dy + mid;
      if (!((inX(x1) && inY(y1)) || (inX(x2) && inY(y2)))) continue;
      info.flows++;
      const touches = (fr === selRow && ft >= selA && ft <= selB) || (tr === selRow && tt >= selA && tt <= selB);
      const list = touches ? hot : heads;
      list.push(x1, y1, x2, y2);
      if (touches) continue;
      curve(ctx, x1, y1, x2, y2);
    }
    ctx.stroke();
    ctx.fillStyle = c.flow;
    ctx.beginPath();
    for (let k = 0; k < heads.length; k += 4) arrowHead(ctx, heads[k + 2]!, heads[k + 3]!);
    ctx.fill();
    if (hot.length) {
      ctx.strokeStyle = c.focus;
      ctx.fillStyle = c.focus;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = 0; k < hot.length; k += 4) curve(ctx, hot[k]!, hot[k + 1]!, hot[k + 2]!, hot[k + 3]!);
      ctx.stroke();
      ctx.beginPath();
      for (let k = 0; k < hot.length; k += 4) arrowHead(ctx, hot[k + 2]!, hot[k + 3]!);
      ctx.fill();
    }
  }
}

/** A flow's curve: leaves its start going right and arrives at its end from the left. */
function curve(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  const k = Math.max(18, Math.abs(x2 - x1) * 0.4);
  ctx.moveTo(x1, y1);
  ctx.bezierCurveTo(x1 + k, y1, x2 - 5 - k, y2, x2 - 5, y2);
}

function arrowHead(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.moveTo(x, y); ctx.lineTo(x - 7, y - 4); ctx.lineTo(x - 7, y + 4); ctx.closePath();
}

/** `text` cut with an ellipsis to `max` px in the current font. */
export function fitText(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (max <= 0) return '';
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const m = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, m) + '…').width <= max) lo = m; else hi = m - 1;
  }
  return lo ? text.slice(0, lo) + '…' : '';
}
