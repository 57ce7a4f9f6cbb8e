import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from './rng.ts'

const draw = (seed: number, n: number) => {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => rng.next())
}

describe('createRng', () => {
  it('repeats a stream for a seed and changes with it, including seeds past 2^32', () => {
    expect(draw(42, 50)).toEqual(draw(42, 50))
    expect(draw(42, 50)).not.toEqual(draw(43, 50))
    expect(draw(2 ** 32 + 5, 5)).not.toEqual(draw(5, 5))
    expect(draw(-1, 5)).not.toEqual(draw(2 ** 32 - 1, 5))
    expect(() => createRng(1.5)).toThrow(InvalidArgumentError)
  })

  it('draws uniform [0, 1) and standard normals', () => {
    const rng = createRng(9)
    const n = 20000
    let sum = 0
    const buckets = new Array(10).fill(0)
    let outside = 0
    for (let i = 0; i < n; i++) {
      const u = rng.next()
      if (!(u >= 0 && u < 1)) outside++
      sum += u
      buckets[Math.floor(u * 10)]++
    }
    expect(outside).toBe(0)
    expect(sum / n).toBeCloseTo(0.5, 2)
    const chi2 = buckets.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0)
    expect(chi2).toBeLessThan(27.9) // 9 degrees of freedom, p = 0.001
    let s1 = 0
    let s2 = 0
    for (let i = 0; i < n; i++) {
      const z = rng.nextNormal()
      s1 += z
      s2 += z * z
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.03)
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05)
  })
})
