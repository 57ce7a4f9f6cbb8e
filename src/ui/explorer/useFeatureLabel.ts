// Hooks behind every feature label: an SAE's stored user and LLM explanations (read from IndexedDB on first use,
// again once its weights hash is known) and one feature's label from them and the SAE's summary, when loaded.
import { useEffect } from 'react'
import type { FeatureSummaryFile } from '../../core/analysis/featureFolder.ts'
import { EMPTY_SAE_EXPLANATIONS, type SaeExplanations } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { labelOf, type FeatureLabel } from './featureLabel.ts'

export function useSaeExplanations(saeId: string | null): SaeExplanations {
  const actions = useActions()
  // Read again when the SAE loads (its LLM explanations key on its weights) or its hash arrives.
  const hash = useAppState((s) => (saeId === null || !s.saes.loaded[saeId] ? null : (s.saes.loaded[saeId].weightsSha256 ?? 'no-hash')))
  const held = useAppState((s) => (saeId === null ? undefined : s.explanations.bySae[saeId]))
  useEffect(() => {
    if (saeId !== null) void actions.explanations.load(saeId)
  }, [actions, saeId, hash])
  return held ?? EMPTY_SAE_EXPLANATIONS
}

/** The SAE's summary if the store has it; never fetches (a neighbour's SAE may be one nobody opened). */
export function useLoadedSummary(saeId: string | null): FeatureSummaryFile | null {
  return useAppState((s) => {
    const entry = saeId === null ? undefined : s.explorer.summaries[saeId]
    return entry?.status === 'ready' ? entry.data : null
  })
}

export function useFeatureLabel(saeId: string | null, index: number): FeatureLabel {
  const summary = useLoadedSummary(saeId)
  const extra = useSaeExplanations(saeId)
  return labelOf(summary, index, extra)
}
