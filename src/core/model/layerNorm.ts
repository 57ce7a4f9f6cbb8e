// LayerNorm over the last axis, as GPT-2 and TransformerLens's `hook_normalized` define it (weight and bias applied).
import * as tf from '@tensorflow/tfjs'

export interface LayerNormParams {
  weight: tf.Tensor1D // [d]
  bias: tf.Tensor1D // [d]
}

/** (x − mean) / sqrt(var + eps) · weight + bias, with the biased (population) variance. */
export function layerNorm(x: tf.Tensor, p: LayerNormParams, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true) // [..., 1] each
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))) // [..., d]
  return tf.add(tf.mul(normed, p.weight), p.bias)
}
