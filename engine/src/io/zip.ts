// Minimal ZIP reader/writer for .npz: stored and deflate entries (node:zlib), ZIP64 size fields
// (NumPy writes npz entries with force_zip64). No encryption, no multi-disk.
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { IoError } from './array.js';

export interface ZipEntry { readonly name: string; readonly data: Uint8Array }

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function readZip(bytes: Uint8Array, where: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: last 22 bytes + up to 64 KiB comment.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new IoError(`${where}: not a zip/.npz file (no end-of-central-directory record; truncated?)`);
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // ZIP64 end-of-central-directory locator sits just before the EOCD.
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== 0x07064b50) throw new IoError(`${where}: ZIP64 archive without a ZIP64 locator`);
    const z64 = Number(view.getBigUint64(loc + 8, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) throw new IoError(`${where}: bad ZIP64 end record`);
    count = Number(view.getBigUint64(z64 + 32, true));
    cdOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new IoError(`${where}: corrupt zip central directory (entry ${k})`);
    const method = view.getUint16(p + 10, true);
    let compSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localOff = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field (id 1) holds, in order, the fields whose 32-bit value is 0xffffffff.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(view.getBigUint64(q, true)); q += 8; }
        if (compSize === 0xffffffff) { compSize = Number(view.getBigUint64(q, true)); q += 8; }
        if (localOff === 0xffffffff) localOff = Number(view.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    p = eEnd + commentLen;
    if (localOff + 30 > bytes.length || view.getUint32(localOff, true) !== 0x04034b50) throw new IoError(`${where}: corrupt zip entry '${name}' (bad local header)`);
    const dataStart = localOff + 30 + view.getUint16(localOff + 26, true) + view.getUint16(localOff + 28, true);
    if (dataStart + compSize > bytes.length) throw new IoError(`${where}: entry '${name}' is truncated`);
    const raw = bytes.subarray(dataStart, dataStart + compSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try { data = inflateRawSync(raw); } catch (err) { throw new IoError(`${where}: entry '${name}': corrupt deflate data (${(err as Error).message})`); }
    } else throw new IoError(`${where}: entry '${name}' uses zip compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== size) throw new IoError(`${where}: entry '${name}' has ${data.length} bytes, directory says ${size}`);
    entries.push({ name, data });
  }
  return entries;
}

/** Writes a zip archive (no ZIP64: entries and archive must stay under 4 GiB). */
export function writeZip(entries: readonly ZipEntry[], compress = false): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const ent of entries) {
    const name = new TextEncoder().encode(ent.name);
    const body = compress ? deflateRawSync(ent.data) : ent.data;
    const crc = crc32(ent.data);
    const method = compress ? 8 : 0;
    const lh = new Uint8Array(30 + name.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true); lv.setUint16(4, 20, true); lv.setUint16(8, method, true);
    lv.setUint16(12, 0x21, true); // 1980-01-01: reproducible archives
    lv.setUint32(14, crc, true); lv.setUint32(18, body.length, true); lv.setUint32(22, ent.data.length, true);
    lv.setUint16(26, name.length, true); lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(4, 20, true); cv.setUint16(6, 20, true); cv.setUint16(10, method, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true); cv.setUint32(20, body.length, true); cv.setUint32(24, ent.data.length, true);
    cv.setUint16(28, name.length, true); cv.setUint32(42, offset, true); ch.set(name, 46);
    locals.push(lh, body);
    centrals.push(ch);
    offset += lh.length + body.length;
  }
  const cdSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, entries.length, true); ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true); ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, end]) { out.set(part, p); p += part.length; }
  return out;
}
