// The model and SAE loaders as one line once a model is ready: what is loaded (the model, each SAE as a chip) and a
// button that expands the full forms. Open by itself while no model is ready or an SAE failed to load; otherwise
// the user's choice. The forms stay mounted when collapsed, so a drop or a file pick still reaches them.
import { useId, useState } from 'react'
import { useAppState } from '../appContext.tsx'
import { SaeLoader } from '../explorer/loader/SaeLoader.tsx'
import { LoadedSaeChips } from '../explorer/loader/LoadedSaeChips.tsx'
import { ModelLoader } from './ModelLoader.tsx'
import { sourceLabel } from '../../store/index.ts'

export function LoadersBar() {
  const id = useId()
  const status = useAppState((s) => s.model.status)
  const loaded = useAppState((s) => s.model.loaded)
  const saeError = useAppState((s) => s.saes.lastError !== null)
  const [choice, setChoice] = useState<boolean | null>(null) // null: follow the app's state
  const expanded = choice ?? (status !== 'ready' || saeError)
  const model = loaded ? `${sourceLabel(loaded.summary.source)} · ${loaded.summary.family}, ${loaded.summary.nLayers} layers` : status === 'loading' ? 'loading…' : 'none'
  return (
    <section className="panel loaders" aria-label="Model and SAEs" data-testid="loaders.bar" data-expanded={expanded}>
      <div className="loaders-line">
        <span className="loaders-model" data-testid="loaders.model">
          <span className="loaders-key">Model</span> <span className="mono">{model}</span>
        </span>
        <span className="loaders-key" id={`${id}-saes`}>
          SAEs
        </span>
        <LoadedSaeChips labelledBy={`${id}-saes`} />
        <button type="button" className="secondary loaders-toggle" data-testid="loaders.toggle" aria-expanded={expanded} aria-controls={`${id}-forms`} onClick={() => setChoice(!expanded)}>
          {expanded ? 'Hide loaders' : 'Change…'}
        </button>
      </div>
      <div id={`${id}-forms`} className="loaders-forms" hidden={!expanded}>
        <ModelLoader />
        <SaeLoader />
      </div>
    </section>
  )
}
