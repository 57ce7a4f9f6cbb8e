// Steering candidates: the best detectors by AUROC and the best writers of the concept's tokens, without dead
// features or duplicates.
import { describe, expect, it } from 'vitest'
import { steeringCandidates } from './candidates.ts'

describe('steeringCandidates', () => {
  // 5 features, k = 2 promoted tokens each. Concept tokens: 7 and 9.
  const base = {
    dSae: 5,
    auroc: [0.9, 0.6, Number.NaN, 0.8, 0.95],
    promotedIds: [7, 1, 2, 3, 9, 7, 4, 5, 1, 2],
    promotedValues: [0.5, 0.1, 0.9, 0.2, 2.0, 1.5, 0.3, 0.2, 0.8, 0.1],
    k: 2,
    conceptTokens: new Set([7, 9]),
    maxActs: [1, 1, 1, 1, 0],
  }

  it('takes the top detectors and the top writers, skipping features that never fire', () => {
    const c = steeringCandidates({ ...base, perList: 2 })
    expect(c.map((x) => [x.feature, x.source])).toEqual([
      [0, 'both'],
      [3, 'auroc'],
      [2, 'logits'],
    ])
    expect(c.find((x) => x.feature === 2)).toMatchObject({ auroc: null, promotes: 2.0 })
    expect(c.find((x) => x.feature === 0)!.promotes).toBe(0.5)
    expect(c.some((x) => x.feature === 4)).toBe(false) // AUROC 0.95 but dead
  })

  it('returns only detectors when no feature promotes the concept', () => {
    const c = steeringCandidates({ ...base, conceptTokens: new Set([42]), perList: 3 })
    expect(c.map((x) => x.source)).toEqual(['auroc', 'auroc', 'auroc'])
    expect(c.map((x) => x.feature)).toEqual([0, 3, 1])
  })
})
