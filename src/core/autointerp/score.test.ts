import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { detectionScore, pearson, simulationScore } from './score.ts'

/** Textbook Pearson, written differently (two-pass sums of products) as an independent reference. */
function reference(a: number[], b: number[]): number {
  const n = a.length
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / n
  const ma = mean(a)
  const mb = mean(b)
  const cov = a.map((v, i) => (v - ma) * (b[i]! - mb)).reduce((s, v) => s + v, 0)
  const sa = Math.sqrt(a.map((v) => (v - ma) ** 2).reduce((s, v) => s + v, 0))
  const sb = Math.sqrt(b.map((v) => (v - mb) ** 2).reduce((s, v) => s + v, 0))
  return cov / (sa * sb)
}

describe('pearson', () => {
  it('matches the textbook formula (property) and is 0 for a constant series', () => {
    const series = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 30 })
    fc.assert(
      fc.property(series, series, (a, b) => {
        const n = Math.min(a.length, b.length)
        const x = a.slice(0, n)
        const y = b.slice(0, n)
        const ref = reference(x, y)
        if (!Number.isFinite(ref) || Math.abs(ref) > 1) return
        expect(pearson(x, y)).toBeCloseTo(ref, 6)
      }),
    )
    expect(pearson([1, 1, 1], [0, 2, 5])).toBe(0)
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12)
  })
})

describe('simulationScore and detectionScore', () => {
  const records = [
    { tokens: ['a', 'b'], activations: [0, 3] },
    { tokens: ['c', 'd'], activations: [0, 0] },
  ]
  it('pools every token of every record', () => {
    expect(simulationScore([[0, 1], [0, 0]], records)).toBeCloseTo(1, 12)
    expect(simulationScore([[1, 0], [0, 0]], records)).toBeLessThan(0)
    expect(() => simulationScore([[0, 1]], records)).toThrow(/1 predictions for 2 records/)
  })
  it('is balanced accuracy: all-yes and all-no score 0.5, a perfect detector 1', () => {
    expect(detectionScore([true, false], records)).toBe(1)
    expect(detectionScore([true, true], records)).toBe(0.5)
    expect(detectionScore([false, false], records)).toBe(0.5)
    expect(detectionScore([false, true], records)).toBe(0)
  })
})
