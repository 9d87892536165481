// Attention: scaled_dot_product_attention and multi-head attention (nn.MultiheadAttention's
// rule, also the 'multi_head_attention' op the engine executes).

import { add, dimEquals, dimToString, shapeToString, type Dim } from '../../shape/dim.js';
import { defineOp, fn, kw, p } from '../common/define.js';
import { broadcastShapes } from '../common/shapes.js';
import { bool, float, getBool, getConcreteInt, getOptTensor, getShape, getTensor, isNone, NONE, tensor, tuple } from '../common/values.js';
import { ShapeError, type BoundArgs, type TensorType, type Value } from '../types.js';

export function sdpaShape(who: string, q: readonly Dim[], k: readonly Dim[], v: readonly Dim[]): Dim[] {
  for (const [name, s] of [['query', q], ['key', k], ['value', v]] as const) {
    if (s.length < 2) throw new ShapeError(`${who}: ${name} must have at least 2 dims [..., L, E], but got ${shapeToString(s)}`, name);
  }
  const E = q[q.length - 1]!;
  const Ek = k[k.length - 1]!;
  if (dimEquals(E, Ek) === false) {
    throw new ShapeError(`${who}: query's last dim ${dimToString(E)} must match key's ${dimToString(Ek)} (query ${shapeToString(q)}, key ${shapeToString(k)})`, 'key');
  }
  const S = k[k.length - 2]!;
  const Sv = v[v.length - 2]!;
  if (dimEquals(S, Sv) === false) {
    throw new ShapeError(`${who}: key and value must have the same sequence length, but got ${dimToString(S)} and ${dimToString(Sv)} (key ${shapeToString(k)}, value ${shapeToString(v)})`, 'value');
  }
  const batch = broadcastShapes(q.slice(0, -2), k.slice(0, -2), `${who}: batch dims of query and key: `, 'key');
  return [...batch, q[q.length - 2]!, v[v.length - 1]!];
}

export interface MhaConfig {
  readonly embedDim: Dim;
  readonly heads: Dim;
  readonly kdim: Dim;
  readonly vdim: Dim;
  readonly batchFirst: boolean;
  /** add_bias_kv and add_zero_attn each append one key/value position. */
  readonly extraKeys?: number;
}

/** (attn_output, attn_weights | None) for MultiheadAttention's forward. */
export function mhaShape(who: string, c: MhaConfig, query: TensorType, key: TensorType, value: TensorType, args: BoundArgs): Value {
  const needWeights = isNone(args.need_weights) ? true : getBool(args, 'need_weights', who);
  const average = isNone(args.average_attn_weights) ? true : getBool(args, 'average_attn_weights', who);
  const q = query.shape;
  const k = key.shape;
  const v = value.shape;
  if (!q) return tuple([tensor(null, query.dtype), needWeights ? tensor(null, query.dtype) : NONE]);
  if (q.length !== 2 && q.length !== 3) throw new ShapeError(`${who} expects a 2D (unbatched) or 3D (batched) query, but got ${shapeToString(q)}`, 'query');
  const batched = q.length === 3;
  const check = (name: string, s: readonly Dim[] | null, want: Dim, attr: string): void => {
    if (!s) return;
    if (s.length !== q.length) throw new ShapeError(`${who}: ${name} ${shapeToString(s)} must have as many dims as the query ${shapeToString(q)}`, name);
    const last = s[s.length - 1]!;
    if (dimEquals(last, want) === false) {
      throw new ShapeError(`${who} expects ${attr} ${dimToString(want)} but the ${name}'s last dim is ${dimToString(last)} (${name} ${shapeToString(s)})`, name);
    }
  };
  check('query', q, c.embedDim, 'embed_dim');
  check('key', k, c.kdim, c.kdim === c.embedDim ? 'embed_dim' : 'kdim');
  check('value', v, c.vdim, c.vdim === c.embedDim ? 'embed_dim' : 'vdim');
  const seq = (s: readonly Dim[]): Dim => (batched && c.batchFirst ? s[1]! : s[0]!);
  const batch = (s: readonly Dim[]): Dim => (c.batchFirst ? s[0]! : s[1]!);
  const L = seq(q);
  const S0 = k ? seq(k) : v ? seq(v) : null;
  const S = S0 === null ? null : add(S0, c.extraKeys ?? 0);
  if (k && v && dimEquals(seq(k), seq(v)) === false) {
    throw new ShapeError(`${who}: key and value must have the same sequence length, but got ${dimToString(seq(k))} and ${dimToString(seq(v))}`, 'value');
  }
  if (batched) {
    for (const [name, s] of [['key', k], ['value', v]] as const) {
      if (s && dimEquals(batch(s), batch(q)) === false) {
        throw new ShapeError(`${who}: ${name} batch size ${dimToString(batch(s))} does not match the query's ${dimToString(batch(q))} (query ${shapeToString(q)}, ${name} ${shapeToString(s)})`, name);
      }
    }
  }
  const out = tensor([...q.slice(0, -1), c.embedDim], query.dtype);
  if (!needWeights) return tuple([out, NONE]);
  if (S === null) return tuple([out, tensor(null, query.dtype)]);
  const lead = batched ? [batch(q)] : [];
  const w = average ? [...lead, L, S] : [...lead, c.heads, L, S];
  return tuple([out, tensor(w, query.dtype)]);
}

