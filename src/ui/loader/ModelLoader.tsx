// Chooses and loads a model: the embedded TinyWorld by default, or a folder URL or Hub repo typed in.
import { useId, type FormEvent } from 'react'
import { DEFAULT_MODEL_SOURCE } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { DownloadProgress } from './DownloadProgress.tsx'
import { ModelStatusLine } from './ModelStatusLine.tsx'

export function ModelLoader() {
  const id = useId()
  const sourceInput = useAppState((s) => s.model.sourceInput)
  const loading = useAppState((s) => s.model.status === 'loading')
  const actions = useActions()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void actions.loadModel()
  }

  return (
    <section className="panel loader" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Model</h2>
      <form className="loader-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={`${id}-source`}>Model source</label>
          <input
            id={`${id}-source`}
            data-testid="loader.source"
            value={sourceInput}
            onChange={(event) => actions.setSourceInput(event.target.value)}
            placeholder={`${DEFAULT_MODEL_SOURCE}, https://…/model or hf:owner/name`}
            aria-describedby={`${id}-help`}
            spellCheck={false}
            autoComplete="off"
          />
        </div>
        <button type="submit" data-testid="loader.load" disabled={loading || sourceInput.trim() === ''}>
          {loading ? 'Loading…' : 'Load'}
        </button>
        <button type="button" className="secondary" data-testid="loader.default" disabled={loading} onClick={() => void actions.loadDefaultModel()}>
          Default
        </button>
      </form>
      <p id={`${id}-help`} className="help">
        A folder next to this page, a base URL in Hugging Face layout, or a Hub repo id (hf:owner/name[@revision]).
      </p>
      <DownloadProgress />
      <ModelStatusLine />
    </section>
  )
}
