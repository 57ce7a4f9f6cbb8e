// The Markdown form of `monoscope explain --report`: one row per SAE, then the TinyWorld concept split.
import type { ExplanationReport, ScoreDistribution } from '../core/autointerp/explainAnalysis.ts'

const cell = (d: ScoreDistribution | null): string => (d === null ? '—' : `${d.mean.toFixed(3)} (${d.quantiles[1].toFixed(2)} / ${d.quantiles[2].toFixed(2)} / ${d.quantiles[3].toFixed(2)})`)

export function explanationReportMarkdown(reports: readonly (ExplanationReport & { sae: string })[]): string {
  const name = (id: string) => id.split('/').pop() ?? id
  const lines = [
    '# Offline explanations and their scores',
    '',
    'Made by `monoscope explain` (run by `npm run build:analysis`). Each live feature is explained from its even-ranked top examples and one',
    'example per activation quantile, and scored on what the explainer did not see: its odd-ranked top examples and 5 random contexts of the',
    'corpus. Simulation score: Pearson correlation between the token simulator\'s predictions (read from the explanation text alone) and the',
    'true activations, over every token of those records. Detection score: balanced accuracy of "does this record activate?" from the text.',
    'Cells: mean (25% / median / 75%).',
    '',
    '| SAE | live features explained | simulation | detection |',
    '| --- | ---: | ---: | ---: |',
    ...reports.map((r) => `| ${name(r.sae)} | ${r.explained} of ${r.features} | ${cell(r.simulation)} | ${cell(r.detection)} |`),
  ]
  const withConcepts = reports.filter((r) => r.byConcept !== null)
  if (withConcepts.length) {
    const t = withConcepts[0]!.byConcept!.threshold
    lines.push(
      '',
      `## Features that separate a planted concept (AUROC ≥ ${t}) against the rest`,
      '',
      `| SAE | concept features | their simulation score | the rest |`,
      '| --- | ---: | ---: | ---: |',
      ...withConcepts.map((r) => `| ${name(r.sae)} | ${r.byConcept!.matched?.n ?? 0} | ${cell(r.byConcept!.matched)} | ${cell(r.byConcept!.rest)} |`),
      '',
      'By the feature\'s best concept AUROC (n, mean simulation score):',
      '',
      `| SAE | ${withConcepts[0]!.byAuroc!.map((b) => `${b.lo}–${Math.min(1, b.hi)}`).join(' | ')} |`,
      `| --- | ${withConcepts[0]!.byAuroc!.map(() => '---:').join(' | ')} |`,
      ...withConcepts.map((r) => `| ${name(r.sae)} | ${r.byAuroc!.map((b) => (b.simulation ? `${b.simulation.n}, ${b.simulation.mean.toFixed(3)}` : '—')).join(' | ')} |`),
      '',
      'What the offline explainer can describe, per SAE: the share of features with a chance-level concept AUROC (< 0.6) that it explains by a',
      'single token, alone or after a cue, and how many times denser (mean density) the concept features are than the rest:',
      '',
      '| SAE | single-token explanations at chance AUROC | concept features\' density ÷ the rest\'s |',
      '| --- | ---: | ---: |',
      ...withConcepts.map((r) => `| ${name(r.sae)} | ${r.shape?.singleTokenAtChance == null ? '—' : `${(100 * r.shape.singleTokenAtChance).toFixed(0)}%`} | ${r.shape?.conceptDensityRatio == null ? '—' : `${r.shape.conceptDensityRatio.toFixed(1)}×`} |`),
      '',
      'The offline explainer names tokens, so it describes best the features that fire on one or a few tokens. Features that separate a planted',
      'concept fire on its words in three languages and, as their dashboards show, on some neighbouring tokens (the density ratio above); their',
      'explanation (the tokens read off the examples plus the concept\'s words that the examples do not show silent) predicts them less well on',
      'most SAEs. An LLM explainer, given the same records, may do better; the simulation score is comparable between explainers because both are',
      'scored on the same held-out records.',
    )
  }
  return `${lines.join('\n')}\n`
}
