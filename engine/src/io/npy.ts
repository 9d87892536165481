// .npy (NumPy format v1/v2/v3): https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Read: float32, float64 (-> float32), int64 (-> int32, checked), int32, uint8, bool; C order only.
// Write: float32 / int32 / uint8 / bool (int32 with `stored: 'int64'` is written as <i8).
import { readFileSync } from 'node:fs';
import { IoError, halfToFloat, int64ToInt32, makeArray, numel, shapeText, type NdArray, type StoredDType } from './array.js';
import { writeFileAtomic } from './atomic.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Descr { kind: StoredDType; size: number; little: boolean }

function parseDescr(descr: string, where: string): Descr {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  const bad = () => new IoError(`${where}: unsupported dtype '${descr}' (supported: float16/32/64, int32/64, uint8, bool)`);
  if (!m) throw bad();
  const little = m[1] !== '>';
  const code = m[2] + m[3];
  const table: Record<string, StoredDType> = { f2: 'float16', f4: 'float32', f8: 'float64', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool' };
  const kind = table[code];
  if (!kind) throw bad();
  return { kind, size: Number(m[3]), little };
}

/** Parses the header dict `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
function parseHeader(text: string, where: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new IoError(`${where}: malformed .npy header ${JSON.stringify(text.trim().slice(0, 120))} (needs 'descr', 'fortran_order' and 'shape')`);
  }
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const out: number[] = [];
  for (const d of dims) {
    if (!/^\d+L?$/.test(d)) throw new IoError(`${where}: bad shape entry '${d}' in .npy header`);
    out.push(parseInt(d, 10));
  }
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: out };
}

/** Decodes .npy bytes. `where` names the file (and npz entry) in errors. */
export function decodeNpy(bytes: Uint8Array, where: string): NdArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new IoError(`${where}: not a .npy file (bad magic bytes)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new IoError(`${where}: truncated .npy header`);
    headerLen = view.getUint32(8, true); start = 12;
  } else throw new IoError(`${where}: unsupported .npy version ${major}.${bytes[7]}`);
  if (start + headerLen > bytes.length) throw new IoError(`${where}: truncated .npy header (needs ${headerLen} bytes, file has ${bytes.length - start})`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const h = parseHeader(header, where);
  const d = parseDescr(h.descr, where);
  const n = numel(h.shape);
  if (h.fortran && h.shape.filter((s) => s > 1).length > 1) {
    throw new IoError(`${where}: Fortran-order arrays are not supported; save with np.ascontiguousarray(a)`);
  }
  const dataStart = start + headerLen;
  const need = n * d.size;
  if (bytes.length - dataStart < need) {
    throw new IoError(`${where}: truncated data: shape ${shapeText(h.shape)} ${d.kind} needs ${need} bytes, file has ${bytes.length - dataStart}`);
  }
  return decodeElements(view, dataStart, d, h.shape, where);
}

function decodeElements(view: DataView, off: number, d: Descr, shape: number[], where: string): NdArray {
  const n = numel(shape);
  const le = d.little;
  switch (d.kind) {
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, le);
      return makeArray('float32', shape, out);
    }
    case 'float64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, le);
      return makeArray('float32', shape, out, 'float64');
    }
    case 'float16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(off + 2 * i, le));
      return makeArray('float32', shape, out, 'float16');
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, le);
      return makeArray('int32', shape, out);
    }
    case 'int64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = int64ToInt32(view, off + 8 * i, le, () => `${where}: element ${i}`);
      return makeArray('int32', shape, out, 'int64');
    }
    case 'uint8': case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint8(off + i);
      return makeArray(d.kind, shape, out);
    }
    default: throw new IoError(`${where}: unsupported dtype ${d.kind}`);
  }
}

export function readNpy(path: string): NdArray {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new IoError(`${path}: cannot read (${(e as Error).message})`); }
  return decodeNpy(bytes, path);
}

/** Encodes an array as .npy v1 (v2 when the header needs it), header padded to 64 bytes like NumPy. */
export function encodeNpy(a: NdArray): Uint8Array {
  const wide = a.dtype === 'int32' && a.stored === 'int64';
  const descr = a.dtype === 'float32' ? '<f4' : a.dtype === 'int32' ? (wide ? '<i8' : '<i4') : a.dtype === 'uint8' ? '|u1' : '|b1';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let pre = 10;
  let total = pre + dict.length + 1;
  if (total > 65535 + 10) pre = 12;
  total = pre + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const headerLen = dict.length;
  const elemSize = wide ? 8 : a.dtype === 'float32' || a.dtype === 'int32' ? 4 : 1;
  const out = new Uint8Array(pre + headerLen + a.data.length * elemSize);
  out.set(MAGIC, 0);
  out[6] = pre === 10 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (pre === 10) view.setUint16(8, headerLen, true); else view.setUint32(8, headerLen, true);
  for (let i = 0; i < headerLen; i++) out[pre + i] = dict.charCodeAt(i);
  const off = pre + headerLen;
  if (wide) for (let i = 0; i < a.data.length; i++) view.setBigInt64(off + 8 * i, BigInt(a.data[i]), true);
  else if (a.dtype === 'float32') for (let i = 0; i < a.data.length; i++) view.setFloat32(off + 4 * i, a.data[i], true);
  else if (a.dtype === 'int32') for (let i = 0; i < a.data.length; i++) view.setInt32(off + 4 * i, a.data[i], true);
  else out.set(a.data as Uint8Array, off);
  return out;
}

export function writeNpy(path: string, a: NdArray): void {
  writeFileAtomic(path, encodeNpy(a));
}
