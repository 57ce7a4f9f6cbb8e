// Feature search and sort: by index, by concept name (exact name first, then by AUROC), by explanation text,
// dead features hidden on request, and every sort order.
import { describe, expect, it } from 'vitest'
import type { FeatureSummaryRow } from '../../../core/analysis/featureFolder.ts'
import { filterFeatures } from './filterFeatures.ts'

const row = (index: number, density: number, maxAct: number, concept: [string, number] | null, explanation: string | null = null): FeatureSummaryRow => ({
  index,
  density,
  max_act: maxAct,
  concept: concept ? { id: index, name: concept[0], auroc: concept[1], f1: 0.5 } : null,
  promoted: [],
  explanation,
  snippet: null,
})

const rows = [
  row(0, 0, 0, null),
  row(1, 0.2, 3, ['arc_bridge', 0.97]),
  row(2, 0.01, 9, ['bridge', 0.71]),
  row(3, 0.05, 1, ['bridge', 0.88]),
  row(33, 0.1, 2, ['cat', 0.6], 'Fires on the word bridge in Velari'),
]
const indices = (order: number[]) => order.map((i) => rows[i]!.index)

describe('filterFeatures', () => {
  it('finds a concept: exact name first, by AUROC, then partial names, then explanations', () => {
    expect(indices(filterFeatures(rows, { query: 'bridge', sort: 'relevance' }))).toEqual([3, 2, 1, 33])
    expect(indices(filterFeatures(rows, { query: 'Velari', sort: 'relevance' }))).toEqual([33])
  })

  it("finds a feature by the label it shows, a user's edit included", () => {
    const label = (r: FeatureSummaryRow) => (r.index === 2 ? 'My Favourite Span' : '')
    expect(indices(filterFeatures(rows, { query: 'favourite', sort: 'relevance', label }))).toEqual([2])
    expect(indices(filterFeatures(rows, { query: 'favourite', sort: 'relevance' }))).toEqual([])
  })

  it('finds an index, that feature first', () => {
    expect(indices(filterFeatures(rows, { query: '3', sort: 'relevance' }))).toEqual([3, 33])
    expect(indices(filterFeatures(rows, { query: '7', sort: 'relevance' }))).toEqual([])
  })

  it('sorts by density, max activation, AUROC and index, and hides dead features', () => {
    expect(indices(filterFeatures(rows, { query: '', sort: 'density' }))).toEqual([1, 33, 3, 2, 0])
    expect(indices(filterFeatures(rows, { query: '', sort: 'max_act' }))).toEqual([2, 1, 33, 3, 0])
    expect(indices(filterFeatures(rows, { query: '', sort: 'auroc' }))).toEqual([1, 3, 2, 33, 0])
    expect(indices(filterFeatures(rows, { query: '', sort: 'index', hideDead: true }))).toEqual([1, 2, 3, 33])
  })
})
