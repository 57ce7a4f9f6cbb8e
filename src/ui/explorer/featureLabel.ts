// Which words stand for a feature, decided once for every view (list, dashboard, neighbours, map, inspector,
// steering, attribution): the user's edit, else an LLM's explanation, else the analysis file's, else a planted concept
// the feature really separates, else the tokens it promotes most.
import type { FeatureSummaryFile, FeatureSummaryRow } from '../../core/analysis/featureFolder.ts'
import type { ExplanationRecord } from '../../core/analysis/format.ts'
import { CONCEPT_LABEL_AUROC } from '../../core/autointerp/offlineExplainer.ts'
import type { SaeExplanations } from '../../store/index.ts'
import { tokenText } from './data.ts'

export type LabelSource = 'user' | 'llm' | 'file' | 'concept' | 'tokens' | 'none'

export interface FeatureLabel {
  text: string
  source: LabelSource
  /** The explanation behind the label (user, LLM or file), with its scores; null for concept and token labels. */
  explanation: ExplanationRecord | null
}

const NO_LABEL: FeatureLabel = Object.freeze({ text: '', source: 'none', explanation: null })

/**
 * The label of feature `index`. `fileExplanation` is the page's full record when the dashboard has it (the summary
 * row carries only text and score); `extra` holds the user's and LLM explanations of the feature's SAE.
 */
export function labelOf(summary: Pick<FeatureSummaryFile, 'features' | 'vocab'> | null, index: number, extra: SaeExplanations | null = null, fileExplanation?: ExplanationRecord | null): FeatureLabel {
  const user = extra?.user[index]
  if (user) return { text: user.text, source: 'user', explanation: user }
  const llm = extra?.llm[index]
  if (llm) return { text: llm.text, source: 'llm', explanation: llm }
  if (fileExplanation) return { text: fileExplanation.text, source: 'file', explanation: fileExplanation }
  const row: FeatureSummaryRow | undefined = summary?.features[index]
  if (!row) return NO_LABEL
  if (row.explanation) return { text: row.explanation, source: 'file', explanation: { text: row.explanation, method: 'file', score: row.explanation_score ?? null } }
  if (row.concept && row.concept.auroc >= CONCEPT_LABEL_AUROC) return { text: row.concept.name ?? `concept ${row.concept.id}`, source: 'concept', explanation: null }
  if (row.promoted.length === 0) return NO_LABEL
  return { text: row.promoted.slice(0, 3).map((id) => tokenText(summary!.vocab, id)).join(' '), source: 'tokens', explanation: null }
}

/** The label's text alone, for tables and tooltips. */
export const featureLabel = (summary: Pick<FeatureSummaryFile, 'features' | 'vocab'> | null, index: number, extra: SaeExplanations | null = null): string => labelOf(summary, index, extra).text

/** `#444 «Bridge» after «Golden»`: a feature in one line of text (titles, tooltips, selects). */
export const featureTitle = (index: number, label: string): string => (label ? `#${index} ${label}` : `#${index}`)
