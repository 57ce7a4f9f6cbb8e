// Hooks over the explorer's store data: the index's SAEs, a summary (fetched on first use) and a feature's page.
import { useEffect } from 'react'
import type { FeatureSummaryFile } from '../../core/analysis/featureFolder.ts'
import type { FeatureNeuronsFile } from '../../core/analysis/featureNeuronsFile.ts'
import type { ConceptCeilingsFile } from '../../core/analysis/conceptCeilingsFile.ts'
import type { FeatureRecord } from '../../core/analysis/format.ts'
import type { SaeIndexEntry } from '../../core/analysis/saeIndex.ts'
import { shardKey, type Loadable } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'

const NO_SAES: SaeIndexEntry[] = []

export function useIndexSaes(): SaeIndexEntry[] {
  return useAppState((s) => (s.explorer.index?.status === 'ready' ? s.explorer.index.data.saes : NO_SAES))
}

/**
 * A trained SAE's saved dashboards and map, brought back into the explorer when its URL is opened after a reload
 * (the run list's links do it on click; a bookmark or a reload of the page needs it here).
 */
export function useTrainedAnalysis(saeId: string | null, missing: boolean): void {
  const actions = useActions()
  useEffect(() => {
    if (saeId !== null && missing && saeId.startsWith('trained/')) void actions.training.showAnalysisOf(saeId)
  }, [actions, saeId, missing])
}

export function useSummary(saeId: string | null): Loadable<FeatureSummaryFile> | null {
  const actions = useActions()
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  const summary = useAppState((s) => (saeId === null ? null : (s.explorer.summaries[saeId] ?? null)))
  // Asked again once the SAE is in the worker: "not loaded" becomes "not analysed yet" (the analysis is offered).
  const loaded = useAppState((s) => saeId !== null && saeId in s.saes.loaded)
  useEffect(() => {
    if (saeId !== null && indexReady) void actions.explorer.loadSummary(saeId)
  }, [actions, saeId, indexReady, loaded])
  useTrainedAnalysis(saeId, summary !== null && summary.status === 'error')
  return summary
}

/** An index SAE's features-vs-neurons table, fetched on first use; null until asked, or for SAEs outside the index. */
export function useNeurons(saeId: string): FeatureNeuronsFile | null {
  const actions = useActions()
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  const table = useAppState((s) => s.explorer.neurons[saeId] ?? null)
  useEffect(() => {
    if (indexReady) void actions.explorer.loadNeurons(saeId)
  }, [actions, saeId, indexReady])
  return table?.status === 'ready' ? table.data : null
}

/** The probe ceilings of an index SAE's hook (null until loaded, or where there are none). */
export function useCeilings(saeId: string): ConceptCeilingsFile | null {
  const actions = useActions()
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  const file = useAppState((s) => s.explorer.ceilings[saeId] ?? null)
  useEffect(() => {
    if (indexReady) void actions.explorer.loadCeilings(saeId)
  }, [actions, saeId, indexReady])
  return file?.status === 'ready' ? file.data : null
}

export type PageState = { status: 'loading' } | { status: 'error'; code: string; message: string } | { status: 'ready'; page: FeatureRecord; summary: FeatureSummaryFile }

export function useFeaturePage(saeId: string, index: number): PageState {
  const actions = useActions()
  const summary = useSummary(saeId)
  const shardSize = summary?.status === 'ready' ? summary.data.shard_size : null
  const shard = useAppState((s) => (shardSize === null ? null : (s.explorer.shards[shardKey(saeId, Math.floor(index / shardSize))] ?? null)))
  useEffect(() => {
    if (summary?.status === 'ready') void actions.explorer.loadFeature(saeId, index)
  }, [actions, saeId, index, summary?.status])
  if (summary === null || summary.status === 'loading') return { status: 'loading' }
  if (summary.status === 'error') return { status: 'error', code: summary.code, message: summary.message }
  if (index < 0 || index >= summary.data.sae.d_sae) return { status: 'error', code: 'INVALID_ARGUMENT', message: `Feature ${index} does not exist: ${saeId} has ${summary.data.sae.d_sae} features (0–${summary.data.sae.d_sae - 1})` }
  if (shard === null || shard.status === 'loading') return { status: 'loading' }
  if (shard.status === 'error') return { status: 'error', code: shard.code, message: shard.message }
  const page = shard.data[index % summary.data.shard_size]
  return page ? { status: 'ready', page, summary: summary.data } : { status: 'error', code: 'ANALYSIS_FORMAT', message: `Feature ${index} is missing from its shard` }
}

/** A token as the user should see it: spaces and newlines visible, so contexts read as text. */
export function tokenText(vocab: readonly string[] | null, id: number): string {
  const text = vocab?.[id] ?? `[${id}]`
  return text.replace(/\n/g, '⏎')
}

export const formatDensity = (d: number): string => (d === 0 ? '0' : d >= 0.01 ? `${(100 * d).toFixed(1)}%` : `${(100 * d).toPrecision(2)}%`)
export const formatAct = (v: number): string => (v === 0 ? '0' : v >= 100 ? v.toFixed(0) : v.toPrecision(3))

/** A short label of an SAE for selects and headers: its last path segment. */
export const saeLabel = (saeId: string): string => saeId.split('/').pop() || saeId
