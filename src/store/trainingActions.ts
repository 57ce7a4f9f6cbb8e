// Training actions over the training worker: list the saved runs, start (fresh or fine-tuning), pause, resume,
// restart, cancel, delete, export a zip, open a finished SAE in the model worker (Loader, inspector, steering), and
// bring a finished run's saved dashboards and map back into the explorer after a reload.
import type { TrainingRunSettings } from '../core/sae/trainingRunSettings.ts'
import type { SaeSourceSpec, SaeSummary } from '../workers/saeProtocol.ts'
import { TrainingRequestError, type TrainingWorkerClient } from '../workers/trainingClient.ts'
import { trainedSaeId, type RunEndedResponse, type TrainingRunSummary } from '../workers/trainingProtocol.ts'
import type { AppStore } from './appStore.ts'
import type { SaeActions } from './saeActions.ts'

/** Where a fine-tune starts: an SAE of the index (by its folder next to the page) or picked files (a zip, or cfg + weights). */
export type FineTuneInput = { kind: 'path'; path: string; label: string } | { kind: 'files'; files: { name: string; data: Blob | ArrayBuffer | Uint8Array }[]; label: string }

export interface TrainingActions {
  /** Lists the runs saved in this browser (after a reload: interrupted ones too). */
  refresh(): Promise<void>
  start(input: { name: string; settings: TrainingRunSettings; fineTune: FineTuneInput | null }): Promise<void>
  resume(runId: string): Promise<void>
  /** Trains an unfinished run again from step 0 (one cut off before its first checkpoint cannot resume). */
  restart(runId: string): Promise<void>
  pause(runId: string): Promise<void>
  cancel(runId: string): Promise<void>
  remove(runId: string): Promise<void>
  select(runId: string): void
  /** The run's SAELens folder as a zip (with training_settings.json); null when it failed (the error is in the store). */
  exportZip(runId: string): Promise<{ fileName: string; zip: Uint8Array } | null>
  /** Loads the finished SAE into the model worker under trainedSaeId(run). */
  open(runId: string): Promise<SaeSummary | null>
  /**
   * Puts a finished run's saved dashboards and map in the explorer (a reload empties it); true once they are
   * there. Cheap when they already are.
   */
  showAnalysis(runId: string): Promise<boolean>
  /**
   * showAnalysis for the run behind a trained SAE's id (`trained/<name>-<id>`), listing the saved runs first if
   * needed: what a bookmarked or reloaded URL of a trained SAE's features or map needs. False when no run has it.
   */
  showAnalysisOf(saeId: string): Promise<boolean>
  dismissError(): void
}

