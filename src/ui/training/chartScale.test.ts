// The training charts' y range: fractions span 0–100% (never the 200% that `.nice()` made of a CE loss recovered
// of 0.9), growing only on a side the data passes; other metrics keep a rounded range that holds every point.
import { describe, expect, it } from 'vitest'
import { yDomain, yTicks } from './chartScale.ts'

describe('yDomain', () => {
  it('a fraction inside [0, 1] spans exactly 0–100%', () => {
    expect(yDomain([0.2, 0.71, 0.93], 'fraction')).toEqual([0, 1])
    expect(yDomain([0.086], 'fraction')).toEqual([0, 1])
    expect(yDomain([1], 'fraction')).toEqual([0, 1])
    // One CE measurement (a short run measures only at its end): `[y, y + 1].nice(3)` made this 0–200%.
    expect(yDomain([0.9], 'fraction')).toEqual([0, 1])
    expect(yDomain([], 'fraction')).toEqual([0, 1])
  })

  it('a fraction outside [0, 1] grows on that side only, to a round value', () => {
    const [lo, hi] = yDomain([-0.37, 0.4, 0.9], 'fraction')
    expect(hi).toBe(1)
    expect(lo).toBeLessThanOrEqual(-0.37)
    expect(lo).toBeGreaterThanOrEqual(-0.5)
    const [lo2, hi2] = yDomain([0.5, 1.02], 'fraction')
    expect(lo2).toBe(0)
    expect(hi2).toBeGreaterThanOrEqual(1.02)
    expect(hi2).toBeLessThanOrEqual(1.25)
    expect(yDomain([-2.3, 0.95], 'fraction')).toEqual([-3, 1])
  })

  it('ignores non-finite values', () => {
    expect(yDomain([NaN, 0.5, Infinity], 'fraction')).toEqual([0, 1])
    expect(yDomain([NaN], 'value')).toEqual([0, 1])
  })

  it('a value metric starts at 0 and rounds its top up, holding every point', () => {
    expect(yDomain([0.43, 0.3, 0.12], 'value')).toEqual([0, 0.6])
    expect(yDomain([16, 16], 'value')).toEqual([0, 20])
    const [lo, hi] = yDomain([-1.2, 3.7], 'value')
    expect(lo).toBeLessThanOrEqual(-1.2)
    expect(hi).toBeGreaterThanOrEqual(3.7)
    expect(yDomain([0, 0], 'value')).toEqual([0, 1])
  })
})

describe('yTicks', () => {
  it('has both edges and round ticks between, none crowding an edge', () => {
    expect(yTicks([0, 1])).toEqual([0, 0.5, 1])
    expect(yTicks([-3, 1])).toEqual([-3, -2, -1, 0, 1])
    const ticks = yTicks([0, 0.55])
    expect(ticks[0]).toBe(0)
    expect(ticks.at(-1)).toBe(0.55)
    expect(ticks.every((t) => t === 0 || t === 0.55 || (t > 0.055 && t < 0.495))).toBe(true)
  })
})
