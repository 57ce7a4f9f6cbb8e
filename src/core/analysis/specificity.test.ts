// conceptCountsByBin against a direct count over dense activations that shares no code with it (no sparse
// columns, no bin search): the counts match, never exceed the histogram's, and features without a concept get null.
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import { SparseActsBuilder } from '../sae/groundTruth.ts'
import { histogramBins } from './histogram.ts'
import { conceptCountsByBin, conceptShareFrom } from './specificity.ts'

const spec = { min: 0.01, max: 100, binsPerDecade: 2 }
const bins = histogramBins(spec)
const nTokens = 300
const dSae = 5

function synthetic() {
  const rng = createRng(7)
  // [nTokens, dSae]: about half zero, some negative (never counted), the rest spread over 10⁻³ … 10³ to hit both overflow bins.
  const dense = Array.from({ length: nTokens * dSae }, () => (rng.next() < 0.5 ? 0 : (rng.next() < 0.1 ? -1 : 1) * 10 ** (6 * rng.next() - 3)))
  const labels = Array.from({ length: nTokens }, () => [0, 1, 2].filter(() => rng.next() < 0.4))
  const builder = new SparseActsBuilder(dSae)
  builder.addRows(dense.slice(0, 100 * dSae), 100) // two batches, as the streaming pass adds them
  builder.addRows(dense.slice(100 * dSae), nTokens - 100)
  return { dense, labels, acts: builder.build() }
}

/** Bin by linear scan over the edges, for a value > 0. */
function directBin(v: number): number {
  let b = 0
  while (b < bins.nBins - 1 && v >= bins.upperEdge(b)) b++
  return b
}

describe('conceptCountsByBin', () => {
  it('counts the tokens carrying the concept per bin, as a direct scan does, never more than the bin holds', () => {
    const { dense, labels, acts } = synthetic()
    const concept = [0, 2, null, 1, 0]
    const got = conceptCountsByBin(acts, labels, concept, bins)
    expect(got[2]).toBeNull()
    let checked = 0
    concept.forEach((c, j) => {
      if (c === null) return
      const present = new Array<number>(bins.nBins).fill(0)
      const all = new Array<number>(bins.nBins).fill(0)
      for (let t = 0; t < nTokens; t++) {
        const v = Math.fround(dense[t * dSae + j]!) // stored as float32, as the pass stores it
        if (!(v > 0)) continue
        all[directBin(v)]! += 1
        if (labels[t]!.includes(c)) present[directBin(v)]! += 1
      }
      expect(Array.from(got[j]!)).toEqual(present)
      got[j]!.forEach((n, b) => expect(n).toBeLessThanOrEqual(all[b]!))
      checked += present.reduce((a, n) => a + n, 0)
    })
    expect(checked).toBeGreaterThan(100) // the case is not vacuous
    expect(got[0]![0]! + got[0]![bins.nBins - 1]!).toBeGreaterThan(0) // under- or overflow bins are reached
  })

  it('gives zero counts for a concept no token carries, and refuses misaligned inputs', () => {
    const { labels, acts } = synthetic()
    const got = conceptCountsByBin(acts, labels, [7, null, null, null, null], bins)
    expect(Array.from(got[0]!).every((n) => n === 0)).toBe(true)
    expect(() => conceptCountsByBin(acts, labels.slice(1), [0, 0, 0, 0, 0], bins)).toThrow(InvalidArgumentError)
    expect(() => conceptCountsByBin(acts, labels, [0], bins)).toThrow(InvalidArgumentError)
  })
})

describe('conceptShareFrom', () => {
  it('sums whole bins whose lower edge reaches the threshold', () => {
    const h = { edges: [0.5, 1, 2, 4], counts: [10, 6, 3], concept_counts: [1, 4, 3] }
    expect(conceptShareFrom(h, 0)).toEqual({ tokens: 19, present: 8 })
    expect(conceptShareFrom(h, 1)).toEqual({ tokens: 9, present: 7 })
    expect(conceptShareFrom(h, 1.5)).toEqual({ tokens: 3, present: 3 })
    expect(conceptShareFrom({ edges: h.edges, counts: h.counts }, 0)).toEqual({ tokens: 19, present: 0 })
  })
})
