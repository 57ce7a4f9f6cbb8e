// The MLP nonlinearities GPT-2 checkpoints use, by their config.json names.
import * as tf from '@tensorflow/tfjs'
import { assertNever } from '../errors.ts'
import type { Gpt2Activation } from './config.ts'

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * GPT-2's own GELU, the tanh approximation 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³),
 * computed as the identical x·sigmoid(2u): tfjs-wasm's sigmoid is vectorised, its tanh ~6× slower.
 * 2u = x·(a·x² + b) with a = 2√(2/π)·0.044715, b = 2√(2/π): six kernels, one fewer than forming x³.
 */
export function geluNew(x: tf.Tensor): tf.Tensor {
  const twoU = tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * SQRT_2_OVER_PI * 0.044715), 2 * SQRT_2_OVER_PI))
  return tf.mul(x, tf.sigmoid(twoU))
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)). */
export function geluExact(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1))
}

export function activate(name: Gpt2Activation, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'gelu_new':
      return geluNew(x)
    case 'gelu':
      return geluExact(x)
    case 'relu':
      return tf.relu(x)
    default:
      return assertNever(name)
  }
}
