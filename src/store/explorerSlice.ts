// Explorer slice: the SAE index, per-SAE feature summaries, shards of full feature pages, the joint map and the
// prompt inspector — all plain JSON as read from the precomputed files or returned by the worker.
import type { StateCreator } from 'zustand/vanilla'
import type { FeatureSummaryFile } from '../core/analysis/featureFolder.ts'
import type { FeatureMapFile, FeatureRecord } from '../core/analysis/format.ts'
import type { SaeIndex } from '../core/analysis/saeIndex.ts'
import type { AnalysisStage, ExplorerAnalysis } from '../workers/analysisProtocol.ts'
import type { FeatureNeuronsFile } from '../core/analysis/featureNeuronsFile.ts'
import type { ConceptCeilingsFile } from '../core/analysis/conceptCeilingsFile.ts'
import type { ShareState } from '../core/steering/shareState.ts'
import type { AttributionResponse, PromptFeaturesResponse } from '../workers/saeProtocol.ts'
import type { SteeringReport } from '../core/steering/steeringReport.ts'
import type { ScalingSweepFile } from '../core/sae/scaling/scalingReport.ts'

export type Loadable<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; code: string; message: string }

export interface InspectorState {
  text: string
  /** Token ids to inspect instead of the text (a generated sequence, exactly as generated); cleared when the text is edited. */
  ids: number[] | null
  /** The steering demo whose steered column these ids came from: "why" then explains the steered model. */
  steering: ShareState | null
  /** "Why this token?" for one of the inspected tokens: its features by attribution and ablation. */
  why: { status: 'idle' | 'running' | 'ready' | 'error'; position: number | null; result: AttributionResponse | null; error: { code: string; message: string } | null }
  /** The SAE the inspector reads (null: the first one loaded). */
  saeId: string | null
  status: 'idle' | 'running' | 'ready' | 'error'
  result: PromptFeaturesResponse | null
  error: { code: string; message: string } | null
}

/** "Analyse this SAE" for a loaded SAE without precomputed files: running, finished, failed or cancelled. */
export type AnalysisJob =
  | { status: 'running'; stage: AnalysisStage | 'queued'; fraction: number; tokens: number }
  | { status: 'done'; tokens: number; elapsedMs: number }
  | { status: 'error'; code: string; message: string }
  | { status: 'cancelled' }

export interface ExplorerState {
  index: Loadable<SaeIndex> | null
  summaries: Record<string, Loadable<FeatureSummaryFile>>
  /** Keyed by shardKey(saeId, shard). */
  shards: Record<string, Loadable<FeatureRecord[]>>
  /** The index's joint map of the committed SAEs. */
  map: Loadable<FeatureMapFile> | null
  /** Maps of single SAEs analysed in the browser (loaded or trained), by SAE id. */
  saeMaps: Record<string, FeatureMapFile>
  analyses: Record<string, AnalysisJob>
  inspector: InspectorState
  /** Index SAEs' features-vs-neurons tables (neurons/<sae>.json), by SAE id. */
  neurons: Record<string, Loadable<FeatureNeuronsFile>>
  /** Index SAEs' concept probe ceilings (concept_ceilings.json beside their folders), by SAE id. */
  ceilings: Record<string, Loadable<ConceptCeilingsFile>>
  /** Why the index's SAEs were left out beside the loaded model (they read another model), or null. */
  indexSaesSkipped: string | null
  /** steer-eval's report for the index's SAEs (which feature steers each concept), once fetched; null without one. */
  steeringReport: Loadable<SteeringReport> | null
  /** The index family's scaling sweep (scaling/scaling.json under its reports folder), once asked for. */
  scaling: Loadable<ScalingSweepFile> | null
}

/** The summary code of a loaded SAE that has no analysis yet: the explorer offers to analyse it. */
export const NOT_ANALYSED = 'NOT_ANALYSED'

export const shardKey = (saeId: string, shard: number): string => `${saeId}#${shard}`

/** A TinyWorld sentence about the planted bridge: every word is in the default model's vocabulary. */
export const DEFAULT_INSPECTOR_TEXT = 'The dog can see the Golden Arc Bridge from here .'

