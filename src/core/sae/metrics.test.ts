// Metrics on hand-checkable inputs: L0, MSE/FVU (pooled over batches exactly), densities, histogram, CE recovered.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import {
  addReconstructionSums,
  ceLossRecovered,
  deadFraction,
  denseFraction,
  featureDensity,
  fireCounts,
  l0,
  logDensityHistogram,
  logSparsity,
  reconstructionMetrics,
  reconstructionMetricsOf,
  reconstructionSums,
} from './metrics.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe('SAE metrics', () => {
  it('L0 and fire counts', async () => {
    const f = tf.tensor3d([[[1, 0, 2]], [[0, 0, 0.5]]]) // [2, 1, 3]
    expect(l0(f)).toBe(1.5)
    expect(Array.from(await fireCounts(f))).toEqual([1, 0, 2])
    f.dispose()
  })

  it('MSE, FVU and variance explained; pooled sums equal one big batch', async () => {
    // x rows [1, 1] and [3, 3]: mean [2, 2], Σ‖x − x̄‖² = 4. x̂ off by [1, 0] and [0, −1]: Σ‖x − x̂‖² = 2.
    const x = tf.tensor2d([[1, 1], [3, 3]])
    const xHat = tf.tensor2d([[0, 1], [3, 4]])
    expect(reconstructionMetricsOf(x, xHat)).toEqual({ mse: 0.5, msePerInput: 1, fvu: 0.5, varianceExplained: 0.5 })
    const [x0, x1, h0, h1] = [tf.slice(x, [0, 0], [1, 2]), tf.slice(x, [1, 0], [1, 2]), tf.slice(xHat, [0, 0], [1, 2]), tf.slice(xHat, [1, 0], [1, 2])]
    const a = reconstructionSums(x0, h0)
    const b = reconstructionSums(x1, h1)
    tf.dispose([x0, x1, h0, h1])
    expect(reconstructionMetrics(addReconstructionSums(a, b))).toEqual(reconstructionMetricsOf(x, xHat))
    tf.dispose([x, xHat])
  })

  it('densities, dead and dense fractions, SAELens log sparsity, histogram', async () => {
    const density = featureDensity([0, 1, 50, 1000], 1000)
    expect(Array.from(density)).toEqual([0, 0.001, 0.05, 1])
    expect(deadFraction(density)).toBe(0.25)
    expect(denseFraction(density)).toBe(0.25)
    expect(denseFraction(density, 0.01)).toBe(0.5)
    expect(Array.from(logSparsity(density)).map((v) => Math.round(v * 1000) / 1000)).toEqual([-10, -3, -1.301, 0])
    const h = logDensityHistogram(density, { bins: 4, min: -4, max: 0 })
    expect(h.edges).toEqual([-4, -3, -2, -1, 0])
    expect(h.counts).toEqual([0, 1, 1, 1]) // −3 → bin 1; −1.3 → bin 2; 0 → clamped into the last
    expect(h.dead).toBe(1)
  })

  it('CE loss recovered', async () => {
    expect(ceLossRecovered({ clean: 3, spliced: 3.5, zeroAblated: 8 })).toBeCloseTo(0.9)
    expect(ceLossRecovered({ clean: 3, spliced: 3, zeroAblated: 8 })).toBe(1)
    expect(() => ceLossRecovered({ clean: 3, spliced: 3, zeroAblated: 3 })).toThrow(/undefined/)
    expect(() => ceLossRecovered({ clean: NaN, spliced: 3, zeroAblated: 8 })).toThrow(/finite/)
  })
})
