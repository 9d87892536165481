// Big synthetic traces written fast: one block of events (a training step in our format: step,
// phases, module spans each enclosing two ops, one kernel per module call) is built once as text
// with a marker where each timestamp's leading digits go; block b is that text joined with
// String(b + 1), so block b's times are (b + 1) * 100,000 µs + the block's own offsets.
import { closeSync, openSync, writeSync } from 'node:fs';

const MARK = '\u0001';
const BLOCK_US = 100_000;

/** A local time as the fixed-width tail that follows the block's digits ('00123.250'). */
const tail = (us: number): string => `${String(Math.floor(us)).padStart(5, '0')}.${String(Math.round((us % 1) * 1000)).padStart(3, '0')}`;

const MODULES = ['embed', 'layers.0.attn', 'layers.0.mlp', 'layers.1.attn', 'layers.1.mlp', 'head'];
const OPS = ['linear', 'gelu', 'matmul', 'softmax'];

export interface SyntheticBlock {
  /** One event's text each, ts marked. */
  readonly events: readonly string[];
  /** µs of each op call. */
  readonly opDur: number;
}

export function syntheticBlock(): SyntheticBlock {
  const ev: string[] = [];
  const x = (name: string, cat: string, t: number, dur: number, tid: number, args: string): void => {
    ev.push(`{"name":"${name}","cat":"${cat}","ph":"X","ts":${MARK}${tail(t)},"dur":${dur},"pid":1,"tid":${tid},"args":${args}}`);
  };
  x(`step ${MARK}`, 'step', 0, 99_000, 1, `{"step":0}`);
  x('data', 'step', 0, 1000, 1, '{}');
  x('forward', 'step', 1000, 49_000, 1, '{}');
  const group = (t: number, g: number, backward: boolean): void => {
    const mod = MODULES[g % MODULES.length]!;
    const line = 20 + (g % MODULES.length);
    const op1 = OPS[g % OPS.length]!, op2 = OPS[(g + 1) % OPS.length]!;
    const site = `"module":"${mod}","source":"model.py:${line}"`;
    if (backward) x(`${op1} (backward)`, 'backward', t, 22, 1, `{${site},"backward_of":"${op1}"}`);
    else x(mod, 'module', t, 22, 1, `{${site}}`);
    x(op1, 'cpu_op', t + 1, 10, 1, `{"input_shapes":[[32,${64 + (g % 3)}],[64,64]],${site}}`);
    x(`kernel_${op1}`, 'kernel', t + 2, 8.5, 2, `{"label":"${op1} [32x64]","workgroups":[4,1,1],"op":"${op1}",${site}}`);
    x(op2, 'cpu_op', t + 11, 10, 1, `{"input_shapes":[[32,64]],${site}}`);
  };
  let g = 0;
  for (let t = 1000; t + 24 <= 50_000; t += 24) group(t, g++, false);
  x('backward', 'step', 50_000, 40_000, 1, '{}');
  for (let t = 50_000; t + 24 <= 90_000; t += 24) group(t, g++, true);
  x('optimizer', 'step', 90_000, 9000, 1, '{}');
  return { events: ev, opDur: 10 };
}

export interface Written { readonly events: number; readonly bytes: number; readonly blocks: number; readonly block: SyntheticBlock }

/**
 * Write a trace in the object form with `events` events (whole blocks, then the first events of
 * one more), or with at least `minBytes` bytes (whole blocks).
 */
export function writeSyntheticTrace(path: string, size: { events: number } | { minBytes: number }): Written {
  const block = syntheticBlock();
  const parts = block.events.join(',\n').split(MARK);
  const fd = openSync(path, 'w');
  let bytes = 0;
  const put = (s: string): void => { bytes += writeSync(fd, s); };
  put('{"displayTimeUnit":"ms","otherData":{"synthetic":true},"traceEvents":[\n');
  let blocks = 0, events = 0;
  const perBlock = block.events.length;
  const more = (): boolean => ('events' in size ? events + perBlock <= size.events : bytes < size.minBytes);
  while (more()) {
    put((blocks ? ',\n' : '') + parts.join(String(blocks + 1)));
    blocks++;
    events += perBlock;
  }
  if ('events' in size && events < size.events) {
    const k = size.events - events;
    put((blocks ? ',\n' : '') + block.events.slice(0, k).join(',\n').split(MARK).join(String(blocks + 1)));
    events += k;
  }
  put('\n]}\n');
  closeSync(fd);
  return { events, bytes, blocks, block };
}

export { BLOCK_US };
