// nn.MultiheadAttention: state_dict layout and forward rule.

import { dimEquals, dimToString, mul, shapeToString, sym, type Dim } from '../../shape/dim.js';
import { defineLayer, p, sizeAttr } from '../common/define.js';
import { bool, float, getBool, getTensor, int, isNone, NONE, str, tensor } from '../common/values.js';
import { preferDeclared } from '../common/shapes.js';
import { DEVICE_DTYPE } from '../linear/layers.js';
import { ShapeError, type BoundArgs, type ParamShape, type TensorType } from '../types.js';
import { checkHeads, mhaShape, type MhaConfig } from './shape.js';

function config(a: BoundArgs): MhaConfig {
  const E = sizeAttr(a, 'embed_dim', 'MultiheadAttention');
  return {
    embedDim: E,
    heads: sizeAttr(a, 'num_heads', 'MultiheadAttention'),
    kdim: isNone(a.kdim) ? E : sizeAttr(a, 'kdim', 'MultiheadAttention'),
    vdim: isNone(a.vdim) ? E : sizeAttr(a, 'vdim', 'MultiheadAttention'),
    batchFirst: getBool(a, 'batch_first', 'MultiheadAttention'),
    extraKeys: (getBool(a, 'add_bias_kv', 'MultiheadAttention') ? 1 : 0) + (getBool(a, 'add_zero_attn', 'MultiheadAttention') ? 1 : 0),
  };
}

export function registerAttentionLayers(): void {
  registerTransformerLayers();
  defineLayer({
    name: 'MultiheadAttention',
    ctor: [p('embed_dim'), p('num_heads'), p('dropout', float(0)), p('bias', bool(true)), p('add_bias_kv', bool(false)),
      p('add_zero_attn', bool(false)), p('kdim', NONE), p('vdim', NONE), p('batch_first', bool(false)), ...DEVICE_DTYPE],
    check: (a) => {
      const c = config(a);
      checkHeads('MultiheadAttention', c.embedDim, c.heads);
    },
    params: (a) => {
      const c = config(a);
      const E = c.embedDim;
      const bias = getBool(a, 'bias', 'MultiheadAttention');
      const same = c.kdim === E && c.vdim === E;
      const ps: ParamShape[] = same
        ? [{ name: 'in_proj_weight', shape: [mul(3, E), E] }]
        : [{ name: 'q_proj_weight', shape: [E, E] }, { name: 'k_proj_weight', shape: [E, c.kdim] }, { name: 'v_proj_weight', shape: [E, c.vdim] }];
      if (bias) ps.push({ name: 'in_proj_bias', shape: [mul(3, E)] });
      if (getBool(a, 'add_bias_kv', 'MultiheadAttention')) ps.push({ name: 'bias_k', shape: [1, 1, E] }, { name: 'bias_v', shape: [1, 1, E] });
      ps.push({ name: 'out_proj.weight', shape: [E, E] });
      if (bias) ps.push({ name: 'out_proj.bias', shape: [E] });
      return ps;
    },
    forward: [p('query'), p('key'), p('value'), p('key_padding_mask', NONE), p('need_weights', bool(true)), p('attn_mask', NONE),
      p('average_attn_weights', bool(true)), p('is_causal', bool(false))],
    shape: (a, args) => mhaShape('MultiheadAttention', config(a), getTensor(args, 'query', 'MultiheadAttention'),
      getTensor(args, 'key', 'MultiheadAttention'), getTensor(args, 'value', 'MultiheadAttention'), args),
    unknown: 'value',
    symbolicInput: (a) => {
      const c = config(a);
      return tensor(c.batchFirst ? [sym('N'), sym('L'), c.embedDim] : [sym('L'), sym('N'), c.embedDim]);
    },
    category: 'layer',
  });
}

/** state_dict entries of an attention block inside a transformer layer (always kdim = vdim = d_model). */
function attnParams(prefix: string, E: Dim, bias: boolean): ParamShape[] {
  const ps: ParamShape[] = [{ name: `${prefix}.in_proj_weight`, shape: [mul(3, E), E] }];
  if (bias) ps.push({ name: `${prefix}.in_proj_bias`, shape: [mul(3, E)] });
  ps.push({ name: `${prefix}.out_proj.weight`, shape: [E, E] });
  if (bias) ps.push({ name: `${prefix}.out_proj.bias`, shape: [E] });
  return ps;
}

