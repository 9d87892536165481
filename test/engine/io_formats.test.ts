// io: .npy/.npz/safetensors against files NumPy and PyTorch wrote (train_fixtures/torch_io.py),
// round trips, and one clear error per kind of corruption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import {
  readNpy, readNpz, readSafetensors, decodeNpy, encodeNpy, decodeNpz, encodeNpz, decodeSafetensors, encodeSafetensors,
  writeSafetensors, writeNpy, writeNpz, makeArray, IoError,
} from '../../engine/src/io/index.js';
import { missing } from '../helpers/require_env.js';

const FIX = join(import.meta.dirname, 'train_fixtures', 'io');
const TORCH_SCRIPT = join(import.meta.dirname, 'train_fixtures', 'torch_io.py');
const expected = JSON.parse(readFileSync(join(FIX, 'expected.json'), 'utf8')) as Record<string, { shape: number[]; values: number[] }>;

function close(actual: ArrayLike<number>, want: number[], tol = 0, what = ''): void {
  assert.equal(actual.length, want.length, `${what} length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(actual[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i]));
    assert.ok(ok, `${what}[${i}]: ${actual[i]} vs ${want[i]}`);
  }
}

test('npy: reads every dtype NumPy wrote', () => {
  for (const k of ['f32', 'f64', 'i64', 'i32', 'u8', 'bool', 'scalar']) {
    const a = readNpy(join(FIX, `${k}.npy`));
    const e = expected[`npy.${k}`];
    assert.deepEqual(a.shape, e.shape, k);
    close(a.data, e.values, k === 'f64' ? 1e-7 : 0, k);
  }
  assert.equal(readNpy(join(FIX, 'f64.npy')).dtype, 'float32');
  const i64 = readNpy(join(FIX, 'i64.npy'));
  assert.equal(i64.dtype, 'int32');
  assert.equal(i64.stored, 'int64');
  assert.equal(readNpy(join(FIX, 'bool.npy')).dtype, 'bool');
  close(readNpy(join(FIX, 'v2.npy')).data, expected['npy.f32'].values, 0, 'v2');
});

test('npy: int64 that does not fit, Fortran order, truncation, bad magic -> one clear error each', () => {
  assert.throws(() => readNpy(join(FIX, 'big_i64.npy')), (e: Error) => e instanceof IoError && /big_i64\.npy: element 2: int64 value 1099511627776 does not fit in int32/.test(e.message));
  assert.throws(() => readNpy(join(FIX, 'fortran.npy')), /fortran\.npy: Fortran-order arrays are not supported/);
  const good = readFileSync(join(FIX, 'f32.npy'));
  assert.throws(() => decodeNpy(good.subarray(0, good.length - 3), 'cut.npy'), /cut\.npy: truncated data: shape \[2, 3\] float32 needs 24 bytes, file has 21/);
  assert.throws(() => decodeNpy(good.subarray(0, 40), 'cut.npy'), /cut\.npy: truncated \.npy header/);
  assert.throws(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy'), /x\.npy: not a \.npy file/);
  const c64 = Buffer.from(good);
  c64.write("'<c8'", c64.indexOf("'<f4'"), 'latin1');
  assert.throws(() => decodeNpy(c64, 'c.npy'), /c\.npy: unsupported dtype '<c8'/);
  assert.throws(() => readNpy(join(FIX, 'nope.npy')), /nope\.npy: cannot read/);
});

test('npy: write -> read round trip, NumPy-compatible header', () => {
  const a = makeArray('float32', [2, 2], new Float32Array([1, -2.5, 3e-7, 4]));
  const bytes = encodeNpy(a);
  assert.equal((bytes.length - a.data.length * 4) % 64, 0, 'header padded to 64 bytes');
  assert.deepEqual(decodeNpy(bytes, 'rt'), a);
  const big = makeArray('int32', [3], new Int32Array([1, -2, 2147483647]), 'int64');
  const back = decodeNpy(encodeNpy(big), 'rt');
  assert.equal(back.stored, 'int64');
  assert.deepEqual([...back.data], [1, -2, 2147483647]);
});

test('npz: stored and deflate archives from NumPy; round trip; corrupt archive', () => {
  for (const f of ['stored.npz', 'deflate.npz']) {
    const m = readNpz(join(FIX, f));
    assert.deepEqual([...m.keys()].sort(), ['x', 'y']);
    close(m.get('x')!.data, expected['npy.f32'].values, 0, f);
    close(m.get('y')!.data, expected['npy.i64'].values, 0, f);
  }
  for (const compress of [false, true]) {
    const src = { a: makeArray('uint8', [3], new Uint8Array([1, 2, 3])), b: makeArray('float32', [1], new Float32Array([0.25])) };
    const m = decodeNpz(encodeNpz(src, compress), 'rt.npz');
    assert.deepEqual(m.get('a'), src.a);
    assert.deepEqual(m.get('b'), src.b);
  }
  const raw = readFileSync(join(FIX, 'stored.npz'));
  assert.throws(() => decodeNpz(raw.subarray(0, raw.length - 30), 'cut.npz'), /cut\.npz: not a zip\/\.npz file/);
  const bad = Buffer.from(readFileSync(join(FIX, 'deflate.npz')));
  bad.fill(0x55, 60, 120); // scribble over the first entry's deflate stream
  assert.throws(() => decodeNpz(bad, 'bad.npz'), /bad\.npz: (entry 'x\.npy': corrupt deflate data|entry 'x\.npy' has|\[x\])/);
});

test('safetensors: reads a PyTorch state_dict (all dtypes, PyTorch names)', () => {
  const f = readSafetensors(join(FIX, 'torch_model.safetensors'));
  assert.equal(f.metadata.format, 'pt');
  for (const [name, e] of Object.entries(expected)) {
    if (name.startsWith('npy.')) continue;
    const a = f.tensors.get(name);
    assert.ok(a, name);
    assert.deepEqual(a.shape, e.shape, name);
    close(a.data, e.values, name === 'extra.f64' ? 1e-7 : 0, name);
  }
  assert.equal(f.tensors.get('1.num_batches_tracked')!.stored, 'int64');
  assert.deepEqual([...f.tensors.get('1.num_batches_tracked')!.data], [1]);
});

test('safetensors: corrupt headers and truncated files -> one clear error each', () => {
  const good = readFileSync(join(FIX, 'torch_model.safetensors'));
  const n = Number(good.readBigUInt64LE(0));
  const withHeader = (h: unknown, data: Uint8Array = good.subarray(8 + n)) => {
    let j = JSON.stringify(h);
    j += ' '.repeat((8 - (j.length % 8)) % 8);
    const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(j.length));
    return Buffer.concat([len, Buffer.from(j), data]);
  };
  const header = JSON.parse(good.subarray(8, 8 + n).toString()) as Record<string, any>;
  assert.throws(() => decodeSafetensors(good.subarray(0, 5), 'f.st'), /f\.st: not a safetensors file/);
  const huge = Buffer.from(good); huge.writeBigUInt64LE(1n << 40n);
  assert.throws(() => decodeSafetensors(huge, 'f.st'), /f\.st: header length 1099511627776 is larger than the file allows/);
  const notJson = Buffer.from(good); notJson[8] = 0x7b; notJson[9] = 0x7b;
  assert.throws(() => decodeSafetensors(notJson, 'f.st'), /f\.st: header is not valid JSON/);
  assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 4), 'f.st'), /f\.st: tensor '[^']+': data_offsets \[\d+, \d+\] run past the end of the data .*truncated/);
  const wrongShape = structuredClone(header); wrongShape['0.weight'].shape = [3, 3];
  assert.throws(() => decodeSafetensors(withHeader(wrongShape), 'f.st'), /f\.st: tensor '0\.weight': F32 \[3, 3\] needs 36 bytes but data_offsets span 24/);
  const badDtype = structuredClone(header); badDtype['0.bias'].dtype = 'C64';
  assert.throws(() => decodeSafetensors(withHeader(badDtype), 'f.st'), /f\.st: tensor '0\.bias': unsupported dtype "C64"/);
  const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
  assert.throws(() => decodeSafetensors(withHeader(gap, new Uint8Array(8)), 'f.st'), /f\.st: tensor 'a' starts at byte 4, expected 0 \(offsets must be contiguous/);
  const extra = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
  assert.throws(() => decodeSafetensors(withHeader(extra, new Uint8Array(8)), 'f.st'), /f\.st: tensors cover 4 bytes but the data section has 8/);
  const big = { a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } };
  const bigData = Buffer.alloc(8); bigData.writeBigInt64LE(1n << 33n);
  assert.throws(() => decodeSafetensors(withHeader(big, bigData), 'f.st'), /f\.st: tensor 'a' element 0: int64 value 8589934592 does not fit in int32/);
});

test('safetensors: what we write, PyTorch loads with load_state_dict(strict=True)', (t) => {
  const src = readSafetensors(join(FIX, 'torch_model.safetensors')).tensors;
  // Drop the dtypes we only read (F16/F64 come back as float32 and are written as F32).
  const out = new Map([...src].map(([k, v]) => [k, { ...v, data: v.data.slice() }]));
  (out.get('0.weight')!.data as Float32Array)[0] = 0.125;
  const bytes = encodeSafetensors(out, { written_by: 'tensor-studio' });
  const back = decodeSafetensors(bytes, 'rt');
  assert.equal(back.metadata.written_by, 'tensor-studio');
  for (const [k, v] of out) assert.deepEqual([...back.tensors.get(k)!.data], [...v.data], k);

  const py = '/usr/bin/python3';
  if (!existsSync(py) || spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status !== 0) {
    missing(t, 'PyTorch (/usr/bin/python3 with torch)', 'import torch failed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ts-io-'));
  try {
    const file = join(dir, 'ours.safetensors');
    writeSafetensors(file, out);
    const r = spawnSync(py, [TORCH_SCRIPT, 'check', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
    assert.equal(seen['1.num_batches_tracked'].dtype, 'torch.int64');
    assert.equal(seen['0.weight'].dtype, 'torch.float32');
    assert.equal(seen['extra.f64'].dtype, 'torch.float32');
    assert.equal(seen['extra.i32'].dtype, 'torch.int32');
    assert.equal(seen['extra.bool'].dtype, 'torch.bool');
    assert.equal(seen['0.weight'].values[0], 0.125);
    for (const [k, v] of out) close(seen[k].values, [...v.data], 0, `torch ${k}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npy / npz: what we write, NumPy reads (np.load) with the same dtypes and values', (t) => {
  const py = '/usr/bin/python3';
  if (!existsSync(py) || spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status !== 0) {
    missing(t, 'NumPy (/usr/bin/python3 with numpy and torch)', 'import failed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ts-npy-'));
  try {
    const f32 = makeArray('float32', [2, 3], new Float32Array([1.5, -2, 3e-8, 4, 5, 6]));
    const i64 = makeArray('int32', [3], new Int32Array([-7, 0, 2147483647]), 'int64');
    const b = makeArray('bool', [2], new Uint8Array([1, 0]));
    writeNpy(join(dir, 'a.npy'), f32);
    writeNpy(join(dir, 'i.npy'), i64);
    writeNpz(join(dir, 's.npz'), { x: f32, flag: b });
    writeNpz(join(dir, 'c.npz'), { y: i64 }, true);
    const r = spawnSync(py, [TORCH_SCRIPT, 'numpy', join(dir, 'a.npy'), join(dir, 'i.npy'), join(dir, 's.npz'), join(dir, 'c.npz')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
    const at = (k: string) => seen[join(dir, k)];
    assert.deepEqual(at('a.npy'), { dtype: 'float32', shape: [2, 3], values: [...f32.data] });
    assert.deepEqual(at('i.npy'), { dtype: 'int64', shape: [3], values: [-7, 0, 2147483647] });
    assert.deepEqual(at('s.npz:x'), { dtype: 'float32', shape: [2, 3], values: [...f32.data] });
    assert.deepEqual(at('s.npz:flag'), { dtype: 'bool', shape: [2], values: [1, 0] });
    assert.deepEqual(at('c.npz:y'), { dtype: 'int64', shape: [3], values: [-7, 0, 2147483647] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
