// "Explain with an LLM" on the feature list: an OpenAI-compatible endpoint (Ollama, llama.cpp, vLLM, hosted APIs)
// explains and scores this feature, the features shown or every live one, capped; results are cached by the SAE's
// weights hash, feature, model and prompt version, and show wherever the features appear.
import { useState } from 'react'
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { NumberField } from '../../prompt/NumberField.tsx'
import { LlmRunStatus } from './LlmRunStatus.tsx'
import { LlmSettingsFields } from './LlmSettingsFields.tsx'
import { readLlmSettings, writeLlmSettings, type LlmSettings } from './llmSettings.ts'

type Scope = 'feature' | 'shown' | 'live'

/** Each feature costs three requests (explain, simulate, detect): a cap keeps a hosted API's bill in view. */
const DEFAULT_LIMIT = 50

export function LlmExplainPanel({ saeId, summary, shown }: { saeId: string; summary: FeatureSummaryFile; shown: readonly number[] }) {
  const actions = useActions()
  const run = useAppState((s) => s.explanations.llmRun)
  const saeLoaded = useAppState((s) => saeId in s.saes.loaded)
  const [settings, setSettings] = useState<LlmSettings>(readLlmSettings)
  const [scope, setScope] = useState<Scope>('shown')
  const [feature, setFeature] = useState<number>(shown[0] ?? 0)
  const [limit, setLimit] = useState(DEFAULT_LIMIT)
  const busy = run.status === 'running' || run.status === 'cancelling'

  const live = (indices: readonly number[]) => indices.filter((i) => (summary.features[i]?.density ?? 0) > 0)
  const chosen = scope === 'feature' ? [feature] : scope === 'shown' ? live(shown) : live(summary.features.map((f) => f.index))
  const features = chosen.slice(0, Math.max(1, limit))
  const ready = saeLoaded && settings.baseUrl.trim() !== '' && settings.model.trim() !== '' && features.length > 0 && !busy

  const update = (next: LlmSettings) => {
    setSettings(next)
    writeLlmSettings(next)
  }
  const start = () => {
    writeLlmSettings(settings)
    void actions.explanations.explainWithLlm({ saeId, features, baseUrl: settings.baseUrl.trim(), model: settings.model.trim(), apiKey: settings.apiKey || null })
  }

  return (
    <details className="llm-panel" data-testid="llm.panel">
      <summary data-testid="llm.toggle">Explain with an LLM</summary>
      <p className="muted small">
        Any OpenAI-compatible chat endpoint: it explains each feature from its top examples (Bills et al.&apos;s prompt), then simulates and detects on
        held-out contexts to score the explanation. The key is sent only to this endpoint.
      </p>
      <LlmSettingsFields value={settings} onChange={update} disabled={busy} />
      <div className="toolbar">
        <label className="field">
          <span>Explain</span>
          <select data-testid="llm.scope" value={scope} onChange={(e) => setScope(e.target.value as Scope)} disabled={busy}>
            <option value="feature">this feature</option>
            <option value="shown">the live features shown ({live(shown).length})</option>
            <option value="live">all live features ({live(summary.features.map((f) => f.index)).length})</option>
          </select>
        </label>
        {scope === 'feature' && <NumberField label="Feature" testId="llm.feature" value={feature} min={0} max={summary.sae.d_sae - 1} step={1} integer onChange={setFeature} />}
        <NumberField label="At most" testId="llm.limit" value={limit} min={1} max={summary.sae.d_sae} step={1} integer onChange={setLimit} />
        <button type="button" data-testid="llm.start" disabled={!ready} onClick={start}>
          Start ({features.length})
        </button>
        <button type="button" className="secondary" data-testid="llm.cancel" disabled={run.status !== 'running'} onClick={() => actions.explanations.cancelLlm()}>
          Cancel
        </button>
      </div>
      {!saeLoaded && <p className="status">Waiting for the SAE to load: its weights&apos; hash keys the cache.</p>}
      {run.status !== 'idle' && run.saeId === saeId && <LlmRunStatus run={run} />}
    </details>
  )
}
