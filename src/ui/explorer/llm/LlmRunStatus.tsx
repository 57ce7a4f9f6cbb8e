// An LLM run's state: a progress bar with done/total and the ETA, then the outcome, and each failed feature.
import type { LlmRunState } from '../../../store/index.ts'
import { hrefs } from '../../router/hashRoute.ts'

const eta = (s: number | null) => (s === null ? '' : s < 60 ? ` · about ${Math.max(1, Math.round(s))} s left` : ` · about ${Math.round(s / 60)} min left`)

export function LlmRunStatus({ run }: { run: LlmRunState }) {
  if (run.status === 'idle') return null
  if (run.status === 'error') {
    return (
      <p className="error-inline" data-testid="llm.error" data-code={run.code}>
        {run.message}
      </p>
    )
  }
  const percent = run.total > 0 ? Math.floor((100 * run.done) / run.total) : 100
  const text =
    run.status === 'done'
      ? `Done: ${run.explained} of ${run.total} explained (${run.cached} from the cache), ${run.failures.length} failed, in ${(run.elapsedMs / 1000).toFixed(1)} s`
      : run.status === 'cancelled'
        ? `Cancelled after ${run.done} of ${run.total}`
        : `${run.status === 'cancelling' ? 'Cancelling' : 'Explaining'}: ${run.done} of ${run.total}${eta(run.etaSeconds)}`
  return (
    <div className="progress llm-status" data-testid="llm.status" data-status={run.status} data-done={run.done} data-total={run.total}>
      <div className="progress-track" role="progressbar" aria-label="LLM explanations" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} data-testid="llm.progress">
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text" data-testid="llm.status-text">
        {text}
      </div>
      {run.failures.length > 0 && (
        <ul className="llm-failures" aria-label="Features that failed">
          {run.failures.map((f) => (
            <li key={f.feature} data-testid="llm.failure" data-feature={f.feature} data-code={f.code}>
              <a href={hrefs.feature(run.saeId, f.feature)}>#{f.feature}</a>: <span className="error-detail">{f.message}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
