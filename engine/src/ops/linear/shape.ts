// Linear algebra: linear, bilinear, matmul (with batch broadcasting), mm, bmm, einsum.

import { dimEquals, dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, method, p, varargs } from '../common/define.js';
import { matmulFlops } from '../common/flops.js';
import { broadcastShapes } from '../common/shapes.js';
import { getOptTensor, getShape, getStr, getTensor, itemsOf, NONE, promote, tensor, UnknownArg } from '../common/values.js';
import { ShapeError, type TensorType, type Value } from '../types.js';

/**
 * Shape of `input @ weight.T` for a weight [out, in] (or [in]); `who` names the caller and
 * `layer` switches to the layer's wording (`Linear expects in_features ...`).
 */
export function linearShape(who: string, input: readonly Dim[], weight: readonly Dim[], bias: readonly Dim[] | null, layer = false): Dim[] {
  if (input.length === 0) throw new ShapeError(`${who}: input must have at least 1 dim, but got a 0-dim tensor`, 'input');
  if (weight.length === 0 || weight.length > 2) throw new ShapeError(`${who}: weight must be 1D or 2D [out_features, in_features], but got ${shapeToString(weight)}`, 'weight');
  const last = input[input.length - 1]!;
  const inF = weight[weight.length - 1]!;
  if (dimEquals(last, inF) === false) {
    throw new ShapeError(layer
      ? `${who} expects in_features ${dimToString(inF)} but the input's last dim is ${dimToString(last)} (input ${shapeToString(input)})`
      : `${who}: the input's last dim ${dimToString(last)} does not match the weight's in_features ${dimToString(inF)} (input ${shapeToString(input)}, weight ${shapeToString(weight)})`, 'input');
  }
  const outShape = weight.length === 2 ? [...input.slice(0, -1), weight[0]!] : input.slice(0, -1);
  if (bias && weight.length === 2 && bias.length === 1 && dimEquals(bias[0]!, weight[0]!) === false) {
    throw new ShapeError(`${who}: bias ${shapeToString(bias)} does not match out_features ${dimToString(weight[0]!)}`, 'bias');
  }
  return outShape;
}

export function matmulShape(who: string, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length === 0 || b.length === 0) {
    throw new ShapeError(`${who}: both arguments need at least 1 dim, but got ${shapeToString(a)} and ${shapeToString(b)}`);
  }
  const aInner = a[a.length - 1]!;
  const bInner = b.length === 1 ? b[0]! : b[b.length - 2]!;
  if (dimEquals(aInner, bInner) === false) {
    throw new ShapeError(`${who}: ${shapeToString(a)} @ ${shapeToString(b)}: inner dims ${dimToString(aInner)} and ${dimToString(bInner)} differ`, 'other');
  }
  if (a.length === 1 && b.length === 1) return [];
  if (b.length === 1) return a.slice(0, -1);
  if (a.length === 1) return [...b.slice(0, -2), b[b.length - 1]!];
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), `${who}: batch dims: `, 'other');
  return [...batch, a[a.length - 2]!, b[b.length - 1]!];
}

