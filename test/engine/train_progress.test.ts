// The progress display: bar text, ETA formatting, TTY redraw vs plain lines when piped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatDuration, formatProgress } from '../../engine/src/train/progress.js';

const state = { epoch: 0, epochs: 2, step: 10, totalSteps: 40, epochSteps: 20, epochStep: 10, loss: 0.51234, samplesPerSec: 812.4, etaSec: 95 };

test('progress: bar, counts, loss, samples/s and ETA on one line', () => {
  assert.equal(formatProgress(state, 10), 'epoch 1/2 [====>     ] 10/20 | step 10/40 | loss 0.5123 | 812 samples/s | ETA 1:35');
  assert.equal(formatProgress({ ...state, epochStep: 20 }, 10), 'epoch 1/2 [==========] 20/20 | step 10/40 | loss 0.5123 | 812 samples/s | ETA 1:35');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(Infinity), '--:--');
});

test('progress: plain lines at log points when not a TTY, carriage-return redraws on a TTY', () => {
  const piped: string[] = [];
  const p = new Progress({ isTTY: false, write: (s: string) => { piped.push(s); return true; } });
  p.update(state, false);
  p.update(state, true);
  p.line('epoch 1/2 validation: loss 0.4');
  assert.deepEqual(piped.map((s) => s.endsWith('\n')), [true, true]);
  assert.ok(!piped.join('').includes('\r'), 'no control characters in logs');
  const tty: string[] = [];
  const q = new Progress({ isTTY: true, write: (s: string) => { tty.push(s); return true; } });
  q.update(state, false);
  q.line('done');
  assert.ok(tty[0].startsWith('\r\x1b[2K'));
  assert.deepEqual(tty.slice(1), ['\n', 'done\n'], 'a message first ends the bar line');
});
