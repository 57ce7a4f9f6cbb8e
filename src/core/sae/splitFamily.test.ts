// splitFamily ranks the large SAE's features by decoder cosine to the parent feature and labels each with the
// family concept it detects best.
import { describe, expect, it } from 'vitest'
import { splitFamily } from './splitFamily.ts'

describe('splitFamily', () => {
  // Small SAE: feature 1 points along (1, 0). Large SAE: features at 0°, ~37°, 90° and 180° from it.
  const wDecA = Float32Array.from([0, 1, 2, 0])
  const wDecB = Float32Array.from([0, 3, 0.8, 0.6, 1, 0, -1, 0])
  // Concept 10 is the parent, 11 and 12 children; AUROCs by (concept, feature).
  const table: Record<string, number> = { '10,2': 0.7, '11,2': 0.9, '12,1': 0.95, '10,1': 0.6, '11,3': Number.NaN }
  const auroc = (c: number, j: number) => table[`${c},${j}`] ?? Number.NaN

  it('orders by cosine and names the best family concept of each feature', () => {
    const members = splitFamily(1, wDecA, wDecB, 2, [10, 11, 12], auroc, 3)
    expect(members.map((m) => m.feature)).toEqual([2, 1, 0])
    expect(members[0]).toMatchObject({ concept: 11, auroc: 0.9 })
    expect(members[0]!.cosine).toBeCloseTo(1)
    expect(members[1]).toMatchObject({ concept: 12, auroc: 0.95 })
    expect(members[1]!.cosine).toBeCloseTo(0.8)
    expect(members[2]).toMatchObject({ concept: null, auroc: null, cosine: 0 })
  })

  it('refuses a feature outside the small SAE', () => {
    expect(() => splitFamily(5, wDecA, wDecB, 2, [10], auroc)).toThrow(/outside/)
  })
})
