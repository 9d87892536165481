// Property: unknown things make values unknown, never errors. Random forward bodies mix tensors
// of known shape with values the analysis cannot see (imported library calls, config attributes,
// buffers made from constructor parameters, loops over unknown lists, ...) and apply ops to
// them; every op touching an unknown is one that fits some shape, and ops on known tensors alone
// are ones that fit any shape, so no error diagnostic may appear. A planted known-known
// contradiction must still be reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../engine/src/frontend/index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Sources of unknown values, each an expression usable inside forward (self has cfg, mean, ext). */
const UNKNOWNS = [
  'extlib.transform(x)', 'self.cfg.hidden', 'self.mean', 'torch.as_tensor(self.image_mean)', 'self.ext(x)',
  'helper_from_elsewhere(x, dim=self.cfg.dim)', 'getattr(self, name)', 'self.table', 'kwargs["feat"]', 'self.partial_layer(x)',
];
/** Ops with one tensor operand `A` (fit any shape of rank >= 1 with these dims, or unknown). */
const UNARY = ['F.relu(A)', 'A.contiguous()', '-A', 'A * 2.0', 'torch.sigmoid(A)', 'A.float()', 'A.clone()', 'A.detach()'];
/** Ops that may need a particular shape: only applied when an operand is unknown. */
const ANY = [
  'A[:, None, None]', 'A[0]', 'A.view(-1)', 'A.transpose(0, 1)', 'A @ B', 'A + B', 'torch.cat([A, B], dim=1)',
  'torch.stack([A, B])', 'A.mean(-1)', 'self.lin(A)', 'A.permute(0, 2, 1)', 'A.flatten(1)', 'A.unsqueeze(1)', 'A.softmax(dim=-1)',
  'F.layer_norm(A, (16,))', 'A.size(1) * A', 'A[..., :self.cfg.k]', 'A.split(self.cfg.n, dim=-1)[0]',
];

function program(seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const known = ['x'];
  const unknown: string[] = [];
  const body: string[] = [];
  for (let i = 0; i < 12; i++) {
    const v = `v${i}`;
    const roll = r();
    if (roll < 0.3 || unknown.length === 0) {
      body.push(`${v} = ${pick(UNKNOWNS)}`);
      unknown.push(v);
    } else if (roll < 0.55) {
      body.push(`${v} = ${pick(UNARY).replace('A', pick(known))}`);
      known.push(v);
    } else {
      // at least one unknown operand: the result is unknown too
      const op = pick(ANY);
      const aUnknown = !op.includes('B') || r() < 0.5;
      const a = aUnknown ? pick(unknown) : pick(known);
      const b = aUnknown ? pick([...known, ...unknown]) : pick(unknown);
      body.push(`${v} = ${op.replace('A', a).replace('B', b)}`);
      unknown.push(v);
    }
    if (r() < 0.15) body.push(`for item in extlib.items():\n            ${v} = ${v} + item`);
  }
  return `import torch
import torch.nn as nn
import torch.nn.functional as F
import extlib
from .elsewhere import helper_from_elsewhere


class Net(nn.Module):
    def __init__(self, cfg, image_mean, ext, **kwargs):
        super().__init__()
        self.cfg = cfg
        self.image_mean = image_mean
        self.ext = ext
        self.lin = nn.Linear(16, 4)
        self.register_buffer("mean", torch.as_tensor(image_mean))
        self.register_buffer("table", extlib.make_table(cfg.size))
        self.partial_layer = extlib.partial_layer(cfg)

    def forward(self, x, name="lin", **kwargs):
        ${body.join('\n        ')}
        return x


model = Net(extlib.config(), extlib.mean(), extlib.backbone())
out = model(torch.randn(2, 8, 16))
`;
}

test('random programs mixing unknowns with known ops give no error diagnostics', () => {
  const bad: string[] = [];
  for (let seed = 1; seed <= 400; seed++) {
    const src = program(seed);
    const errs = analyze(src).diagnostics.filter((d) => d.severity === 'error' || d.code === 'internal-error');
    if (errs.length) bad.push(`seed ${seed}: ${errs.map((e) => `line ${e.range.start.line + 1}: ${e.message}`).join('; ')}\n${src.split('\n').slice(19, 34).join('\n')}`);
  }
  assert.deepEqual(bad.slice(0, 3), []);
});

test('a known-known contradiction among unknowns is still reported', () => {
  const src = program(7).replace('        return x\n', '        bad = self.lin(torch.randn(2, 5))\n        return x\n');
  const errs = analyze(src).diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errs.length, 1, JSON.stringify(errs));
  assert.match(errs[0]!.message, /16/);
});
