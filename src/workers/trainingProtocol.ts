// The typed messages between the main thread and the training worker (a worker of its own, see trainingWorker.ts):
// load the model, start / pause / resume / restart / cancel runs, list the runs saved in IndexedDB, export a finished SAE.
// Type-only imports: the main thread imports this file, and it must never pull tfjs in.
import type { CeMeasurement, TrainingResult } from '../core/sae/trainingRun.ts'
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import type { TrainLogEntry } from '../core/sae/trainLog.ts'
import type { ExplorerAnalysis } from './analysisProtocol.ts'
import type { BackendInfo, BackendName, RequestId, WorkerErrorCode } from './protocol.ts'
import type { SaeSourceSpec } from './saeProtocol.ts'

export type { CeMeasurement, TrainingRunSettings, TrainLogEntry }

/**
 * 'preparing': filling the activation buffer (or fast-forwarding a resumed run); 'interrupted': saved as running
 * but no worker runs it (the tab was reloaded or crashed): it resumes from its last checkpoint.
 */
export type TrainingRunStatus = 'preparing' | 'running' | 'paused' | 'interrupted' | 'finished' | 'failed'

export interface TrainingRunSummary {
  runId: string
  name: string
  status: TrainingRunStatus
  /** Steps completed (of the last checkpoint when not running). */
  step: number
  totalSteps: number
  settings: TrainingRunSettings
  /** The model it trains on (absolute URL or hf:…), and the backend: resuming on the same one is bit-identical. */
  modelSource: string
  backend: BackendName
  /** The SAE a fine-tune started from (its label), or null for a fresh SAE. */
  fineTunedFrom: string | null
  createdAt: number
  updatedAt: number
  log: TrainLogEntry[]
  ce: CeMeasurement[]
  /** Training tokens per second over this sitting; null before the first steps. */
  tokensPerSecond: number | null
  etaSeconds: number | null
  /** While preparing: rows filled, or batches fast-forwarded, of the total. */
  prepare: { phase: 'fill' | 'skip' | 'analyse'; done: number; total: number } | null
  error: { code: WorkerErrorCode; message: string } | null
  final: TrainingResult['final'] | null
  /**
   * A checkpoint is saved, so the run can resume from it. False before the first one (the buffer was still
   * filling when the tab closed): such a run can only start again (restartRun), and a finished run keeps none.
   */
  hasCheckpoint: boolean
  /** What a finished run's saved analysis holds (dashboards, and a map unless saved before maps); null: none. */
  analysed: { map: boolean } | null
}

export interface TrainingFile {
  name: string
  data: Uint8Array
}

/** A finished SAE's dashboards and map, as the explorer reads them (saved runs from before maps have none). */
export type TrainedAnalysis = ExplorerAnalysis

// ---- requests ----------------------------------------------------------------------------------------------

export interface LoadTrainingModelRequest {
  type: 'loadTrainingModel'
  requestId: RequestId
  /** Absolute URL or hf:owner/name, as the model worker loaded it. */
  source: string
  backend: BackendName
  /** The Hub mirror the app uses for 'hf:' sources (LoadModelRequest.hubEndpoint). */
  hubEndpoint?: string
}

export interface ListRunsRequest {
  type: 'listRuns'
  requestId: RequestId
}

export interface StartRunRequest {
  type: 'startRun'
  requestId: RequestId
  name: string
  settings: TrainingRunSettings
  /** Fine-tune: the SAE to start from, and its label for the run list. */
  fineTune: { spec: SaeSourceSpec; label: string } | null
}

export interface ResumeRunRequest {
  type: 'resumeRun'
  requestId: RequestId
  runId: string
}

/** Starts an unfinished run again from step 0 with its own settings, model and backend, under the same id. */
export interface RestartRunRequest {
  type: 'restartRun'
  requestId: RequestId
  runId: string
}

export interface RunControlRequest {
  type: 'pauseRun' | 'cancelRun' | 'deleteRun'
  requestId: RequestId
  runId: string
}

export interface ExportRunRequest {
  type: 'exportRun'
  requestId: RequestId
  runId: string
}

export interface RunFilesRequest {
  type: 'runFiles'
  requestId: RequestId
  runId: string
}