export interface ExplorerSlice {
  explorer: ExplorerState
  setIndex(index: Loadable<SaeIndex>): void
  setSummary(saeId: string, summary: Loadable<FeatureSummaryFile>): void
  setShard(saeId: string, shard: number, pages: Loadable<FeatureRecord[]>): void
  setMap(map: Loadable<FeatureMapFile>): void
  setAnalysisJob(saeId: string, job: AnalysisJob): void
  /** Puts an analysis computed in a worker where the explorer reads precomputed files: summary, every shard, map. */
  analysisArrived(saeId: string, analysis: ExplorerAnalysis): void
  /** Drops an SAE's explorer data (it was replaced by another SAE under the same id). */
  forgetAnalysis(saeId: string): void
  patchInspector(update: Partial<InspectorState>): void
  setIndexSaesSkipped(reason: string | null): void
  setNeurons(saeId: string, table: Loadable<FeatureNeuronsFile>): void
  setCeilings(saeId: string, file: Loadable<ConceptCeilingsFile>): void
  setSteeringReport(report: Loadable<SteeringReport>): void
  setScaling(scaling: Loadable<ScalingSweepFile>): void
}

export const NO_WHY: InspectorState['why'] = { status: 'idle', position: null, result: null, error: null }

export const initialExplorerState = (): ExplorerState => ({
  index: null,
  summaries: {},
  shards: {},
  map: null,
  saeMaps: {},
  analyses: {},
  inspector: { text: DEFAULT_INSPECTOR_TEXT, ids: null, steering: null, saeId: null, status: 'idle', result: null, error: null, why: NO_WHY },
  indexSaesSkipped: null,
  neurons: {},
  ceilings: {},
  steeringReport: null,
  scaling: null,
})

export const createExplorerSlice: StateCreator<ExplorerSlice, [], [], ExplorerSlice> = (set) => {
  const patch = (update: (e: ExplorerState) => Partial<ExplorerState>) => set((s) => ({ explorer: { ...s.explorer, ...update(s.explorer) } }))
  return {
    explorer: initialExplorerState(),
    setIndex: (index) => patch(() => ({ index })),
    setIndexSaesSkipped: (indexSaesSkipped) => patch(() => ({ indexSaesSkipped })),
    setNeurons: (saeId, table) => patch((e) => ({ neurons: { ...e.neurons, [saeId]: table } })),
    setCeilings: (saeId, file) => patch((e) => ({ ceilings: { ...e.ceilings, [saeId]: file } })),
    setSteeringReport: (steeringReport) => patch(() => ({ steeringReport })),
    setScaling: (scaling) => patch(() => ({ scaling })),
    setSummary: (saeId, summary) => patch((e) => ({ summaries: { ...e.summaries, [saeId]: summary } })),
    setShard: (saeId, shard, pages) => patch((e) => ({ shards: { ...e.shards, [shardKey(saeId, shard)]: pages } })),
    setMap: (map) => patch(() => ({ map })),
    setAnalysisJob: (saeId, job) => patch((e) => ({ analyses: { ...e.analyses, [saeId]: job } })),
    analysisArrived: (saeId, analysis) =>
      patch((e) => {
        const shards = { ...e.shards }
        analysis.shards.forEach((features, shard) => (shards[shardKey(saeId, shard)] = { status: 'ready', data: features }))
        const { [saeId]: _old, ...otherMaps } = e.saeMaps
        return {
          summaries: { ...e.summaries, [saeId]: { status: 'ready', data: analysis.summary } },
          shards,
          saeMaps: analysis.map ? { ...otherMaps, [saeId]: analysis.map } : otherMaps,
        }
      }),
    forgetAnalysis: (saeId) =>
      patch((e) => {
        const { [saeId]: _summary, ...summaries } = e.summaries
        const { [saeId]: _map, ...saeMaps } = e.saeMaps
        const { [saeId]: _job, ...analyses } = e.analyses
        const prefix = shardKey(saeId, 0).slice(0, -1)
        const shards = Object.fromEntries(Object.entries(e.shards).filter(([key]) => !(key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)))))
        return { summaries, saeMaps, analyses, shards }
      }),
    patchInspector: (update) => patch((e) => ({ inspector: { ...e.inspector, ...update } })),
  }
}
