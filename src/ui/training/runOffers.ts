// What a saved run offers, and how its status reads: one decision for the run list (and its test). A run cut off
// before its first checkpoint has nothing to resume from, so it offers Restart (same settings, from step 0) and
// Delete instead of a Resume that could only fail; a fine-tune there can only be started again from the form.
import type { TrainingRunSummary } from '../../workers/trainingProtocol.ts'

export type RunFacts = Pick<TrainingRunSummary, 'status' | 'hasCheckpoint' | 'fineTunedFrom'>

export interface RunOffers {
  pause: boolean
  resume: boolean
  restart: boolean
  /** Stops the run and deletes it (a resumable run's "give up"). */
  cancel: boolean
  delete: boolean
  /** Open in the Loader, export, dashboards and map. */
  finished: boolean
}

const UNFINISHED: ReadonlySet<TrainingRunSummary['status']> = new Set(['paused', 'interrupted', 'failed'])

/** `active`: this tab is training the run right now. */
export function runOffers(run: RunFacts, active: boolean): RunOffers {
  const stopped = !active && UNFINISHED.has(run.status)
  const resume = stopped && run.hasCheckpoint
  const restart = stopped && !run.hasCheckpoint && run.fineTunedFrom === null
  return {
    pause: active,
    resume,
    restart,
    cancel: active || (resume && run.status !== 'failed'),
    delete: !active && (run.status === 'finished' || run.status === 'failed' || (stopped && !run.hasCheckpoint)),
    finished: !active && run.status === 'finished',
  }
}

export function runStatusText(run: RunFacts): string {
  switch (run.status) {
    case 'preparing':
      return 'preparing data'
    case 'running':
      return 'training'
    case 'paused':
    case 'interrupted':
      if (run.hasCheckpoint) return run.status === 'paused' ? 'paused' : 'interrupted (resumable)'
      return run.fineTunedFrom === null ? `${run.status} before its first checkpoint: restart it` : `${run.status} before its first checkpoint: start the fine-tune again from the form`
    case 'finished':
      return 'finished'
    case 'failed':
      return 'failed'
  }
}
