// Training slice: the training worker's model, the runs saved in this browser (by id, as the worker reports
// them) and the last error. Plain data only; charts read the runs' logs from here.
import type { StateCreator } from 'zustand/vanilla'
import type { BackendInfo, BackendName } from '../workers/protocol.ts'
import type { TrainingRunSummary } from '../workers/trainingProtocol.ts'

export interface TrainingState {
  /** The training worker's own copy of the model. */
  worker: { status: 'idle' | 'loading' | 'ready'; source: string | null; backend: BackendInfo | null; requested: BackendName | null }
  runs: Record<string, TrainingRunSummary>
  /** The run the charts show (the one training, else the last chosen). */
  selectedRunId: string | null
  /** The run a request is training right now, in this tab. */
  activeRunId: string | null
  /** A start is in flight (fine-tune download, buffer fill) before the run has an id. */
  starting: boolean
  lastError: { code: string; message: string } | null
  /** Runs whose SAE is being loaded into the model worker. */
  opening: Record<string, boolean>
}

export interface TrainingSlice {
  training: TrainingState
  patchTraining(update: Partial<TrainingState>): void
  trainingRunUpdated(run: TrainingRunSummary): void
  trainingRunsListed(runs: TrainingRunSummary[]): void
  trainingRunRemoved(runId: string): void
}

export const initialTrainingState = (): TrainingState => ({
  worker: { status: 'idle', source: null, backend: null, requested: null },
  runs: {},
  selectedRunId: null,
  activeRunId: null,
  starting: false,
  lastError: null,
  opening: {},
})

export const createTrainingSlice: StateCreator<TrainingSlice, [], [], TrainingSlice> = (set) => {
  const patch = (update: (t: TrainingState) => Partial<TrainingState>) => set((s) => ({ training: { ...s.training, ...update(s.training) } }))
  return {
    training: initialTrainingState(),
    patchTraining: (update) => patch(() => update),
    trainingRunUpdated: (run) => patch((t) => ({ runs: { ...t.runs, [run.runId]: run } })),
    trainingRunsListed: (runs) =>
      patch((t) => {
        // The run training in this tab is reported by its own stream, which is newer than any listing.
        const next = Object.fromEntries(runs.map((r) => [r.runId, r]))
        if (t.activeRunId && t.runs[t.activeRunId]) next[t.activeRunId] = t.runs[t.activeRunId]!
        return { runs: next, selectedRunId: t.selectedRunId ?? runs[0]?.runId ?? null }
      }),
    trainingRunRemoved: (runId) =>
      patch((t) => {
        const { [runId]: _gone, ...runs } = t.runs
        return { runs, selectedRunId: t.selectedRunId === runId ? null : t.selectedRunId }
      }),
  }
}
