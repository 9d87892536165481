// Compiled mode: one training step captured as a static graph of GPU commands, then replayed.
//
// The step runs eagerly while the backend reports every command to a Capture (allocations,
// zero-fills, uploads, copies, dispatches with their uniforms). Storages are named by role:
//   slot  - allocated inside the step (temporaries, gradients, the loss),
//   input - the step's declared inputs (the batch), copied into program-owned buffers per replay,
//   ext   - everything that existed before (parameters, optimizer state): bound as they are and
//           updated in place, so eager code outside the step (checkpoints, eval) sees the result.
// A step is replayable only if two captures agree command for command (same kernels, bindings,
// uniforms and uploaded bytes) and nothing is read back mid-step; otherwise the caller keeps
// running eager and says why. A shape change is a different key, so it is captured on its own.
//
// The captured commands are then optimised:
//   - fusion: an elementwise map whose only consumer is the next map over the same elements is
//     inlined into it (chains become one kernel; the intermediate never touches memory);
//   - memory planning: slots get buffers by liveness (best fit from buffers whose last use has
//     passed), where eager mode holds every temporary of a step until the step returns;
//   - replay: the worker builds bind groups and the uniform buffer once; a step is one message
//     ('G') whose dispatches go into the current command encoder.
import { Tensor } from '../../tensor.js';
import { currentCallSite } from '../../runtime/dispatch.js';
import type { EngineDType } from '../backend.js';
import { GpuError, GpuStorage, type CommandRecorder, type DispatchSpec, type MapMeta, type WebGPUBackend } from './backend.js';
import { toWgsl } from './wgsl_expr.js';
import { INF_BITS, mapShell } from './codegen.js';

type Ref = { readonly k: 's' | 'e' | 'i'; readonly n: number };
interface Bind { readonly ref: Ref; readonly offset?: number; readonly size?: number }

/** One stage of a (possibly fused) map: inputs read a binding or an earlier stage's value. */
interface Stage {
  readonly expr: string;
  readonly inputs: readonly { readonly name: string; readonly src: { readonly bind: number } | { readonly stage: number } }[];
  readonly consts: MapMeta['consts'];
  readonly out: 'f32' | 'i32';
}
interface FusedMap { readonly n: number; readonly stages: readonly Stage[]; readonly types: readonly ('f32' | 'i32')[] }

type Cmd =
  | { readonly t: 'a'; readonly slot: number; readonly bytes: number }
  | { readonly t: 'z'; readonly ref: Ref; readonly bytes: number }
  | { readonly t: 'w'; readonly ref: Ref; readonly data: ArrayBuffer }
  | { readonly t: 'k'; readonly src: Ref; readonly dst: Ref; readonly bytes: number }
  | { readonly t: 'd'; readonly key: string; readonly wgsl: () => string; readonly binds: readonly Bind[]; readonly uni: readonly number[];
      readonly groups: readonly [number, number, number]; readonly label: string; readonly map?: FusedMap };

const refKey = (r: Ref): string => `${r.k}${r.n}`;

/** Records one eager step's commands (see the file comment). */
export class Capture implements CommandRecorder {
  readonly cmds: Cmd[] = [];
  readonly slotBytes: number[] = [];
  readonly slotDtype: EngineDType[] = [];
  /** Storages from before the step, held so their buffers cannot be recycled under the program. */
  readonly ext = new Map<number, GpuStorage>();
  outputs: { ref: Ref; shape: readonly number[]; dtype: EngineDType }[] = [];
  /** Why this step cannot be replayed (null: it can). */
  problem: string | null = null;
  private readonly slotOfId = new Map<number, number>();
  private readonly inputIds = new Map<number, number>();

