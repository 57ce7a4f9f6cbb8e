import { describe, expect, it } from 'vitest'
import { FADED, highlight, subsetPoints } from './mapFilter.ts'

const points = { x: Float32Array.of(0, 1, 2, 3), y: Float32Array.of(4, 5, 6, 7), sae: Int32Array.of(0, 1, 0, 1), index: Int32Array.of(10, 20, 11, 21) }

describe('mapFilter', () => {
  it('keeps one SAE and remembers where each point came from', () => {
    const { points: p, origin } = subsetPoints(points, 1)
    expect([...p.index]).toEqual([20, 21])
    expect([...p.x]).toEqual([1, 3])
    expect([...origin]).toEqual([1, 3])
    expect(subsetPoints(points, null).points).toBe(points)
  })
  it('fades what the search does not match', () => {
    const labels = ['bridge', 'river', 'Golden Bridge']
    expect(highlight(['a', 'b', 'c'], 'BRIDGE', (i) => labels[i]!)).toEqual({ colours: ['a', FADED, 'c'], matches: 2 })
    expect(highlight(['a'], ' ', () => 'x').matches).toBe(1)
  })
})
