import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createWorldRng, hashString } from './prng.ts'

describe('createWorldRng', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const draw = (seed: number) => {
      const rng = createWorldRng(seed)
      return Array.from({ length: 8 }, () => rng.next())
    }
    expect(draw(1)).toEqual(draw(1))
    expect(draw(1)).not.toEqual(draw(2))
    expect(draw(2 ** 40)).not.toEqual(draw(0))
  })

  it('stays pinned: the committed world depends on these exact numbers', () => {
    const rng = createWorldRng(0)
    expect(Array.from({ length: 3 }, () => rng.int(1000))).toEqual([979, 825, 284])
  })

  it('draws uniformly enough for weighted choices', () => {
    const rng = createWorldRng(123)
    const counts = new Array(10).fill(0)
    for (let i = 0; i < 50_000; i++) counts[rng.int(10)]++
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(300)
  })

  it('refuses seeds that are not safe integers', () => {
    expect(() => createWorldRng(1.5)).toThrow(InvalidArgumentError)
  })

  it('hashes strings stably', () => {
    expect(hashString('vel:cat:0')).toBe(hashString('vel:cat:0'))
    expect(hashString('vel:cat:0')).not.toBe(hashString('vel:cat:1'))
  })
})