  constructor(readonly inputs: readonly Tensor[]) {
    inputs.forEach((t, i) => this.inputIds.set((t.storage as GpuStorage).id, i));
  }
  private ref(s: GpuStorage): Ref {
    const i = this.inputIds.get(s.id);
    if (i !== undefined) return { k: 'i', n: i };
    const slot = this.slotOfId.get(s.id);
    if (slot !== undefined) return { k: 's', n: slot };
    this.ext.set(s.id, s);
    return { k: 'e', n: s.id };
  }
  alloc(s: GpuStorage): void {
    const slot = this.slotBytes.length;
    this.slotBytes.push(s.classBytes);
    this.slotDtype.push(s.dtype);
    this.slotOfId.set(s.id, slot);
    this.cmds.push({ t: 'a', slot, bytes: s.classBytes });
  }
  zero(s: GpuStorage): void { this.cmds.push({ t: 'z', ref: this.ref(s), bytes: s.classBytes }); }
  write(s: GpuStorage, data: ArrayBuffer): void { this.cmds.push({ t: 'w', ref: this.ref(s), data }); }
  copy(src: GpuStorage, dst: GpuStorage, bytes: number): void { this.cmds.push({ t: 'k', src: this.ref(src), dst: this.ref(dst), bytes }); }
  read(s: GpuStorage, lastLabel: string): void {
    const site = currentCallSite();
    this.problem ??= `the step reads ${s.numel} values back to the host${site ? ` at ${site}` : ''}${lastLabel ? ` after kernel '${lastLabel}'` : ''} (an op without a WebGPU kernel, or a value used on the host inside the step)`;
  }
  dispatch(spec: DispatchSpec, groups: readonly [number, number, number]): void {
    const binds = spec.bindings.map((b): Bind => (b instanceof GpuStorage ? { ref: this.ref(b) } : { ref: this.ref(b.storage), offset: b.offset, size: b.size }));
    const m = spec.map;
    const map: FusedMap | undefined = m && binds.every((b) => b.offset === undefined) ? {
      n: m.n, types: m.inputs.map((x) => x.ty),
      stages: [{ expr: m.expr, consts: m.consts, out: m.out, inputs: m.inputs.map((x, j) => ({ name: x.name, src: { bind: j } })) }],
    } : undefined;
    this.cmds.push({ t: 'd', key: spec.key, wgsl: spec.wgsl, binds, uni: [...spec.uniforms], groups, label: spec.label, map });
  }
  markOutputs(outs: readonly Tensor[]): void {
    this.outputs = outs.map((t) => {
      const ref = this.ref(t.storage as GpuStorage);
      if (ref.k !== 's') this.problem ??= `a step output (Tensor[${t.shape.join(', ')}]) was not computed inside the step`;
      return { ref, shape: t.shape, dtype: t.dtype };
    });
  }
  /** A line per command; two captures of a static step have equal signatures. */
  signature(i: number): string {
    const c = this.cmds[i]!;
    switch (c.t) {
      case 'a': return `a ${c.slot} ${c.bytes}`;
      case 'z': return `z ${refKey(c.ref)} ${c.bytes}`;
      case 'w': return `w ${refKey(c.ref)} ${Buffer.from(c.data).toString('base64')}`;
      case 'k': return `k ${refKey(c.src)} ${refKey(c.dst)} ${c.bytes}`;
      case 'd': return `d ${c.key} ${c.binds.map((b) => `${refKey(b.ref)}${b.offset !== undefined ? `@${b.offset}+${b.size}` : ''}`).join(',')} ${c.uni.join(',')} ${c.groups.join('x')}`;
    }
  }
  label(i: number): string {
    const c = this.cmds[i];
    if (!c) return 'end of step';
    return c.t === 'd' ? `kernel '${c.label}'` : c.t === 'w' ? 'an upload of host data' : c.t === 'a' ? 'an allocation' : c.t === 'z' ? 'a zero-fill' : 'a copy';
  }
}

/** Where two captures of the same step differ (null: they agree). */
export function firstDifference(a: Capture, b: Capture): string | null {
  const n = Math.max(a.cmds.length, b.cmds.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.cmds.length || i >= b.cmds.length || a.signature(i) !== b.signature(i)) {
      const what = a.cmds[i]?.t === 'w' && b.cmds[i]?.t === 'w' ? 'uploads different host data' : 'differs';
      return `command ${i + 1} of the step (${b.label(i)}) ${what} from one step to the next`;
    }
  }
  const outs = (c: Capture): string => c.outputs.map((o) => refKey(o.ref)).join(',');
  if (outs(a) !== outs(b)) return 'the step outputs differ from one step to the next';
  return null;
}

