// GPT-2 causal self-attention with TransformerLens's `attn.hook_pattern` and an optional KV cache.
import * as tf from '@tensorflow/tfjs'
import { hookName } from './hookNames.ts'
import type { HookRunner } from './hooks.ts'
import type { KvCache, LayerKv } from './kvCache.ts'
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
  /** Absolute position of the pass's first new position (the KV cache's length before it). */
  offset: number
  /**
   * Additive mask [q, keys] (0 or −1e9) over the keys attention reads, or null when every one is visible. With an
   * in-place KV cache the keys are its whole buffer, so the mask also hides the unfilled tail.
   */
  mask: tf.Tensor2D | null
  /** The mask over exactly offset + pos keys, made once if a pattern hook needs it (see attention()). */
  exactMask: () => tf.Tensor2D | null
  /** The cache this pass appends to, or null. */
  kv: KvCache | null
}

// Large and finite rather than −Infinity: exp() still gives exactly 0, and no backend sees inf − inf.
const MASKED = -1e9

/**
 * Additive mask letting new position i (absolute offset + i) see keys 0 … offset + i of `nKeys` (default
 * offset + nNew; more when the keys are a buffer with an unfilled tail). Null when nothing is masked.
 */
export function causalMask(nNew: number, offset: number, nKeys = offset + nNew): tf.Tensor2D | null {
  if (nNew === 1 && nKeys === offset + 1) return null
  const data = new Float32Array(nNew * nKeys)
  for (let i = 0; i < nNew; i++) data.fill(MASKED, i * nKeys + offset + i + 1, (i + 1) * nKeys)
  return tf.tensor2d(data, [nNew, nKeys])
}

/** [batch, pos, h·dHead] → [batch, h, pos, dHead]; a free reshape when pos = 1 (the layouts are the same). */
function headsFirst(x: tf.Tensor, batch: number, pos: number, h: number, dHead: number): tf.Tensor {
  if (pos === 1) return tf.reshape(x, [batch, h, 1, dHead])
  return tf.transpose(tf.reshape(x, [batch, pos, h, dHead]), [0, 2, 1, 3])
}

/**
 * x [batch, pos, d] (already layer-normed) → attention output [batch, pos, d] before `hook_attn_out`, and, for a
 * concat-mode cache, this layer's keys and values (past + new) to commit; null otherwise.
 */
export function attention(x: tf.Tensor, p: AttentionParams, layer: number, ctx: PassContext): { out: tf.Tensor; kv: LayerKv | null } {
  const [batch, pos, d] = x.shape as [number, number, number]
  const h = ctx.nHeads
  const dHead = d / h
  const qkv = linear(x, p.cAttnW, p.cAttnB) // [batch, pos, 3d]
  // Scaling q before the product costs pos·d multiplies instead of pos·keys·heads.
  const q = tf.mul(tf.slice(qkv, [0, 0, 0], [batch, pos, d]), 1 / Math.sqrt(dHead)) // [batch, pos, d]
  const qh = headsFirst(q, batch, pos, h, dHead) // [batch, head, pos, dHead]

  let kT: tf.Tensor // [batch, head, dHead, keys]
  let vAll: tf.Tensor // [batch, head, keys, dHead]
  let mask = ctx.mask
  let toCommit: LayerKv | null = null
  if (ctx.kv?.inPlace) {
    // The new keys and values go straight from qkv into the cache's buffers: no split, transpose or concat.
    ;({ kT, v: vAll } = ctx.kv.writeLayer(layer, qkv))
    const valid = ctx.offset + pos
    if (ctx.hooks.has(hookName.attnPattern(layer)) && ctx.kv.capacity > valid) {
      // A pattern hook sees [batch, head, pos, keys] with keys = positions so far, as without the buffer.
      kT = tf.slice(kT, [0, 0, 0, 0], [batch, h, dHead, valid])
      vAll = tf.slice(vAll, [0, 0, 0, 0], [batch, h, valid, dHead])
      mask = ctx.exactMask()
    }
  } else {
    const [, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor, tf.Tensor, tf.Tensor] // [batch, pos, d] each
    const kTNew = tf.transpose(tf.reshape(k, [batch, pos, h, dHead]), [0, 2, 3, 1]) as tf.Tensor4D // [batch, head, dHead, pos]
    const vNew = headsFirst(v, batch, pos, h, dHead) as tf.Tensor4D // [batch, head, pos, dHead]
    const past = ctx.kv?.layer(layer) ?? null
    kT = past ? tf.concat([past.kT, kTNew], 3) : kTNew
    vAll = past ? tf.concat([past.v, vNew], 2) : vNew
    if (ctx.kv) toCommit = { kT: kT as tf.Tensor4D, v: vAll as tf.Tensor4D }
  }

  let scores = bmm(qh, kT) // [batch, head, pos, keys]
  if (mask) scores = tf.add(scores, mask)
  const pattern = ctx.hooks.run(hookName.attnPattern(layer), tf.softmax(scores)) // [batch, head, pos, keys]
  const z = bmm(pattern, vAll) // [batch, head, pos, dHead]
  const merged = pos === 1 ? tf.reshape(z, [batch, pos, d]) : tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [batch, pos, d]) // [batch, pos, d]
  const out = linear(merged, p.cProjW, p.cProjB) // [batch, pos, d]
  return { out, kv: toCommit }
}
