// The Overview: what the trace is, where each step's time went (data loading / forward /
// backward / optimizer / other, which add up to the step), how busy each device was, the ops that
// took longest, and the hints the extension drew from all that.
import { el } from '../common/vscode_api.js';
import type { ProfileSummary, ProfileOp, ProfileStep } from '../profiler_protocol.js';
import { formatBytes, formatCount, formatDuration, formatPercent, formatShare } from './format.js';

export const STEP_PARTS = [
  ['data', 'Data loading'], ['forward', 'Forward'], ['backward', 'Backward'], ['optimizer', 'Optimizer'], ['other', 'Other'],
] as const;
type Part = (typeof STEP_PARTS)[number][0];

const SOURCES: Record<ProfileSummary['info']['source'], string> = {
  'tensor-studio': 'Tensor Studio trace', pytorch: 'PyTorch profiler trace', 'chrome trace': 'Chrome trace',
};

/** A card with a heading, and a note beside it. */
function card(cls: string, title: string, note: string, ...body: Node[]): HTMLElement {
  return el('section', { class: `card ${cls}` }, el('h2', {}, title, note ? el('span', { class: 'note' }, note) : ''), ...body);
}

/** A bar `p`% long (through the CSSOM: the CSP blocks inline styles). */
function meter(p: number, cls = ''): HTMLElement {
  const fill = el('span', { class: `fill ${cls}` });
  fill.style.width = `${Math.max(0, Math.min(100, p))}%`;
  return el('span', { class: 'meter' }, fill);
}

function infoLine(d: ProfileSummary): HTMLElement {
  const i = d.info;
  const item = (k: string, v: string): HTMLElement => el('span', { class: 'item' }, el('span', { class: 'k' }, k), ' ', v);
  return el('div', { class: 'info', title: i.path },
    el('span', { class: 'file' }, i.fileName),
    el('span', { class: 'badge' }, SOURCES[i.source] ?? i.source),
    item('events', formatCount(i.events)), item('span', formatDuration(i.span)), item('size', formatBytes(i.bytes)),
    item('imported in', `${formatCount(i.importMs)} ms`),
    ...Object.entries(i.meta).map(([k, v]) => item(k.replace(/_/g, ' '), v)));
}

/** A step's parts as cells with their exact µs in data-us (the tests add them up). */
const partCells = (s: Record<Part, number>): HTMLElement[] => STEP_PARTS.map(([k]) => el('td', { class: 'num', 'data-part': k, 'data-us': String(s[k]) }, formatDuration(s[k])));

function stackedBar(s: ProfileStep, longest: number): HTMLElement {
  const stack = el('span', { class: 'stack' });
  stack.style.width = `${(100 * s.dur) / longest}%`;
  for (const [k, label] of STEP_PARTS) {
    if (!(s[k] > 0)) continue;
    const seg = el('span', { class: `seg part-${k}`, title: `${label}: ${formatDuration(s[k])} (${formatShare(s[k], s.dur)})` });
    seg.style.width = `${(100 * s[k]) / s.dur}%`;
    stack.append(seg);
  }
  return el('span', { class: 'bar-cell' }, stack);
}

