// An image file as a model input: PNG (8/16-bit gray, gray+alpha, RGB, RGBA, palette; not
// interlaced) -> float32 [1, C, H, W] in [0, 1], like torchvision's ToTensor. Alpha is dropped;
// channels are converted to what the model expects (RGB -> gray by luminance, gray -> RGB).
import { inflateSync } from 'node:zlib';
import { Tensor } from '../tensor.js';

export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** 1 (gray) or 3 (RGB). */
  readonly channels: 1 | 3;
  /** Channel-major (C, H, W) values in [0, 1]. */
  readonly data: Float32Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePng(bytes: Uint8Array, where: string): DecodedImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageError(`${where}: not a PNG file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, depth = 0, colorType = -1;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (body.length !== len) throw new ImageError(`${where}: truncated PNG (chunk ${type})`);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8); height = view.getUint32(pos + 12);
      depth = body[8]!; colorType = body[9]!;
      if (body[12] !== 0) throw new ImageError(`${where}: interlaced PNGs are not supported; save it without interlacing`);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (colorType < 0) throw new ImageError(`${where}: PNG has no IHDR chunk`);
  const samples = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!samples) throw new ImageError(`${where}: unknown PNG color type ${colorType}`);
  if (depth !== 8 && !(depth === 16 && colorType !== 3)) throw new ImageError(`${where}: PNG bit depth ${depth} is not supported (8 or 16 bits per sample)`);
  if (colorType === 3 && !palette) throw new ImageError(`${where}: palette PNG without a PLTE chunk`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new ImageError(`${where}: corrupt PNG image data (${(e as Error).message})`);
  }
  const bpp = samples * (depth / 8);
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new ImageError(`${where}: PNG image data is shorter than ${width}x${height} needs`);
  const px = unfilter(raw, height, stride, bpp, where);
  const channels: 1 | 3 = colorType === 0 || colorType === 4 ? 1 : 3;
  const out = new Float32Array(channels * width * height);
  const plane = width * height;
  const max = depth === 16 ? 65535 : 255;
  const sample = (i: number): number => (depth === 16 ? (px[2 * i]! << 8) | px[2 * i + 1]! : px[i]!);
  for (let p = 0; p < plane; p++) {
    if (colorType === 3) {
      const k = px[p]! * 3;
      for (let c = 0; c < 3; c++) out[c * plane + p] = palette![k + c]! / 255;
    } else {
      for (let c = 0; c < channels; c++) out[c * plane + p] = sample(p * samples + c) / max;
    }
  }
  return { width, height, channels, data: out };
}

/** Undo PNG's per-scanline filters (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number, where: string): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp]! : 0;
      let v: number;
      switch (f) {
        case 0: v = 0; break;
        case 1: v = a; break;
        case 2: v = b; break;
        case 3: v = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new ImageError(`${where}: bad PNG filter type ${f} on row ${y}`);
      }
      out[row + x] = (src[x]! + v) & 0xff;
    }
  }
  return out;
}

/** The image as a [1, C, H, W] tensor with `channels` channels (converted when they differ). */
export function imageToTensor(img: DecodedImage, channels?: number): Tensor {
  const plane = img.width * img.height;
  const want = channels ?? img.channels;
  let data = img.data;
  if (want !== img.channels) {
    if (want === 1 && img.channels === 3) {
      data = new Float32Array(plane);
      for (let p = 0; p < plane; p++) data[p] = 0.299 * img.data[p]! + 0.587 * img.data[plane + p]! + 0.114 * img.data[2 * plane + p]!;
    } else if (want === 3 && img.channels === 1) {
      data = new Float32Array(3 * plane);
      for (let c = 0; c < 3; c++) data.set(img.data, c * plane);
    } else throw new ImageError(`the model expects ${want} channels; an image has 1 (gray) or 3 (RGB)`);
  }
  return Tensor.fromArray(data, [1, want, img.height, img.width]);
}
