// The completeness table groups concepts by frequency decade and counts recoveries per SAE; the plot and
// Markdown carry those counts.
import { describe, expect, it } from 'vitest'
import { completenessMarkdown, completenessSvg, completenessTable } from './completeness.ts'
import type { ConceptScore, GroundTruthReport } from './groundTruth.ts'

const score = (concept: number, frequency: number, auroc: number | null): ConceptScore => ({
  concept,
  name: `c${concept}`,
  positives: Math.round(frequency * 1e5),
  frequency,
  unit: 'token',
  bestFeature: auroc === null ? null : concept,
  auroc,
  f1: null,
  f1Threshold: null,
  bestF1Feature: null,
  bestF1: null,
  recovered: auroc !== null && auroc >= 0.95,
})

const report = (aurocs: (number | null)[]): GroundTruthReport => {
  const freqs = [3e-4, 5e-4, 2e-3, 0.05, 0.5]
  const concepts = aurocs.map((a, i) => score(i, freqs[i]!, a))
  const evaluated = concepts.filter((c) => c.auroc !== null).length
  const recovered = concepts.filter((c) => c.recovered).length
  return { tokens: 1e5, aurocThreshold: 0.95, evaluated, recovered, fractionRecovered: recovered / evaluated, concepts }
}

describe('completenessTable', () => {
  const small = report([0.6, 0.97, 0.9, 0.99, 0.99])
  const large = report([0.96, 0.99, 0.98, 0.99, 0.99])
  const table = completenessTable([
    { id: 'small', dSae: 1024, report: small },
    { id: 'large', dSae: 4096, report: large },
  ])

  it('buckets by frequency decade and counts recoveries per SAE', () => {
    expect(table.buckets.map((b) => [b.lo, b.concepts, b.recovered])).toEqual([
      [1e-4, 2, [1, 2]],
      [1e-3, 1, [0, 1]],
      [1e-2, 1, [1, 1]],
      [1e-1, 1, [1, 1]],
    ])
    expect(table.concepts.map((c) => c.name)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4'])
    expect(table.concepts[0]!.auroc).toEqual([0.6, 0.96])
  })

  it('leaves out concepts absent from the sample', () => {
    const t = completenessTable([{ id: 'x', dSae: 8, report: report([null, 0.99, 0.99, 0.99, 0.99]) }])
    expect(t.concepts.map((c) => c.name)).toEqual(['c1', 'c2', 'c3', 'c4'])
    expect(t.buckets[0]).toMatchObject({ concepts: 1, recovered: [1] })
  })

  it('renders a Markdown table and an SVG with one marker per bucket and SAE', () => {
    const md = completenessMarkdown(table)
    expect(md).toContain('| 1e-4 – 1e-3 | 2 | 1 (50%) | 2 (100%) |')
    expect(md).toContain('| **all** | 5 | **60%** | **100%** |')
    const svg = completenessSvg(table)
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.match(/<circle /g)).toHaveLength(8)
  })
})
