// GPT-2's MLP: c_fc, the activation (`mlp.hook_post` sees its output), c_proj.
import type * as tf from '@tensorflow/tfjs'
import { activate } from './activations.ts'
import type { Gpt2Activation } from './config.ts'
import { hookName } from './hookNames.ts'
import type { HookRunner } from './hooks.ts'
import { linear } from './linear.ts'

export interface MlpParams {
  fcW: tf.Tensor2D // [d, dMlp]  Conv1D: [in, out]
  fcB: tf.Tensor1D // [dMlp]
  projW: tf.Tensor2D // [dMlp, d]
  projB: tf.Tensor1D // [d]
}

/** x [batch, pos, d] (already layer-normed) → [batch, pos, d] before `hook_mlp_out`. */
export function mlp(x: tf.Tensor, p: MlpParams, activation: Gpt2Activation, layer: number, hooks: HookRunner): tf.Tensor {
  const pre = linear(x, p.fcW, p.fcB) // [batch, pos, dMlp]
  const post = hooks.run(hookName.mlpPost(layer), activate(activation, pre)) // [batch, pos, dMlp]
  return linear(post, p.projW, p.projB) // [batch, pos, d]
}
