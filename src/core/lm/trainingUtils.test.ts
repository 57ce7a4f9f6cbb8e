import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { BigramModel } from './bigram.ts'
import { clipByGlobalNorm } from './clip.ts'
import { renderCurvesSvg } from './lossCurveSvg.ts'
import { learningRateAt } from './schedule.ts'

describe('learning-rate schedule', () => {
  const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, floorRatio: 0.1 }
  it('warms up linearly, peaks, and decays to the floor', () => {
    expect(learningRateAt(0, s)).toBeCloseTo(1e-4)
    expect(learningRateAt(9, s)).toBeCloseTo(1e-3)
    expect(learningRateAt(60, s)).toBeCloseTo(0.55e-3)
    expect(learningRateAt(110, s)).toBeCloseTo(1e-4)
    expect(learningRateAt(500, s)).toBeCloseTo(1e-4)
  })
})

describe('clipByGlobalNorm', () => {
  it('scales gradients to the max norm and reports the original norm', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }
    const { grads: clipped, norm } = clipByGlobalNorm(grads, 1)
    expect(norm).toBeCloseTo(5)
    expect(Array.from(clipped.a!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0])
    expect(Array.from(clipped.b!.dataSync())[1]).toBeCloseTo(0.8, 5)
    tf.dispose([grads.a, grads.b, clipped.a!, clipped.b!])
  })
  it('leaves small gradients alone', () => {
    const grads = { a: tf.tensor1d([0.1, 0.2]) }
    const { grads: clipped } = clipByGlobalNorm(grads, 1)
    expect(Array.from(clipped.a!.dataSync())).toEqual([expect.closeTo(0.1, 6), expect.closeTo(0.2, 6)])
    tf.dispose([grads.a, clipped.a!])
  })
})

describe('BigramModel', () => {
  it('predicts a deterministic sequence almost perfectly and beats uniform', () => {
    const seq = Array.from({ length: 3000 }, (_, i) => i % 5)
    const m = new BigramModel(50)
    m.fit(seq)
    expect(m.crossEntropy(seq)).toBeLessThan(0.05)
    expect(m.probability(1, 2)).toBeGreaterThan(0.98)
    // an unseen pair still has finite loss
    expect(Number.isFinite(Math.log(m.probability(1, 40)))).toBe(true)
  })
})

describe('renderCurvesSvg', () => {
  it('draws one path per series', () => {
    const svg = renderCurvesSvg(
      [
        { label: 'train', colour: '#1f77b4', points: [[0, 5], [10, 3], [20, 2]] },
        { label: 'held-out <eval>', colour: '#d62728', points: [[0, 5.1], [20, 2.2]] },
      ],
      { title: 'loss', xLabel: 'step', yLabel: 'nats', logY: true },
    )
    expect(svg.match(/<path /g)).toHaveLength(2)
    expect(svg).toContain('&#60;eval&#62;')
    expect(svg).not.toContain('NaN')
  })
})
