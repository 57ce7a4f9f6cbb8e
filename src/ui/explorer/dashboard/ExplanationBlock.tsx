// The dashboard's explanation: the label a feature shows everywhere (user edit, LLM, file, concept or tokens), how it
// was made, its simulation and detection scores with what they mean, and Edit / Reset for the user's own text.
import { useState } from 'react'
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { labelOf } from '../featureLabel.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'
import { ExplanationEditor } from './ExplanationEditor.tsx'
import { formatScore, GLOSSARY, methodName, SOURCE_NAMES } from './explanationText.ts'

export function ExplanationBlock({ saeId, page, summary }: { saeId: string; page: FeatureRecord; summary: FeatureSummaryFile }) {
  const actions = useActions()
  const extra = useSaeExplanations(saeId)
  const storageError = useAppState((s) => s.explanations.storageError)
  const [editing, setEditing] = useState(false)
  const label = labelOf(summary, page.index, extra, page.explanation)
  const e = label.explanation
  const hasUser = extra.user[page.index] !== undefined
  const save = (text: string) => {
    setEditing(false)
    void actions.explanations.saveUser(saeId, page.index, text)
  }
  return (
    <section className="explanation" data-testid="dashboard.explanation" data-source={label.source} aria-label="Explanation">
      <div className="explanation-head">
        <h3>Explanation</h3>
        {!editing && (
          <button type="button" className="secondary" data-testid="dashboard.explanation-edit" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {hasUser && !editing && (
          <button type="button" className="secondary" data-testid="dashboard.explanation-reset" onClick={() => void actions.explanations.resetUser(saeId, page.index)} title="Drop your text: show the LLM's or the file's explanation again">
            Reset
          </button>
        )}
      </div>
      {editing ? (
        <ExplanationEditor initial={label.text} onSave={save} onCancel={() => setEditing(false)} />
      ) : (
        <p className="explanation-text" data-testid="dashboard.explanation-text" title={label.text}>
          {label.text || <span className="muted">No explanation (the feature never fired).</span>}
        </p>
      )}
      <dl className="explanation-meta">
        <div>
          <dt>Source</dt>
          <dd data-testid="dashboard.explanation-method">{e ? methodName(e.method) : SOURCE_NAMES[label.source]}</dd>
        </div>
        <div>
          <dt title={GLOSSARY.simulation}>Simulation score</dt>
          <dd data-testid="dashboard.explanation-score" data-score={e?.score ?? ''} title={GLOSSARY.simulation}>
            {e?.score == null ? '—' : formatScore(e.score)}
          </dd>
        </div>
        <div>
          <dt title={GLOSSARY.detection}>Detection score</dt>
          <dd data-testid="dashboard.explanation-detection" data-score={e?.detection ?? ''} title={GLOSSARY.detection}>
            {e?.detection == null ? '—' : formatScore(e.detection)}
          </dd>
        </div>
        {e?.explainer && (
          <div>
            <dt>Explainer</dt>
            <dd data-testid="dashboard.explanation-explainer">
              {e.explainer}
              {e.prompt_version ? <span className="muted"> · {e.prompt_version}</span> : null}
            </dd>
          </div>
        )}
      </dl>
      {label.source === 'user' && (
        <p className="muted small" data-testid="dashboard.explanation-user-note">
          {GLOSSARY.userScoring}
        </p>
      )}
      {label.source !== 'file' && page.explanation && (
        <p className="muted small" data-testid="dashboard.explanation-file">
          The analysis file says: {page.explanation.text} ({page.explanation.score == null ? 'unscored' : `simulation ${formatScore(page.explanation.score)}`})
        </p>
      )}
      {storageError && <p className="error-inline small">{storageError}</p>}
      <details className="glossary">
        <summary>What do the scores mean?</summary>
        <p>{GLOSSARY.simulation}</p>
        <p>{GLOSSARY.detection}</p>
      </details>
    </section>
  )
}
