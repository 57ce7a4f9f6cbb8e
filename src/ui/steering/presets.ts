// TinyWorld presets, resolved against the chosen SAE with the one rule for a concept's steering feature
// (core/steering/conceptFeature.ts: steer-eval's measured choice, else a writer, else the best detector) — never a
// hard-coded index, so the presets follow the SAEs when they are retrained. Strengths are those steer-eval measured
// (×5 writes the concept in every sampled continuation on every committed SAE; ×−5 removes it from nearly all).
import type { FeatureSummaryFile } from '../../core/analysis/featureFolder.ts'
import { conceptSteeringFeature, type ConceptFeature } from '../../core/steering/conceptFeature.ts'
import type { SteeringReport } from '../../core/steering/steeringReport.ts'
import { conceptStartTokenIds } from '../../core/world/conceptWords.ts'
import type { SteerFeature } from '../../store/index.ts'

export interface SteerPreset {
  id: string
  label: string
  concept: string
  /** The prompt; null takes steer-eval's suppression prompt for the concept (one whose continuations carry it). */
  prompt: string | null
  mode: SteerFeature['mode']
  /** Multiple of the feature's max activation; negative suppresses. */
  multiple: number
}

/** A prompt whose greedy continuation mentions the river (steer-eval's suppression prompt), for SAEs it did not measure. */
const RIVER_PROMPT = 'About Marrow:'

export const TINYWORLD_PRESETS: readonly SteerPreset[] = [
  { id: 'bridge', label: 'Bridge, clamped high', concept: 'bridge', prompt: 'Some sums:', mode: 'clamp', multiple: 5 },
  { id: 'secrecy', label: 'Secrecy, clamped high', concept: 'secrecy', prompt: 'Some sums:', mode: 'clamp', multiple: 5 },
  { id: 'suppress-river', label: 'Suppress the river', concept: 'river', prompt: null, mode: 'clamp', multiple: -5 },
]

/** The feature (and, for suppression, steer-eval's prompt) that stands for `concept` in this SAE; null if none does. */
export function presetFeature(summary: FeatureSummaryFile, saeId: string, concept: string, report: SteeringReport | null, suppress = false): ConceptFeature | null {
  return conceptSteeringFeature({ saeId, concept, suppress, report, rows: summary.features, conceptTokens: conceptStartTokenIds(concept, summary.vocab) })
}

export const presetPrompt = (p: SteerPreset, feature: ConceptFeature): string => p.prompt ?? feature.prompt ?? RIVER_PROMPT
