// The code of the GPU worker thread, kept as a string so a bundled build (one JS file) can start
// it with `new Worker(src, { eval: true })` without a second entry point on disk.
//
// Why a worker at all: the engine's Backend.read is synchronous (item(), the optimizer, logging),
// and Dawn only resolves buffer maps from its own event loop. The device lives here; the main
// thread posts batches of commands and, to read, blocks on Atomics.wait until this thread has
// mapped the buffer and copied it into a SharedArrayBuffer. Dawn then keeps running here.
//
// Commands (arrays, cheap to clone):
//   ['c', id, bytes]                       create a storage buffer
//   ['w', id, offset, ArrayBuffer]         upload (ordered after earlier dispatches)
//   ['z', id, bytes]                       zero-fill
//   ['p', key, wgsl]                       define a compute pipeline
//   ['d', key, bindings, Uint32Array, x, y, z, label]   dispatch; binding = id | [id, offset, size]
//   ['k', src, srcOff, dst, dstOff, bytes] buffer copy
//   ['r', id, bytes, SharedArrayBuffer]    read back: header Int32[2] = [state, length], then data
//   ['x']                                  destroy the device (the process may then exit)
//   ['t', mode]                            profiling (profiler.ts): 0 off, 1 timestamp queries around
//                                          each dispatch (its own pass), 2 each dispatch its own timed submission
//   ['tr', n, SharedArrayBuffer]           hand over the n [begin, end] pairs timed since the last 'tr':
//                                          header as 'r', Float64 pairs from byte 8 (mode 1: GPU ns, 2: epoch ms)
//   ['P', pid, Uint32Array, items]         define a compiled program (compiled.ts): its uniform words
//                                          (64 per dispatch) and items ['d', key, bindings, slot, x, y, z, label],
//                                          ['z', id, bytes], ['k', ...as above], ['w', id, offset, ArrayBuffer]
//   ['G', pid]                             run a program (appended to the current command encoder)
//   ['Q', pid]                             drop a program
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const dawn = require(workerData.dawnPath);
Object.assign(globalThis, dawn.globals);
// Held for the device's life: a collected instance crashes Dawn.
// Quantised timestamps (100 us) guard browsers against timing attacks; a local trainer profiling
// its own kernels needs the real resolution.
const gpu = dawn.create(['disable-dawn-features=timestamp_quantization']);
const errView = new Int32Array(workerData.errorSab, 0, 2);
const errBytes = new Uint8Array(workerData.errorSab, 8);
let device = null;
const buffers = new Map();
const pipelines = new Map();
const bindCache = new Map();
let encoder = null, pass = null, pending = 0;
const SLOT = 256, SLOTS = 1024;
let ring = null, ringHost = new Uint8Array(SLOT * SLOTS), ringUsed = 0;
let lastLabel = '';
// Profiling state (['t'] / ['tr']); none of it runs unless profiling is on.
let prof = 0, profQs = null, profRes = null, profStage = null, profN = 0, profT0 = 0;
const PROF_PAIRS = 2048;
let profTimes = [];
const wallMs = () => performance.timeOrigin + performance.now();
async function profDrain() {
  if (profN === 0) return;
  endPass();
  const bytes = profN * 16;
  enc().resolveQuerySet(profQs, 0, profN * 2, profRes, 0);
  enc().copyBufferToBuffer(profRes, 0, profStage, 0, bytes);
  submit();
  await profStage.mapAsync(GPUMapMode.READ, 0, bytes);
  const t = new BigUint64Array(profStage.getMappedRange(0, bytes).slice(0));
  profStage.unmap();
  for (let i = 0; i < t.length; i++) profTimes.push(Number(t[i]));
  profN = 0;
}
async function profBefore() {
  if (prof === 1 && profN === PROF_PAIRS) await profDrain();
  if (prof === 2) { submit(); await device.queue.onSubmittedWorkDone(); profT0 = wallMs(); }
}
async function profAfter() {
  if (prof !== 2) return;
  submit();
  await device.queue.onSubmittedWorkDone();
  profTimes.push(profT0, wallMs());
}
function profMode(mode) {
  endPass();
  prof = mode;
  profN = 0; profTimes = []; // timings not handed over ('tr') before a mode change are dropped
  if (mode === 1 && !profQs) {
    profQs = device.createQuerySet({ type: 'timestamp', count: PROF_PAIRS * 2 });
    profRes = device.createBuffer({ size: PROF_PAIRS * 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    profStage = device.createBuffer({ size: PROF_PAIRS * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
}
async function profRead(cmd) {
  const [, n, sab] = cmd;
  const head = new Int32Array(sab, 0, 2);
  try {
    await profDrain();
    new Float64Array(sab, 8, n * 2).set(profTimes.slice(0, n * 2));
    Atomics.store(head, 1, Math.min(profTimes.length / 2, n));
    Atomics.store(head, 0, 1);
  } catch (e) {
    reportError('reading profile timings failed: ' + (e && e.message || e));
    Atomics.store(head, 0, 2);
  }
  profTimes = [];
  Atomics.notify(head, 0);
}

function reportError(msg) {
  if (Atomics.load(errView, 0) !== 0) return;
  const b = new TextEncoder().encode(String(msg).slice(0, 4000));
  errBytes.set(b.subarray(0, errBytes.length));
  Atomics.store(errView, 1, Math.min(b.length, errBytes.length));
  Atomics.store(errView, 0, 1);
}
function enc() {
  if (!encoder) encoder = device.createCommandEncoder();
  return encoder;
}
function endPass() { if (pass) { pass.end(); pass = null; } }
function submit() {
  endPass();
  if (!encoder) return;
  if (ringUsed > 0) device.queue.writeBuffer(ring, 0, ringHost.buffer, 0, ringUsed * SLOT);
  device.queue.submit([encoder.finish()]);
  encoder = null; pending = 0; ringUsed = 0;
}
function binding(b) {
  if (typeof b === 'number') return { buffer: buffers.get(b) };
  return { buffer: buffers.get(b[0]), offset: b[1], size: b[2] };
}
function dispatch(cmd) {
  const [, key, binds, uni, x, y, z, label] = cmd;
  lastLabel = label;
  if (ringUsed >= SLOTS) submit();
  const slot = ringUsed++;
  if (uni) ringHost.set(new Uint8Array(uni.buffer, uni.byteOffset, Math.min(uni.byteLength, SLOT)), slot * SLOT);
  const pipe = pipelines.get(key);
  const bkey = key + '|' + slot + '|' + binds.map((b) => typeof b === 'number' ? b : b.join(':')).join(',');
  let group = bindCache.get(bkey);
  if (!group) {
    if (bindCache.size > 8192) bindCache.clear();
    const entries = [{ binding: 0, resource: { buffer: ring, offset: slot * SLOT, size: SLOT } }];
    binds.forEach((b, i) => entries.push({ binding: i + 1, resource: binding(b) }));
    group = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries });
    bindCache.set(bkey, group);
  }
  if (prof === 1) {
    endPass();
    pass = enc().beginComputePass({ timestampWrites: { querySet: profQs, beginningOfPassWriteIndex: 2 * profN, endOfPassWriteIndex: 2 * profN + 1 } });
    profN++;
  } else if (!pass) pass = enc().beginComputePass();
  pass.setPipeline(pipe);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(x, y, z);
  pending++;
}
// ---- compiled programs: bind groups and uniforms built once, replayed by one command ----
const programs = new Map();
function defineProgram(cmd) {
  const [, pid, words, items] = cmd;
  const nd = Math.max(1, words.length / 64);
  const uni = device.createBuffer({ size: nd * SLOT, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bytes = new Uint8Array(nd * SLOT);
  for (let k = 0; k * 64 < words.length; k++) bytes.set(new Uint8Array(words.buffer, words.byteOffset + k * 256, 256), k * SLOT);
  device.queue.writeBuffer(uni, 0, bytes);
  const steps = items.map((it) => {
    switch (it[0]) {
      case 'd': {
        const [, key, binds, slot, x, y, z, label] = it;
        const pipe = pipelines.get(key);
        if (!pipe) throw new Error('program ' + pid + ': pipeline ' + key + ' is not defined');
        const entries = [{ binding: 0, resource: { buffer: uni, offset: slot * SLOT, size: 256 } }];
        binds.forEach((b, i) => entries.push({ binding: i + 1, resource: binding(b) }));
        return { t: 'd', pipe, group: device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries, label }), x, y, z, label };
      }
      case 'z': return { t: 'z', buf: buffers.get(it[1]), bytes: it[2] };
      case 'k': return { t: 'k', src: buffers.get(it[1]), so: it[2], dst: buffers.get(it[3]), doff: it[4], bytes: it[5] };
      case 'w': return { t: 'w', buf: buffers.get(it[1]), off: it[2], data: it[3] };
    }
    throw new Error('program ' + pid + ': unknown item ' + it[0]);
  });
  programs.set(pid, { uni, steps });
}
async function runProgram(pid) {
  const prog = programs.get(pid);
  if (!prog) throw new Error('program ' + pid + ' is not defined');
  for (const st of prog.steps) {
    if (st.t === 'd') {
      lastLabel = st.label;
      // While profiling, each replayed dispatch is timed like an eager one.
      if (prof) await profBefore();
      if (prof === 1) {
        endPass();
        pass = enc().beginComputePass({ timestampWrites: { querySet: profQs, beginningOfPassWriteIndex: 2 * profN, endOfPassWriteIndex: 2 * profN + 1 } });
        profN++;
      } else if (!pass) pass = enc().beginComputePass();
      pass.setPipeline(st.pipe);
      pass.setBindGroup(0, st.group);
      pass.dispatchWorkgroups(st.x, st.y, st.z);
      pending++;
      if (prof) await profAfter();
    } else if (st.t === 'z') { endPass(); enc().clearBuffer(st.buf, 0, st.bytes); }
    else if (st.t === 'k') { endPass(); enc().copyBufferToBuffer(st.src, st.so, st.dst, st.doff, st.bytes); }
    else { submit(); device.queue.writeBuffer(st.buf, st.off, st.data); }
  }
}
const staging = new Map();
function stagingFor(bytes) {
  let cls = 256; while (cls < bytes) cls *= 2;
  let s = staging.get(cls);
  if (!s) { s = device.createBuffer({ size: cls, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }); staging.set(cls, s); }
  return s;
}
let queue = Promise.resolve();
async function read(cmd) {
  const [, id, bytes, sab] = cmd;
  const head = new Int32Array(sab, 0, 2);
  try {
    const st = stagingFor(bytes);
    endPass();
    if (bytes > 0) enc().copyBufferToBuffer(buffers.get(id), 0, st, 0, bytes);
    submit();
    if (bytes > 0) {
      await st.mapAsync(GPUMapMode.READ, 0, bytes);
      new Uint8Array(sab, 8, bytes).set(new Uint8Array(st.getMappedRange(0, bytes)));
      st.unmap();
    }
    Atomics.store(head, 1, bytes);
    Atomics.store(head, 0, 1);
  } catch (e) {
    reportError('reading back ' + bytes + ' bytes failed (last kernel: ' + lastLabel + '): ' + (e && e.message || e));
    Atomics.store(head, 0, 2);
  }
  Atomics.notify(head, 0);
}
async function run(cmds) {
  for (const cmd of cmds) {
    try {
      switch (cmd[0]) {
        case 'c': buffers.set(cmd[1], device.createBuffer({ size: cmd[2], usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })); break;
        case 'w': if (pending > 0 || encoder) submit(); device.queue.writeBuffer(buffers.get(cmd[1]), cmd[2], cmd[3]); break;
        case 'z': endPass(); enc().clearBuffer(buffers.get(cmd[1]), 0, cmd[2]); break;
        case 'p': lastLabel = 'compiling ' + cmd[1]; pipelines.set(cmd[1], device.createComputePipeline({ layout: 'auto', label: cmd[1], compute: { module: device.createShaderModule({ code: cmd[2], label: cmd[1] }), entryPoint: 'main' } })); break;
        case 'd': if (prof) { await profBefore(); dispatch(cmd); await profAfter(); } else dispatch(cmd); break;
        case 't': profMode(cmd[1]); break;
        case 'tr': await profRead(cmd); break;
        case 'k': endPass(); enc().copyBufferToBuffer(buffers.get(cmd[1]), cmd[2], buffers.get(cmd[3]), cmd[4], cmd[5]); break;
        case 'r': await read(cmd); break;
        case 'P': defineProgram(cmd); break;
        case 'G': await runProgram(cmd[1]); break;
        case 'Q': { const p = programs.get(cmd[1]); if (p) { p.uni.destroy(); programs.delete(cmd[1]); } break; }
        case 'x': submit(); device.destroy(); process.exit(0);
      }
    } catch (e) {
      reportError((cmd[0] === 'd' ? 'kernel ' + cmd[7] : cmd[0] === 'G' ? 'compiled program (last kernel ' + lastLabel + ')' : 'command ' + cmd[0]) + ': ' + (e && e.message || e));
      if (cmd[0] === 'r' || cmd[0] === 'tr') { const head = new Int32Array(cmd[cmd[0] === 'tr' ? 2 : 3], 0, 2); Atomics.store(head, 0, 2); Atomics.notify(head, 0); }
    }
  }
  submit();
}
parentPort.on('message', (msg) => {
  if (msg.type === 'init') { init(msg).catch((e) => parentPort.postMessage({ type: 'init', error: String(e && e.message || e) })); return; }
  const cmds = msg;
  queue = queue.then(() => run(cmds));
});
async function init(msg) {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) { parentPort.postMessage({ type: 'init', error: 'no WebGPU adapter (is a Vulkan driver installed? on Debian: mesa-vulkan-drivers from bookworm-backports)' }); return; }
  const L = adapter.limits;
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension'];
  const requiredLimits = {};
  for (const k of want) requiredLimits[k] = L[k];
  // timestamp-query costs nothing until the profiler uses it (it no longer needs allow_unsafe_apis).
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  device.addEventListener('uncapturederror', (ev) => reportError('GPU error (last kernel: ' + lastLabel + '): ' + (ev.error && ev.error.message)));
  device.lost.then((info) => reportError('GPU device lost (' + info.reason + '): ' + info.message + ' (last kernel: ' + lastLabel + ')'));
  ring = device.createBuffer({ size: SLOT * SLOTS, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const info = adapter.info;
  const limits = {};
  for (const k of want) limits[k] = device.limits[k];
  parentPort.postMessage({ type: 'init', info: { vendor: info.vendor, architecture: info.architecture, description: info.description,
    isFallbackAdapter: !!info.isFallbackAdapter, features: [...adapter.features].sort() }, limits });
}
`;
