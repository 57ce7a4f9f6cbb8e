// One progress bar per SAE load in flight: bytes so far, of how many when every server said, and the file in flight.
import { useAppState } from '../../appContext.tsx'
import { formatBytes } from '../../loader/format.ts'

export function SaeProgress() {
  const loading = useAppState((s) => s.saes.loading)
  const entries = Object.entries(loading)
  // The slot stays when nothing loads: the default SAEs load after the model is ready, and a bar that came and went
  // moved the prompt panel below by a line or two while the user reached for Generate.
  if (entries.length === 0) return <div className="sae-progress-slot" />
  return (
    <div className="sae-progress-slot" data-testid="sae.progress">
      {entries.map(([id, load]) => {
        const loaded = load.progress.reduce((a, p) => a + p.loaded, 0)
        const unknown = load.progress.some((p) => p.total === null)
        const total = load.progress.reduce((a, p) => a + (p.total ?? p.loaded), 0)
        const percent = total > 0 ? Math.min(99, Math.floor((100 * loaded) / total)) : 0
        const current = load.progress.find((p) => p.total === null || p.loaded < p.total)
        return (
          <div className="progress" key={id}>
            <div className="progress-track" role="progressbar" aria-label={`Loading ${load.label}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
              <div className="progress-fill" style={{ width: `${percent}%` }} />
            </div>
            <div className="progress-text">
              {load.label}
              {current ? ` · ${current.file}` : ''} · {formatBytes(loaded)}
              {unknown || total === 0 ? '' : ` of ${formatBytes(total)}`}
            </div>
          </div>
        )
      })}
    </div>
  )
}
