// The steering report's shape (steering_report.json) and its Markdown rendering (steering_report.md).

export interface RateResult {
  hits: number
  rate: number
  /** The generation for seed 1, as text. */
  example: string
}

export interface FeatureChoice {
  feature: number | null
  auroc: number | null
  f1: number | null
  max_act: number | null
  /** How the feature was chosen: every candidate's rate on the selection seeds (not the reported ones). */
  selection?: { seeds: string; candidates: { feature: number; auroc: number | null; promotes: number | null; source: string; rate: number }[] }
}

export interface ConceptSteering extends FeatureChoice {
  concept: string
  concept_id: number
  frequency: number
  baseline: RateResult
  steered: (RateResult & { multiple: number; value: number })[]
}

export interface ConceptSuppression extends FeatureChoice {
  concept: string
  concept_id: number
  prompt: string
  baseline: RateResult
  clamped: (RateResult & { multiple: number; value: number })[]
}

export interface SaeSteeringResult {
  id: string
  source: string
  architecture: string
  d_sae: number
  hook: string
  concepts_recovered: number
  concepts_evaluated: number
  concepts: ConceptSteering[]
  suppression: ConceptSuppression[]
}

export interface SteeringReport {
  format: 'monoscope.steering-report'
  version: 1
  command: string
  model: string
  backend: string
  settings: Record<string, unknown> & { neutral_prompt: string; samples: number; multiples: number[]; suppress_multiples: number[] }
  elapsed_seconds: number
  saes: SaeSteeringResult[]
}

/** The share of concepts reaching the issue's bar (≥ 80% of generations) at the best multiple tried. */
export const TARGET_RATE = 0.8

const pct = (v: number) => `${Math.round(100 * v)}%`
const num = (v: number | null, digits = 3) => (v === null ? '–' : v.toFixed(digits))
const quote = (text: string) => `\`${text.replace(/\s+/g, ' ').replace(/`/g, "'").slice(0, 90)}\``

export function renderSteeringReportMarkdown(r: SteeringReport): string {
  const s = r.settings
  const lines = [
    '# Steering TinyWorld: concept rates',
    '',
    `Made by \`${r.command}\` on ${r.backend} in ${r.elapsed_seconds} s (model ${r.model}). Feature choice: ${String(s.best_feature)}`,
    `(AUROC on ${String(s.labelled_sample)}). The feature is clamped at N× its max activation at every position but the BOS`,
    `(x' = SAE(x) with f_j := c, plus the error term). ${s.samples} generations (seeds ${String(s.seeds)}, temperature ${String(s.temperature)}, ≤ ${String(s.max_tokens)}`,
    `tokens) start from the prompt ${quote(s.neutral_prompt)}; a concept "appears" when one of its surface forms occurs in the generated`,
    'tokens. The baseline is the same seeds without steering.',
    '',
  ]
  for (const sae of r.saes) {
    const reached = sae.concepts.filter((c) => c.steered.some((x) => x.rate >= TARGET_RATE)).length
    lines.push(`## ${sae.id}`, '')
    lines.push(`${sae.architecture}, ${sae.d_sae} features on ${sae.hook}; ${sae.concepts_recovered}/${sae.concepts_evaluated} concepts recovered (AUROC ≥ 0.95).`)
    lines.push(`**${reached} of ${sae.concepts.length} concepts appear in ≥ ${pct(TARGET_RATE)} of generations** at one of ${s.multiples.map((m) => `${m}×`).join(', ')}.`, '')
    lines.push(`| concept | feature | AUROC | max act | baseline | ${s.multiples.map((m) => `${m}× max`).join(' | ')} | example (${s.multiples[s.multiples.length - 1]}×, seed 1) |`)
    lines.push(`| --- | ---: | ---: | ---: | ---: | ${s.multiples.map(() => '---:').join(' | ')} | --- |`)
    for (const c of sae.concepts) {
      const rates = s.multiples.map((m) => {
        const x = c.steered.find((y) => y.multiple === m)
        return x ? `${pct(x.rate)}` : '–'
      })
      const last = c.steered[c.steered.length - 1]
      lines.push(`| ${c.concept} | ${c.feature ?? '–'} | ${num(c.auroc)} | ${num(c.max_act, 2)} | ${pct(c.baseline.rate)} | ${rates.join(' | ')} | ${last ? quote(last.example) : '–'} |`)
    }
    lines.push('', 'Suppression: negative clamps on prompts whose continuations usually mention the concept.', '')
    lines.push(`| concept | prompt | feature | baseline | ${s.suppress_multiples.map((m) => `${m}× max`).join(' | ')} |`)
    lines.push(`| --- | --- | ---: | ---: | ${s.suppress_multiples.map(() => '---:').join(' | ')} |`)
    for (const c of sae.suppression) {
      const rates = s.suppress_multiples.map((m) => {
        const x = c.clamped.find((y) => y.multiple === m)
        return x ? pct(x.rate) : '–'
      })
      lines.push(`| ${c.concept} | ${quote(c.prompt)} | ${c.feature ?? '–'} | ${pct(c.baseline.rate)} | ${rates.join(' | ')} |`)
    }
    lines.push('')
  }
  return `${lines.join('\n')}\n`
}
