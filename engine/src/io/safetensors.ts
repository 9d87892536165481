// safetensors: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets:[b,e]},
// "__metadata__": {str: str}}, then the byte buffer (offsets relative to its start).
// https://github.com/huggingface/safetensors#format
// Read: F32, F64/F16/BF16 (-> float32), I64 (-> int32, checked), I32, U8, BOOL.
// Write: float32 -> F32, int32 -> I64 (PyTorch's integer tensors, e.g. num_batches_tracked;
// `stored: 'int32'` keeps I32), uint8 -> U8, bool -> BOOL. Names are PyTorch state_dict keys.
import { readFileSync } from 'node:fs';
import { IoError, halfToFloat, int64ToInt32, makeArray, numel, shapeText, type NdArray } from './array.js';
import { writeFileAtomic } from './atomic.js';

export interface SafetensorsFile {
  readonly tensors: Map<string, NdArray>;
  readonly metadata: Record<string, string>;
}

const SIZES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };
/** A header larger than this is certainly corruption (real headers are kilobytes). */
const MAX_HEADER = 100 * 1024 * 1024;

export function decodeSafetensors(bytes: Uint8Array, where: string): SafetensorsFile {
  if (bytes.length < 8) throw new IoError(`${where}: not a safetensors file (only ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    throw new IoError(`${where}: header length ${n64} is larger than the file allows (${bytes.length - 8} bytes after the length field): corrupt or truncated`);
  }
  const n = Number(n64);
  let header: unknown;
  try { header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))); }
  catch (e) { throw new IoError(`${where}: header is not valid JSON (${(e as Error).message})`); }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new IoError(`${where}: header must be a JSON object`);
  const dataStart = 8 + n;
  const bufLen = bytes.length - dataStart;
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new IoError(`${where}: __metadata__ must map strings to strings`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const t = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const at = `${where}: tensor '${name}'`;
    if (typeof t !== 'object' || t === null) throw new IoError(`${at}: entry must be an object`);
    if (typeof t.dtype !== 'string' || !(t.dtype in SIZES)) throw new IoError(`${at}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${Object.keys(SIZES).join(', ')})`);
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new IoError(`${at}: shape must be a list of non-negative integers`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || off.some((d) => !Number.isInteger(d) || d < 0) || off[1] < off[0]) {
      throw new IoError(`${at}: data_offsets must be [begin, end] with 0 <= begin <= end`);
    }
    if (off[1] > bufLen) throw new IoError(`${at}: data_offsets [${off[0]}, ${off[1]}] run past the end of the data (${bufLen} bytes): truncated file`);
    const shape = t.shape as number[];
    const want = numel(shape) * SIZES[t.dtype];
    if (off[1] - off[0] !== want) throw new IoError(`${at}: ${t.dtype} ${shapeText(shape)} needs ${want} bytes but data_offsets span ${off[1] - off[0]}`);
    entries.push({ name, dtype: t.dtype, shape, begin: off[0], end: off[1] });
  }
  // The format requires the tensors to tile the buffer with no gaps or overlaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos) throw new IoError(`${where}: tensor '${e.name}' starts at byte ${e.begin}, expected ${pos} (offsets must be contiguous, no gaps or overlaps)`);
    pos = e.end;
  }
  if (pos !== bufLen) throw new IoError(`${where}: tensors cover ${pos} bytes but the data section has ${bufLen}`);
  const tensors = new Map<string, NdArray>();
  for (const e of entries) {
    const off = dataStart + e.begin;
    const cnt = numel(e.shape);
    const at = `${where}: tensor '${e.name}'`;
    let a: NdArray;
    switch (e.dtype) {
      case 'F32': { const o = new Float32Array(cnt); for (let i = 0; i < cnt; i++) o[i] = view.getFloat32(off + 4 * i, true); a = makeArray('float32', e.shape, o); break; }
      case 'F64': { const o = new Float32Array(cnt); for (let i = 0; i < cnt; i++) o[i] = view.getFloat64(off + 8 * i, true); a = makeArray('float32', e.shape, o, 'float64'); break; }
      case 'F16': { const o = new Float32Array(cnt); for (let i = 0; i < cnt; i++) o[i] = halfToFloat(view.getUint16(off + 2 * i, true)); a = makeArray('float32', e.shape, o, 'float16'); break; }
      case 'BF16': {
        const o = new Float32Array(cnt);
        const u = new Uint32Array(o.buffer);
        for (let i = 0; i < cnt; i++) u[i] = view.getUint16(off + 2 * i, true) << 16;
        a = makeArray('float32', e.shape, o, 'bfloat16'); break;
      }
      case 'I64': { const o = new Int32Array(cnt); for (let i = 0; i < cnt; i++) o[i] = int64ToInt32(view, off + 8 * i, true, () => `${at} element ${i}`); a = makeArray('int32', e.shape, o, 'int64'); break; }
      case 'I32': { const o = new Int32Array(cnt); for (let i = 0; i < cnt; i++) o[i] = view.getInt32(off + 4 * i, true); a = makeArray('int32', e.shape, o, 'int32'); break; }
      case 'U8': a = makeArray('uint8', e.shape, bytes.slice(off, off + cnt)); break;
      default: a = makeArray('bool', e.shape, bytes.slice(off, off + cnt)); break;
    }
    tensors.set(e.name, a);
  }
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new IoError(`${path}: cannot read (${(e as Error).message})`); }
  return decodeSafetensors(bytes, path);
}

function fileDType(a: NdArray): string {
  if (a.dtype === 'float32') return 'F32';
  if (a.dtype === 'int32') return a.stored === 'int32' ? 'I32' : 'I64';
  return a.dtype === 'uint8' ? 'U8' : 'BOOL';
}

export function encodeSafetensors(tensors: ReadonlyMap<string, NdArray> | Record<string, NdArray>, metadata?: Record<string, string>): Uint8Array {
  const items = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let pos = 0;
  for (const [name, a] of items) {
    const dt = fileDType(a);
    const len = a.data.length * SIZES[dt];
    header[name] = { dtype: dt, shape: a.shape, data_offsets: [pos, pos + len] };
    pos += len;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // align the data section to 8 bytes
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + pos);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let off = 8 + hbytes.length;
  for (const [, a] of items) {
    const dt = fileDType(a);
    if (dt === 'F32') { for (let i = 0; i < a.data.length; i++) view.setFloat32(off + 4 * i, a.data[i], true); off += 4 * a.data.length; }
    else if (dt === 'I64') { for (let i = 0; i < a.data.length; i++) view.setBigInt64(off + 8 * i, BigInt(a.data[i]), true); off += 8 * a.data.length; }
    else if (dt === 'I32') { for (let i = 0; i < a.data.length; i++) view.setInt32(off + 4 * i, a.data[i], true); off += 4 * a.data.length; }
    else { out.set(a.data as Uint8Array, off); off += a.data.length; }
  }
  return out;
}

export function writeSafetensors(path: string, tensors: ReadonlyMap<string, NdArray> | Record<string, NdArray>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
