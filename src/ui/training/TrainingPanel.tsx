// #/train: train or fine-tune an SAE in a worker of its own, watch its curves, and find every run saved in this
// browser (a reload lists them; interrupted ones resume from their last checkpoint).
import { useEffect } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { RunCharts } from './RunCharts.tsx'
import { RunList } from './RunList.tsx'
import { TrainingForm } from './TrainingForm.tsx'

export function TrainingPanel() {
  const actions = useActions()
  const error = useAppState((s) => s.training.lastError)
  const starting = useAppState((s) => s.training.starting)
  const worker = useAppState((s) => s.training.worker)
  useEffect(() => {
    void actions.training.refresh()
  }, [actions])
  return (
    <section className="panel train-panel" data-testid="train.panel" data-backend={worker.backend?.name ?? ''} data-backend-detail={worker.backend?.detail ?? ''} aria-labelledby="train-title">
      <h2 id="train-title">Train an SAE</h2>
      <p className="help">
        Training runs in its own worker{worker.backend ? ` (${worker.backend.detail})` : ''}, with checkpoints saved in this browser. Finished SAEs open in the
        Loader, the inspector and the steering playground.
      </p>
      <TrainingForm />
      {starting && (
        <p className="status" role="status" data-testid="train.starting">
          Starting: loading the model in the training worker and filling the activation buffer…
        </p>
      )}
      {error && (
        <p className="error-inline" role="alert" data-testid="train.error" data-code={error.code}>
          {error.message}{' '}
          <button type="button" className="quiet" onClick={() => actions.training.dismissError()}>
            Dismiss
          </button>
        </p>
      )}
      <h3>Runs</h3>
      <RunList />
      <RunCharts />
    </section>
  )
}
