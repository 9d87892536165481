// Checks shared by the profiler tests: a trace.json is well formed Chrome Trace Event JSON whose
// events nest, whose op events point at real lines of the model file, whose step phases fit in
// their step, and which samples memory as counters.
import assert from 'node:assert/strict';
import type { TraceEvent, TraceFile } from '../../engine/src/profile/trace.js';

const EPS = 1e-3; // us: rounding of ts/dur to ns

/** X events on one tid: ts monotone, and any two either nest or are disjoint (no partial overlap). */
export function checkNesting(events: readonly TraceEvent[]): void {
  const byTid = new Map<number, TraceEvent[]>();
  for (const e of events) if (e.ph === 'X') { const l = byTid.get(e.tid) ?? []; l.push(e); byTid.set(e.tid, l); }
  for (const [tid, list] of byTid) {
    const open: TraceEvent[] = [];
    let prevTs = -Infinity;
    for (const e of list) {
      assert.ok(e.ts >= prevTs, `tid ${tid}: ts not monotone at ${e.name} (${e.ts} after ${prevTs})`);
      assert.ok((e.dur ?? 0) >= 0, `tid ${tid}: ${e.name} has negative dur`);
      prevTs = e.ts;
      while (open.length && open[open.length - 1]!.ts + open[open.length - 1]!.dur! <= e.ts + EPS) open.pop();
      const parent = open[open.length - 1];
      if (parent) {
        assert.ok(e.ts + e.dur! <= parent.ts + parent.dur! + EPS,
          `tid ${tid}: '${e.name}' [${e.ts}, ${e.ts + e.dur!}] partially overlaps '${parent.name}' [${parent.ts}, ${parent.ts + parent.dur!}]`);
      }
      open.push(e);
    }
  }
}

export interface TraceSummary {
  readonly ops: TraceEvent[];
  readonly kernels: TraceEvent[];
  readonly steps: TraceEvent[];
}

/** Everything the brief asks of a trace; returns the events by kind for further checks. */
export function checkTrace(text: string, modelSource: string, modelFile: string, expectSteps: number): TraceSummary {
  const trace = JSON.parse(text) as TraceFile;
  assert.equal(trace.displayTimeUnit, 'ms');
  assert.ok(Array.isArray(trace.traceEvents));
  for (const e of trace.traceEvents) {
    assert.equal(typeof e.name, 'string');
    assert.ok(['X', 'M', 'C'].includes(e.ph), `phase ${e.ph}`);
    assert.ok(Number.isFinite(e.ts) && Number.isInteger(e.pid) && Number.isInteger(e.tid), JSON.stringify(e));
    if (e.ph === 'X') assert.ok(Number.isFinite(e.dur), `${e.name}: dur`);
    // Counters: the 'memory' one, numeric series only (what chrome://tracing and Perfetto plot).
    if (e.ph === 'C') assert.ok(e.name === 'memory' && Object.values(e.args ?? {}).every((v) => Number.isInteger(v) && (v as number) >= 0) && Number.isInteger(e.args?.allocated), JSON.stringify(e));
  }
  assert.ok(trace.traceEvents.some((e) => e.ph === 'C'), 'memory counter events');
  const x = trace.traceEvents.filter((e) => e.ph === 'X');
  checkNesting(x);

  const ops = x.filter((e) => e.cat === 'cpu_op');
  assert.ok(ops.length > 0, 'op events');
  const lines = modelSource.split('\n');
  const located = ops.filter((e) => e.args?.source !== undefined);
  assert.ok(located.length > 0, 'op events with a source line');
  for (const e of located) {
    const m = /^(.+):(\d+)$/.exec(String(e.args!.source));
    assert.ok(m, `source '${String(e.args!.source)}'`);
    assert.equal(m[1], modelFile);
    const n = Number(m[2]);
    assert.ok(n >= 1 && n <= lines.length && lines[n - 1]!.trim() !== '', `${e.name}: ${String(e.args!.source)} is not a line of the model file`);
    const mod = String(e.args!.module);
    // An op inside a layer call reports that layer: its line is where forward calls self.<layer>.
    if (mod && e.args!.backward_of === undefined && ['linear', 'conv2d'].includes(e.name)) {
      assert.ok(lines[n - 1]!.includes(`self.${mod.split('.').pop()!}`), `${e.name} in '${mod}' at line ${n}: ${lines[n - 1]}`);
    }
    assert.ok(Array.isArray(e.args!.input_shapes));
  }

  const steps = x.filter((e) => e.cat === 'step' && e.name.startsWith('step '));
  assert.equal(steps.length, expectSteps, 'one step event per profiled step');
  for (const s of steps) {
    const phases = x.filter((e) => e.cat === 'step' && !e.name.startsWith('step ') && e.args?.step === s.args?.step);
    assert.deepEqual(phases.map((p) => p.name), ['data', 'forward', 'backward', 'optimizer'], `${s.name}: phases`);
    let sum = 0;
    for (const p of phases) {
      assert.ok(p.ts >= s.ts - EPS && p.ts + p.dur! <= s.ts + s.dur! + EPS, `${p.name} lies inside ${s.name}`);
      sum += p.dur!;
    }
    assert.ok(sum <= s.dur! + 4 * EPS, `${s.name}: phases sum ${sum} us > step ${s.dur} us`);
    assert.ok(sum > 0.5 * s.dur!, `${s.name}: phases cover most of the step (${sum} of ${s.dur} us)`);
  }
  // Every op of a profiled step happens inside one of its phases.
  const phaseEvents = x.filter((e) => e.cat === 'step' && !e.name.startsWith('step '));
  for (const o of ops) assert.ok(phaseEvents.some((p) => o.ts >= p.ts - EPS && o.ts + o.dur! <= p.ts + p.dur! + EPS), `op ${o.name} at ${o.ts} outside every phase`);
  return { ops, kernels: x.filter((e) => e.cat === 'kernel'), steps };
}
