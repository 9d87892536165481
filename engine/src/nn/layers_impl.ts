// What the engine adds to each builtin layer: PyTorch's default initialisation and the forward
// pass (through callOp with the op library's op names). Most layers are "call this op with my
// attributes and parameters", so they are one row in SIMPLE; the rest (BatchNorm's running stats,
// RNNs, MultiheadAttention, containers of time steps) are written out below.
import { getOp } from '../ops/index.js';
import { Tensor } from '../tensor.js';
import type { RuntimeValue } from '../runtime/value.js';
import { noGrad } from '../runtime/grad_mode.js';
import { callOp } from '../runtime/dispatch.js';
import { constant_, defaultLinearInit, fanInOut, normal_, ones_, uniform_, xavierUniform_, zeros_ } from './init.js';
import * as F from './ops.js';
import type { Layer } from './layer.js';

/** Makes a child layer by name with PyTorch-style arguments (createLayer). */
export type LayerFactory = (name: string, positional?: readonly unknown[], keyword?: Readonly<Record<string, unknown>>) => Layer;

export interface LayerImpl {
  /** For composite layers: register child layers (their own init applies) instead of flat parameters. */
  readonly build?: (layer: Layer, make: LayerFactory) => void;
  /** PyTorch's reset_parameters(). Parameters start at zero when absent. */
  readonly init?: (layer: Layer) => void;
  readonly forward: (layer: Layer, args: Record<string, RuntimeValue>) => RuntimeValue;
}

type Args = Record<string, RuntimeValue>;

function tensorArg(args: Args, name: string, layer: Layer): Tensor {
  const v = args[name];
  if (!(v instanceof Tensor)) throw new Error(`${layer.typeName}.forward(): '${name}' must be a Tensor`);
  return v;
}

/**
 * Generic forward: call `opName` with, for each of the op's parameters, the forward argument of
 * that name, else the layer's parameter/buffer, else the constructor attribute (renamed through
 * `rename` when the layer and the op spell it differently), else `training` from the mode.
 */
function viaOp(opName: string, rename: Readonly<Record<string, string>> = {}, fixed: Readonly<Record<string, RuntimeValue>> = {}): LayerImpl['forward'] {
  return (layer, args) => {
    const def = getOp(opName);
    if (!def) throw new Error(`${layer.typeName}: op '${opName}' is not in the op library yet`);
    const attrFor: Record<string, string> = {};
    for (const [attr, param] of Object.entries(rename)) attrFor[param] = attr;
    const call: Record<string, RuntimeValue> = {};
    for (const p of def.params) {
      const name = p.name;
      if (name in fixed) call[name] = fixed[name]!;
      else if (name in args) call[name] = args[name]!;
      else if (name === 'training') call[name] = layer.training;
      else if (hasTensorSlot(layer, name)) call[name] = layer.tensor(name);
      else if (layer.attrs.has(attrFor[name] ?? name)) {
        const a = attrFor[name] ?? name;
        if (a === 'inplace') continue; // the engine never writes into its input
        call[name] = layer.attrs.runtime(a);
      }
    }
    return callOp(opName, call);
  };
}

function hasTensorSlot(layer: Layer, name: string): boolean {
  return layer.namedParameters().some(([n]) => n === name) || layer.namedBuffers().some(([n]) => n === name) || (name === 'bias' && layer.attrs.has('bias'));
}

const identity: LayerImpl = { forward: (_l, args) => args.input ?? null };

// ---- initialisers ---------------------------------------------------------------------------
const linearInit = (layer: Layer): void => {
  const w = layer.tensor('weight');
  if (w) defaultLinearInit(w, layer.tensor('bias'));
};
const bilinearInit = (layer: Layer): void => {
  const w = layer.tensor('weight')!;
  const bound = 1 / Math.sqrt(w.shape[1]!);
  uniform_(w, -bound, bound);
  const b = layer.tensor('bias');
  if (b) uniform_(b, -bound, bound);
};
const normInit = (layer: Layer): void => {
  const w = layer.tensor('weight');
  const b = layer.tensor('bias');
  if (w) ones_(w);
  if (b) zeros_(b);
  const rv = layer.tensor('running_var');
  if (rv) ones_(rv);
};
const rnnInit = (layer: Layer): void => {
  const bound = 1 / Math.sqrt(layer.attrs.int('hidden_size'));
  for (const [, t] of layer.namedParameters()) uniform_(t, -bound, bound);
};
const embeddingInit = (layer: Layer): void => {
  const w = layer.tensor('weight')!;
  normal_(w, 0, 1);
  const pad = paddingIdx(layer);
  if (pad !== null) zeroRow(w, pad);
};

