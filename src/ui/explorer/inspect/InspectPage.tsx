// The prompt inspector: run text through the model and an SAE; each token shows its top features with values;
// clicking a token lists all its active features; a feature opens its dashboard; "Why …?" explains the token.
import { useEffect, type FormEvent } from 'react'
import { useActions, useAppState } from '../../appContext.tsx'
import { LoadedSaeSelect } from '../LoadedSaeSelect.tsx'
import { WhyPanel } from '../why/WhyPanel.tsx'
import { InspectTokens } from './InspectTokens.tsx'

export function InspectPage() {
  const actions = useActions()
  const inspector = useAppState((s) => s.explorer.inspector)
  const loaded = useAppState((s) => s.saes.loaded)
  const modelReady = useAppState((s) => s.model.status === 'ready')
  const ids = Object.keys(loaded)
  const saeId = inspector.saeId ?? ids[0] ?? null
  const canRun = modelReady && saeId !== null && inspector.text.trim() !== '' && inspector.status !== 'running'

  // First visit with a model and an SAE: show the default sentence's features at once.
  useEffect(() => {
    if (modelReady && saeId !== null && inspector.status === 'idle' && inspector.text.trim() !== '') void actions.explorer.inspect()
  }, [actions, modelReady, saeId, inspector.status, inspector.text])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (canRun) void actions.explorer.inspect()
  }

  return (
    <section className="panel inspect" data-testid="inspect.panel" aria-label="Prompt inspector">
      <form className="toolbar" onSubmit={submit}>
        <LoadedSaeSelect ids={ids} value={saeId} onChange={(id) => actions.explorer.setInspectorSae(id)} testId="inspect.sae" />
        <label className="field grow">
          <span>Text</span>
          <input data-testid="inspect.input" value={inspector.text} onChange={(e) => actions.explorer.setInspectorText(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit" data-testid="inspect.run" disabled={!canRun}>
          {inspector.status === 'running' ? 'Running…' : 'Inspect'}
        </button>
      </form>
      {!modelReady && <p className="status">Waiting for the model…</p>}
      {modelReady && saeId === null && <p className="status">Load an SAE to inspect text.</p>}
      {inspector.error && (
        <p className="error-inline" data-testid="inspect.error" data-code={inspector.error.code}>
          {inspector.error.message}
        </p>
      )}
      <div data-testid="inspect.result" data-state={inspector.status}>
        {inspector.result && <InspectTokens result={inspector.result} onPick={(position) => void actions.explorer.inspect(position)} onExplain={(position) => void actions.explorer.explainToken(position)} />}
      </div>
      <WhyPanel />
    </section>
  )
}
