import { describe, expect, it } from 'vitest'
import type { FeatureRecord } from '../analysis/format.ts'
import { featureRecords, randomActivations } from './records.ts'

const example = (ids: number[], values: number[]) => ({ window: 0, position: 1, token_index: values.indexOf(Math.max(...values)), token_ids: ids, values, value: Math.max(...values) })
const vocab = ['a', 'b', 'c', 'd', 'e']
const pool = Array.from({ length: 12 }, (_, i) => ({ window: i, start: 1, token_ids: [i % 5, (i + 1) % 5] }))

function feature(index: number, random: FeatureRecord['random_values']): FeatureRecord {
  return {
    index,
    density: 0.1,
    active_tokens: 5,
    max_act: 9,
    top_examples: [9, 8, 7, 6, 5, 4, 3].map((v) => example([1, 2], [0, v])),
    quantile_examples: [
      { lo: 0, hi: 1, count: 3, fraction: 0.5, examples: [example([3, 4], [0.5, 0])] },
      { lo: 1, hi: 5, count: 3, fraction: 0.5, examples: [example([4, 3], [0, 2])] },
    ],
    histogram: { edges: [], counts: [] },
    logits: null,
    neighbours: [],
    concept: null,
    explanation: null,
    random_values: random,
  }
}

describe('featureRecords', () => {
  it('explains from even-ranked top examples and one per quantile (highest first), and holds out the odd ranks', () => {
    const r = featureRecords(feature(3, { context: [], offset: [], value: [] }), { vocab, random_contexts: pool })
    expect(r.explain.map((e) => e.activations[1])).toEqual([9, 7, 5, 3, 2, 0])
    expect(r.explain[0]!.tokens).toEqual(['b', 'c'])
    expect(r.heldOutTop.map((e) => e.activations[1])).toEqual([8, 6, 4])
    expect(r.maxAct).toBe(9)
  })

  it('draws 5 distinct random contexts per feature, fixed by its index, with its sparse values filled in', () => {
    const random = { context: [0, 4, 4, 11], offset: [1, 0, 1, 0], value: [0.5, 2, 3, 7] }
    const a = featureRecords(feature(3, random), { vocab, random_contexts: pool })
    const again = featureRecords(feature(3, random), { vocab, random_contexts: pool })
    const other = featureRecords(feature(4, random), { vocab, random_contexts: pool })
    expect(a.random).toHaveLength(5)
    expect(again.random).toEqual(a.random)
    expect(other.random).not.toEqual(a.random)
    const distinct = featureRecords(feature(3, random), { vocab: null, random_contexts: pool.map((c, i) => ({ ...c, token_ids: [100 + i] })) })
    expect(new Set(distinct.random.map((r) => r.tokens[0])).size).toBe(5)
    const dense = randomActivations(random, pool)
    expect(dense[4]).toEqual([2, 3])
    expect(dense[11]).toEqual([7, 0])
    expect(dense[1]).toEqual([0, 0])
    expect(dense.flat().reduce((s, v) => s + v, 0)).toBeCloseTo(12.5, 12)
  })

  it('has no random records in files written before random contexts', () => {
    const r = featureRecords({ ...feature(1, undefined) }, { vocab: null })
    expect(r.random).toEqual([])
    expect(r.explain[0]!.tokens).toEqual(['[1]', '[2]'])
  })
})