export function createTrainingActions(store: AppStore, opts: { spawn: () => TrainingWorkerClient; saes: SaeActions; pageUrl: string; hubEndpoint?: string }): TrainingActions {
  const get = store.getState
  let client: TrainingWorkerClient | null = null
  const worker = () => {
    if (client && !client.alive) client = null
    client ??= opts.spawn()
    return client
  }
  const fail = (err: unknown) => {
    const code = err instanceof TrainingRequestError ? err.code : 'UNKNOWN'
    get().patchTraining({ lastError: { code, message: err instanceof Error ? err.message : String(err) } })
  }

  /** The training worker loads the model the app has loaded, on the same backend. */
  const ensureModel = async () => {
    const loaded = get().model.loaded
    if (!loaded) throw new TrainingRequestError('INVALID_ARGUMENT', 'Load a model first: training reads its activations', 'loadTrainingModel')
    const w = get().training.worker
    // The worker reports the backend it started (the app's may have fallen back since): ask it.
    if (w.status === 'ready' && w.source === loaded.summary.source && w.requested === loaded.backend.name) return
    get().patchTraining({ worker: { status: 'loading', source: loaded.summary.source, backend: null, requested: loaded.backend.name } })
    try {
      const reply = await worker().request({ type: 'loadTrainingModel', source: loaded.summary.source, backend: loaded.backend.name, ...(opts.hubEndpoint ? { hubEndpoint: opts.hubEndpoint } : {}) })
      get().patchTraining({ worker: { status: 'ready', source: reply.source, backend: reply.backend, requested: loaded.backend.name } })
    } catch (err) {
      get().patchTraining({ worker: { status: 'idle', source: null, backend: null, requested: null } })
      throw err
    }
  }

  const open = async (runId: string): Promise<SaeSummary | null> => {
    const run = get().training.runs[runId]
    if (!run) return null
    get().patchTraining({ opening: { ...get().training.opening, [runId]: true } })
    try {
      const reply = await worker().request({ type: 'runFiles', runId })
      const saeId = trainedSaeId(run)
      const loaded = await opts.saes.loadSae({ kind: 'files', files: reply.files }, saeId)
      // The explorer reads summaries, shards and maps from the store, so they open as for the committed SAEs.
      if (loaded && reply.analysis) get().analysisArrived(saeId, { ...reply.analysis, map: reply.analysis.map ?? null })
      return loaded
    } catch (err) {
      fail(err)
      return null
    } finally {
      const { [runId]: _done, ...opening } = get().training.opening
      get().patchTraining({ opening })
    }
  }

  const showAnalysis = async (runId: string): Promise<boolean> => {
    const run = get().training.runs[runId]
    if (!run) return false
    const saeId = trainedSaeId(run)
    if (get().explorer.summaries[saeId]?.status === 'ready') return true
    try {
      const { analysis } = await worker().request({ type: 'runAnalysis', runId })
      if (!analysis) throw new TrainingRequestError('INVALID_ARGUMENT', `Run ${run.name} has no saved dashboards (their analysis failed when it finished)`, 'runAnalysis')
      get().analysisArrived(saeId, { ...analysis, map: analysis.map ?? null })
      return true
    } catch (err) {
      fail(err)
      return false
    }
  }

  /** Streams a run's updates into the store; a finished run's SAE opens at once. */
  const drive = async (request: Promise<RunEndedResponse>) => {
    try {
      const ended = await request
      get().trainingRunUpdated(ended.run)
      if (ended.outcome === 'cancelled') get().trainingRunRemoved(ended.run.runId)
      get().patchTraining({ activeRunId: null, starting: false })
      if (ended.outcome === 'finished') await open(ended.run.runId)
    } catch (err) {
      get().patchTraining({ activeRunId: null, starting: false })
      fail(err)
      await refresh()
    }
  }
  const onUpdate = (run: TrainingRunSummary) => {
    if (get().training.activeRunId !== run.runId) get().patchTraining({ activeRunId: run.runId, selectedRunId: run.runId, starting: false })
    get().trainingRunUpdated(run)
  }

  const refresh = async () => {
    try {
      get().trainingRunsListed((await worker().request({ type: 'listRuns' })).runs)
    } catch (err) {
      fail(err)
    }
  }

  const control = async (type: 'pauseRun' | 'cancelRun' | 'deleteRun', runId: string) => {
    try {
      await worker().request({ type, runId })
      if (get().training.activeRunId !== runId) {
        if (type === 'pauseRun') await refresh()
        else get().trainingRunRemoved(runId)
      }
    } catch (err) {
      fail(err)
    }
  }

  return {
    refresh,
    async start({ name, settings, fineTune }) {
      if (get().training.activeRunId || get().training.starting) return
      get().patchTraining({ starting: true, lastError: null })
      let spec: SaeSourceSpec | null = null
      if (fineTune?.kind === 'path') spec = { kind: 'source', source: new URL(fineTune.path, opts.pageUrl).href }
      else if (fineTune?.kind === 'files') spec = { kind: 'files', files: fineTune.files }
      try {
        await ensureModel()
      } catch (err) {
        get().patchTraining({ starting: false })
        fail(err)
        return
      }
      await drive(worker().request({ type: 'startRun', name, settings, fineTune: spec && fineTune ? { spec, label: fineTune.label } : null }, (e) => onUpdate(e.run)))
    },
    async resume(runId) {
      if (get().training.activeRunId || get().training.starting) return
      get().patchTraining({ starting: true, lastError: null, selectedRunId: runId })
      await drive(worker().request({ type: 'resumeRun', runId }, (e) => onUpdate(e.run)))
    },
    async restart(runId) {
      if (get().training.activeRunId || get().training.starting) return
      get().patchTraining({ starting: true, lastError: null, selectedRunId: runId })
      await drive(worker().request({ type: 'restartRun', runId }, (e) => onUpdate(e.run)))
    },
    pause: (runId) => control('pauseRun', runId),
    cancel: (runId) => control('cancelRun', runId),
    remove: (runId) => control('deleteRun', runId),
    select: (runId) => get().patchTraining({ selectedRunId: runId }),
    async exportZip(runId) {
      try {
        const reply = await worker().request({ type: 'exportRun', runId })
        return { fileName: reply.fileName, zip: reply.zip }
      } catch (err) {
        fail(err)
        return null
      }
    },
    open,
    showAnalysis,
    async showAnalysisOf(saeId) {
      const find = () => Object.values(get().training.runs).find((r) => r.status === 'finished' && trainedSaeId(r) === saeId)
      if (!find()) await refresh()
      const run = find()
      return run ? showAnalysis(run.runId) : false
    },
    dismissError: () => get().patchTraining({ lastError: null }),
  }
}
