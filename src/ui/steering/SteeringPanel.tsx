// The steering playground: choose an SAE and features, set strengths, and generate default and steered text from
// the same seed side by side; "Copy link" shares the whole state (?steer=…).
import { useEffect } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { FeatureControls } from './FeatureControls.tsx'
import { FeaturePicker } from './FeaturePicker.tsx'
import { SteerColumns } from './SteerColumns.tsx'
import { SteerSettings } from './SteerSettings.tsx'
import { ShareLink } from './ShareLink.tsx'
import { useSteerEntry } from './useSteerEntry.ts'

export function SteeringPanel({ featureParam }: { featureParam: string | null }) {
  const actions = useActions()
  useSteerEntry(featureParam)
  const s = useAppState((st) => st.steering)
  const loadedSaes = useAppState((st) => st.saes.loaded)
  const modelReady = useAppState((st) => st.model.status === 'ready')

  // The first loaded SAE until the user (or a link) picks one; its summary gives max activations and presets.
  useEffect(() => {
    const first = Object.keys(loadedSaes)[0]
    if (!s.saeId && first) actions.steering.update({ saeId: first })
  }, [actions, loadedSaes, s.saeId])
  useEffect(() => {
    if (s.saeId) void actions.explorer.loadSummary(s.saeId).catch(() => undefined)
  }, [actions, s.saeId])

  const running = s.run.status !== 'idle'
  const canRun = modelReady && !!s.saeId && loadedSaes[s.saeId] !== undefined && !running
  return (
    <section
      className="panel steer-panel"
      aria-label="Steering playground"
      data-testid="steer.panel"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && canRun) void actions.steering.run()
        if (e.key === 'Escape' && running) void actions.steering.stop()
      }}
    >
      <h2>Steering</h2>
      {s.linkError && (
        <p className="error" role="alert" data-testid="steer.link-error" data-reason={s.linkError.code}>
          This steering link cannot be opened: {s.linkError.message}. The playground below still works.
        </p>
      )}
      <label className="field steer-sae">
        SAE
        <select data-testid="steer.sae" value={s.saeId ?? ''} onChange={(e) => actions.steering.update({ saeId: e.target.value || null, features: [] })}>
          {!s.saeId && <option value="">(load an SAE)</option>}
          {s.saeId && !loadedSaes[s.saeId] && <option value={s.saeId}>{s.saeId} (not loaded)</option>}
          {Object.keys(loadedSaes).map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <FeaturePicker />
      <ul className="steer-features" aria-label="Steered features">
        {s.features.map((f, i) => (
          <FeatureControls key={`${i}:${f.index}`} feature={f} position={i} />
        ))}
        {s.features.length === 0 && <li className="muted">No features yet: the steered column will equal the default one.</li>}
      </ul>
      <SteerSettings />
      <div className="row steer-actions">
        <button type="button" data-testid="steer.run" disabled={!canRun} onClick={() => void actions.steering.run()} title="Ctrl+Enter">
          Generate both
        </button>
        <button type="button" data-testid="steer.stop" disabled={!running} onClick={() => void actions.steering.stop()} title="Escape">
          Stop
        </button>
      </div>
      <ShareLink disabled={!s.saeId} />
      <SteerColumns />
    </section>
  )
}
