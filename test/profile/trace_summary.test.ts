// The summary views over imported traces: step breakdown (sums exactly to each step), operator
// table (self/total, device time by correlation, flow and External id, FLOPs), kernels, modules,
// memory, source locations and the per-op diff — checked against values worked out by hand on
// the hand-written fixture and against sums read straight from the real traces' JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diffOps, findEvents, importTrace, kernelTable, memorySeries, moduleTable, nameOf, opTable, sourceOf, stepBreakdown, userFrame,
  type RawEvent, type StepBreakdown, type TraceModel,
} from '../../engine/src/profile/import/index.js';

const DIR = join(__dirname, '../fixtures/traces');
const load = (name: string): Promise<TraceModel> => importTrace(join(DIR, name));
const raw = (name: string): RawEvent[] => {
  const j = JSON.parse(readFileSync(join(DIR, name), 'utf8')) as RawEvent[] | { traceEvents: RawEvent[] };
  return Array.isArray(j) ? j : j.traceEvents;
};
const parts = (s: StepBreakdown): number[] => [s.data, s.forward, s.backward, s.optimizer, s.other];
/** The five parts add up to the step, exactly at the ns the traces are written with. */
const assertSums = (s: StepBreakdown): void => {
  assert.equal(Math.round(parts(s).reduce((a, b) => a + b, 0) * 1000), Math.round(s.dur * 1000), s.name);
  for (const p of parts(s)) assert.ok(p >= 0, s.name);
};
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const near = (a: number, b: number, msg?: string): void => assert.ok(Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)), `${msg ?? ''} ${a} vs ${b}`);

test('hand-written kineto-style trace: step breakdown by annotations and autograd ranges', async () => {
  const m = await load('traceEvents_form.trace.json');
  const steps = stepBreakdown(m);
  assert.deepEqual(steps.map((s) => [s.name, s.step, s.kind, s.ts, s.dur, ...parts(s)]), [
    // data 1010-1100; '## forward ##' 1100-1500; backward 1520-1720; Optimizer.step 1750-1950; the rest 110.
    ['ProfilerStep#1', 1, 'torch', 1000, 1000, 90, 400, 200, 200, 110],
    // data 2010-2060; forward from aten::linear (2070) to backward (2200); backward 2200-2300;
    // zero_grad 2320-2340 + step 2350-2450; aten::zeros before the data loading is other.
    ['ProfilerStep#2', 2, 'torch', 2000, 500, 50, 130, 100, 120, 100],
  ]);
  steps.forEach(assertSums);
});

test('hand-written trace: operator table, self time, device time through correlation, flow and External id', async () => {
  const m = await load('traceEvents_form.trace.json');
  const ops = opTable(m);
  const row = (n: string) => ops.find((r) => r.name === n)!;
  const pick = (n: string) => { const r = row(n); return [r.calls, r.total, r.self, r.deviceSelf, r.deviceTotal]; };
  assert.deepEqual(pick('aten::conv2d'), [1, 180, 20, 0, 300]); // its child aten::convolution launched the kernel
  assert.deepEqual(pick('aten::convolution'), [1, 160, 160, 300, 300]); // by correlation 10
  assert.deepEqual(pick('aten::relu'), [1, 50, 50, 40, 40]);
  assert.deepEqual(pick('aten::linear'), [2, 180, 100, 60, 60]); // by the ac2g flow alone; 2nd call has addmm inside
  assert.deepEqual(pick('aten::addmm'), [1, 80, 80, 0, 0]);
  assert.deepEqual(pick('autograd::engine::evaluate_function: ConvolutionBackward0'), [1, 150, 10, 0, 120]);
  assert.deepEqual(pick('ConvolutionBackward0'), [1, 140, 10, 0, 120]);
  assert.deepEqual(pick('aten::convolution_backward'), [1, 130, 130, 120, 120]);
  assert.deepEqual(pick('aten::add_'), [1, 30, 30, 25, 25]); // by External id only
  assert.deepEqual(pick('aten::zeros'), [1, 3, 3, 0, 0]);
  assert.equal(ops.length, 12);
  assert.equal(sum(ops.map((r) => r.self)), 733);
  near(sum(ops.map((r) => r.percent)), 100);
  near(row('aten::convolution').percent, (100 * 160) / 733);
  assert.equal(row('aten::linear').mean, 90);
  // FLOPs over the device time when the op ran kernels.
  assert.equal(row('aten::linear').flops, 2 * 6553600);
  near(row('aten::linear').gflops!, (2 * 6553600) / (60 * 1e3));
  near(row('aten::conv2d').gflops!, 19468288 / (300 * 1e3));
  assert.equal(row('aten::relu').flops, undefined);
  // Not ops: annotations, Python frames, runtime calls, kernels.
  for (const n of ['ProfilerStep#1', 'Optimizer.step#Adam.step', 'nn.Module: Conv2d_0', 'cudaLaunchKernel', 'ampere_sgemm_32x32_sliced1x4_tn']) assert.equal(ops.some((r) => r.name === n), false, n);
  // The slowest by host + device self time comes first.
  assert.equal(ops[0]!.name, 'aten::convolution');
  const byShapes = opTable(m, { groupByShapes: true }).filter((r) => r.name === 'aten::linear');
  assert.deepEqual(byShapes.map((r) => [r.shapes, r.calls, r.total]), [['[[32,800],[128,800],[128]]', 2, 180]]);
  const relu = opTable(m, { groupByShapes: true }).find((r) => r.name === 'aten::relu')!;
  assert.equal(relu.shapes, '[[32,16,26,26]]');
});

