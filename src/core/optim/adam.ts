// Adam without weight decay, as torch.optim.Adam computes it, written in tf ops so that epsilon is the caller's
// (tfjs's own Adam uses 1e-4 on WebGL and 1e-7 elsewhere); shared by the SAE trainer and the language-model trainer.
import * as tf from '@tensorflow/tfjs'

export interface AdamHyper {
  beta1: number
  beta2: number
  epsilon: number
}

export interface AdamResult {
  param: tf.Tensor
  m: tf.Tensor
  v: tf.Tensor
}

/**
 * One update of a parameter for 1-based `t`. `gradScale` (a scalar, e.g. the clipping factor) multiplies the
 * gradient first. torch: p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), rearranged so the big tensors see fewer ops.
 * Call inside tf.tidy.
 */
export function adamUpdate(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, gradScale: tf.Scalar, lr: number, t: number, h: AdamHyper): AdamResult {
  const bc1 = 1 - h.beta1 ** t
  const bc2Sqrt = Math.sqrt(1 - h.beta2 ** t)
  const g = tf.mul(grad, gradScale)
  const mNew = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1))
  const vNew = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2))
  const denom = tf.add(tf.sqrt(vNew), h.epsilon * bc2Sqrt)
  const update = tf.div(tf.mul(mNew, (lr * bc2Sqrt) / bc1), denom)
  return { param: tf.sub(param, update), m: mNew, v: vNew }
}

/** min(1, maxNorm / (‖g‖ + 1e-6)) over all gradients, as torch's clip_grad_norm_, and ‖g‖. Call inside tf.tidy. */
export function clipScale(grads: tf.Tensor[], maxNorm: number): { scale: tf.Scalar; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar
  const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))) as tf.Scalar
  return { scale, norm }
}