// ---- fusion ------------------------------------------------------------------------------------
function fusedKey(m: FusedMap, wg: number): string {
  return `fused|${wg}|${m.types.join(',')}|${m.stages.map((s) => `${s.expr};${s.out};${s.consts.map((c) => c.name).join(',')};${s.inputs.map((x) => `${x.name}=${'bind' in x.src ? `b${x.src.bind}` : `s${x.src.stage}`}`).join(',')}`).join('|')}`;
}

function fusedWgsl(m: FusedMap, outTy: 'f32' | 'i32', wg: number): string {
  const decls = m.types.map((ty, j) => `@group(0) @binding(${j + 1}) var<storage, read> I${j}: array<${ty}>;`);
  decls.push(`@group(0) @binding(${m.types.length + 1}) var<storage, read_write> O: array<${outTy}>;`);
  const lines: string[] = [];
  let u = 1;
  m.stages.forEach((s, k) => {
    const lets = s.inputs.map((x) => `let ${x.name} = ${'bind' in x.src ? `f32(I${x.src.bind}[i])` : `v${x.src.stage}`};`);
    for (const c of s.consts) lets.push(`let ${c.name} = F(${u++}u);`);
    const body = toWgsl(s.expr, [...s.inputs.map((x) => x.name), ...s.consts.map((c) => c.name)]);
    lines.push(`var v${k}: f32;`, `{ ${lets.join(' ')} v${k} = ${s.out === 'f32' ? body : `f32(i32(${body}))`}; }`);
  });
  const last = m.stages.length - 1;
  return mapShell(decls, wg, lines, outTy === 'f32' ? `v${last}` : `i32(v${last})`);
}

/** The uniform words of a fused map: n, every stage's constants in order, INF in word 63. */
function fusedUniforms(m: FusedMap): number[] {
  const u = [m.n];
  for (const s of m.stages) for (const c of s.consts) u.push(c.bits);
  while (u.length < 63) u.push(0);
  u[63] = INF_BITS;
  return u;
}

// ---- what each command writes ----------------------------------------------------------------
const writtenByKey = new Map<string, ReadonlySet<number>>();
/** Binding indexes (0-based, in DispatchSpec.bindings) a kernel declares read_write. */
function writtenBindings(c: Extract<Cmd, { t: 'd' }>): ReadonlySet<number> {
  let w = writtenByKey.get(c.key);
  if (!w) {
    const set = new Set<number>();
    for (const m of c.wgsl().matchAll(/@binding\((\d+)\)\s*var<storage,\s*read_write>/g)) set.add(Number(m[1]) - 1);
    writtenByKey.set(c.key, (w = set));
  }
  return w;
}
function writes(c: Cmd): Ref[] {
  switch (c.t) {
    case 'a': return [];
    case 'z': case 'w': return [c.ref];
    case 'k': return [c.dst];
    case 'd': { const w = writtenBindings(c); return c.binds.filter((_, j) => w.has(j)).map((x) => x.ref); }
  }
}
function reads(c: Cmd): Ref[] {
  switch (c.t) {
    case 'a': case 'z': case 'w': return [];
    case 'k': return [c.src];
    // A read_write binding may also be read (accumulators): count every binding as read.
    case 'd': return c.binds.map((x) => x.ref);
  }
}

/**
 * Common subexpressions: a dispatch identical to an earlier one (same kernel, uniforms, grid and
 * inputs) whose inputs and the earlier outputs were not written in between is dropped, and later
 * commands read the earlier outputs. Autograd recomputes some things the forward already made
 * (a convolution's im2col for the weight gradient); eager mode cannot know, a captured step can.
 * Both dispatches must write only fresh slots that nothing touched before them.
 */
