// One steered feature: its index and label, clamp or add, and a strength as a multiple of its max activation (slider
// −10× … +10×, exact numbers typed) or an absolute value.
import { useActions, useAppState } from '../appContext.tsx'
import { FeatureName } from '../explorer/FeatureName.tsx'
import type { SteerFeature } from '../../store/index.ts'
import { GLOSSARY } from '../learn/glossary.ts'

const SLIDER_MAX = 10

export function FeatureControls({ feature, position }: { feature: SteerFeature; position: number }) {
  const actions = useActions()
  const saeId = useAppState((s) => s.steering.saeId)
  const update = (u: Partial<SteerFeature>) => actions.steering.updateFeature(position, u)
  const maxAct = actions.steering.maxActOf(feature)
  const absolute = feature.unit === 'absolute'
  return (
    <li className="steer-feature" data-testid="steer.feature" data-index={feature.index}>
      <FeatureName saeId={saeId} index={feature.index} link={saeId !== null} className="steer-feature-index" testId="steer.feature-name" />
      <select aria-label={`Mode of feature ${feature.index}`} title={`clamp: ${GLOSSARY.clamp} ${GLOSSARY.saeError}`} data-testid="steer.mode" value={feature.mode} onChange={(e) => update({ mode: e.target.value as SteerFeature['mode'] })}>
        <option value="clamp">clamp (SAE + error)</option>
        <option value="add">add direction</option>
      </select>
      {!absolute && (
        <input
          type="range"
          aria-label={`Strength of feature ${feature.index}, in multiples of its max activation`}
          data-testid="steer.strength-slider"
          min={-SLIDER_MAX}
          max={SLIDER_MAX}
          step={0.5}
          value={Math.max(-SLIDER_MAX, Math.min(SLIDER_MAX, feature.amount))}
          onChange={(e) => update({ amount: Number(e.target.value) })}
        />
      )}
      <input
        type="number"
        aria-label={`Exact strength of feature ${feature.index}`}
        data-testid="steer.strength-input"
        step="any"
        value={feature.amount}
        onChange={(e) => Number.isFinite(e.target.valueAsNumber) && update({ amount: e.target.valueAsNumber })}
      />
      <select aria-label={`Unit of feature ${feature.index}'s strength`} data-testid="steer.unit" value={feature.unit} onChange={(e) => update({ unit: e.target.value as SteerFeature['unit'] })}>
        <option value="max">× max</option>
        <option value="absolute">absolute</option>
      </select>
      <span className="muted" data-testid="steer.value">
        {absolute ? '' : maxAct === null ? 'max unknown' : `= ${(feature.amount * maxAct).toPrecision(3)} (max ${maxAct.toPrecision(3)})`}
      </span>
      <button type="button" data-testid="steer.remove-feature" aria-label={`Remove feature ${feature.index}`} onClick={() => actions.steering.removeFeature(position)}>
        ×
      </button>
    </li>
  )
}
