// The loaded SAEs as chips on the loaders' line: the last part of each id shown, the whole id and shape in the title
// and accessible name, × to unload. One line that scrolls inside itself, so SAEs landing one by one move nothing below.
import { useActions, useAppState } from '../../appContext.tsx'

export function LoadedSaeChips({ labelledBy }: { labelledBy: string }) {
  const actions = useActions()
  const loaded = useAppState((s) => s.saes.loaded)
  const loading = useAppState((s) => Object.keys(s.saes.loading).length)
  const indexSkipped = useAppState((s) => s.explorer.indexSaesSkipped)
  const saes = Object.values(loaded)
  return (
    <ul className="sae-chips" data-testid="sae.loaded" aria-labelledby={labelledBy}>
      {saes.map((s) => {
        const detail = `${s.id} · ${s.architecture}${s.k !== null ? ` k=${s.k}` : ''} · ${s.dSae} features · ${s.hookName ?? 'no hook'}${s.weightsSha256 ? ` · weights SHA-256 ${s.weightsSha256}` : ''}`
        return (
          <li key={s.id} className="sae-chip" data-testid="sae.loaded-item" data-sae-id={s.id} data-weights-sha256={s.weightsSha256 ?? ''} title={detail}>
            <span className="mono">{s.id.split('/').pop()}</span>
            <span className="visually-hidden"> ({detail})</span>
            <button type="button" className="quiet" aria-label={`Unload ${s.id}`} onClick={() => void actions.saes.unloadSae(s.id)}>
              ×
            </button>
          </li>
        )
      })}
      {loading > 0 && <li className="muted">loading {loading}…</li>}
      {indexSkipped !== null && (
        <li className="muted sae-skipped" data-testid="sae.index-skipped" title={indexSkipped}>
          The default SAEs are left out: {indexSkipped}. Load SAEs made for this model, or train one.
        </li>
      )}
      {saes.length === 0 && loading === 0 && indexSkipped === null && <li className="muted">none yet (the defaults load with the model)</li>}
    </ul>
  )
}
