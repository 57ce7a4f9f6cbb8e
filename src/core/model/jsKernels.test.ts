import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { layerNormKernel } from './jsKernels.ts'
import { layerNorm } from './layerNorm.ts'

/** LayerNorm by tf.moments: shares no code with the kernel. */
function byMoments(x: tf.Tensor, w: tf.Tensor1D, b: tf.Tensor1D, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true)
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b)
}

afterAll(async () => {
  await selectBackend(['wasm'])
})

describe('the one-kernel LayerNorm', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`equals tf.moments' LayerNorm on ${backend}, leaks nothing, and steps aside under a gradient tape`, async () => {
      await selectBackend([backend])
      const x = tf.add(tf.mul(tf.randomNormal([3, 5, 48], 0, 1, 'float32', 1), 4), 2) // [3, 5, 48], mean 2, std 4
      const w = tf.randomNormal([48], 1, 0.2, 'float32', 2) as tf.Tensor1D
      const b = tf.randomNormal([48], 0, 0.5, 'float32', 3) as tf.Tensor1D
      const before = tf.memory().numTensors
      const got = layerNormKernel(x, w, b, 1e-5)!
      expect(got).not.toBeNull()
      expect(tf.memory().numTensors).toBe(before + 1) // the output alone
      const [err, scale] = tf.tidy(() => {
        const want = byMoments(x, w, b, 1e-5)
        return [tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!, tf.max(tf.abs(want)).dataSync()[0]!]
      })
      expect(err).toBeLessThan(1e-5)
      expect(scale).toBeGreaterThan(0.5) // not a trivially small output
      got.dispose()
      // Under a tape the kernel declines and layerNorm's ops give the gradient.
      const g = tf.grad((t: tf.Tensor) => {
        expect(layerNormKernel(t, w, b, 1e-5)).toBeNull()
        return tf.sum(tf.square(layerNorm(t, { weight: w, bias: b }, 1e-5)))
      })(x)
      expect(g.shape).toEqual([3, 5, 48])
      tf.dispose([g, x, w, b])
    })
  }
})