function eliminateCommon(input: readonly Cmd[], outputs: ReadonlySet<string>): { cmds: Cmd[]; removed: number } {
  const cmds: Cmd[] = [];
  const rename = new Map<string, Ref>();
  const firstTouch = new Map<string, number>();
  const lastWrite = new Map<string, number>();
  const seen = new Map<string, { at: number; outs: Ref[] }>();
  let removed = 0;
  const rn = (r: Ref): Ref => rename.get(refKey(r)) ?? r;
  const rnBind = (x: Bind): Bind => ({ ...x, ref: rn(x.ref) });
  for (const orig of input) {
    const c: Cmd = orig.t === 'd' ? { ...orig, binds: orig.binds.map(rnBind) }
      : orig.t === 'z' || orig.t === 'w' ? { ...orig, ref: rn(orig.ref) }
        : orig.t === 'k' ? { ...orig, src: rn(orig.src), dst: rn(orig.dst) } : orig;
    const at = cmds.length;
    if (c.t === 'd') {
      const w = writtenBindings(c);
      const outs = c.binds.filter((_, j) => w.has(j));
      const fresh = outs.length > 0 && outs.every((x) => x.ref.k === 's' && x.offset === undefined && !firstTouch.has(refKey(x.ref)) && !outputs.has(refKey(x.ref)));
      const ins = c.binds.filter((_, j) => !w.has(j));
      if (fresh) {
        const sig = `${c.key}|${c.uni.join(',')}|${c.groups.join('x')}|${c.binds.map((x, j) => (w.has(j) ? 'out' : `${refKey(x.ref)}@${x.offset ?? ''}+${x.size ?? ''}`)).join(',')}`;
        const prev = seen.get(sig);
        const intact = prev && [...ins.map((x) => x.ref), ...prev.outs].every((r) => (lastWrite.get(refKey(r)) ?? -1) <= prev.at);
        if (prev && intact) {
          outs.forEach((x, j) => rename.set(refKey(x.ref), prev.outs[j]!));
          removed++;
          continue;
        }
        seen.set(sig, { at, outs: outs.map((x) => x.ref) });
      }
    }
    for (const r of [...reads(c), ...writes(c)]) if (!firstTouch.has(refKey(r))) firstTouch.set(refKey(r), at);
    for (const r of writes(c)) lastWrite.set(refKey(r), at);
    cmds.push(c);
  }
  return { cmds, removed };
}

/** Dead code: commands whose every write goes to a slot nothing reads afterwards (and no output). */
function eliminateDead(input: readonly Cmd[], outputs: ReadonlySet<string>): { cmds: Cmd[]; removed: number } {
  const needed = new Set(outputs);
  const keep: Cmd[] = [];
  let removed = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    const c = input[i]!;
    const w = writes(c);
    const dead = c.t !== 'a' && w.length > 0 && w.every((r) => r.k === 's' && !needed.has(refKey(r)));
    if (dead) { if (c.t === 'd') removed++; continue; }
    for (const r of reads(c)) needed.add(refKey(r));
    // A partial write (binding range, copy into part) leaves the rest of the slot as it was.
    keep.push(c);
  }
  return { cmds: keep.reverse(), removed: removed };
}

function usesOf(cmds: readonly Cmd[]): Map<string, number[]> {
  const uses = new Map<string, number[]>();
  const add = (r: Ref, i: number): void => { const k = refKey(r); let l = uses.get(k); if (!l) { l = []; uses.set(k, l); } if (l[l.length - 1] !== i) l.push(i); };
  cmds.forEach((c, i) => {
    if (c.t === 'z' || c.t === 'w') add(c.ref, i);
    else if (c.t === 'k') { add(c.src, i); add(c.dst, i); }
    else if (c.t === 'd') for (const b of c.binds) add(b.ref, i);
  });
  return uses;
}

/**
 * Inline maps into their single consumer map. A's output slot T must be used by A and B only, B
 * must read (not write) T over the same n elements, and nothing between A and B may write A's
 * inputs (maps write only their last binding; any other command touching them blocks).
 */
