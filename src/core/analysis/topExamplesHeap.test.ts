// The flat per-feature heaps keep exactly a brute-force sort's top K, ties included, with each entry's context.
import { describe, expect, it } from 'vitest'
import { createRng } from '../generate/rng.ts'
import { TopExamplesHeap } from './topExamplesHeap.ts'

describe('TopExamplesHeap', () => {
  it('keeps the K best by (value, earlier window, earlier position) on data full of ties', () => {
    const rng = createRng(4)
    const nFeatures = 20
    const k = 5
    const heap = new TopExamplesHeap(nFeatures, k, 2)
    const offered: { j: number; value: number; window: number; position: number }[] = []
    for (let window = 0; window < 60; window++) {
      for (let j = 0; j < nFeatures; j++) {
        if (rng.next() < 0.3) continue
        const e = { j, value: 1 + Math.floor(rng.next() * 6), window, position: Math.floor(rng.next() * 8) }
        offered.push(e)
        const ctx = heap.offer(j, e.value, e.window, e.position)
        if (ctx) ctx.set([e.window, e.position])
      }
    }
    for (let j = 0; j < nFeatures; j++) {
      const expected = offered
        .filter((e) => e.j === j)
        .sort((a, b) => b.value - a.value || a.window - b.window || a.position - b.position)
        .slice(0, k)
      const got = heap.sorted(j)
      expect(got.map((e) => [e.value, e.window, e.position])).toEqual(expected.map((e) => [e.value, e.window, e.position]))
      for (const e of got) expect(Array.from(e.context)).toEqual([e.window, e.position]) // contexts follow their entries
    }
  })

  it('keeps nothing when K is 0', () => {
    const heap = new TopExamplesHeap(1, 0, 1)
    expect(heap.offer(0, 5, 0, 0)).toBeNull()
    expect(heap.sorted(0)).toEqual([])
  })
})
