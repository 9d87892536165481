// .npz = a zip of .npy files, one per array ('x.npy' -> key 'x').
import { readFileSync } from 'node:fs';
import { IoError, type NdArray } from './array.js';
import { decodeNpy, encodeNpy } from './npy.js';
import { readZip, writeZip } from './zip.js';
import { writeFileAtomic } from './atomic.js';

export function decodeNpz(bytes: Uint8Array, where: string): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  for (const e of readZip(bytes, where)) {
    const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
    out.set(key, decodeNpy(e.data, `${where}[${key}]`));
  }
  return out;
}

export function readNpz(path: string): Map<string, NdArray> {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new IoError(`${path}: cannot read (${(e as Error).message})`); }
  return decodeNpz(bytes, path);
}

export function encodeNpz(arrays: ReadonlyMap<string, NdArray> | Record<string, NdArray>, compress = false): Uint8Array {
  const items = arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
  return writeZip(items.map(([k, a]) => ({ name: `${k}.npy`, data: encodeNpy(a) })), compress);
}

export function writeNpz(path: string, arrays: ReadonlyMap<string, NdArray> | Record<string, NdArray>, compress = false): void {
  writeFileAtomic(path, encodeNpz(arrays, compress));
}
