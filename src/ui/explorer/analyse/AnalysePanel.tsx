// "Analyse this SAE": for a loaded SAE without precomputed files (a URL, the Hub, dropped files), runs the
// analysis in the model worker — dashboards, and a UMAP map of its decoder directions — on TinyWorld's labelled
// generator (concept matches included) or on a text the user picks, with a progress bar and Cancel.
import { useId, useState, type FormEvent } from 'react'
import { serializeError } from '../../../core/errors.ts'
import { ANALYSIS_TOKENS, type AnalysisStage } from '../../../workers/analysisProtocol.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { NumberField } from '../../prompt/NumberField.tsx'
import { readTextFile } from '../../shell/readTextFile.ts'

const STAGE_TEXT: Record<AnalysisStage | 'queued', string> = {
  queued: 'waiting for the model',
  activations: 'running the corpus through the model and SAE',
  'ground-truth': 'matching TinyWorld concepts',
  logits: 'logit effects',
  neighbours: 'decoder neighbours',
  map: 'laying out the map (UMAP)',
}

export function AnalysePanel({ saeId, wantMap = true }: { saeId: string; wantMap?: boolean }) {
  const actions = useActions()
  const id = useId()
  const job = useAppState((s) => s.explorer.analyses[saeId] ?? null)
  const sae = useAppState((s) => s.saes.loaded[saeId] ?? null)
  // TinyWorld's generator only makes sense for a model with TinyWorld's vocabulary; any other model reads a text.
  const tinyWorld = useAppState((s) => s.model.loaded?.summary.speaksTinyWorld === true)
  const [corpusKind, setCorpusKind] = useState<'world' | 'text'>(tinyWorld ? 'world' : 'text')
  const [seed, setSeed] = useState(1)
  const [tokens, setTokens] = useState<number>(ANALYSIS_TOKENS.default)
  const [map, setMap] = useState(wantMap)
  const [text, setText] = useState<{ name: string; text: string } | null>(null)
  const [textError, setTextError] = useState<string | null>(null)
  const running = job?.status === 'running'
  const textMissing = corpusKind === 'text' && (text === null || text.text.trim() === '')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (running || textMissing || !sae) return
    const corpus = corpusKind === 'world' ? { kind: 'world' as const, seed } : { kind: 'text' as const, name: text!.name, text: text!.text }
    void actions.explorer.analyse(saeId, { corpus, tokens, map })
  }

  return (
    <form className="analyse" data-testid="analyse.panel" onSubmit={submit} noValidate aria-label={`Analyse ${saeId}`}>
      <p>
        <span className="mono">{saeId}</span>
        {sae ? ` (${sae.architecture}, ${sae.dSae} features, ${sae.hookName ?? 'no hook'})` : ''} has no precomputed analysis. Analyse it here: the
        model worker runs a corpus through the model and the SAE and builds the same feature list, dashboards and map as for the committed SAEs.
      </p>
      <div className="toolbar">
        <div className="field">
          <label htmlFor={`${id}-corpus`}>Corpus</label>
          <select id={`${id}-corpus`} data-testid="analyse.corpus" value={corpusKind} onChange={(e) => setCorpusKind(e.target.value as 'world' | 'text')} disabled={running}>
            <option value="world">TinyWorld generator (concept matches)</option>
            <option value="text">Text file (one text per line)</option>
          </select>
        </div>
        {corpusKind === 'world' ? (
          <NumberField label="Seed" testId="analyse.seed" value={seed} onChange={setSeed} min={0} step={1} integer />
        ) : (
          <div className="field">
            <label htmlFor={`${id}-text`}>Text file</label>
            <input
              id={`${id}-text`}
              type="file"
              accept=".txt,text/plain"
              data-testid="analyse.text-file"
              disabled={running}
              onChange={(e) => {
                const file = e.target.files?.[0]
                setText(null)
                setTextError(null)
                if (!file) return
                readTextFile(file).then(
                  (t) => setText({ name: file.name, text: t }),
                  (err: unknown) => setTextError(serializeError(err).message),
                )
              }}
            />
            {textError && (
              <span className="error-inline" role="alert" data-testid="analyse.text-error">
                {textError}
              </span>
            )}
          </div>
        )}
        <NumberField label="Tokens" testId="analyse.tokens" value={tokens} onChange={setTokens} min={ANALYSIS_TOKENS.min} max={ANALYSIS_TOKENS.max} step={1000} integer />
        <label className="checkbox">
          <input type="checkbox" checked={map} onChange={(e) => setMap(e.target.checked)} data-testid="analyse.map" disabled={running} /> build its map
        </label>
        {running ? (
          <button type="button" data-testid="analyse.cancel" onClick={() => void actions.explorer.cancelAnalysis(saeId)}>
            Cancel
          </button>
        ) : (
          <button type="submit" data-testid="analyse.start" disabled={!sae || textMissing}>
            Analyse
          </button>
        )}
      </div>
      {!sae && <p className="hint">Load this SAE first with the SAE loader: the analysis runs on the loaded weights.</p>}
      {running && (
        <div className="progress" data-testid="analyse.progress" data-stage={job.stage}>
          <div className="progress-track" role="progressbar" aria-label={`Analysing ${saeId}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(100 * job.fraction)}>
            <div className={`progress-fill${job.stage === 'queued' ? ' indeterminate' : ''}`} style={{ width: `${job.stage === 'queued' ? 100 : Math.round(100 * job.fraction)}%` }} />
          </div>
          <div className="progress-text">
            {Math.round(100 * job.fraction)}% · {STAGE_TEXT[job.stage]} · {job.tokens.toLocaleString()} tokens
          </div>
        </div>
      )}
      {job?.status === 'error' && (
        <p className="error-inline" data-testid="analyse.error" data-code={job.code}>
          {job.message}
        </p>
      )}
      {job?.status === 'cancelled' && (
        <p className="status" data-testid="analyse.cancelled">
          Analysis cancelled.
        </p>
      )}
    </form>
  )
}