/** einsum over a subscripts string like 'bij,bjk->bik' or '...ij,...jk->...ik'. */
export function einsumShape(equation: string, operands: readonly TensorType[]): Dim[] | null {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhsGiven] = eq.includes('->') ? (eq.split('->') as [string, string]) : [eq, undefined];
  const terms = lhs.split(',');
  if (terms.length !== operands.length) {
    throw new ShapeError(`einsum: the equation '${equation}' has ${terms.length} operands but ${operands.length} tensors were given`, 'operands');
  }
  const sizes = new Map<string, Dim>();
  const counts = new Map<string, number>();
  let ellipsis: Dim[] | null = null;
  let anyUnknown = false;
  terms.forEach((term, i) => {
    const t = operands[i]!;
    const hasEll = term.includes('...');
    const letters = term.replace('...', '').split('');
    for (const l of letters) {
      if (!/[a-zA-Z]/.test(l)) throw new ShapeError(`einsum: invalid subscript '${l}' in '${equation}'`, 'equation');
      counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    if (!t.shape) { anyUnknown = true; return; }
    const rank = t.shape.length;
    if (hasEll ? rank < letters.length : rank !== letters.length) {
      throw new ShapeError(`einsum: operand ${i} has ${rank} dims (${shapeToString(t.shape)}) but subscripts '${term}' name ${letters.length}`, 'operands');
    }
    const pre = hasEll ? term.indexOf('...') : letters.length;
    const nEll = rank - letters.length;
    const ellDims = t.shape.slice(pre, pre + nEll);
    const lettersDims = [...t.shape.slice(0, pre), ...t.shape.slice(pre + nEll)];
    if (hasEll) ellipsis = ellipsis ? broadcastShapes(ellipsis, ellDims, 'einsum: ...: ', 'operands') : ellDims;
    letters.forEach((l, j) => {
      const d = lettersDims[j]!;
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== 1 && dimEquals(prev, d) === false) {
        throw new ShapeError(`einsum: subscript '${l}' is ${dimToString(prev)} in one operand and ${dimToString(d)} in operand ${i} (${shapeToString(t.shape)})`, 'operands');
      }
    });
  });
  // Implicit output: letters that appear once, in alphabetical order, after the ellipsis dims.
  const rhs = rhsGiven ?? ((eq.includes('...') ? '...' : '') + [...counts.keys()].filter((l) => counts.get(l) === 1).sort().join(''));
  if (anyUnknown) return null;
  const out: Dim[] = [];
  for (let i = 0; i < rhs.length; i++) {
    if (rhs.startsWith('...', i)) { out.push(...(ellipsis ?? [])); i += 2; continue; }
    const l = rhs[i]!;
    const d = sizes.get(l);
    if (d === undefined) throw new ShapeError(`einsum: output subscript '${l}' does not appear in the inputs of '${equation}'`, 'equation');
    out.push(d);
  }
  return out;
}

export function registerLinearOps(): void {
  const linear = defineOp({
    name: 'linear',
    flops: matmulFlops(),
    params: [p('input'), p('weight'), p('bias', NONE)],
    shape: (args) => {
      const t = getTensor(args, 'input', 'linear');
      const w = getShape(args, 'weight', 'linear');
      const b = getOptTensor(args, 'bias', 'linear');
      if (!t.shape) return tensor(null, t.dtype);
      return tensor(linearShape('linear', t.shape, w, b?.shape ?? null), t.dtype);
    },
  });
  fn('torch.nn.functional.linear', linear);

  const bilinear = defineOp({
    name: 'bilinear',
    params: [p('input1'), p('input2'), p('weight'), p('bias', NONE)],
    shape: (args) => {
      const a = getShape(args, 'input1', 'bilinear');
      const b = getShape(args, 'input2', 'bilinear');
      const w = getShape(args, 'weight', 'bilinear');
      return tensor(bilinearShape('bilinear', a, b, w), 'float32');
    },
  });
  fn('torch.nn.functional.bilinear', bilinear);
  fn('torch.bilinear', bilinear);

  const matmul = defineOp({
    name: 'matmul',
    flops: matmulFlops(),
    params: [p('input'), p('other')],
    shape: (args) => {
      const a = getTensor(args, 'input', 'matmul');
      const b = getTensor(args, 'other', 'matmul');
      const dtype = promote(a, b);
      if (!a.shape || !b.shape) return tensor(null, dtype);
      return tensor(matmulShape('matmul', a.shape, b.shape), dtype);
    },
  });
  fn('torch.matmul', matmul);
  method('matmul', matmul);
  method('__matmul__', matmul, [p('other')]);
  method('__rmatmul__', matmul, [p('other')], { rename: { other: 'input' }, self: 'other' });

  const mm = defineOp({
    name: 'mm',
    flops: matmulFlops(),
    params: [p('input'), p('mat2')],
    shape: (args) => {
      const a = getShape(args, 'input', 'mm');
      const b = getShape(args, 'mat2', 'mm');
      if (a.length !== 2 || b.length !== 2) throw new ShapeError(`mm: both arguments must be 2D, but got ${shapeToString(a)} and ${shapeToString(b)}`, a.length !== 2 ? 'input' : 'mat2');
      return tensor(matmulShape('mm', a, b), getTensor(args, 'input', 'mm').dtype);
    },
  });
  fn('torch.mm', mm);
  method('mm', mm);

  const bmm = defineOp({
    name: 'bmm',
    flops: matmulFlops(),
    params: [p('input'), p('mat2')],
    shape: (args) => {
      const a = getShape(args, 'input', 'bmm');
      const b = getShape(args, 'mat2', 'bmm');
      if (a.length !== 3 || b.length !== 3) throw new ShapeError(`bmm: both arguments must be 3D, but got ${shapeToString(a)} and ${shapeToString(b)}`, a.length !== 3 ? 'input' : 'mat2');
      if (dimEquals(a[0]!, b[0]!) === false) {
        throw new ShapeError(`bmm: batch sizes differ: ${shapeToString(a)} and ${shapeToString(b)}: ${dimToString(a[0]!)} vs ${dimToString(b[0]!)}`, 'mat2');
      }
      return tensor(matmulShape('bmm', a, b), getTensor(args, 'input', 'bmm').dtype);
    },
  });
  fn('torch.bmm', bmm);
  method('bmm', bmm);

  // einsum(equation, *operands): operands may also be given as one list.
  const einsum = defineOp({
    name: 'einsum',
    params: [p('equation'), varargs('operands')],
    shape: (args) => {
      const eq = getStr(args, 'equation', 'einsum');
      let items: readonly Value[] = itemsOf(args.operands ?? NONE, 'operands', 'einsum');
      if (items.length === 1 && (items[0]!.kind === 'list' || items[0]!.kind === 'tuple')) items = itemsOf(items[0]!, 'operands', 'einsum');
      const ts = items.map((v) => {
        if (v.kind === 'unknown') throw new UnknownArg('operands');
        if (v.kind !== 'tensor') throw new ShapeError(`einsum: operands must be tensors`, 'operands');
        return v;
      });
      const dtype = ts.reduce<Value>((acc, t) => tensor(null, promote(acc, t)), ts[0] ?? tensor(null)) as TensorType;
      return tensor(einsumShape(eq, ts), dtype.dtype);
    },
  });
  fn('torch.einsum', einsum);

  // outer / dot for completeness of the common matmul family.
  const outer = defineOp({
    name: 'outer',
    params: [p('input'), p('vec2')],
    shape: (args) => {
      const a = getShape(args, 'input', 'outer');
      const b = getShape(args, 'vec2', 'outer');
      if (a.length !== 1 || b.length !== 1) throw new ShapeError(`outer: both arguments must be 1D, but got ${shapeToString(a)} and ${shapeToString(b)}`);
      return tensor([a[0]!, b[0]!], getTensor(args, 'input', 'outer').dtype);
    },
  });
  fn(['torch.outer', 'torch.ger'], outer);
  method('outer', outer);
}

