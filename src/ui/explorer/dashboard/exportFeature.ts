// The dashboard's JSON download: the feature's page as in the analysis file, plus every explanation the app holds
// for it in Neuronpedia's explanation shape. Built from records only: no settings, so no API key can reach it.
import type { ExplanationRecord, FeatureRecord } from '../../../core/analysis/format.ts'

export interface NeuronpediaExplanation {
  description: string
  explanationModelName: string
  typeName: string
  scores: { explanationScoreTypeName: 'simulation' | 'detection'; value: number }[]
}

/** Neuronpedia's explanation type names where one exists (oai_token-act-pair is Bills et al.'s method). */
const TYPE_NAMES: Record<string, string> = { llm: 'oai_token-act-pair', tokens: 'monoscope-token-pattern', concept: 'monoscope-concept', user: 'user' }

export function neuronpediaExplanation(e: ExplanationRecord): NeuronpediaExplanation {
  const scores: NeuronpediaExplanation['scores'] = []
  if (e.score !== null) scores.push({ explanationScoreTypeName: 'simulation', value: e.score })
  if (e.detection != null) scores.push({ explanationScoreTypeName: 'detection', value: e.detection })
  return { description: e.text, explanationModelName: e.explainer ?? e.method, typeName: TYPE_NAMES[e.method] ?? e.method, scores }
}

/** The best explanation first (user, LLM, file), each once. */
export function featureExport(saeId: string, page: FeatureRecord, held: { user?: ExplanationRecord; llm?: ExplanationRecord }): Record<string, unknown> {
  const all = [held.user, held.llm, page.explanation ?? undefined].filter((e): e is ExplanationRecord => e !== undefined)
  return { sae_id: saeId, ...page, explanations: all.map(neuronpediaExplanation) }
}

export const exportFileName = (saeId: string, index: number): string => `${saeId.replace(/[^\w.-]+/g, '_')}-feature-${index}.json`
