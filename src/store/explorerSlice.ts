// Explorer slice: the SAE index, per-SAE feature summaries, shards of full feature pages, the joint map and the
// prompt inspector — all plain JSON as read from the precomputed files or returned by the worker.
import type { StateCreator } from 'zustand/vanilla'
import type { FeatureSummaryFile } from '../core/analysis/featureFolder.ts'
import type { FeatureMapFile, FeatureRecord } from '../core/analysis/format.ts'
import type { SaeIndex } from '../core/analysis/saeIndex.ts'
import type { PromptFeaturesResponse } from '../workers/saeProtocol.ts'

export type Loadable<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; code: string; message: string }

export interface InspectorState {
  text: string
  /** The SAE the inspector reads (null: the first one loaded). */
  saeId: string | null
  status: 'idle' | 'running' | 'ready' | 'error'
  result: PromptFeaturesResponse | null
  error: { code: string; message: string } | null
}

export interface ExplorerState {
  index: Loadable<SaeIndex> | null
  summaries: Record<string, Loadable<FeatureSummaryFile>>
  /** Keyed by shardKey(saeId, shard). */
  shards: Record<string, Loadable<FeatureRecord[]>>
  map: Loadable<FeatureMapFile> | null
  inspector: InspectorState
}

export const shardKey = (saeId: string, shard: number): string => `${saeId}#${shard}`

/** A TinyWorld sentence about the planted bridge: every word is in the default model's vocabulary. */
export const DEFAULT_INSPECTOR_TEXT = 'The dog can see the Golden Arc Bridge from here .'

export interface ExplorerSlice {
  explorer: ExplorerState
  setIndex(index: Loadable<SaeIndex>): void
  setSummary(saeId: string, summary: Loadable<FeatureSummaryFile>): void
  setShard(saeId: string, shard: number, pages: Loadable<FeatureRecord[]>): void
  setMap(map: Loadable<FeatureMapFile>): void
  patchInspector(update: Partial<InspectorState>): void
}

export const initialExplorerState = (): ExplorerState => ({
  index: null,
  summaries: {},
  shards: {},
  map: null,
  inspector: { text: DEFAULT_INSPECTOR_TEXT, saeId: null, status: 'idle', result: null, error: null },
})

export const createExplorerSlice: StateCreator<ExplorerSlice, [], [], ExplorerSlice> = (set) => {
  const patch = (update: (e: ExplorerState) => Partial<ExplorerState>) => set((s) => ({ explorer: { ...s.explorer, ...update(s.explorer) } }))
  return {
    explorer: initialExplorerState(),
    setIndex: (index) => patch(() => ({ index })),
    setSummary: (saeId, summary) => patch((e) => ({ summaries: { ...e.summaries, [saeId]: summary } })),
    setShard: (saeId, shard, pages) => patch((e) => ({ shards: { ...e.shards, [shardKey(saeId, shard)]: pages } })),
    setMap: (map) => patch(() => ({ map })),
    patchInspector: (update) => patch((e) => ({ inspector: { ...e.inspector, ...update } })),
  }
}
