// The one rule for a concept's steering feature, on planted rows and on the committed analysis and steering report.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseFeatureSummary } from '../analysis/featureFolder.ts'
import { conceptStartTokenIds } from '../world/conceptWords.ts'
import { conceptSteeringFeature } from './conceptFeature.ts'
import { parseSteeringReport } from './steeringReport.ts'

const row = (index: number, promoted: number[], concept: { name: string; auroc: number } | null, maxAct = 1) => ({
  index,
  max_act: maxAct,
  promoted,
  concept: concept && { id: 0, name: concept.name, auroc: concept.auroc, f1: 0.5 },
})

describe('conceptSteeringFeature', () => {
  const rows = [row(0, [7, 8], { name: 'bridge', auroc: 0.99 }), row(1, [5, 9], { name: 'bridge', auroc: 0.6 }), row(2, [9, 5], null), row(3, [5], null, 0)]
  const tokens = new Set([5])
  const report = parseSteeringReport({
    format: 'monoscope.steering-report',
    version: 1,
    saes: [{ id: 's', concepts: [{ concept: 'bridge', feature: 2, steered: [{ multiple: 10, rate: 1 }] }], suppression: [{ concept: 'bridge', prompt: 'About Lindon:', feature: 1, clamped: [] }] }],
  })

  it('takes steer-eval\'s measured choice first, for writing and for suppressing', () => {
    expect(conceptSteeringFeature({ saeId: 's', concept: 'bridge', report, rows, conceptTokens: tokens })).toEqual({ index: 2, source: 'steer-eval', prompt: null })
    expect(conceptSteeringFeature({ saeId: 's', concept: 'bridge', suppress: true, report, rows, conceptTokens: tokens })).toEqual({ index: 1, source: 'steer-eval', prompt: 'About Lindon:' })
  })

  it('else a live writer (earliest-ranked concept token among its promoted), else the best detector', () => {
    // Feature 3 promotes the token first but never fires; 1 and 2 promote it second and first: 1 at rank 0.
    expect(conceptSteeringFeature({ saeId: 'other', concept: 'bridge', report, rows, conceptTokens: tokens })).toEqual({ index: 1, source: 'writer', prompt: null })
    expect(conceptSteeringFeature({ saeId: 'other', concept: 'bridge', report: null, rows, conceptTokens: new Set() })).toEqual({ index: 0, source: 'detector', prompt: null })
    expect(conceptSteeringFeature({ saeId: 'other', concept: 'river', report: null, rows, conceptTokens: new Set() })).toBeNull()
  })
})

describe('on the committed SAEs', () => {
  it('picks steer-eval\'s features, and without the report a writer that promotes the concept', async () => {
    const report = parseSteeringReport(JSON.parse(await readFile('public/saes/tinyworld/steering_report.json', 'utf8')))
    for (const sae of report.saes) {
      const summary = parseFeatureSummary(JSON.parse(await readFile(`public/analysis/tinyworld/blocks.2.hook_resid_post/${sae.id.split('/').pop()}/summary.json`, 'utf8')))
      for (const c of sae.concepts) {
        const conceptTokens = conceptStartTokenIds(c.concept, summary.vocab)
        expect(conceptTokens.size, c.concept).toBeGreaterThan(0)
        expect(conceptSteeringFeature({ saeId: sae.id, concept: c.concept, report, rows: summary.features, conceptTokens })?.index).toBe(c.feature)
        const fallback = conceptSteeringFeature({ saeId: sae.id, concept: c.concept, report: null, rows: summary.features, conceptTokens })!
        expect(fallback.source, `${sae.id} ${c.concept}`).toBe('writer')
        expect(summary.features[fallback.index]!.promoted.some((id) => conceptTokens.has(id))).toBe(true)
      }
    }
  })
})