function fuseMaps(input: readonly Cmd[], outputs: ReadonlySet<string>, maxBindings: number, wg: number, b: WebGPUBackend): { cmds: Cmd[]; fused: number } {
  let cmds: (Cmd | null)[] = [...input];
  let fused = 0;
  for (let changed = true; changed;) {
    changed = false;
    const uses = usesOf(cmds as Cmd[]);
    for (let ia = 0; ia < cmds.length; ia++) {
      const A = cmds[ia];
      if (!A || A.t !== 'd' || !A.map) continue;
      const out = A.binds[A.binds.length - 1]!;
      const tk = refKey(out.ref);
      if (out.ref.k !== 's' || outputs.has(tk)) continue;
      const u = uses.get(tk)!;
      if (u.length !== 2 || u[0] !== ia) continue;
      const ib = u[1]!;
      const B = cmds[ib];
      if (!B || B.t !== 'd' || !B.map || B.map.n !== A.map.n) continue;
      const bOut = B.binds[B.binds.length - 1]!;
      if (refKey(bOut.ref) === tk) continue;
      const aIns = new Set(A.binds.slice(0, -1).map((x) => refKey(x.ref)));
      let blocked = false;
      for (let j = ia + 1; j < ib && !blocked; j++) {
        const c = cmds[j];
        if (!c || c.t === 'a') continue;
        if (c.t === 'd' && c.map) blocked = aIns.has(refKey(c.binds[c.binds.length - 1]!.ref));
        else if (c.t === 'd') blocked = c.binds.some((x) => aIns.has(refKey(x.ref)));
        else if (c.t === 'k') blocked = aIns.has(refKey(c.dst));
        else blocked = aIns.has(refKey(c.ref));
      }
      if (blocked) continue;
      // New bindings: A's inputs, then B's inputs other than T.
      const aInBinds = A.binds.slice(0, -1);
      const bInBinds = B.binds.slice(0, -1);
      const binds: Bind[] = [...aInBinds];
      const types = [...A.map.types];
      const bMap = new Map<number, number>();
      bInBinds.forEach((x, j) => {
        if (refKey(x.ref) === tk) return;
        bMap.set(j, binds.length);
        binds.push(x);
        types.push(B.map!.types[j]!);
      });
      if (binds.length + 1 > maxBindings) continue;
      const aLast = A.map.stages.length - 1;
      const shift = A.map.stages.length;
      const stages: Stage[] = [...A.map.stages, ...B.map.stages.map((s) => ({
        ...s,
        inputs: s.inputs.map((x) => ({
          name: x.name,
          src: 'stage' in x.src ? { stage: x.src.stage + shift }
            : refKey(bInBinds[x.src.bind]!.ref) === tk ? { stage: aLast } : { bind: bMap.get(x.src.bind)! },
        })),
      }))];
      const map: FusedMap = { n: B.map.n, stages, types };
      const words = fusedUniforms(map);
      if (stages.reduce((a, s) => a + s.consts.length, 1) > 62) continue;
      const outTy = B.map.stages[B.map.stages.length - 1]!.out;
      const key = fusedKey(map, wg);
      const [gx, gy] = b.grid(map.n, wg);
      cmds[ib] = { t: 'd', key, wgsl: () => fusedWgsl(map, outTy, wg), binds: [...binds, bOut], uni: words, groups: [gx, gy, 1],
        label: `${A.label} + ${B.label}`, map };
      cmds[ia] = null;
      fused++;
      changed = true;
      cmds = cmds.filter((c) => c !== null);
      break;
    }
  }
  return { cmds: cmds as Cmd[], fused };
}

// ---- the program ---------------------------------------------------------------------------------
export interface ProgramStats {
  readonly kernels: number;
  readonly kernelsBeforeFusion: number;
  /** Dispatches dropped as recomputations of earlier ones, and as dead (results never read). */
  readonly common: number;
  readonly dead: number;
  /** Bytes of temporaries an eager step holds (all of them live until the step returns). */
  readonly eagerTempBytes: number;
  /** Bytes of the planned buffers that replace them. */
  readonly plannedBytes: number;
  /** The most temporary bytes live at one time: what any plan of these tensors needs at least. */
  readonly peakLiveBytes: number;
  readonly buffers: number;
}

let nextProgram = 1;

/** A compiled step. Outputs are overwritten by the next run (read or consume them before). */
export class Program {
  constructor(
    private readonly b: WebGPUBackend,
    readonly id: number,
    private readonly inputs: readonly GpuStorage[],
    private readonly outputs: readonly Tensor[],
    /** Buffers the program binds; held so the pool never hands them to anyone else. */
    readonly held: readonly GpuStorage[],
    readonly stats: ProgramStats,
    /** The replayed dispatches, in order, for the profiler (backend.onDispatch). */
    private readonly dispatches: readonly DispatchSpec[],
  ) {}
  run(inputs: readonly Tensor[]): Tensor[] {
    inputs.forEach((t, i) => this.b.copyInto(this.inputs[i]!, t.storage));
    this.b.postRaw(['G', this.id]);
    const seen = this.b.onDispatch;
    if (seen) for (const d of this.dispatches) seen(d);
    return [...this.outputs];
  }
  dispose(): void { this.b.postRaw(['Q', this.id]); }
}

