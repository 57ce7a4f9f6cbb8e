// One GPT-2 transformer block (pre-LayerNorm), with TransformerLens's residual-stream hook points.
import * as tf from '@tensorflow/tfjs'
import { attention, type AttentionParams, type PassContext } from './attention.ts'
import type { Gpt2Config } from './config.ts'
import { hookName } from './hookNames.ts'
import type { LayerKv } from './kvCache.ts'
import { layerNorm, type LayerNormParams } from './layerNorm.ts'
import { mlp, type MlpParams } from './mlp.ts'

export interface BlockParams {
  ln1: LayerNormParams
  attn: AttentionParams
  ln2: LayerNormParams
  mlp: MlpParams
}

/** residPre [batch, pos, d] → residPost [batch, pos, d], and the keys and values a concat-mode cache commits (else null). */
export function block(residIn: tf.Tensor, p: BlockParams, config: Gpt2Config, layer: number, ctx: PassContext): { resid: tf.Tensor; kv: LayerKv | null } {
  const { hooks } = ctx
  const residPre = hooks.run(hookName.residPre(layer), residIn) // [batch, pos, d]
  const attn = attention(layerNorm(residPre, p.ln1, config.layerNormEps), p.attn, layer, ctx)
  const attnOut = hooks.run(hookName.attnOut(layer), attn.out) // [batch, pos, d]
  const residMid = hooks.run(hookName.residMid(layer), tf.add(residPre, attnOut)) // [batch, pos, d]
  const mlpOut = hooks.run(
    hookName.mlpOut(layer),
    mlp(layerNorm(residMid, p.ln2, config.layerNormEps), p.mlp, config.activation, layer, hooks),
  ) // [batch, pos, d]
  const residPost = hooks.run(hookName.residPost(layer), tf.add(residMid, mlpOut)) // [batch, pos, d]
  return { resid: residPost, kv: attn.kv }
}