function paddingIdx(layer: Layer): number | null {
  const pad = layer.attrs.optInt('padding_idx');
  if (pad === null) return null;
  return pad < 0 ? pad + layer.attrs.int('num_embeddings') : pad;
}

function zeroRow(w: Tensor, row: number): void {
  const data = w.toFloat32Array();
  const width = w.shape[1]!;
  data.fill(0, row * width, (row + 1) * width);
  w.copy_(Tensor.fromArray(data, w.shape));
}

// ---- BatchNorm: running statistics are kept here, the op only normalises --------------------
function batchNormForward(layer: Layer, args: Args): RuntimeValue {
  const input = tensorArg(args, 'input', layer);
  const rm = layer.tensor('running_mean');
  const rv = layer.tensor('running_var');
  const useBatchStats = layer.training || !rm || !rv;
  const weight = layer.tensor('weight');
  const bias = layer.tensor('bias');
  const eps = layer.attrs.float('eps', 1e-5);
  if (!useBatchStats) {
    return callOp('batch_norm', { input, running_mean: rm, running_var: rv, weight, bias, training: false, momentum: 0, eps });
  }
  const momentum = layer.attrs.runtime('momentum') as number | null;
  if (layer.training && rm && rv && momentum !== null) {
    // The op updates the running statistics in place on the tensors' own backend, so a GPU
    // training step never reads them back (and stays capturable in compiled mode).
    const nbt = layer.tensor('num_batches_tracked');
    if (nbt) nbt.copy_(noGrad(() => callOp('add', { input: nbt, other: 1 }) as Tensor));
    return callOp('batch_norm', { input, running_mean: rm, running_var: rv, weight, bias, training: true, momentum, eps });
  }
  if (layer.training && rm && rv) updateRunningStats(layer, input, rm, rv);
  return callOp('batch_norm', { input, running_mean: null, running_var: null, weight, bias, training: true, momentum: 0, eps });
}

/** momentum=None: a cumulative average over num_batches_tracked, whose count lives on the host. */
function updateRunningStats(layer: Layer, input: Tensor, rm: Tensor, rv: Tensor): void {
  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = input.numel / input.shape[1]!;
  if (count <= 1) throw new Error(`${layer.typeName}: expected more than 1 value per channel when training, got input of shape [${input.shape.join(', ')}]`);
  noGrad(() => {
    const x = input.detach();
    const mean = F.mean(x, dims, true);
    const centred = F.sub(x, mean);
    const varBiased = F.mean(F.mul(centred, centred), dims).toFloat32Array();
    const meanData = mean.toFloat32Array();
    const nbt = layer.tensor('num_batches_tracked');
    let momentum = layer.attrs.runtime('momentum') as number | null;
    if (nbt) {
      const n = nbt.item() + 1;
      nbt.copy_(Tensor.full([], n, 'int32'));
      if (momentum === null) momentum = 1 / n; // cumulative moving average
    }
    const m = momentum ?? 0.1;
    const rmData = rm.toFloat32Array();
    const rvData = rv.toFloat32Array();
    for (let c = 0; c < rmData.length; c++) {
      rmData[c] = (1 - m) * rmData[c]! + m * meanData[c]!;
      rvData[c] = (1 - m) * rvData[c]! + m * varBiased[c]! * (count / (count - 1)); // running var is unbiased
    }
    rm.copy_(Tensor.fromArray(rmData, rm.shape));
    rv.copy_(Tensor.fromArray(rvData, rv.shape));
  });
}

// ---- Softmax family: PyTorch's implicit dim when dim=None ---------------------------------
function softmaxLike(opName: string): LayerImpl['forward'] {
  return (layer, args) => {
    const input = tensorArg(args, 'input', layer);
    let dim = layer.attrs.optInt('dim');
    if (dim === null) dim = input.ndim === 0 || input.ndim === 1 || input.ndim === 3 ? 0 : 1;
    if (opName === 'softmin') return F.softmax(F.mul(input, -1), dim);
    return callOp(opName, { input, dim });
  };
}

