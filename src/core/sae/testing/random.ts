// Test helpers: seeded random arrays and tensors (the same bits on every backend).
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../generate/rng.ts'

export function randomArray(size: number, seed: number, std = 1, mean = 0): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = mean + std * rng.nextNormal()
  return out
}

export function randomTensor(shape: number[], seed: number, std = 1, mean = 0): tf.Tensor {
  return tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed, std, mean), shape)
}

/** max |a − b| over two tensors of one shape. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))))
  const v = d.dataSync()[0]!
  d.dispose()
  return v
}

export function maxAbs(a: tf.Tensor): number {
  const d = tf.tidy(() => tf.max(tf.abs(a)))
  const v = d.dataSync()[0]!
  d.dispose()
  return v
}
