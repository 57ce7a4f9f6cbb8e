// Contrastive search: two prompt sets (typed one per line, or on TinyWorld drawn by concept) → the features whose mean
// activation differs most between them, and with a target token those whose attribution to its logit differs most.
// Each row links to the feature's dashboard.
import { useState, type FormEvent } from 'react'
import { CONCEPTS } from '../../../core/world/concepts.ts'
import type { ContrastResponse, ContrastSets } from '../../../workers/saeProtocol.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { WorkerRequestError } from '../../../workers/client.ts'
import { LoadedSaeSelect } from '../LoadedSaeSelect.tsx'
import { ContrastTable } from './ContrastTable.tsx'

/** The committed SAE the README's measurements use: picked first when it is loaded. */
const PREFERRED_SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'

type Run = { status: 'idle' | 'running' } | { status: 'ready'; result: ContrastResponse } | { status: 'error'; code: string; message: string }

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '')

export function ContrastPage() {
  const actions = useActions()
  const loaded = useAppState((s) => s.saes.loaded)
  const modelReady = useAppState((s) => s.model.status === 'ready')
  const tinyWorld = useAppState((s) => s.model.loaded?.summary.speaksTinyWorld === true)
  const ids = Object.keys(loaded)
  const [picked, setPicked] = useState<string | null>(null)
  const saeId = picked ?? (ids.includes(PREFERRED_SAE) ? PREFERRED_SAE : (ids[0] ?? null))
  const [mode, setMode] = useState<'concept' | 'texts'>('concept')
  const byConcept = tinyWorld && mode === 'concept'
  const [concept, setConcept] = useState('bridge')
  const [prompts, setPrompts] = useState(32)
  const [seed, setSeed] = useState(1)
  const [withText, setWithText] = useState('')
  const [withoutText, setWithoutText] = useState('')
  const [target, setTarget] = useState('')
  const [run, setRun] = useState<Run>({ status: 'idle' })
  const canRun = modelReady && saeId !== null && run.status !== 'running' && (byConcept || (lines(withText).length > 0 && lines(withoutText).length > 0))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!canRun || saeId === null) return
    const sets: ContrastSets = byConcept ? { kind: 'concept', concept, prompts, seed } : { kind: 'texts', with: lines(withText), without: lines(withoutText) }
    setRun({ status: 'running' })
    try {
      setRun({ status: 'ready', result: await actions.saes.contrast(saeId, sets, target === '' ? null : target) })
    } catch (err) {
      setRun({ status: 'error', code: err instanceof WorkerRequestError ? err.code : 'UNKNOWN', message: err instanceof Error ? err.message : String(err) })
    }
  }

  return (
    <section className="panel contrast" data-testid="contrast.panel" aria-label="Contrastive search">
      <form onSubmit={(e) => void submit(e)}>
        <div className="toolbar">
          <LoadedSaeSelect ids={ids} value={saeId} onChange={setPicked} testId="contrast.sae" />
          {tinyWorld && (
            <label className="field">
              <span>Prompts</span>
              <select data-testid="contrast.mode" value={mode} onChange={(e) => setMode(e.target.value as 'concept' | 'texts')}>
                <option value="concept">TinyWorld concept</option>
                <option value="texts">typed</option>
              </select>
            </label>
          )}
          <label className="field">
            <span>Target token (optional)</span>
            <input data-testid="contrast.target" value={target} onChange={(e) => setTarget(e.target.value)} placeholder=" Bridge" spellCheck={false} />
          </label>
        </div>
        {byConcept ? (
          <div className="toolbar">
            <label className="field">
              <span>Concept</span>
              <select data-testid="contrast.concept" value={concept} onChange={(e) => setConcept(e.target.value)}>
                {CONCEPTS.map((c) => (
                  <option key={c.name} value={c.name} title={c.description}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Windows per set</span>
              <input data-testid="contrast.prompts" type="number" min={1} max={256} value={prompts} onChange={(e) => setPrompts(Math.max(1, Math.round(Number(e.target.value)) || 1))} />
            </label>
            <label className="field">
              <span>Seed</span>
              <input data-testid="contrast.seed" type="number" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.round(Number(e.target.value)) || 0))} />
            </label>
          </div>
        ) : (
          <div className="contrast-sets">
            <label className="field grow">
              <span>With the concept (one prompt per line)</span>
              <textarea data-testid="contrast.with" rows={6} value={withText} onChange={(e) => setWithText(e.target.value)} spellCheck={false} />
            </label>
            <label className="field grow">
              <span>Without it</span>
              <textarea data-testid="contrast.without" rows={6} value={withoutText} onChange={(e) => setWithoutText(e.target.value)} spellCheck={false} />
            </label>
          </div>
        )}
        <button type="submit" data-testid="contrast.run" disabled={!canRun}>
          {run.status === 'running' ? 'Contrasting…' : 'Contrast'}
        </button>
      </form>
      {!modelReady && <p className="status">Waiting for the model…</p>}
      {modelReady && saeId === null && <p className="status">Load an SAE to contrast prompt sets.</p>}
      {run.status === 'error' && (
        <p className="error-inline" data-testid="contrast.error" data-code={run.code}>
          {run.message}
        </p>
      )}
      <div data-testid="contrast.result" data-state={run.status}>
        {run.status === 'ready' && <ContrastTable result={run.result} />}
      </div>
    </section>
  )
}