function dropoutForward(opName: string): LayerImpl['forward'] {
  const inner = viaOp(opName);
  return (layer, args) => {
    if (!layer.training || layer.attrs.float('p', 0.5) === 0) return args.input ?? null;
    return inner(layer, args);
  };
}

// ---- RNN / LSTM / GRU, composed from ops so autograd comes for free -------------------------
type Cell = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

function rnnForward(kind: 'RNN' | 'LSTM' | 'GRU'): LayerImpl['forward'] {
  return (layer, args) => {
    const a = layer.attrs;
    const hidden = a.int('hidden_size');
    const numLayers = a.int('num_layers');
    const batchFirst = a.bool('batch_first', false);
    const bidir = a.bool('bidirectional', false);
    const hasBias = a.bool('bias', true);
    const dropoutP = a.float('dropout', 0);
    if (kind === 'LSTM' && (a.optInt('proj_size') ?? 0) > 0) throw new Error('LSTM: proj_size > 0 is not supported by the embedded engine yet');
    const cell: Cell = kind === 'RNN' ? (a.str('nonlinearity', 'tanh') === 'relu' ? 'RNN_RELU' : 'RNN_TANH') : kind;
    const D = bidir ? 2 : 1;

    let input = tensorArg(args, 'input', layer);
    const unbatched = input.ndim === 2;
    if (input.ndim !== 2 && input.ndim !== 3) throw new Error(`${kind}: expected a 2-D or 3-D input, got [${input.shape.join(', ')}]`);
    if (unbatched) input = F.reshape(input, [input.shape[0]!, 1, input.shape[1]!]);
    else if (batchFirst) input = F.transpose(input, 0, 1);
    const [T, N] = [input.shape[0]!, input.shape[1]!];

    // Initial states: [num_layers * D, N, H] (or unbatched [num_layers * D, H]).
    let h0: Tensor | null = null;
    let c0: Tensor | null = null;
    const hx = args.hx;
    if (hx instanceof Tensor) h0 = hx;
    else if (Array.isArray(hx)) { h0 = hx[0] as Tensor; c0 = hx[1] as Tensor; }
    const initial = (t: Tensor | null, idx: number): Tensor => {
      if (!t) return Tensor.zeros([N, hidden]);
      const s = unbatched ? F.reshape(t, [t.shape[0]!, 1, hidden]) : t;
      return F.unbind(s, 0)[idx]!;
    };

    let steps = F.unbind(input, 0); // T tensors [N, in]
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    for (let l = 0; l < numLayers; l++) {
      const dirOutputs: Tensor[][] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const wih = layer.tensor(`weight_ih${sfx}`)!;
        const whh = layer.tensor(`weight_hh${sfx}`)!;
        const bih = hasBias ? layer.tensor(`bias_ih${sfx}`) : null;
        const bhh = hasBias ? layer.tensor(`bias_hh${sfx}`) : null;
        let h = initial(h0, l * D + d);
        let c = kind === 'LSTM' ? initial(c0, l * D + d) : null;
        const outs: Tensor[] = new Array<Tensor>(T);
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          const x = steps[t]!;
          [h, c] = cellStep(cell, x, h, c, wih, whh, bih, bhh);
          outs[t] = h;
        }
        hN.push(h);
        if (c) cN.push(c);
        dirOutputs.push(outs);
      }
      steps = D === 1 ? dirOutputs[0]! : dirOutputs[0]!.map((f, t) => F.cat([f, dirOutputs[1]![t]!], 1));
      if (l < numLayers - 1) steps = steps.map((x) => F.dropout(x, dropoutP, layer.training));
    }
    let output = F.stack(steps, 0); // [T, N, D*H]
    let hOut = F.stack(hN, 0);
    let cOut = cN.length ? F.stack(cN, 0) : null;
    if (unbatched) {
      output = F.reshape(output, [T, D * hidden]);
      hOut = F.reshape(hOut, [numLayers * D, hidden]);
      if (cOut) cOut = F.reshape(cOut, [numLayers * D, hidden]);
    } else if (batchFirst) output = F.transpose(output, 0, 1);
    return kind === 'LSTM' ? [output, [hOut, cOut!]] : [output, hOut];
  };
}

