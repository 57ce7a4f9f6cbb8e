// Label precedence: user edit > LLM > the file's explanation > a concept at AUROC ≥ 0.9 > promoted tokens; each
// step tested by removing the one above it, and the export's Neuronpedia shape.
import { describe, expect, it } from 'vitest'
import type { FeatureSummaryRow } from '../../core/analysis/featureFolder.ts'
import type { ExplanationRecord } from '../../core/analysis/format.ts'
import type { SaeExplanations } from '../../store/index.ts'
import { featureExport, neuronpediaExplanation } from './dashboard/exportFeature.ts'
import { featureLabel, labelOf } from './featureLabel.ts'

const row = (over: Partial<FeatureSummaryRow>): FeatureSummaryRow => ({ index: 0, density: 0.01, max_act: 3, concept: null, promoted: [1, 2, 3, 0], explanation: null, snippet: null, ...over })
const summary = (r: FeatureSummaryRow) => ({ vocab: ['a', ' b', 'c\n', 'd'], features: [r] })
const rec = (text: string, method: string, score: number | null = 0.5): ExplanationRecord => ({ text, method, score, detection: 0.75, explainer: `${method}-model` })
const extra = (user?: string, llm?: string): SaeExplanations => ({ hash: null, user: user ? { 0: rec(user, 'user') } : {}, llm: llm ? { 0: rec(llm, 'llm') } : {} })

describe('labelOf', () => {
  const full = row({ explanation: 'file text', explanation_score: 0.8, concept: { id: 1, name: 'bridge', auroc: 0.95, f1: 0.9 } })

  it('prefers the user, then the LLM, then the file, then a separating concept, then promoted tokens', () => {
    expect(labelOf(summary(full), 0, extra('mine', 'llm says'))).toMatchObject({ text: 'mine', source: 'user' })
    expect(labelOf(summary(full), 0, extra(undefined, 'llm says'))).toMatchObject({ text: 'llm says', source: 'llm' })
    expect(labelOf(summary(full), 0, extra())).toMatchObject({ text: 'file text', source: 'file', explanation: { score: 0.8 } })
    expect(labelOf(summary({ ...full, explanation: null }), 0)).toMatchObject({ text: 'bridge', source: 'concept', explanation: null })
    // A concept the feature does not really separate is no label; the promoted tokens are (three, shown visibly).
    const weak = { ...full, explanation: null, concept: { id: 1, name: 'bridge', auroc: 0.89, f1: 0.2 } }
    expect(labelOf(summary(weak), 0)).toMatchObject({ text: ' b c⏎ d', source: 'tokens' })
    expect(featureLabel(summary(row({ promoted: [] })), 0)).toBe('')
    expect(labelOf(null, 0)).toMatchObject({ text: '', source: 'none' })
  })

  it("uses the page's full record for the file's explanation when the dashboard has it", () => {
    const page = rec('page text', 'tokens', 0.7)
    expect(labelOf(summary(full), 0, extra(), page)).toMatchObject({ text: 'page text', explanation: { method: 'tokens', detection: 0.75 } })
    expect(labelOf(summary(full), 0, extra(undefined, 'llm says'), page).source).toBe('llm')
  })
})

describe('the JSON export', () => {
  it("lists every explanation in Neuronpedia's shape, best first", () => {
    expect(neuronpediaExplanation(rec('x', 'llm'))).toEqual({
      description: 'x',
      explanationModelName: 'llm-model',
      typeName: 'oai_token-act-pair',
      scores: [
        { explanationScoreTypeName: 'simulation', value: 0.5 },
        { explanationScoreTypeName: 'detection', value: 0.75 },
      ],
    })
    expect(neuronpediaExplanation({ text: 'y', method: 'user', score: null }).scores).toEqual([])
    const page = { index: 7, explanation: rec('file', 'tokens') } as never
    const out = featureExport('s', page, { user: rec('mine', 'user'), llm: rec('llm', 'llm') }) as { explanations: { description: string }[]; sae_id: string }
    expect(out.explanations.map((e) => e.description)).toEqual(['mine', 'llm', 'file'])
    expect(out.sae_id).toBe('s')
  })
})