/** A finished run's saved dashboards and map alone (after a reload the explorer has lost them). */
export interface RunAnalysisRequest {
  type: 'runAnalysis'
  requestId: RequestId
  runId: string
}

export type TrainingRequest =
  | LoadTrainingModelRequest
  | ListRunsRequest
  | StartRunRequest
  | ResumeRunRequest
  | RestartRunRequest
  | RunControlRequest
  | ExportRunRequest
  | RunFilesRequest
  | RunAnalysisRequest
export type TrainingRequestType = TrainingRequest['type']

// ---- replies -----------------------------------------------------------------------------------------------

export interface TrainingModelLoadedResponse {
  type: 'trainingModelLoaded'
  requestId: RequestId
  source: string
  backend: BackendInfo
}

export interface RunListResponse {
  type: 'runList'
  requestId: RequestId
  /** Newest first. */
  runs: TrainingRunSummary[]
}

/** A stream event of startRun/resumeRun/restartRun: the run as it stands (sent per log entry, checkpoint and phase change). */
export interface RunUpdateResponse {
  type: 'runUpdate'
  requestId: RequestId
  run: TrainingRunSummary
}

/** The final reply of startRun/resumeRun/restartRun: finished (with the SAELens files), paused, or cancelled (deleted). */
export interface RunEndedResponse {
  type: 'runEnded'
  requestId: RequestId
  run: TrainingRunSummary
  outcome: 'finished' | 'paused' | 'cancelled'
  files: TrainingFile[] | null
  analysis: TrainedAnalysis | null
  numTensors: number
}

export interface RunAckResponse {
  type: 'runAck'
  requestId: RequestId
  runId: string
}

export interface RunExportResponse {
  type: 'runExport'
  requestId: RequestId
  runId: string
  /** A zip of one SAELens folder: cfg.json, sae_weights.safetensors, sparsity.safetensors, training_settings.json. */
  fileName: string
  zip: Uint8Array
}

export interface RunFilesResponse {
  type: 'runFilesReply'
  requestId: RequestId
  runId: string
  files: TrainingFile[]
  /** Null when the analysis failed (the SAE itself is fine). */
  analysis: TrainedAnalysis | null
}

export interface RunAnalysisResponse {
  type: 'runAnalysisReply'
  requestId: RequestId
  runId: string
  /** Null when none was saved (the analysis failed; the SAE itself is fine). */
  analysis: TrainedAnalysis | null
}

export interface TrainingErrorResponse {
  type: 'error'
  requestId: RequestId | null
  code: WorkerErrorCode
  message: string
}

export type TrainingResponse =
  | TrainingModelLoadedResponse
  | RunListResponse
  | RunUpdateResponse
  | RunEndedResponse
  | RunAckResponse
  | RunExportResponse
  | RunFilesResponse
  | RunAnalysisResponse
  | TrainingErrorResponse
export type TrainingResponseType = TrainingResponse['type']

export const TRAINING_FINAL_RESPONSE = {
  loadTrainingModel: 'trainingModelLoaded',
  listRuns: 'runList',
  startRun: 'runEnded',
  resumeRun: 'runEnded',
  restartRun: 'runEnded',
  pauseRun: 'runAck',
  cancelRun: 'runAck',
  deleteRun: 'runAck',
  exportRun: 'runExport',
  runFiles: 'runFilesReply',
  runAnalysis: 'runAnalysisReply',
} as const satisfies Record<TrainingRequestType, TrainingResponseType>

export type TrainingRequestOf<T extends TrainingRequestType> = Extract<TrainingRequest, { type: T }>
export type TrainingFinalOf<T extends TrainingRequestType> = Extract<TrainingResponse, { type: (typeof TRAINING_FINAL_RESPONSE)[T] }>
/** Like RequestBody: the client adds the requestId. `type` stays, for the control requests that share a shape. */
export type TrainingBody<T extends TrainingRequestType> = Omit<TrainingRequestOf<T>, 'requestId'> & { type: T }

/** The id loaded SAEs of a run get in the model worker. */
export const trainedSaeId = (run: Pick<TrainingRunSummary, 'runId' | 'name'>): string => `trained/${run.name}-${run.runId.slice(0, 6)}`
