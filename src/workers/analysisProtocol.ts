// The model worker's analysis messages: "analyse this SAE" for an SAE the user loaded (URL, Hub, files) or
// trained, so its feature list, dashboards and map work as for the committed SAEs, whose analysis is precomputed.
// Stopped with the shared 'stop' request. Type-only imports: the main thread imports this file (no tfjs).
import type { AnalysisPhase } from '../core/analysis/analyze.ts'
import type { FeatureSummaryFile } from '../core/analysis/featureFolder.ts'
import type { FeatureMapFile, FeatureRecord } from '../core/analysis/format.ts'
import type { RequestId } from './protocol.ts'

/** An SAE's explorer data, as the committed SAEs' files hold it: the summary, its shards' pages (shard i = file i), and its own map. */
export interface ExplorerAnalysis {
  summary: FeatureSummaryFile
  shards: FeatureRecord[][]
  /** A UMAP layout of this SAE's decoder directions; null when not asked for (or, in old saved runs, absent). */
  map: FeatureMapFile | null
}

/** TinyWorld's labelled generator (concept matches included), or a user's text: one document per line. */
export type AnalysisCorpusInput = { kind: 'world'; seed: number } | { kind: 'text'; name: string; text: string }

export interface AnalyseSaeRequest {
  type: 'analyseSae'
  requestId: RequestId
  /** An SAE the worker holds (SaeSession id). */
  saeId: string
  corpus: AnalysisCorpusInput
  /** Tokens to analyse: more gives rarer features their top examples, at ~2× a forward pass's time. */
  tokens: number
  /** Loaded SAEs on the same hook to list each feature's nearest decoder directions in (feature splitting). */
  neighbourSaeIds: string[]
  /** Also lay out the decoder directions with UMAP (seconds for a few thousand features). */
  map: boolean
}

export type AnalysisStage = AnalysisPhase | 'map'

export interface AnalysisProgressResponse {
  type: 'analysisProgress'
  requestId: RequestId
  stage: AnalysisStage
  /** 0–1 over the whole request. */
  fraction: number
}

export interface SaeAnalysedResponse {
  type: 'saeAnalysed'
  requestId: RequestId
  saeId: string
  analysis: ExplorerAnalysis
  tokens: number
  elapsedMs: number
  numTensors: number
}

export type AnalysisRequest = AnalyseSaeRequest
export type AnalysisResponse = AnalysisProgressResponse | SaeAnalysedResponse

/** The final reply of each analysis request; protocol.ts spreads this into FINAL_RESPONSE. */
export const ANALYSIS_FINAL_RESPONSE = {
  analyseSae: 'saeAnalysed',
} as const satisfies Record<AnalysisRequest['type'], AnalysisResponse['type']>

/** Bounds on a request, so a typo cannot freeze the worker for an hour. */
export const ANALYSIS_TOKENS = { min: 256, max: 200_000, default: 20_000 } as const
