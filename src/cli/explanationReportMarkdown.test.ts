// The explanation report's figures about what the offline explainer can describe are measured on each build (they
// were once hand-written and went stale when an SAE was added): single-token explanations at chance AUROC, and the
// concept features' density against the rest's, per SAE.
import { describe, expect, it } from 'vitest'
import { explanationReport } from '../core/autointerp/explainAnalysis.ts'
import type { FeatureAnalysisFile } from '../core/analysis/format.ts'
import { explanationReportMarkdown } from './explanationReportMarkdown.ts'

type Features = Pick<FeatureAnalysisFile, 'features' | 'ground_truth'>

/** Features with a text, a density and a best concept AUROC: all explanationReport reads. */
function file(rows: { text: string | null; density: number; auroc: number }[]): Features {
  const features = rows.map((r, index) => ({
    index,
    density: r.density,
    concept: { id: 0, name: 'cat', auroc: r.auroc, f1: 0 },
    explanation: r.text === null ? null : { text: r.text, method: 'tokens', score: 0.5, detection: 0.5, explainer: 'monoscope-offline' },
  }))
  return { features, ground_truth: { concepts: [] } } as unknown as Features
}

describe('explanation report', () => {
  it('measures single-token explanations at chance AUROC and the concept features\' density ratio', () => {
    const f = file([
      { text: '«cat»', density: 0.01, auroc: 0.5 }, // chance, one token
      { text: '«Bridge» after «Arc»', density: 0.01, auroc: 0.55 }, // chance, one token after a cue
      { text: '«a», «b»', density: 0.02, auroc: 0.3 }, // chance, two tokens
      { text: 'concept "cat": «cat», «kot», «mau»', density: 0.1, auroc: 0.95 }, // a concept feature
      { text: '«x»', density: 0.02, auroc: 0.7 }, // neither: not at chance, not a concept feature
      { text: null, density: 0.5, auroc: 0.99 }, // unexplained: left out
    ])
    const r = explanationReport(f)
    expect(r.shape!.singleTokenAtChance).toBeCloseTo(2 / 3, 12)
    expect(r.shape!.conceptDensityRatio).toBeCloseTo(0.1 / ((0.01 + 0.01 + 0.02 + 0.02) / 4), 12)
    const md = explanationReportMarkdown([{ ...r, sae: 'tinyworld/blocks.2.hook_resid_post/standard-1024' }])
    expect(md).toContain('| standard-1024 | 67% | 6.7× |')
  })

  it('gives a dash where a figure has nothing to measure, and no figures without ground truth', () => {
    const r = explanationReport(file([{ text: '«x»', density: 0.02, auroc: 0.7 }]))
    expect(r.shape).toEqual({ singleTokenAtChance: null, conceptDensityRatio: null })
    expect(explanationReportMarkdown([{ ...r, sae: 'a/b' }])).toContain('| b | — | — |')
    const bare = explanationReport({ ...file([{ text: '«x»', density: 0.02, auroc: 0.7 }]), ground_truth: null } as Features)
    expect(bare.shape).toBeNull()
  })
})
