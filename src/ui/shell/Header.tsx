// The top bar: the app's name, the loaded model, the backend that actually runs (and what Automatic skipped), and
// the backend choice.
import { useAppState } from '../appContext.tsx'
import { sourceLabel } from '../../store/index.ts'
import { BackendNote } from './BackendNote.tsx'
import { BackendSelect } from './BackendSelect.tsx'

export function Header() {
  const loaded = useAppState((s) => s.model.loaded)
  const status = useAppState((s) => s.model.status)
  const backend = loaded?.backend
  return (
    <header className="shell-header">
      <h1 className="shell-title">
        Monoscope<span className="shell-tagline">sparse autoencoders in a browser tab</span>
      </h1>
      <div className="shell-model" data-testid="shell.model">
        {loaded ? sourceLabel(loaded.summary.source) : status === 'loading' ? 'loading…' : 'no model'}
      </div>
      <div className="shell-backend" title={backend?.detail}>
        <span className="shell-backend-label">Backend in use</span>
        <span className="badge" data-testid="shell.backend" data-backend={backend?.name ?? ''} aria-live="polite">
          {backend?.name ?? '—'}
        </span>
        {backend && (
          <span className="shell-backend-detail" data-testid="shell.backend-detail">
            {backend.detail}
          </span>
        )}
      </div>
      <BackendSelect />
      {backend && <BackendNote backend={backend} />}
    </header>
  )
}
