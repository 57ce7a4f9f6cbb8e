// Prompt, positions and sampling for a steering run.
import type { PositionPolicy } from '../../core/steering/positions.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { NumberField } from '../prompt/NumberField.tsx'

export function SteerSettings() {
  const actions = useActions()
  const s = useAppState((st) => st.steering)
  const sampling = (u: Partial<typeof s.sampling>) => actions.steering.update({ sampling: { ...s.sampling, ...u } })
  return (
    <div className="steer-settings">
      <label className="field">
        Prompt
        <textarea data-testid="steer.prompt" rows={2} value={s.prompt} onChange={(e) => actions.steering.update({ prompt: e.target.value })} />
      </label>
      <div className="row">
        <label className="field">
          Steer at
          <select data-testid="steer.positions" value={s.positions} onChange={(e) => actions.steering.update({ positions: e.target.value as PositionPolicy })}>
            <option value="all">prompt and generated tokens</option>
            <option value="prompt">prompt only</option>
            <option value="generated">generated only</option>
          </select>
        </label>
        <NumberField label="Temperature" testId="steer.temperature" value={s.sampling.temperature} onChange={(v) => sampling({ temperature: v })} min={0} max={100} step={0.1} hint="0 is greedy" />
        <NumberField label="Top-k" testId="steer.top-k" value={s.sampling.topK} onChange={(v) => sampling({ topK: v })} min={0} step={1} integer />
        <NumberField label="Top-p" testId="steer.top-p" value={s.sampling.topP} onChange={(v) => sampling({ topP: v })} min={0} max={1} step={0.05} />
        <NumberField label="Max tokens" testId="steer.max-tokens" value={s.sampling.maxTokens} onChange={(v) => sampling({ maxTokens: v })} min={1} max={4096} step={1} integer />
        <NumberField label="Seed" testId="steer.seed" value={s.seed} onChange={(v) => actions.steering.update({ seed: v })} min={0} step={1} integer />
      </div>
    </div>
  )
}
