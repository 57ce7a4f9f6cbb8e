// LayerNorm over the last axis, as GPT-2 and TransformerLens's `hook_normalized` define it (weight and bias applied).
import * as tf from '@tensorflow/tfjs'
import { layerNormKernel } from './jsKernels.ts'

export interface LayerNormParams {
  weight: tf.Tensor1D // [d]
  bias: tf.Tensor1D // [d]
}

/**
 * (x − mean) / sqrt(var + eps) · weight + bias, with the biased (population) variance. Written out rather than with
 * tf.moments, which casts its input and subtracts the mean twice: 9 kernels instead of 11, and a decoding step
 * runs 25 of these (kernel dispatch, not arithmetic, is most of a one-token LayerNorm's cost).
 */
export function layerNorm(x: tf.Tensor, p: LayerNormParams, eps: number): tf.Tensor {
  const fused = layerNormKernel(x, p.weight, p.bias, eps) // one kernel where the backend and the tape allow
  if (fused) return fused
  const centred = tf.sub(x, tf.mean(x, -1, true)) // [..., d]
  const variance = tf.mean(tf.square(centred), -1, true) // [..., 1]
  const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps))) // [..., d]
  return tf.add(tf.mul(normed, p.weight), p.bias)
}
