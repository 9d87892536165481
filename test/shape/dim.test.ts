// Symbolic dims: canonical forms, three-valued equality, exact and floor division, evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  add, dimEquals, dimToString, evalDim, exactDiv, floordiv, mod, mul, opaque, prod, shapeToString, sub, sym, symbolsOf,
} from '../../engine/src/shape/dim.js';

const N = sym('N');
const H = sym('H');
const W = sym('W');
const C = sym('C');

test('arithmetic folds to canonical, printable forms', () => {
  assert.equal(dimToString(sub(H, 2)), 'H-2');
  assert.equal(sub(H, H), 0);
  assert.equal(dimToString(add(mul(2, H), sub(W, 3))), '2*H+W-3');
  assert.equal(dimToString(prod([N, C, H, W])), 'N*C*H*W');
  assert.equal(dimToString(mul(mul(N, 32), 25)), '800*N');
  assert.equal(shapeToString([N, 16, sub(H, 2), sub(W, 2)]), 'Tensor[N, 16, H-2, W-2]');
  assert.equal(shapeToString(null), 'Tensor[?]');
  // Equal polynomials print equally whatever the order they were built in.
  assert.equal(dimToString(add(N, sym('M'))), dimToString(add(sym('M'), N)));
  assert.equal(dimEquals(mul(C, H), mul(H, C)), true);
});

test('three-valued equality', () => {
  assert.equal(dimEquals(3, 3), true);
  assert.equal(dimEquals(3, 4), false);
  assert.equal(dimEquals(N, N), true);
  assert.equal(dimEquals(add(N, 1), N), false);
  assert.equal(dimEquals(N, 5), undefined);
  assert.equal(dimEquals(N, H), undefined);
  assert.equal(dimEquals(mul(2, N), N), undefined);
});

test('floor division', () => {
  assert.equal(floordiv(7, 2), 3);
  assert.equal(dimToString(floordiv(sub(H, 2), 2)), 'H//2-1');
  assert.equal(dimToString(floordiv(mul(4, H), 2)), '2*H');
  assert.equal(dimToString(floordiv(add(mul(4, H), 1), 2)), '2*H');
  assert.equal(dimToString(floordiv(mul(800, N), N)), '800');
  assert.equal(dimToString(floordiv(prod([N, sym('L'), sym('D')]), prod([4, N, sym('L')]))), 'D//4');
  assert.equal(floordiv(add(mul(2, N), 2), add(N, 1)), 2);
  assert.match(dimToString(floordiv(H, W)), /^\(H\)\/\/\(W\)$/);
  assert.equal(dimToString(mod(add(mul(2, H), 1), 2)), '1');
  // Nested floors fold into one: three stride-2 layers.
  const s2 = (x: typeof H | number) => add(floordiv(sub(add(x, 2), 3), 2), 1);
  assert.equal(dimToString(s2(s2(s2(H)))), '(H+7)//8');
  for (const h of [1, 2, 7, 8, 9, 224, 225]) {
    assert.equal(evalDim(s2(s2(s2(H))), { H: h }), Math.floor((Math.floor((Math.floor((h + 1) / 2) + 1) / 2) + 1) / 2));
  }
});

test('exact division', () => {
  assert.equal(exactDiv(12, 4), 3);
  assert.equal(exactDiv(12, 5), undefined);
  assert.equal(dimToString(exactDiv(mul(800, N), 800)!), 'N');
  assert.equal(dimToString(exactDiv(prod([N, 32, 5, 5]), N)!), '800');
  assert.equal(exactDiv(H, 2), undefined);
  assert.equal(exactDiv(prod([N, sym('L'), sym('D')]), prod([4, N, sym('L')])), undefined);
});

test('evaluation and symbols', () => {
  const d = add(floordiv(sub(H, 2), 2), mul(W, N));
  assert.equal(evalDim(d, { H: 28, W: 3, N: 2 }), 13 + 6);
  assert.equal(evalDim(d, { H: 28 }), undefined);
  assert.deepEqual(symbolsOf(d).sort(), ['H', 'N', 'W']);
  assert.equal(evalDim(opaque('k'), {}), undefined);
});
