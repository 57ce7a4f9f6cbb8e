// How explanations are described to a reader: method names, score formatting and the short glossary the
// dashboard's tooltips use, in one place so the list, dashboard and LLM panel say the same thing.
import { GLOSSARY as TERMS } from '../../learn/glossary.ts'
import type { LabelSource } from '../featureLabel.ts'

export const formatScore = (score: number): string => score.toFixed(2)

/** What made the explanation, by its record's method. */
export const METHOD_NAMES: Record<string, string> = {
  tokens: 'offline: token pattern',
  concept: 'offline: TinyWorld concept',
  llm: 'LLM',
  user: 'your edit',
  file: 'analysis file',
}

export const methodName = (method: string): string => METHOD_NAMES[method] ?? method

export const SOURCE_NAMES: Record<LabelSource, string> = {
  user: 'your edit',
  llm: 'LLM explanation',
  file: "the analysis file's explanation",
  concept: 'planted concept (AUROC ≥ 0.9)',
  tokens: 'tokens it promotes most',
  none: 'no label',
}

/** The app's one glossary (learn/glossary.ts) for the scores, plus the note on how a user's text is scored. */
export const GLOSSARY = {
  simulation: TERMS.simulation,
  detection: TERMS.detection,
  userScoring:
    "Your text is scored by the offline token-pattern simulator, which reads only «token» patterns (e.g. «Bridge» after «Golden»): plain prose scores 0 here unless an LLM scores it.",
} as const