test('hand-written trace: kernels, modules, memory, source frames', async () => {
  const m = await load('traceEvents_form.trace.json');
  const k = kernelTable(m);
  assert.deepEqual(k.map((r) => [r.name.slice(0, 32), r.calls, r.total, r.op]), [
    ['void implicit_convolve_sgemm<flo', 1, 300, 'aten::convolution'],
    ['void cudnn::engines_precompiled:', 1, 120, 'aten::convolution_backward'],
    ['ampere_sgemm_32x32_sliced1x4_tn', 1, 60, 'aten::linear'],
    ['void at::native::vectorized_elem', 1, 40, 'aten::relu'],
    ['void at::native::(anonymous name', 1, 25, 'aten::add_'],
  ]);
  near(k[0]!.percent, (100 * 300) / 545);
  assert.deepEqual(moduleTable(m).map((r) => [r.path, r.calls, r.host, r.device]), [
    ['FashionCNN_0', 1, 396, 400],
    ['FashionCNN_0.Conv2d_0', 1, 200, 300],
    ['FashionCNN_0.Linear_0', 1, 100, 60],
  ]);
  const mem = memorySeries(m);
  assert.deepEqual(mem.map((s) => [s.name, [...s.bytes], s.peak]), [
    ['[memory] CUDA:0 allocated', [1048576, 2097152, 1048576], 2097152],
    ['GPU memory allocated', [0, 2097152, 1048576], 2097152],
    ['GPU memory reserved', [2097152, 4194304, 4194304], 4194304],
  ]);
  // with_stack: the op sits inside python_function spans; the user's frame is the first outside torch.
  const conv = sourceOf(m, findEvents(m, 'aten::conv2d')[0]!);
  assert.deepEqual(conv.frames.map((f) => `${f.file.split('/').pop()}:${f.line} ${f.function}`), ['conv.py:463 forward', 'module.py:1190 _call_impl', 'model.py:20 forward']);
  assert.deepEqual(conv.location, { file: '/home/user/fashion/model.py', line: 20, function: 'forward' });
  // An older 'Call stack' arg.
  assert.deepEqual(sourceOf(m, findEvents(m, 'aten::add_')[0]!).location, { file: '/home/user/fashion/train.py', line: 41, function: '<module>' });
  // A kernel: its launching op's source.
  assert.deepEqual(sourceOf(m, findEvents(m, /^void implicit_convolve_sgemm/)[0]!).location, conv.location);
  assert.deepEqual(sourceOf(m, findEvents(m, 'aten::zeros')[0]!), { frames: [] });
  assert.equal(userFrame(conv.frames, (f) => f.file.includes('module.py'))?.line, 1190);
});