/** Fuse, plan memory and define the program on the worker. */
export function compileCapture(b: WebGPUBackend, cap: Capture): Program {
  const wg = b.params.elementwiseWorkgroup;
  const outputs = new Set(cap.outputs.map((o) => refKey(o.ref)));
  const before = cap.cmds.filter((c) => c.t === 'd').length;
  const common = eliminateCommon(cap.cmds, outputs);
  const dead = eliminateDead(common.cmds, outputs);
  const { cmds } = fuseMaps(dead.cmds, outputs, b.limits.maxStorageBuffersPerShaderStage, wg, b);
  const uses = usesOf(cmds);
  // Liveness: a slot's buffer is free after its last use; outputs stay live (read after the step).
  const lastUse = new Map<number, number>();
  const outputBuf = new Set<number>();
  for (const [k, l] of uses) if (k.startsWith('s')) lastUse.set(Number(k.slice(1)), outputs.has(k) ? Infinity : l[l.length - 1]!);
  // Each slot lives from its allocation to its last use. Greedy by size (as in TFLite's planner):
  // the largest slots first, each into the first buffer none of whose slots overlaps it in time;
  // buffers are sized by their first (largest) slot. Outputs keep buffers of their own.
  const live: { slot: number; bytes: number; start: number; end: number }[] = [];
  cmds.forEach((c, i) => { if (c.t === 'a' && lastUse.has(c.slot)) live.push({ slot: c.slot, bytes: c.bytes, start: i, end: lastUse.get(c.slot)! }); });
  const eagerTempBytes = live.reduce((a, x) => a + x.bytes, 0);
  let peakLiveBytes = 0;
  {
    const ev: [number, number][] = [];
    for (const x of live) { ev.push([x.start, x.bytes]); if (x.end !== Infinity) ev.push([x.end + 0.5, -x.bytes]); }
    ev.sort((a, b) => a[0] - b[0]);
    let cur = 0;
    for (const [, d] of ev) { cur += d; peakLiveBytes = Math.max(peakLiveBytes, cur); }
  }
  const bufBytes: number[] = [];
  const bufSlots: { start: number; end: number }[][] = [];
  const assign = new Map<number, number>();
  for (const x of [...live].sort((a, b) => b.bytes - a.bytes || a.start - b.start)) {
    let buf = outputs.has(`s${x.slot}`) ? -1 : bufSlots.findIndex((l, j) => !outputBuf.has(j) && l.every((y) => y.end < x.start || x.end < y.start));
    if (buf < 0) {
      buf = bufBytes.length;
      bufBytes.push(x.bytes);
      bufSlots.push([]);
      if (outputs.has(`s${x.slot}`)) outputBuf.add(buf);
    }
    bufSlots[buf]!.push(x);
    assign.set(x.slot, buf);
  }
  const arena = bufBytes.map((bytes) => b.allocateUninit(bytes / 4, 'float32', 'compiled step buffer'));
  const ins = cap.inputs.map((t) => b.allocateUninit(t.numel, t.dtype, 'compiled step input'));
  const idOf = (r: Ref): number => {
    if (r.k === 'e') return r.n;
    if (r.k === 'i') return ins[r.n]!.id;
    const buf = assign.get(r.n);
    if (buf === undefined) throw new GpuError(`internal: compiled step: slot ${r.n} has no buffer`);
    return arena[buf]!.id;
  };
  const words: number[] = [];
  const items: unknown[] = [];
  const specs: DispatchSpec[] = [];
  let kernels = 0;
  for (const c of cmds) {
    switch (c.t) {
      case 'a': break;
      case 'z': items.push(['z', idOf(c.ref), c.bytes]); break;
      case 'w': items.push(['w', idOf(c.ref), 0, c.data]); break;
      case 'k': items.push(['k', idOf(c.src), 0, idOf(c.dst), 0, c.bytes]); break;
      case 'd': {
        b.definePipeline(c.key, c.wgsl);
        const slot = kernels++;
        for (let w = 0; w < 64; w++) words.push(c.uni[w] ?? 0);
        const binds = c.binds.map((x) => {
          const id = idOf(x.ref);
          if (x.offset !== undefined) return [id, x.offset, x.size];
          return x.ref.k === 's' ? [id, 0, cap.slotBytes[x.ref.n]!] : id;
        });
        items.push(['d', c.key, binds, slot, c.groups[0], c.groups[1], c.groups[2], c.label]);
        specs.push({ label: `${c.label} (compiled)`, key: c.key, wgsl: c.wgsl, bindings: [], uniforms: [], groups: c.groups });
        break;
      }
    }
  }
  const id = nextProgram++;
  b.postRaw(['P', id, Uint32Array.from(words), items]);
  const outTensors = cap.outputs.map((o) => new Tensor(arenaView(b, arena[assign.get(o.ref.n)!]!, o.shape, o.dtype), o.shape));
  const plannedBytes = bufBytes.reduce((a, x) => a + x, 0);
  return new Program(b, id, ins, outTensors, [...arena, ...ins, ...cap.ext.values()], {
    kernels, kernelsBeforeFusion: before - common.removed - dead.removed, common: common.removed, dead: dead.removed, eagerTempBytes, plannedBytes, peakLiveBytes, buffers: arena.length,
  }, specs);
}