/** One time step of a recurrent cell (PyTorch's gate order: LSTM i,f,g,o; GRU r,z,n). */
function cellStep(cell: Cell, x: Tensor, h: Tensor, c: Tensor | null, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null): [Tensor, Tensor | null] {
  if (cell === 'LSTM') {
    const gates = F.add(F.linear(x, wih, bih), F.linear(h, whh, bhh));
    const [i, f, g, o] = F.chunk(gates, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const c2 = F.add(F.mul(F.sigmoid(f), c!), F.mul(F.sigmoid(i), F.tanh(g)));
    return [F.mul(F.sigmoid(o), F.tanh(c2)), c2];
  }
  if (cell === 'GRU') {
    const [xr, xz, xn] = F.chunk(F.linear(x, wih, bih), 3, -1) as [Tensor, Tensor, Tensor];
    const [hr, hz, hn] = F.chunk(F.linear(h, whh, bhh), 3, -1) as [Tensor, Tensor, Tensor];
    const r = F.sigmoid(F.add(xr, hr));
    const z = F.sigmoid(F.add(xz, hz));
    const n = F.tanh(F.add(xn, F.mul(r, hn)));
    return [F.add(n, F.mul(z, F.sub(h, n))), null]; // (1 - z) * n + z * h
  }
  const pre = F.add(F.linear(x, wih, bih), F.linear(h, whh, bhh));
  return [cell === 'RNN_RELU' ? F.relu(pre) : F.tanh(pre), null];
}

/** RNNCell / LSTMCell / GRUCell: one step; hx defaults to zeros. */
function cellForward(kind: 'RNN' | 'LSTM' | 'GRU'): LayerImpl['forward'] {
  return (layer, args) => {
    const a = layer.attrs;
    const hidden = a.int('hidden_size');
    const cell: Cell = kind === 'RNN' ? (a.str('nonlinearity', 'tanh') === 'relu' ? 'RNN_RELU' : 'RNN_TANH') : kind;
    const x = tensorArg(args, 'input', layer);
    if (x.ndim !== 1 && x.ndim !== 2) throw new Error(`${layer.typeName}: expected a 1-D or 2-D input, got [${x.shape.join(', ')}]`);
    const stateShape = x.ndim === 2 ? [x.shape[0]!, hidden] : [hidden];
    const hx = args.hx;
    const h = hx instanceof Tensor ? hx : Array.isArray(hx) ? (hx[0] as Tensor) : Tensor.zeros(stateShape);
    const c = kind === 'LSTM' ? (Array.isArray(hx) ? (hx[1] as Tensor) : Tensor.zeros(stateShape)) : null;
    const [h2, c2] = cellStep(cell, x, h, c, layer.tensor('weight_ih')!, layer.tensor('weight_hh')!, layer.tensor('bias_ih'), layer.tensor('bias_hh'));
    return kind === 'LSTM' ? [h2, c2!] : h2;
  };
}

// ---- MultiheadAttention ----------------------------------------------------------------------
function mhaInit(layer: Layer): void {
  const w = layer.tensor('in_proj_weight');
  if (w) xavierUniform_(w);
  for (const n of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) { const t = layer.tensor(n); if (t) xavierUniform_(t); }
  const ib = layer.tensor('in_proj_bias');
  if (ib) zeros_(ib);
  const ow = layer.tensor('out_proj.weight');
  const ob = layer.tensor('out_proj.bias');
  if (ow) defaultLinearInit(ow, ob);
  if (ob) zeros_(ob);
  for (const n of ['bias_k', 'bias_v']) { const t = layer.tensor(n); if (t) xavierNormal(t); }
}

function xavierNormal(t: Tensor): void {
  const { fanIn, fanOut } = fanInOut(t.shape);
  normal_(t, 0, Math.sqrt(2 / (fanIn + fanOut)));
}

function mhaForward(layer: Layer, args: Args): RuntimeValue {
  const a = layer.attrs;
  const E = a.int('embed_dim');
  const heads = a.int('num_heads');
  const hd = E / heads;
  const batchFirst = a.bool('batch_first', false);
  if (layer.tensor('bias_k') || layer.tensor('q_proj_weight')) {
    throw new Error('MultiheadAttention: add_bias_kv and kdim/vdim different from embed_dim are not supported by the embedded engine yet');
  }
  let q = tensorArg(args, 'query', layer);
  let k = tensorArg(args, 'key', layer);
  let v = tensorArg(args, 'value', layer);
  const unbatched = q.ndim === 2;
  if (unbatched) { q = F.reshape(q, [1, ...q.shape]); k = F.reshape(k, [1, ...k.shape]); v = F.reshape(v, [1, ...v.shape]); }
  else if (!batchFirst) { q = F.transpose(q, 0, 1); k = F.transpose(k, 0, 1); v = F.transpose(v, 0, 1); }
  // Now [N, L, E] / [N, S, E].
  const [N, L] = [q.shape[0]!, q.shape[1]!];
  const S = k.shape[1]!;
  const w = layer.tensor('in_proj_weight')!;
  const b = layer.tensor('in_proj_bias');
  const [wq, wk, wv] = F.chunk(w, 3, 0) as [Tensor, Tensor, Tensor];
  const [bq, bk, bv] = b ? (F.chunk(b, 3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
  const heads4 = (x: Tensor, len: number): Tensor => F.transpose(F.reshape(x, [N, len, heads, hd]), 1, 2); // [N, h, len, hd]
  const qh = heads4(F.linear(q, wq, bq), L);
  const kh = heads4(F.linear(k, wk, bk), S);
  const vh = heads4(F.linear(v, wv, bv), S);
  let scores = F.mul(F.matmul(qh, F.transpose(kh, 2, 3)), 1 / Math.sqrt(hd)); // [N, h, L, S]

  const mask = additiveMask(args.attn_mask, args.is_causal === true, L, S, 'attn_mask');
  if (mask) scores = F.add(scores, mask.ndim === 3 ? F.reshape(mask, [N, heads, L, S]) : mask);
  const kpm = args.key_padding_mask;
  if (kpm instanceof Tensor) {
    const m = additiveMask(unbatched ? F.reshape(kpm, [1, S]) : kpm, false, L, S, 'key_padding_mask')!;
    scores = F.add(scores, F.reshape(m, [N, 1, 1, S]));
  }
  let att = F.softmax(scores, 3);
  att = F.dropout(att, a.float('dropout', 0), layer.training);
  let out = F.reshape(F.transpose(F.matmul(att, vh), 1, 2), [N, L, E]);
  out = F.linear(out, layer.tensor('out_proj.weight')!, layer.tensor('out_proj.bias'));
  if (unbatched) out = F.reshape(out, [L, E]);
  else if (!batchFirst) out = F.transpose(out, 0, 1);
  let weights: Tensor | null = null;
  if (args.need_weights !== false) {
    weights = args.average_attn_weights === false ? att : F.mean(att, [1]);
    if (unbatched) weights = F.reshape(weights, weights.shape.slice(1));
  }
  return [out, weights];
}

/** A bool mask (true = not allowed) or a float mask (added) as a float additive mask. */
function additiveMask(m: RuntimeValue | undefined, causal: boolean, L: number, S: number, what: string): Tensor | null {
  if (m instanceof Tensor) {
    if (m.dtype === 'float32') return m;
    // Integer/bool masks come in as int32: nonzero means masked.
    const d = m.toInt32Array();
    const out = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = d[i] ? -Infinity : 0;
    return Tensor.fromArray(out, m.shape);
  }
  if (m !== null && m !== undefined) throw new Error(`MultiheadAttention: ${what} must be a Tensor or None`);
  if (!causal) return null;
  const out = new Float32Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) out[i * S + j] = -Infinity;
  return Tensor.fromArray(out, [L, S]);
}

// ---- Transformer encoder/decoder layers (PyTorch 1.13's non-fused path) -----------------------
function transformerBuild(decoder: boolean): NonNullable<LayerImpl['build']> {
  return (layer, make) => {
    const a = layer.attrs;
    const d = a.int('d_model');
    const heads = a.int('nhead');
    const ff = a.int('dim_feedforward');
    const p = a.float('dropout', 0.1);
    const eps = a.float('layer_norm_eps', 1e-5);
    const bias = a.bool('bias', true);
    const batchFirst = a.bool('batch_first', false);
    const act = a.runtime('activation');
    if (act !== 'relu' && act !== 'gelu') throw new Error(`${layer.typeName}: activation must be 'relu' or 'gelu' for the embedded engine, got ${JSON.stringify(act)}`);
    layer.registerModule('self_attn', make('MultiheadAttention', [d, heads], { dropout: p, bias, batch_first: batchFirst }));
    if (decoder) layer.registerModule('multihead_attn', make('MultiheadAttention', [d, heads], { dropout: p, bias, batch_first: batchFirst }));
    layer.registerModule('linear1', make('Linear', [d, ff], { bias }));
    layer.registerModule('dropout', make('Dropout', [p]));
    layer.registerModule('linear2', make('Linear', [ff, d], { bias }));
    const norms = decoder ? 3 : 2;
    for (let i = 1; i <= norms; i++) layer.registerModule(`norm${i}`, make('LayerNorm', [d], { eps, bias }));
    for (let i = 1; i <= norms; i++) layer.registerModule(`dropout${i}`, make('Dropout', [p]));
  };
}

function sub(layer: Layer, name: string): Layer { return layer.child(name) as Layer; }

function transformerForward(decoder: boolean): LayerImpl['forward'] {
  return (layer, args) => {
    const normFirst = layer.attrs.bool('norm_first', false);
    const activation = layer.attrs.str('activation', 'relu');
    const causalMask = (x: Tensor, flag: RuntimeValue, mask: RuntimeValue): RuntimeValue => {
      if (flag !== true || (mask !== null && mask !== undefined)) return mask ?? null;
      const L = x.shape[layer.attrs.bool('batch_first', false) && x.ndim === 3 ? 1 : 0]!;
      return additiveMask(null, true, L, L, 'mask');
    };
    const attend = (name: string, q: Tensor, kv: Tensor, mask: RuntimeValue, kpm: RuntimeValue, drop: string): Tensor => {
      const out = sub(layer, name).call({ query: q, key: kv, value: kv, attn_mask: mask ?? null, key_padding_mask: kpm ?? null, need_weights: false }) as RuntimeValue[];
      return sub(layer, drop).forward(out[0]!) as Tensor;
    };
    const feedForward = (x: Tensor, drop: string): Tensor => {
      const h = sub(layer, 'linear1').forward(x) as Tensor;
      const act = callOp(activation, { input: h }) as Tensor;
      const y = sub(layer, 'linear2').forward(sub(layer, 'dropout').forward(act)) as Tensor;
      return sub(layer, drop).forward(y) as Tensor;
    };
    const norm = (i: number, x: Tensor): Tensor => sub(layer, `norm${i}`).forward(x) as Tensor;
    if (!decoder) {
      let x = tensorArg(args, 'src', layer);
      const mask = causalMask(x, args.is_causal ?? null, args.src_mask ?? null);
      const kpm = args.src_key_padding_mask ?? null;
      if (normFirst) {
        const n1 = norm(1, x);
        x = F.add(x, attend('self_attn', n1, n1, mask, kpm, 'dropout1'));
        x = F.add(x, feedForward(norm(2, x), 'dropout2'));
      } else {
        x = norm(1, F.add(x, attend('self_attn', x, x, mask, kpm, 'dropout1')));
        x = norm(2, F.add(x, feedForward(x, 'dropout2')));
      }
      return x;
    }
    let x = tensorArg(args, 'tgt', layer);
    const memory = tensorArg(args, 'memory', layer);
    const tgtMask = causalMask(x, args.tgt_is_causal ?? null, args.tgt_mask ?? null);
    const memMask = args.memory_mask ?? null;
    if (normFirst) {
      const n1 = norm(1, x);
      x = F.add(x, attend('self_attn', n1, n1, tgtMask, args.tgt_key_padding_mask ?? null, 'dropout1'));
      x = F.add(x, attend('multihead_attn', norm(2, x), memory, memMask, args.memory_key_padding_mask ?? null, 'dropout2'));
      x = F.add(x, feedForward(norm(3, x), 'dropout3'));
    } else {
      x = norm(1, F.add(x, attend('self_attn', x, x, tgtMask, args.tgt_key_padding_mask ?? null, 'dropout1')));
      x = norm(2, F.add(x, attend('multihead_attn', x, memory, memMask, args.memory_key_padding_mask ?? null, 'dropout2')));
      x = norm(3, F.add(x, feedForward(x, 'dropout3')));
    }
    return x;
  };
}

// ---- smaller specials ------------------------------------------------------------------------
/** ZeroPad/ConstantPad/ReflectionPad/ReplicationPad{1,2,3}d -> pad(input, (l, r, t, b, ...), mode, value). */
function padImpl(n: number, mode: string): LayerImpl {
  return {
    forward: (layer, args) => {
      const p = layer.attrs.runtime('padding');
      const pad = typeof p === 'number' ? new Array<number>(2 * n).fill(p) : p;
      const value = mode === 'constant' && layer.attrs.has('value') ? layer.attrs.float('value') : 0;
      return callOp('pad', { input: tensorArg(args, 'input', layer), pad, mode, value });
    },
  };
}

function instanceNormForward(layer: Layer, args: Args): RuntimeValue {
  const track = layer.attrs.bool('track_running_stats', false);
  if (track && layer.training) throw new Error(`${layer.typeName}: track_running_stats=True in training mode is not supported by the embedded engine yet`);
  const useRunning = track && !layer.training;
  return callOp('instance_norm', {
    input: tensorArg(args, 'input', layer),
    running_mean: useRunning ? layer.tensor('running_mean') : null,
    running_var: useRunning ? layer.tensor('running_var') : null,
    weight: layer.tensor('weight'), bias: layer.tensor('bias'),
    use_input_stats: !useRunning, momentum: 0, eps: layer.attrs.float('eps', 1e-5),
  });
}

/** Threshold(threshold, value): y = x if x > threshold else value. */
function thresholdForward(layer: Layer, args: Args): RuntimeValue {
  const input = tensorArg(args, 'input', layer);
  const keep = callOp('gt', { input, other: layer.attrs.float('threshold') });
  return callOp('where', { condition: keep, input, other: layer.attrs.float('value') });
}

// ---- the table ---------------------------------------------------------------------------------
const SIMPLE: Readonly<Record<string, LayerImpl>> = {
  Linear: { init: linearInit, forward: viaOp('linear') },
  Bilinear: { init: bilinearInit, forward: viaOp('bilinear') },
  Identity: identity,
  Flatten: { forward: viaOp('flatten') },
  // einops.layers.torch: the layer's pattern and axis lengths are the op's.
  Rearrange: { forward: viaOp('einops_rearrange') },
  Reduce: { forward: viaOp('einops_reduce') },
  Unflatten: { forward: viaOp('unflatten', { unflattened_size: 'sizes' }) },
  Embedding: { init: embeddingInit, forward: viaOp('embedding') },
  LayerNorm: { init: normInit, forward: viaOp('layer_norm') },
  GroupNorm: { init: normInit, forward: viaOp('group_norm') },
  PReLU: { init: (l) => { constant_(l.tensor('weight')!, l.attrs.float('init', 0.25)); }, forward: viaOp('prelu') },
  Softmax: { forward: softmaxLike('softmax') },
  LogSoftmax: { forward: softmaxLike('log_softmax') },
  Softmin: { forward: softmaxLike('softmin') },
  Softmax2d: { forward: (layer, args) => F.softmax(tensorArg(args, 'input', layer), -3) },
  Threshold: { forward: thresholdForward },
  InstanceNorm1d: { init: normInit, forward: instanceNormForward },
  InstanceNorm2d: { init: normInit, forward: instanceNormForward },
  InstanceNorm3d: { init: normInit, forward: instanceNormForward },
  RMSNorm: { init: normInit, forward: viaOp('rms_norm') },
  FeatureAlphaDropout: { forward: dropoutForward('feature_alpha_dropout') },
  Upsample: { forward: viaOp('interpolate') },
  UpsamplingNearest2d: { forward: viaOp('interpolate', {}, { mode: 'nearest' }) },
  UpsamplingBilinear2d: { forward: viaOp('interpolate', {}, { mode: 'bilinear', align_corners: true }) },
  Dropout: { forward: dropoutForward('dropout') },
  Dropout1d: { forward: dropoutForward('dropout1d') },
  Dropout2d: { forward: dropoutForward('dropout2d') },
  Dropout3d: { forward: dropoutForward('dropout3d') },
  AlphaDropout: { forward: dropoutForward('alpha_dropout') },
  BatchNorm1d: { init: normInit, forward: batchNormForward },
  BatchNorm2d: { init: normInit, forward: batchNormForward },
  BatchNorm3d: { init: normInit, forward: batchNormForward },
  RNN: { init: rnnInit, forward: rnnForward('RNN') },
  LSTM: { init: rnnInit, forward: rnnForward('LSTM') },
  GRU: { init: rnnInit, forward: rnnForward('GRU') },
  RNNCell: { init: rnnInit, forward: cellForward('RNN') },
  LSTMCell: { init: rnnInit, forward: cellForward('LSTM') },
  GRUCell: { init: rnnInit, forward: cellForward('GRU') },
  MultiheadAttention: { init: mhaInit, forward: mhaForward },
  GLU: { forward: viaOp('glu') },
  PixelShuffle: { forward: viaOp('pixel_shuffle') },
  PixelUnshuffle: { forward: viaOp('pixel_unshuffle') },
  TransformerEncoderLayer: { build: transformerBuild(false), forward: transformerForward(false) },
  TransformerDecoderLayer: { build: transformerBuild(true), forward: transformerForward(true) },
  SmoothL1Loss: { forward: viaOp('smooth_l1_loss') },
  HuberLoss: { forward: viaOp('huber_loss') },
  KLDivLoss: { forward: viaOp('kl_div') },
  BCELoss: { forward: viaOp('binary_cross_entropy') },
  CrossEntropyLoss: { forward: viaOp('cross_entropy') },
  NLLLoss: { forward: viaOp('nll_loss') },
  MSELoss: { forward: viaOp('mse_loss') },
  L1Loss: { forward: viaOp('l1_loss') },
  BCEWithLogitsLoss: { forward: viaOp('binary_cross_entropy_with_logits') },
};

/** Layer name -> op name for layers that are exactly "this op with my attributes". */
const BY_OP: Readonly<Record<string, string>> = {
  ReLU: 'relu', ReLU6: 'relu6', LeakyReLU: 'leaky_relu', GELU: 'gelu', SiLU: 'silu', Mish: 'mish',
  Hardswish: 'hardswish', Hardsigmoid: 'hardsigmoid', Hardtanh: 'hardtanh', ELU: 'elu', SELU: 'selu', CELU: 'celu',
  Softplus: 'softplus', LogSigmoid: 'logsigmoid', Softsign: 'softsign', Tanhshrink: 'tanhshrink', Softshrink: 'softshrink',
  Hardshrink: 'hardshrink', Sigmoid: 'sigmoid', Tanh: 'tanh',
  MaxPool1d: 'max_pool1d', MaxPool2d: 'max_pool2d', MaxPool3d: 'max_pool3d', AvgPool1d: 'avg_pool1d', AvgPool2d: 'avg_pool2d', AvgPool3d: 'avg_pool3d',
  AdaptiveAvgPool1d: 'adaptive_avg_pool1d', AdaptiveAvgPool2d: 'adaptive_avg_pool2d', AdaptiveAvgPool3d: 'adaptive_avg_pool3d',
  AdaptiveMaxPool1d: 'adaptive_max_pool1d', AdaptiveMaxPool2d: 'adaptive_max_pool2d', AdaptiveMaxPool3d: 'adaptive_max_pool3d',
};

function convImpl(opName: string): LayerImpl {
  const inner = viaOp(opName);
  return {
    init: linearInit,
    forward: (layer, args) => {
      const mode = layer.attrs.str('padding_mode', 'zeros');
      if (mode !== 'zeros') throw new Error(`${layer.typeName}: padding_mode='${mode}' is not supported by the embedded engine yet (only 'zeros')`);
      if (args.output_size !== undefined && args.output_size !== null) throw new Error(`${layer.typeName}: forward(output_size=...) is not supported by the embedded engine yet`);
      const { output_size: _ignored, ...rest } = args;
      return inner(layer, rest);
    },
  };
}

export function layerImpl(name: string): LayerImpl | undefined {
  if (SIMPLE[name]) return SIMPLE[name];
  if (BY_OP[name]) return { forward: viaOp(BY_OP[name]) };
  const pad = /^(Zero|Constant|Reflection|Replication)Pad([123])d$/.exec(name);
  if (pad) return padImpl(Number(pad[2]), pad[1] === 'Reflection' ? 'reflect' : pad[1] === 'Replication' ? 'replicate' : 'constant');
  const conv = /^Conv(Transpose)?([123])d$/.exec(name);
  if (conv) return convImpl(conv[1] ? `conv_transpose${conv[2]}d` : `conv${conv[2]}d`);
  return undefined;
}

/** Layer names this engine can run (for coverage checks against the op library's layer list). */
export function supportedLayers(): string[] {
  const pads = ['Zero', 'Constant', 'Reflection', 'Replication'].flatMap((k) => [1, 2, 3].map((n) => `${k}Pad${n}d`));
  return [...Object.keys(SIMPLE), ...Object.keys(BY_OP), 'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', ...pads];
}
