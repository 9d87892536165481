// PNG input for predict: the decoder undoes every PNG filter and color type we claim, and
// `predict --input x.png` equals predict on the same pixels given as .npy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { crc32 } from '../../engine/src/io/zip.js';
import { readNpy, writeNpy } from '../../engine/src/io/index.js';
import { decodePng, imageToTensor } from '../../engine/src/model/image_input.js';
import { missing } from '../helpers/require_env.js';
import { GOLDENS, ROOT, relError } from './models/goldens.js';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** A PNG with 8-bit samples; row y uses filter y % 5 so every filter is exercised. */
function encodePng(width: number, height: number, colorType: 0 | 2 | 4 | 6, px: Uint8Array): Buffer {
  const samples = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
  const stride = width * samples;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const f = y % 5;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = px[y * stride + x]!;
      const a = x >= samples ? px[y * stride + x - samples]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= samples && y > 0 ? px[(y - 1) * stride + x - samples]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f]!;
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = colorType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

const pixels = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + (i >> 3) * 11) % 256);

test('decodePng: gray, gray+alpha, RGB, RGBA with all five filters', () => {
  const [w, h] = [7, 6];
  for (const [ct, s] of [[0, 1], [4, 2], [2, 3], [6, 4]] as const) {
    const px = pixels(w * h * s);
    const img = decodePng(encodePng(w, h, ct, px), 'x.png');
    const ch = ct === 0 || ct === 4 ? 1 : 3;
    assert.equal(img.channels, ch);
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < ch; c++) assert.equal(img.data[c * w * h + p], Math.fround(px[p * s + c]! / 255), `color type ${ct} pixel ${p} channel ${c}`);
    }
  }
  const rgb = decodePng(encodePng(2, 1, 2, Uint8Array.from([255, 0, 0, 0, 0, 255])), 'x.png');
  assert.deepEqual([...imageToTensor(rgb, 1).toFloat32Array()].map((v) => +v.toFixed(4)), [0.299, 0.114]);
  assert.deepEqual([...imageToTensor(decodePng(encodePng(1, 1, 0, Uint8Array.from([51])), 'x.png'), 3).shape], [1, 3, 1, 1]);
  assert.throws(() => decodePng(Buffer.from('not a png'), 'x.png'), /x\.png: not a PNG file/);
});

test('predict --input image.png equals predict on the same pixels as .npy', (t) => {
  const CLI = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(CLI) && missing(t, 'dist/cli.js', 'not built (run npm run build)')) return;
  const tmp = mkdtempSync(join(tmpdir(), 'ts-png-'));
  try {
    const px = pixels(28 * 28);
    writeFileSync(join(tmp, 'x.png'), encodePng(28, 28, 0, px));
    writeNpy(join(tmp, 'x.npy'), { dtype: 'float32', shape: [1, 1, 28, 28], data: Float32Array.from(px, (v) => v / 255) });
    const w = join(GOLDENS, 'fashion', 'weights.safetensors');
    const run = (input: string, out: string) => spawnSync(process.execPath, [CLI, 'predict', 'examples/fashion/model.py', '--weights', w, '--input', input, '--output', out], { cwd: ROOT, encoding: 'utf8' });
    const a = run(join(tmp, 'x.png'), join(tmp, 'a.npy'));
    assert.equal(a.status, 0, a.stderr);
    const b = run(join(tmp, 'x.npy'), join(tmp, 'b.npy'));
    assert.equal(b.status, 0, b.stderr);
    const ya = readNpy(join(tmp, 'a.npy'));
    assert.deepEqual(ya.shape, [1, 10]);
    assert.ok(relError(ya.data, readNpy(join(tmp, 'b.npy')).data) < 1e-6);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
