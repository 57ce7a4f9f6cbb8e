// Shows what failed in words, the worker's detail, and a button for the way out; the rest of the app keeps working.
import type { AppError } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { writeUrlParam } from '../urlState.ts'
import { describeError, RECOVERY_LABEL, type Recovery } from './errorMessages.ts'

function ErrorItem({ error }: { error: AppError }) {
  const actions = useActions()
  const text = describeError(error)
  const recover = (recovery: Recovery) => {
    actions.dismissError(error.id)
    switch (recovery) {
      case 'loadDefault':
        return void actions.loadDefaultModel()
      case 'autoBackend':
        writeUrlParam('backend', null)
        return void actions.setBackendPreference('auto')
      case 'restartWorker':
        return void actions.restartWorker()
    }
  }
  return (
    <li className="error-item" data-testid="shell.error-item" data-code={error.code}>
      <div className="error-text">
        <strong className="error-title">{text.title}</strong>
        <span className="error-detail" data-testid="shell.error-detail">
          {error.message}
        </span>
        <span className="error-hint">{text.hint}</span>
      </div>
      <div className="error-buttons">
        {text.recovery && (
          <button type="button" data-testid="shell.error-action" onClick={() => recover(text.recovery!)}>
            {RECOVERY_LABEL[text.recovery]}
          </button>
        )}
        <button type="button" className="quiet" data-testid="shell.error-dismiss" aria-label={`Dismiss: ${text.title}`} onClick={() => actions.dismissError(error.id)}>
          ×
        </button>
      </div>
    </li>
  )
}

export function ErrorBanner() {
  const errors = useAppState((s) => s.errors)
  if (errors.length === 0) return null
  return (
    <section className="error-banner" data-testid="shell.error" role="alert" aria-label="Errors">
      <ul>
        {errors.map((error) => (
          <ErrorItem key={error.id} error={error} />
        ))}
      </ul>
    </section>
  )
}
