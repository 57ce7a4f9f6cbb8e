// Power-law fits recover planted laws exactly, report a poor R² for points that are no power law, and refuse
// points a log cannot take.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitPowerLaw, powerLawAt } from './powerLaw.ts'

describe('fitPowerLaw', () => {
  it('recovers any planted y = a·x^b', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 0.05, max: 2, noNaN: true }), fc.boolean(), (a, magnitude, negative) => {
        const b = negative ? -magnitude : magnitude // away from 0, where R² is 0/0
        const xs = [1e3, 1e4, 3e4, 1e5, 1e7]
        const fit = fitPowerLaw(xs, xs.map((x) => a * x ** b))
        expect(fit.exponent).toBeCloseTo(b, 9)
        expect(fit.coefficient / a).toBeCloseTo(1, 6)
        expect(fit.r2).toBeCloseTo(1, 9)
        expect(powerLawAt(fit, 5e5) / (a * 5e5 ** b)).toBeCloseTo(1, 6)
      }),
    )
  })

  it('gives the least-squares line in log space: R² well below 1 for points off any line', () => {
    const xs = [1, 10, 100, 1000]
    const fit = fitPowerLaw(xs, [1, 100, 1, 100]) // a zigzag
    expect(fit.exponent).toBeCloseTo(0.2 * Math.log(100) / Math.log(10), 6) // slope of the regression on (0,0),(1,2),(2,0),(3,2) in log10
    expect(fit.r2).toBeLessThan(0.3)
  })

  it('refuses non-positive values and a single x', () => {
    expect(() => fitPowerLaw([1, 2], [1, 0])).toThrow(/positive finite/)
    expect(() => fitPowerLaw([1, -2], [1, 1])).toThrow(/positive finite/)
    expect(() => fitPowerLaw([3, 3], [1, 2])).toThrow(/two distinct x/)
    expect(() => fitPowerLaw([1, 2], [1])).toThrow(/2 x values but 1/)
  })
})
