// The whole laid-out scene as a standalone SVG (theme colours written in, so the file looks the
// same outside VS Code), or as a PNG drawn by the canvas renderer at a resolution that fits.
import type { Scene } from './layout.js';
import { HEADER_H } from './layout.js';
import type { Renderer } from './render.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x: number): string => (Math.round(x * 10) / 10).toString();

export function sceneToSvg(scene: Scene, r: Renderer, font: string): string {
  const p = r.palette;
  const m = 16;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(scene.width + 2 * m)}" height="${n(scene.height + 2 * m)}" viewBox="${-m} ${-m} ${n(scene.width + 2 * m)} ${n(scene.height + 2 * m)}" font-family="${esc(font)}">`,
    `<rect x="${-m}" y="${-m}" width="100%" height="100%" fill="${p.background}"/>`,
  ];
  for (const b of scene.boxes) {
    if (b.kind !== 'group') continue;
    out.push(`<g><rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" rx="6" fill="${b.depth % 2 ? p.group : p.groupAlt}" stroke="${p.groupBorder}"/>`
      + `<text x="${n(b.x + 10)}" y="${n(b.y + HEADER_H / 2 + 4)}" font-size="12" font-weight="600" fill="${p.foreground}">${esc(`${b.text.title}  ${b.text.name}`)}</text>`
      + `<text x="${n(b.x + b.w - 10)}" y="${n(b.y + HEADER_H / 2 + 4)}" font-size="11" text-anchor="end" fill="${p.muted}">${esc(b.text.detail)}</text></g>`);
  }
  for (const e of scene.edges) {
    const q = e.points;
    const k = q.length;
    let d = `M${n(q[0]!)},${n(q[1]!)}`;
    if (e.curve) {
      const dy = Math.max(20, (q[k - 1]! - q[1]!) / 2);
      d += ` C${n(q[0]!)},${n(q[1]! + dy)} ${n(q[k - 2]!)},${n(q[k - 1]! - dy)} ${n(q[k - 2]!)},${n(q[k - 1]!)}`;
    } else for (let i = 2; i < k; i += 2) d += ` L${n(q[i]!)},${n(q[i + 1]!)}`;
    out.push(`<path d="${d}" fill="none" stroke="${p.edge}" stroke-width="1.2" marker-end="url(#arrow)"/>`);
    if (e.label) out.push(`<text x="${n(e.labelX)}" y="${n(e.labelY + 3)}" font-size="10" fill="${p.label}">${esc(e.label)}</text>`);
  }
  for (const b of scene.boxes) {
    if (b.kind !== 'leaf') continue;
    const c = p.category(b.text.category);
    out.push(`<g><rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" fill="${p.nodeFill}" stroke="${p.nodeBorder}"/>`
      + `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" fill="${c}" fill-opacity="${p.tint}"/>`
      + `<rect x="${n(b.x)}" y="${n(b.y)}" width="4" height="${n(b.h)}" fill="${c}"/>`
      + `<text x="${n(b.x + 11)}" y="${n(b.y + 17)}" font-size="12" font-weight="600" fill="${b.text.category === 'error' ? c : p.foreground}">${esc(b.text.title)}`
      + (b.text.name ? `<tspan font-size="11" font-weight="400" fill="${p.muted}" dx="8">${esc(b.text.name)}</tspan>` : '')
      + `</text><text x="${n(b.x + 11)}" y="${n(b.y + 33)}" font-size="11" fill="${p.muted}">${esc(b.text.detail)}</text></g>`);
  }
  out.splice(2, 0, `<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="${p.edge}"/></marker></defs>`);
  out.push('</svg>');
  return out.join('\n');
}

/** PNG (base64, no data: prefix) at 2× when it fits in 8,192 pixels a side, smaller otherwise. */
export function sceneToPng(scene: Scene, r: Renderer): string {
  const m = 16;
  const scale = Math.min(2, 8192 / (scene.width + 2 * m), 8192 / (scene.height + 2 * m));
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil((scene.width + 2 * m) * scale);
  canvas.height = Math.ceil((scene.height + 2 * m) * scale);
  const ctx = canvas.getContext('2d')!;
  r.draw(ctx, scene, { x: -m, y: -m, s: scale }, canvas.width, canvas.height, { selected: null, highlighted: new Set() });
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