/** A storage object naming an arena buffer with an output's element count and dtype. */
function arenaView(b: WebGPUBackend, buf: GpuStorage, shape: readonly number[], dtype: EngineDType): GpuStorage {
  const numel = shape.reduce((a, d) => a * d, 1);
  return new GpuStorage(b, numel, dtype, buf.id, buf.classBytes);
}

// ---- the step compiler ------------------------------------------------------------------------------
interface Entry { seen: number; first?: Capture; program?: Program; eagerWhy?: string }

/**
 * Runs training steps in compiled mode. Per input shapes: step 1 runs eager (it creates lazily
 * made state such as optimizer moments), steps 2 and 3 run eager while captured, and from step 4
 * the program replays. `step` must do the whole step (forward, loss, backward, optimizer update)
 * on the given inputs and return the tensors the caller reads afterwards (the loss).
 */
export class StepCompiler {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly b: WebGPUBackend, private readonly log: (msg: string) => void = () => {}) {}

  run(inputs: readonly Tensor[], step: () => readonly Tensor[]): Tensor[] {
    const key = inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
    let e = this.entries.get(key);
    if (!e) { e = { seen: 0 }; this.entries.set(key, e); }
    if (e.program) return e.program.run(inputs);
    if (e.eagerWhy !== undefined || ++e.seen === 1) return [...step()];
    if (this.b.recorder) throw new GpuError('internal: nested compiled-step capture');
    const cap = new Capture(inputs);
    this.b.recorder = cap;
    let outs: readonly Tensor[];
    try { outs = step(); } finally { this.b.recorder = null; }
    cap.markOutputs(outs);
    const shapes = inputs.map((t) => `[${t.shape.join(', ')}]`).join(', ');
    if (cap.problem || (e.first && firstDifference(e.first, cap))) {
      e.eagerWhy = cap.problem ?? firstDifference(e.first!, cap)!;
      e.first = undefined;
      this.log(`compiled mode: the step on inputs ${shapes} cannot be replayed: ${e.eagerWhy}; it runs eager`);
      return [...outs];
    }
    if (!e.first) { e.first = cap; return [...outs]; }
    e.first = undefined;
    e.program = compileCapture(this.b, cap);
    const s = e.program.stats;
    const mb = (x: number): string => `${(x / 2 ** 20).toFixed(1)} MB`;
    this.log(`compiled mode: captured the step on inputs ${shapes}: ${s.kernels} kernels (${s.common} recomputations and ${s.dead} dead kernels removed, ${s.kernelsBeforeFusion - s.kernels} fused away), temporaries ${mb(s.eagerTempBytes)} eager -> ${mb(s.plannedBytes)} planned in ${s.buffers} buffers (at least ${mb(s.peakLiveBytes)} are live at once)`);
    return [...outs];
  }
  /** Compiled programs, per input shapes (for reports and tests). */
  programs(): Program[] { return [...this.entries.values()].flatMap((e) => (e.program ? [e.program] : [])); }
  /** Why steps on some input shapes run eager. */
  eagerReasons(): string[] { return [...this.entries.values()].flatMap((e) => (e.eagerWhy ? [e.eagerWhy] : [])); }
  dispose(): void { for (const p of this.programs()) p.dispose(); this.entries.clear(); }
}
