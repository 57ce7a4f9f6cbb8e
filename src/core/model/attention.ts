// GPT-2 causal self-attention with TransformerLens's `attn.hook_pattern` and an optional KV cache.
import * as tf from '@tensorflow/tfjs'
import { hookName } from './hookNames.ts'
import type { HookRunner } from './hooks.ts'
import type { LayerKv } from './kvCache.ts'
import { bmm, linear } from './linear.ts'

export interface AttentionParams {
  cAttnW: tf.Tensor2D // [d, 3d]  Conv1D: [in, out]
  cAttnB: tf.Tensor1D // [3d]
  cProjW: tf.Tensor2D // [d, d]
  cProjB: tf.Tensor1D // [d]
}

/** Facts shared by every block of one forward pass. */
export interface PassContext {
  nHeads: number
  hooks: HookRunner
  /** Additive causal mask [q, k] (0 or −1e9), or null when every key is visible (a single new position). */
  mask: tf.Tensor2D | null
}

// Large and finite rather than −Infinity: exp() still gives exactly 0, and no backend sees inf − inf.
const MASKED = -1e9

/** Additive mask letting new position i (absolute offset + i) see keys 0 … offset + i. */
export function causalMask(nNew: number, offset: number): tf.Tensor2D | null {
  if (nNew === 1) return null
  const nKeys = offset + nNew
  const data = new Float32Array(nNew * nKeys)
  for (let i = 0; i < nNew; i++) data.fill(MASKED, i * nKeys + offset + i + 1, (i + 1) * nKeys)
  return tf.tensor2d(data, [nNew, nKeys])
}

/**
 * x [batch, pos, d] (already layer-normed) → attention output [batch, pos, d] before `hook_attn_out`.
 * With `past`, keys and values of earlier positions come from it; the returned `kv` holds past + new.
 */
export function attention(
  x: tf.Tensor,
  p: AttentionParams,
  layer: number,
  ctx: PassContext,
  past: LayerKv | null,
): { out: tf.Tensor; kv: LayerKv } {
  const [batch, pos, d] = x.shape as [number, number, number]
  const h = ctx.nHeads
  const dHead = d / h
  const qkv = linear(x, p.cAttnW, p.cAttnB) // [batch, pos, 3d]
  const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor, tf.Tensor, tf.Tensor] // [batch, pos, d] each
  // Scaling q before the product costs pos·d multiplies instead of pos·keys·heads.
  const qh = tf.transpose(tf.reshape(tf.mul(q, 1 / Math.sqrt(dHead)), [batch, pos, h, dHead]), [0, 2, 1, 3]) // [batch, head, pos, dHead]
  const kTNew = tf.transpose(tf.reshape(k, [batch, pos, h, dHead]), [0, 2, 3, 1]) as tf.Tensor4D // [batch, head, dHead, pos]
  const vNew = tf.transpose(tf.reshape(v, [batch, pos, h, dHead]), [0, 2, 1, 3]) as tf.Tensor4D // [batch, head, pos, dHead]
  const kT = past ? (tf.concat([past.kT, kTNew], 3) as tf.Tensor4D) : kTNew // [batch, head, dHead, keys]
  const vAll = past ? (tf.concat([past.v, vNew], 2) as tf.Tensor4D) : vNew // [batch, head, keys, dHead]

  let scores = bmm(qh, kT) // [batch, head, pos, keys]
  if (ctx.mask) scores = tf.add(scores, ctx.mask)
  const pattern = ctx.hooks.run(hookName.attnPattern(layer), tf.softmax(scores)) // [batch, head, pos, keys]
  const z = bmm(pattern, vAll) // [batch, head, pos, dHead]
  const merged = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [batch, pos, d]) // [batch, pos, d]
  const out = linear(merged, p.cProjW, p.cProjB) // [batch, pos, d]
  return { out, kv: { kT, v: vAll } }
}