test('our CPU trace: the step phases, ops by module path, sources pointing at the calling lines', async () => {
  const m = await load('ours_cpu.trace.json');
  const ev = raw('ours_cpu.trace.json');
  const steps = stepBreakdown(m);
  assert.deepEqual(steps.map((s) => [s.name, s.kind]), [['step 6', 'ours'], ['step 7', 'ours'], ['step 8', 'ours']]);
  for (const s of steps) {
    assertSums(s);
    const phase = (n: string): number => ev.find((e) => e.name === n && e.cat === 'step' && (e.args as { step: number }).step === s.step)!.dur as number;
    assert.deepEqual([s.data, s.forward, s.backward, s.optimizer], [phase('data'), phase('forward'), phase('backward'), phase('optimizer')]);
    assert.ok(s.other >= 0 && s.other < 0.05 * s.dur, `${s.name}: other ${s.other}`);
  }
  const ops = opTable(m);
  const row = (n: string) => ops.find((r) => r.name === n)!;
  for (const [n, calls] of [['conv2d', 6], ['linear', 6], ['max_pool2d', 6], ['relu', 9], ['flatten', 3], ['cross_entropy', 3], ['_conv_grad', 15]] as const) {
    assert.equal(row(n).calls, calls, n);
    const durs = ev.filter((e) => e.name === n && e.cat === 'cpu_op').map((e) => e.dur as number);
    near(row(n).total, sum(durs), n);
    assert.ok(row(n).self <= row(n).total + 1e-9);
    assert.equal(row(n).deviceTotal, 0); // CPU backend: no kernels
  }
  const lines = readFileSync(join(__dirname, '../../examples/fashion/model.py'), 'utf8').split('\n');
  const modules = moduleTable(m);
  assert.deepEqual(modules.map((r) => r.path).sort(), ['conv1', 'conv2', 'fc1', 'fc2', 'pool']);
  for (const r of modules) {
    const line = Number(/^model\.py:(\d+)$/.exec(r.source!)![1]);
    assert.match(lines[line - 1]!, new RegExp(`self\\.${r.path}\\(`), `${r.path} at ${r.source}`);
    const spans = ev.filter((e) => e.cat === 'module' && e.name === r.path);
    assert.equal(r.calls, spans.length);
    near(r.host, sum(spans.map((e) => e.dur as number)));
    const bwd = ev.filter((e) => e.cat === 'backward' && (e.args as { module?: string }).module === r.path);
    near(r.backward, sum(bwd.map((e) => e.dur as number)), r.path);
  }
  // Jump to source: the slowest forward op's line calls it.
  const conv = sourceOf(m, row('conv2d').example).location!;
  assert.equal(conv.file, 'model.py');
  assert.match(lines[conv.line - 1]!, /self\.conv[12]\(/);
  assert.deepEqual(kernelTable(m), []);
});

// PyTorch 1.13's own counts (torch.profiler with_flops=True) for FashionCNN at batch 32, printed by
// test/fixtures/traces/flops_golden.py: aten::conv2d per layer, and aten::addmm inside each linear.
const TORCH_FLOPS = { conv1: 6230016, conv2: 35684352, fc1: 6553600, fc2: 81920 };

test("our CPU trace: FLOPs per op equal PyTorch's count, over host time as GFLOP/s", async () => {
  const m = await load('ours_cpu.trace.json');
  const ev = raw('ours_cpu.trace.json').filter((e) => e.cat === 'cpu_op');
  const ops = opTable(m);
  const row = (n: string) => ops.find((r) => r.name === n)!;
  const steps = 3;
  const conv = row('conv2d'), lin = row('linear');
  assert.equal(conv.flops, steps * (TORCH_FLOPS.conv1 + TORCH_FLOPS.conv2));
  assert.equal(lin.flops, steps * (TORCH_FLOPS.fc1 + TORCH_FLOPS.fc2));
  near(conv.gflops!, conv.flops! / (conv.total * 1e3)); // CPU: no device time, so host time
  near(lin.gflops!, lin.flops! / (lin.total * 1e3));
  // Each call: the count of its own layer.
  for (const e of ev.filter((x) => x.name === 'conv2d' || x.name === 'linear')) {
    const a = e.args as { module: string; flops: number };
    assert.equal(a.flops, TORCH_FLOPS[a.module as keyof typeof TORCH_FLOPS], `${e.name} ${a.module}`);
  }
  // relu: 1 per output element (torch 1.13 counts none for it); pooling, flatten, loss: no rule.
  assert.equal(row('relu').flops, steps * 32 * (16 * 26 * 26 + 32 * 11 * 11 + 128));
  for (const n of ['max_pool2d', 'flatten', 'cross_entropy']) assert.equal(row(n).flops, undefined, n);
  // Gradient-rule ops carry no FLOPs, as in PyTorch.
  assert.ok(ev.every((e) => (e.args as { backward_of?: string }).backward_of === undefined || (e.args as { flops?: number }).flops === undefined));
  for (const n of ['_conv_grad', '_gemm', '_linear_grad_weight']) assert.equal(row(n).flops, undefined, n);
});

test('our traces: the memory counter, its peak at least the live parameters and activations', async () => {
  const m = await load('ours_cpu.trace.json');
  const mem = memorySeries(m);
  assert.deepEqual(mem.map((s) => [s.name, s.pid]), [['memory allocated', 1]]);
  const s = mem[0]!;
  const counters = raw('ours_cpu.trace.json').filter((e) => e.ph === 'C');
  assert.deepEqual([...s.bytes], counters.map((e) => (e.args as { allocated: number }).allocated));
  assert.equal(s.peak, Math.max(...s.bytes));
  // Parameters from the layers' own input shapes (weight, bias), 4 bytes each: 108,618 floats.
  const numel = (sh: number[]): number => sh.reduce((a, b) => a * b, 1);
  const firstStep = raw('ours_cpu.trace.json').filter((e) => e.cat === 'cpu_op' && ['conv2d', 'linear'].includes(e.name as string) && !(e.args as { backward_of?: string }).backward_of).slice(0, 4);
  const paramBytes = 4 * sum(firstStep.flatMap((e) => (e.args as { input_shapes: number[][] }).input_shapes.slice(1).map(numel)));
  assert.equal(paramBytes, 4 * 108618);
  // At conv1's end its output [32, 16, 26, 26] and every parameter are live at once.
  assert.ok(s.peak >= paramBytes + 4 * 32 * 16 * 26 * 26, `peak ${s.peak}`);
  assert.ok(s.peak < 1e9, `peak ${s.peak}`);
  // A point when each step starts, inside the trace's span.
  assert.ok(s.ts.length >= 3 && s.ts[0]! >= m.start && s.ts[s.ts.length - 1]! <= m.end);
  // WebGPU: the live buffers and the pool's footprint (what torch calls reserved), in use <= pool.
  const gpu = memorySeries(await load('ours_webgpu.trace.json'));
  assert.deepEqual(gpu.map((x) => x.name), ['memory allocated', 'memory reserved']);
  assert.ok(gpu[0]!.bytes.every((v, i) => v <= gpu[1]!.bytes[i]!));
  assert.ok(gpu[0]!.peak >= paramBytes);
});

test('our WebGPU trace: kernel table and device time per op and per module from the kernel events', async () => {
  const m = await load('ours_webgpu.trace.json');
  const kernels = raw('ours_webgpu.trace.json').filter((e) => e.cat === 'kernel');
  const kargs = (e: RawEvent) => e.args as { op: string; module?: string };
  const k = kernelTable(m);
  assert.equal(sum(k.map((r) => r.calls)), kernels.length);
  for (const r of k) {
    const mine = kernels.filter((e) => e.name === r.name).map((e) => e.dur as number);
    assert.equal(r.calls, mine.length);
    near(r.total, sum(mine), r.name);
    assert.deepEqual([r.min, r.max], [Math.min(...mine), Math.max(...mine)]);
  }
  for (const r of opTable(m)) {
    const want = sum(kernels.filter((e) => kargs(e).op === r.name).map((e) => e.dur as number));
    near(r.deviceSelf, want, r.name);
  }
  for (const r of moduleTable(m)) {
    const want = sum(kernels.filter((e) => kargs(e).module === r.path).map((e) => e.dur as number));
    near(r.device, want, r.path);
    assert.ok(r.device > 0, r.path);
  }
  stepBreakdown(m).forEach(assertSums);
});

test("torch 1.13's legacy trace: ProfilerStep# steps split by DataLoader, autograd and Optimizer ranges", async () => {
  const m = await load('torch113.trace.json');
  const ev = raw('torch113.trace.json');
  const steps = stepBreakdown(m);
  assert.deepEqual(steps.map((s) => s.name), ['ProfilerStep#1', 'ProfilerStep#2', 'ProfilerStep#3']);
  for (const s of steps) {
    assertSums(s);
    const within = ev.filter((e) => (e.ts as number) >= s.ts && (e.ts as number) < s.ts + s.dur);
    const dur = (re: RegExp): number => sum(within.filter((e) => re.test(e.name as string)).map((e) => e.dur as number));
    assert.equal(s.data, dur(/^enumerate\(DataLoader\)#/));
    assert.equal(s.optimizer, dur(/^Optimizer\.(step|zero_grad)#/));
    const bwd = within.filter((e) => (e.name as string).startsWith('autograd::engine::evaluate_function: '));
    const last = bwd[bwd.length - 1]!;
    assert.equal(s.backward, (last.ts as number) + (last.dur as number) - (bwd[0]!.ts as number));
    assert.ok(s.forward > s.backward * 0.5, `${s.name}: forward ${s.forward}`);
  }
  const ops = opTable(m);
  const row = (n: string) => ops.find((r) => r.name === n)!;
  assert.equal(row('aten::conv2d').calls, 6);
  assert.equal(row('aten::addmm').calls, 6);
  assert.equal(row('aten::empty').self, row('aten::empty').total); // a leaf
  // conv2d → convolution → _convolution → mkldnn_convolution: the time is in the innermost.
  assert.ok(row('aten::mkldnn_convolution').self > 0.9 * row('aten::conv2d').total);
  assert.ok(row('aten::conv2d').self < 0.1 * row('aten::conv2d').total);
  assert.equal(ops.some((r) => r.name.startsWith('ProfilerStep#') || r.name.startsWith('Optimizer.') || r.name.startsWith('enumerate(')), false);
  // The legacy exporter drops shapes, stacks and memory even with record_shapes/with_stack/profile_memory.
  assert.equal(row('aten::conv2d').example >= 0 && sourceOf(m, row('aten::conv2d').example).frames.length, 0);
  assert.deepEqual(memorySeries(m), []);
  assert.equal(nameOf(m, steps[0]!.index), 'ProfilerStep#1');
});

test('diffOps: per-op time deltas between two traces, largest first', async () => {
  const cpu = await load('ours_cpu.trace.json');
  const gpu = await load('ours_webgpu.trace.json');
  const d = diffOps(cpu, gpu);
  const a = opTable(cpu), b = opTable(gpu);
  const conv = d.find((r) => r.name === 'conv2d')!;
  const ac = a.find((r) => r.name === 'conv2d')!, bc = b.find((r) => r.name === 'conv2d')!;
  assert.deepEqual([conv.aCalls, conv.bCalls], [6, 6]);
  near(conv.a, ac.self + ac.deviceSelf);
  near(conv.b, bc.self + bc.deviceSelf);
  near(conv.delta, conv.b - conv.a);
  for (let i = 1; i < d.length; i++) assert.ok(Math.abs(d[i - 1]!.delta) >= Math.abs(d[i]!.delta));
  assert.deepEqual(new Set(d.map((r) => r.name)), new Set([...a, ...b].map((r) => r.name)));
  assert.ok(diffOps(cpu, cpu).every((r) => r.delta === 0));
  const per = diffOps(cpu, gpu, { perStep: true }).find((r) => r.name === 'conv2d')!;
  near(per.a, conv.a / 3);
});
