// Loads SAEs into the worker: the default ones come from the index; others from a folder next to the page, a URL,
// a Hub repo (with subfolder), or files picked or dropped here. A bad file shows an error; loaded SAEs stay (they
// are listed on the loaders' line, LoadedSaeChips).
import { useId, useState, type DragEvent, type FormEvent } from 'react'
import { useActions, useAppState } from '../../appContext.tsx'
import { SaeProgress } from './SaeProgress.tsx'

export function SaeLoader() {
  const id = useId()
  const actions = useActions()
  const lastError = useAppState((s) => s.saes.lastError)
  const [source, setSource] = useState('')
  const [subfolder, setSubfolder] = useState('')
  const [dragging, setDragging] = useState(false)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (source.trim()) void actions.saes.loadSae({ kind: 'source', input: source.trim(), subfolder: subfolder.trim() || undefined })
  }
  const loadFiles = (files: FileList | null) => {
    if (files && files.length > 0) void actions.saes.loadSae({ kind: 'files', files: [...files].map((f) => ({ name: f.webkitRelativePath || f.name, data: f })) })
  }
  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    loadFiles(event.dataTransfer.files)
  }

  return (
    <section
      className={`panel sae-loader${dragging ? ' dragging' : ''}`}
      aria-labelledby={`${id}-title`}
      data-testid="sae.loader"
      onDragOver={(e) => {
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id={`${id}-title`}>SAEs</h2>
      <form className="loader-form" onSubmit={submit}>
        <div className="field grow">
          <label htmlFor={`${id}-source`}>SAE source</label>
          <input id={`${id}-source`} data-testid="sae.source" value={source} onChange={(e) => setSource(e.target.value)} placeholder="saes/…, https://…/sae or hf:owner/name" spellCheck={false} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sub`}>Subfolder</label>
          <input id={`${id}-sub`} data-testid="sae.subfolder" value={subfolder} onChange={(e) => setSubfolder(e.target.value)} placeholder="blocks.8.hook_resid_pre" spellCheck={false} autoComplete="off" />
        </div>
        <button type="submit" data-testid="sae.load" disabled={source.trim() === ''}>
          Load SAE
        </button>
      </form>
      <div className="field">
        <label htmlFor={`${id}-files`}>Or pick (or drop here) cfg.json + sae_weights.safetensors, or a SAELens zip</label>
        <input id={`${id}-files`} type="file" multiple data-testid="sae.files" accept=".json,.safetensors,.zip" onChange={(e) => loadFiles(e.target.files)} />
      </div>
      <SaeProgress />
      {lastError && (
        <p className="error-inline" role="status" data-testid="sae.error" data-code={lastError.code}>
          Could not load {lastError.label}: {lastError.message}
        </p>
      )}
    </section>
  )
}