function breakdown(d: ProfileSummary): HTMLElement {
  const steps = d.steps;
  if (steps.length === 0) {
    return card('breakdown', 'Step time breakdown', '', el('p', { class: 'muted' },
      'No steps in this trace. The breakdown needs step spans: our traces mark each training step; for torch.profiler, call prof.step() each iteration (ProfilerStep#N).'));
  }
  const longest = Math.max(...steps.map((s) => s.dur), 1e-9);
  const avg = Object.fromEntries(STEP_PARTS.map(([k]) => [k, steps.reduce((a, s) => a + s[k], 0) / steps.length])) as Record<Part, number>;
  const avgStep = steps.reduce((a, s) => a + s.dur, 0) / steps.length;
  const head = el('tr', {}, el('th', {}, 'Step'), el('th', { class: 'bar-head' }, ''),
    ...STEP_PARTS.map(([k, label]) => el('th', { class: 'num' }, el('span', { class: `swatch part-${k}` }), label)), el('th', { class: 'num' }, 'Step time'));
  const rows = steps.map((s) => el('tr', { class: 'step', 'data-step': String(s.step) },
    el('td', { class: 'name' }, s.name), el('td', {}, stackedBar(s, longest)), ...partCells(s),
    el('td', { class: 'num total', 'data-us': String(s.dur) }, formatDuration(s.dur))));
  const avgRow = el('tr', { class: 'average' }, el('td', { class: 'name' }, 'Average'),
    el('td', {}, stackedBar({ ...steps[0]!, ...avg, dur: avgStep }, longest)), ...partCells(avg),
    el('td', { class: 'num total', 'data-us': String(avgStep) }, formatDuration(avgStep)));
  const shareRow = el('tr', { class: 'share' }, el('td', { class: 'name' }, '% of step'), el('td', {}),
    ...STEP_PARTS.map(([k]) => el('td', { class: 'num', 'data-part': k }, formatShare(avg[k], avgStep))), el('td', { class: 'num' }, '100%'));
  const table = el('table', { class: 'steps' }, el('thead', {}, head), el('tbody', {}, ...rows), el('tfoot', {}, avgRow, shareRow));
  const n = steps.length;
  return card('breakdown', 'Step time breakdown', `${formatCount(n)} step${n === 1 ? '' : 's'} · average ${formatDuration(avgStep)}`,
    el('div', { class: 'steps-scroll' }, table));
}

function devices(d: ProfileSummary): HTMLElement {
  if (d.devices.length === 0) return card('devices', 'Device utilisation', '', el('p', { class: 'muted' }, 'No device lanes: this trace ran on the CPU.'));
  return card('devices', 'Device utilisation', 'time busy over the trace’s span', el('ul', { class: 'device-list' },
    ...d.devices.map((u) => el('li', { title: u.lane },
      el('span', { class: 'lane' }, u.lane), meter(u.percent, u.percent < 50 ? 'low' : ''),
      el('span', { class: 'num' }, formatPercent(u.percent)),
      el('span', { class: 'muted' }, `${formatDuration(u.busy)} of ${formatDuration(u.span)}`)))));
}

function topOps(d: ProfileSummary, open: (op: ProfileOp) => void): HTMLElement {
  const top = d.ops.slice(0, 8);
  if (top.length === 0) return card('top-ops', 'Top operators', '', el('p', { class: 'muted' }, 'No operators in this trace.'));
  const device = top.some((o) => o.deviceSelf > 0);
  const rows = top.map((o) => {
    const tr = el('tr', { tabindex: '0', title: `${o.name}: show in Operators` },
      el('td', { class: 'name' }, o.name), el('td', { class: 'num' }, formatCount(o.calls)),
      el('td', { class: 'num' }, formatDuration(o.self)), ...(device ? [el('td', { class: 'num' }, formatDuration(o.deviceSelf))] : []),
      el('td', { class: 'num' }, formatPercent(o.percent)));
    tr.addEventListener('click', () => open(o));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(o); } });
    return tr;
  });
  return card('top-ops', 'Top operators', 'by self time', el('table', { class: 'mini' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Calls'), el('th', { class: 'num' }, 'Self'),
      ...(device ? [el('th', { class: 'num' }, 'Device self')] : []), el('th', { class: 'num' }, '% self'))),
    el('tbody', {}, ...rows)));
}

function hints(d: ProfileSummary): HTMLElement {
  const all = [...d.info.warnings.map((text) => ({ severity: 'warning' as const, text })), ...d.hints];
  if (all.length === 0) return card('hints', 'Hints', '', el('p', { class: 'muted' }, 'Nothing stands out in this trace.'));
  return card('hints', 'Hints', '', el('ul', { class: 'hint-list' },
    ...all.map((h) => el('li', { class: `hint ${h.severity}` }, el('span', { class: 'icon', 'aria-label': h.severity }, h.severity === 'warning' ? '⚠' : 'ℹ'), el('span', {}, h.text)))));
}

export function renderOverview(host: HTMLElement, d: ProfileSummary, openOp: (op: ProfileOp) => void): void {
  host.replaceChildren(el('div', { class: 'overview' }, infoLine(d), breakdown(d),
    el('div', { class: 'cards' }, devices(d), topOps(d, openOp), hints(d))));
}
