// One bar for the whole download (all files), with the file in flight named beside it.
import type { FileProgress } from '../../store/index.ts'
import { useAppState } from '../appContext.tsx'
import { formatBytes } from './format.ts'

function summarize(progress: FileProgress[]) {
  const loaded = progress.reduce((sum, p) => sum + p.loaded, 0)
  const unknown = progress.some((p) => p.total === null)
  const total = progress.reduce((sum, p) => sum + (p.total ?? p.loaded), 0)
  const current = progress.find((p) => p.total === null || p.loaded < p.total) ?? progress[progress.length - 1]
  return { loaded, total, unknown, current }
}

export function DownloadProgress() {
  const progress = useAppState((s) => s.model.progress)
  const loading = useAppState((s) => s.model.status === 'loading')
  if (progress.length === 0 && !loading) return null
  const { loaded, total, unknown, current } = summarize(progress)
  const done = !loading
  const percent = done ? 100 : total > 0 ? Math.min(99, Math.floor((100 * loaded) / total)) : 0
  return (
    <div className="progress" data-testid="loader.progress" data-state={done ? 'done' : 'loading'}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Model download"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={unknown && !done ? undefined : percent}
      >
        <div className={`progress-fill${unknown && !done ? ' indeterminate' : ''}`} style={{ width: `${unknown && !done ? 100 : percent}%` }} />
      </div>
      <div className="progress-text">
        {done ? 'Downloaded' : current ? `Downloading ${current.file}` : 'Starting…'} · {formatBytes(loaded)}
        {unknown && !done ? '' : ` of ${formatBytes(total)}`}
      </div>
    </div>
  )
}
