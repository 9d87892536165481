// The metrics panel's pure pieces outside the worker: which chart a metric goes on, the colour a
// run keeps, and the validation of every message and saved state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupOf, groupTitle, runColorIndex } from '../../webview/src/metrics/groups.js';
import { formatSeconds, fmt } from '../../webview/src/metrics/chart_format.js';
import { opaque } from '../../webview/src/common/theme.js';
import { parseMetricsHostMessage, parseMetricsPanelMessage, parseMetricsPanelState, PANEL_PROTOCOL_VERSION } from '../../webview/src/protocol.js';

test('train and validation of a metric share a chart; other names have their own', () => {
  assert.deepEqual(['train/loss', 'val/loss', 'val/accuracy', 'train/lr', 'train/samples_per_s', 'grad_norm'].map(groupOf),
    ['loss', 'loss', 'accuracy', 'lr', 'samples_per_s', 'grad_norm']);
  assert.equal(groupTitle('samples_per_s'), 'samples per s');
});

test('a run keeps its colour when a newer run appears', () => {
  const old = ['20261207-101500-A', '20261207-113000-B'];
  const before = old.map((id) => runColorIndex(id, old, 8));
  const after = old.map((id) => runColorIndex(id, [...old, '20261208-090000-C'], 8));
  assert.deepEqual(after, before);
  assert.equal(runColorIndex('20261208-090000-C', [...old, '20261208-090000-C'], 8), 2);
  assert.notEqual(before[0], before[1]);
});

test('numbers and times read well on axes and in the readout', () => {
  assert.deepEqual([0.35512, 1.79044, 0.0015, 5e-4, 2e-5, 2_500_000, 0].map(fmt), ['0.3551', '1.79', '0.0015', '0.0005', '2.000e-5', '2.500e+6', '0']);
  assert.deepEqual([0, 59.6, 61, 3725].map(formatSeconds), ['0:00', '1:00', '1:01', '1:02:05']);
});

test('metrics messages: typed arrays of equal length pass; anything else is dropped', () => {
  const col = (n: number): Float64Array => new Float64Array(n);
  const ok = { type: 'series', runId: 'r', series: [{ name: 'train/loss', step: col(3), epoch: col(3), value: col(3), time: col(3) }] };
  assert.equal(parseMetricsHostMessage(ok), ok);
  assert.equal(parseMetricsHostMessage({ ...ok, series: [{ ...ok.series[0], value: col(2) }] }), null, 'columns of different lengths');
  assert.equal(parseMetricsHostMessage({ ...ok, series: [{ ...ok.series[0], step: [0, 1, 2] }] }), null, 'a plain array');
  assert.ok(parseMetricsHostMessage({ type: 'append', runId: 'r', points: [{ name: 'train/loss', step: 1, epoch: 0, value: Number.NaN, time: 0.5 }] }), 'a NaN loss is a point');
  assert.equal(parseMetricsHostMessage({ type: 'append', runId: 'r', points: [{ name: 'x', step: '1', epoch: 0, value: 1, time: 0 }] }), null);
  assert.equal(parseMetricsHostMessage({ type: 'runs', runs: [{ id: 'r', label: 'R', status: 'completed' }], select: [] }), null, 'no startedAt');
  assert.ok(parseMetricsPanelMessage({ type: 'select', runIds: ['a', 'b'] }));
  assert.equal(parseMetricsPanelMessage({ type: 'export', format: 'svg', suggestedName: 'm', data: '' }), null);
  const state = { version: PANEL_PROTOCOL_VERSION, selected: ['r'], axis: 'epoch', smoothing: { kind: 'ema', weight: 0.9 }, log: false };
  assert.equal(parseMetricsPanelState(state), state);
  assert.equal(parseMetricsPanelState({ ...state, smoothing: { kind: 'ema', weight: 1 } }), null, 'EMA weight 1 would freeze the line');
  assert.equal(parseMetricsPanelState({ ...state, axis: 'wall' }), null);
});

test('run colours are opaque even where the theme gives the chart colour an alpha', () => {
  assert.deepEqual(['#d1861680', '#d18616', '#abcd', 'rgba(209, 134, 22, 0.5)', 'rgb(1, 2, 3)'].map(opaque),
    ['#d18616', '#d18616', '#aabbcc', 'rgb(209, 134, 22)', 'rgb(1, 2, 3)']);
});
