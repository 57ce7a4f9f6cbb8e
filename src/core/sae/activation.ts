// Latent activation functions shared by inference and training: ReLU, per-row TopK, batch TopK and JumpReLU.
// Masks are built against the k-th value (no scatter: a mask is what the hand-written gradients need anyway),
// with arithmetic and tf.step only: on tfjs-wasm a comparison or cast over [1024, 4096] costs 10–20× a
// subtraction, and a comparison broadcasting [n, 1] against [n, dSae] ~300×.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'

/**
 * Scores at or below this count as zero: TopK keeps positive values only (SAELens applies ReLU to the top k).
 * A tiny normal float32 rather than 0 so the comparison can be "≥ threshold" (keeping the k-th value itself).
 */
export const SMALLEST_POSITIVE = 1e-37

/** 1 where t ≥ threshold else 0, exactly: threshold − t is 0 only when they are equal, so step(threshold − t) is t < threshold. */
export function atLeast(t: tf.Tensor, threshold: tf.Tensor | number): tf.Tensor {
  return tf.sub(1, tf.step(tf.sub(threshold, t)))
}

/** 0/1 [n, dSae]: the k largest entries of each row of `score` [n, dSae] that are positive. Ties at the k-th value are all kept. */
export function rowTopKMask(score: tf.Tensor2D, k: number): tf.Tensor2D {
  const [, dSae] = score.shape
  if (!Number.isInteger(k) || k < 1 || k > dSae) throw new InvalidArgumentError(`TopK needs 1 ≤ k ≤ d_sae (${dSae}), got ${k}`)
  return tf.tidy(() => {
    const kth = tf.min(tf.topk(score, k, false).values, 1, true) // [n, 1]: the k-th largest (unsorted: take the min)
    const threshold = tf.maximum(kth, SMALLEST_POSITIVE) // [n, 1]
    return atLeast(score, threshold) as tf.Tensor2D // [n, dSae]
  })
}

/**
 * BatchTopK: 0/1 [n, dSae] selecting the `total` largest positive entries of the whole batch (SAELens's BatchTopK,
 * total = k·n), and the smallest selected value (+∞ when nothing is positive), which SAELens's threshold tracks.
 */
export function batchTopKMask(score: tf.Tensor2D, total: number): { mask: tf.Tensor2D; minSelected: tf.Scalar } {
  const size = score.size
  const kept = Math.min(Math.max(1, Math.round(total)), size)
  return tf.tidy(() => {
    const flat = tf.reshape(score, [size]) // [n·dSae]
    const kth = tf.min(tf.topk(flat, kept, false).values) // []: the kept-th largest
    const threshold = tf.maximum(kth, SMALLEST_POSITIVE) // []
    const mask = atLeast(score, threshold) as tf.Tensor2D // [n, dSae]
    // min over the selected entries: push the others up by 1e30 (activations are far below that).
    const lowest = tf.min(tf.add(score, tf.mul(tf.sub(1, mask), 1e30))) as tf.Scalar
    const minSelected = tf.where(tf.less(lowest, 1e29), lowest, tf.scalar(Infinity)) as tf.Scalar
    return { mask, minSelected }
  })
}

/** JumpReLU: pre·H(pre − θ), with ReLU as SAELens's inference does (no effect for θ ≥ 0). pre [n, dSae], θ [dSae]. */
export function jumpRelu(pre: tf.Tensor2D, threshold: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.relu(pre), tf.step(tf.sub(pre, threshold))) as tf.Tensor2D)
}