const TRANSFORMER_CTOR = [p('d_model'), p('nhead'), p('dim_feedforward', int(2048)), p('dropout', float(0.1)), p('activation', str('relu')),
  p('layer_norm_eps', float(1e-5)), p('batch_first', bool(false)), p('norm_first', bool(false)), p('bias', bool(true)), ...DEVICE_DTYPE];

/** The transformer layers keep their input's shape; the model dim must be d_model. */
function checkModelDim(who: string, name: string, t: TensorType, E: Dim, batchFirst: boolean, other?: TensorType): void {
  const s = t.shape;
  if (!s) return;
  if (s.length !== 2 && s.length !== 3) throw new ShapeError(`${who} expects a 2D (unbatched) or 3D (batched) ${name}, but got ${shapeToString(s)}`, name);
  const last = s[s.length - 1]!;
  if (dimEquals(last, E) === false) {
    throw new ShapeError(`${who} expects d_model ${dimToString(E)} but the ${name}'s last dim is ${dimToString(last)} (${name} ${shapeToString(s)})`, name);
  }
  const o = other?.shape;
  if (o && o.length === 3 && s.length === 3) {
    const b = batchFirst ? 0 : 1;
    if (dimEquals(o[b]!, s[b]!) === false) {
      throw new ShapeError(`${who}: memory batch size ${dimToString(s[b]!)} does not match tgt's ${dimToString(o[b]!)} (tgt ${shapeToString(o)}, memory ${shapeToString(s)})`, 'memory');
    }
  }
}

export function registerTransformerLayers(): void {
  for (const decoder of [false, true]) {
    const name = decoder ? 'TransformerDecoderLayer' : 'TransformerEncoderLayer';
    defineLayer({
      name,
      ctor: TRANSFORMER_CTOR,
      check: (a) => checkHeads(name, sizeAttr(a, 'd_model', name), sizeAttr(a, 'nhead', name)),
      params: (a) => {
        const E = sizeAttr(a, 'd_model', name);
        const ff = sizeAttr(a, 'dim_feedforward', name);
        const bias = getBool(a, 'bias', name);
        const lin = (n: string, out: Dim, inp: Dim): ParamShape[] => [{ name: `${n}.weight`, shape: [out, inp] }, ...(bias ? [{ name: `${n}.bias`, shape: [out] }] : [])];
        const norm = (n: string): ParamShape[] => [{ name: `${n}.weight`, shape: [E] }, ...(bias ? [{ name: `${n}.bias`, shape: [E] }] : [])];
        return [
          ...attnParams('self_attn', E, bias),
          ...(decoder ? attnParams('multihead_attn', E, bias) : []),
          ...lin('linear1', ff, E), ...lin('linear2', E, ff),
          ...norm('norm1'), ...norm('norm2'), ...(decoder ? norm('norm3') : []),
        ];
      },
      forward: decoder
        ? [p('tgt'), p('memory'), p('tgt_mask', NONE), p('memory_mask', NONE), p('tgt_key_padding_mask', NONE), p('memory_key_padding_mask', NONE),
          p('tgt_is_causal', bool(false)), p('memory_is_causal', bool(false))]
        : [p('src'), p('src_mask', NONE), p('src_key_padding_mask', NONE), p('is_causal', bool(false))],
      shape: (a, args) => {
        const E = sizeAttr(a, 'd_model', name);
        const bf = getBool(a, 'batch_first', name);
        const x = getTensor(args, decoder ? 'tgt' : 'src', name);
        checkModelDim(name, decoder ? 'tgt' : 'src', x, E, bf);
        if (decoder) checkModelDim(name, 'memory', getTensor(args, 'memory', name), E, bf, x);
        return tensor(x.shape ? [...x.shape.slice(0, -1), preferDeclared(E, x.shape[x.shape.length - 1]!)] : null, x.dtype);
      },
      unknown: (args) => tensor(null, (args.src ?? args.tgt)?.kind === 'tensor' ? ((args.src ?? args.tgt) as TensorType).dtype : 'float32'),
      symbolicInput: (a) => {
        const E = sizeAttr(a, 'd_model', name);
        return tensor(getBool(a, 'batch_first', name) ? [sym('N'), sym('L'), E] : [sym('L'), sym('N'), E]);
      },
      category: 'layer',
    });
  }
}
