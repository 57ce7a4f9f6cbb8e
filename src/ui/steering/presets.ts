// TinyWorld presets, resolved against the chosen SAE's precomputed summary: each names a concept, and the feature
// is whichever one the analysis matched to that concept with the highest AUROC — never a hard-coded index, so the
// presets follow the SAEs when they are retrained.
import type { FeatureSummaryRow } from '../../core/analysis/featureFolder.ts'
import type { SteerFeature } from '../../store/index.ts'

export interface SteerPreset {
  id: string
  label: string
  concept: string
  prompt: string
  mode: SteerFeature['mode']
  /** Multiple of the feature's max activation. */
  multiple: number
}

export const TINYWORLD_PRESETS: readonly SteerPreset[] = [
  { id: 'bridge', label: 'Bridge, clamped high', concept: 'bridge', prompt: 'Some sums:', mode: 'clamp', multiple: 10 },
  { id: 'secrecy', label: 'Secrecy, clamped high', concept: 'secrecy', prompt: 'Near Portwell, Otto met Ben.', mode: 'clamp', multiple: 10 },
  { id: 'suppress-river', label: 'Suppress the river', concept: 'river', prompt: 'About Marrow:', mode: 'clamp', multiple: -10 },
]

/** The feature matched to `concept` with the highest AUROC, or null when the analysis matched none to it. */
export function featureForConcept(rows: readonly FeatureSummaryRow[], concept: string): FeatureSummaryRow | null {
  let best: FeatureSummaryRow | null = null
  for (const row of rows) {
    if (row.concept?.name !== concept || !(row.max_act > 0)) continue
    if (!best || row.concept.auroc > best.concept!.auroc) best = row
  }
  return best
}