export function checkHeads(who: string, embedDim: Dim, heads: Dim): void {
  if (typeof heads === 'number' && heads < 1) throw new ShapeError(`${who}: num_heads must be positive, but got ${heads}`, 'num_heads');
  if (typeof embedDim === 'number' && typeof heads === 'number' && embedDim % heads !== 0) {
    throw new ShapeError(`${who}: embed_dim ${embedDim} must be divisible by num_heads ${heads}`, 'num_heads');
  }
}

export function registerAttentionOps(): void {
  const sdpa = defineOp({
    name: 'scaled_dot_product_attention',
    params: [p('query'), p('key'), p('value'), p('attn_mask', NONE), p('dropout_p', float(0)), p('is_causal', bool(false)), kw('scale', NONE), kw('enable_gqa', bool(false))],
    shape: (args) => {
      const q = getTensor(args, 'query', 'scaled_dot_product_attention');
      if (!q.shape) return tensor(null, q.dtype);
      const out = sdpaShape('scaled_dot_product_attention', q.shape, getShape(args, 'key', 'scaled_dot_product_attention'), getShape(args, 'value', 'scaled_dot_product_attention'));
      const mask = getOptTensor(args, 'attn_mask', 'scaled_dot_product_attention');
      if (mask?.shape) {
        const k = getShape(args, 'key', 'scaled_dot_product_attention');
        const scores = [...out.slice(0, -1), k[k.length - 2]!];
        broadcastShapes(scores, mask.shape, 'scaled_dot_product_attention: attn_mask: ', 'attn_mask');
      }
      return tensor(out, q.dtype);
    },
    unknown: (args) => tensor(null, args.query?.kind === 'tensor' ? args.query.dtype : 'float32'),
  });
  fn('torch.nn.functional.scaled_dot_product_attention', sdpa);

  defineOp({
    name: 'multi_head_attention',
    params: [p('query'), p('key'), p('value'), p('embed_dim'), p('num_heads'), p('kdim', NONE), p('vdim', NONE), p('batch_first', bool(false)),
      p('key_padding_mask', NONE), p('need_weights', bool(true)), p('attn_mask', NONE), p('average_attn_weights', bool(true)), p('is_causal', bool(false))],
    shape: (args) => {
      const E = args.embed_dim?.kind === 'int' ? args.embed_dim.value : getConcreteInt(args, 'embed_dim', 'multi_head_attention');
      const heads = getConcreteInt(args, 'num_heads', 'multi_head_attention');
      checkHeads('multi_head_attention', E, heads);
      const kd = args.kdim?.kind === 'int' ? args.kdim.value : E;
      const vd = args.vdim?.kind === 'int' ? args.vdim.value : E;
      const c: MhaConfig = { embedDim: E, heads, kdim: kd, vdim: vd, batchFirst: getBool(args, 'batch_first', 'multi_head_attention') };
      return mhaShape('multi_head_attention', c, getTensor(args, 'query', 'multi_head_attention'), getTensor(args, 'key', 'multi_head_attention'), getTensor(args, 'value', 'multi_head_attention'), args);
    },
    unknown: 'value',
  });
}
