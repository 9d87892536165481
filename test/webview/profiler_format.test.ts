// How the profiler panel writes numbers (webview/src/profiler/format.ts), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes, formatChange, formatCount, formatDelta, formatDuration, formatGflops, formatPercent, formatShapes, formatShare, formatSource, trimZeros,
} from '../../webview/src/profiler/format.js';

test('durations: 3 significant digits in ns, µs, ms or s, the unit picked after rounding', () => {
  const cases: [number, string][] = [
    [0, '0 µs'], [0.5, '500 ns'], [0.0123, '12.3 ns'], [1, '1.00 µs'], [12.345, '12.3 µs'], [456, '456 µs'],
    [999.4, '999 µs'], [999.7, '1.00 ms'], [1234, '1.23 ms'], [26950.6, '27.0 ms'], [999_999, '1.00 s'],
    [12_000_000, '12.0 s'], [1_234_000_000, '1,234 s'], [-1234, '−1.23 ms'],
  ];
  for (const [us, text] of cases) assert.equal(formatDuration(us), text, `${us} µs`);
  assert.equal(formatDuration(NaN), '–');
});

test('signed deltas and changes', () => {
  assert.equal(formatDelta(1234), '+1.23 ms');
  assert.equal(formatDelta(-56), '−56.0 µs');
  assert.equal(formatDelta(0), '0 µs');
  assert.equal(formatChange(100, 112.34), '+12.3%');
  assert.equal(formatChange(100, 96), '−4.0%');
  assert.equal(formatChange(100, 100.01), '0.0%');
  assert.equal(formatChange(0, 5), '–');
});

test('counts, percentages, shares', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(12), '12');
  assert.equal(formatPercent(12.345), '12.3%');
  assert.equal(formatPercent(100), '100.0%');
  assert.equal(formatPercent(-0.04), '0.0%');
  assert.equal(formatShare(1, 3), '33.3%');
  assert.equal(formatShare(1, 0), '–');
});

test('bytes: whole bytes below 1000, then KB/MB/GB (1024-based) with 3 significant digits', () => {
  const cases: [number, string][] = [
    [0, '0 B'], [512, '512 B'], [999, '999 B'], [1000, '0.977 KB'], [1536, '1.50 KB'], [2097152, '2.00 MB'],
    [120 * 1024 * 1024, '120 MB'], [600 * 1024 * 1024, '600 MB'], [4 * 1024 ** 3, '4.00 GB'], [1023.9 * 1024, '1.00 MB'],
  ];
  for (const [b, text] of cases) assert.equal(formatBytes(b), text, `${b} B`);
});

test('GFLOP/s, sources, input shapes', () => {
  assert.equal(formatGflops(218.4533), '218');
  assert.equal(formatGflops(1234.5), '1,235');
  assert.equal(formatGflops(undefined), '');
  assert.equal(formatSource({ file: '/home/user/fashion/model.py', line: 20 }), 'model.py:20');
  assert.equal(formatSource({ file: 'C:\\work\\model.py', line: 3 }), 'model.py:3');
  assert.equal(formatSource(undefined), '');
  assert.equal(formatShapes('[[32,1,28,28],[16,1,3,3],[16],[],[],[]]'), '[32, 1, 28, 28], [16, 1, 3, 3], [16]');
  assert.equal(formatShapes('[[]]'), '[]');
  assert.equal(formatShapes('not json'), 'not json');
  assert.equal(formatShapes(undefined), '');
});

test('ratios for big changes, trimmed axis labels', () => {
  assert.equal(formatChange(39.8, 197), '4.95×');
  assert.equal(formatChange(10, 20), '2.00×');
  assert.equal(trimZeros('50.0 µs'), '50 µs');
  assert.equal(trimZeros('1.50 MB'), '1.5 MB');
  assert.equal(trimZeros('1.25 ms'), '1.25 ms');
  assert.equal(trimZeros('100 µs'), '100 µs');
  assert.equal(trimZeros('0 B'), '0 B');
});