/** bilinear: x1 [..., in1], x2 [..., in2], weight [out, in1, in2] -> [..., out]. */
export function bilinearShape(who: string, a: readonly Dim[], b: readonly Dim[], w: readonly Dim[], layer = false): Dim[] {
  if (w.length !== 3) throw new ShapeError(`${who}: weight must be 3D [out_features, in1_features, in2_features], but got ${shapeToString(w)}`, 'weight');
  const in1 = w[1]!;
  const in2 = w[2]!;
  const la = a[a.length - 1];
  const lb = b[b.length - 1];
  if (la === undefined || lb === undefined) throw new ShapeError(`${who}: inputs must have at least 1 dim`, 'input1');
  if (dimEquals(la, in1) === false) {
    throw new ShapeError(layer
      ? `${who} expects in1_features ${dimToString(in1)} but input1's last dim is ${dimToString(la)} (input1 ${shapeToString(a)})`
      : `${who}: input1's last dim ${dimToString(la)} does not match the weight's ${dimToString(in1)} (weight ${shapeToString(w)})`, 'input1');
  }
  if (dimEquals(lb, in2) === false) {
    throw new ShapeError(layer
      ? `${who} expects in2_features ${dimToString(in2)} but input2's last dim is ${dimToString(lb)} (input2 ${shapeToString(b)})`
      : `${who}: input2's last dim ${dimToString(lb)} does not match the weight's ${dimToString(in2)} (weight ${shapeToString(w)})`, 'input2');
  }
  const batch = a.slice(0, -1);
  const batchB = b.slice(0, -1);
  batch.forEach((d, i) => {
    if (batchB[i] !== undefined && dimEquals(d, batchB[i]!) === false) {
      throw new ShapeError(`${who}: input1 ${shapeToString(a)} and input2 ${shapeToString(b)} must have the same leading dims`, 'input2');
    }
  });
  return [...batch, w[0]!];
}
