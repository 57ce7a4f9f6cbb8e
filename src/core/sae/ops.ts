// Typed wrappers for the few tfjs calls whose declared types are looser than what they return.
import * as tf from '@tensorflow/tfjs'

/** a [n, k]·b [k, m] + bias [m] (optionally ReLU'd) in one fused kernel → [n, m]. */
export function matMulBias(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D, activation?: 'relu'): tf.Tensor2D {
  return tf.fused.matMul({ a, b, bias, ...(activation ? { activation } : {}) }) as tf.Tensor2D
}

/** tf.tidy for functions returning an object of tensors (tfjs types only accept its own container types). */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T
}
