// Adding features to steer: by index (its label shown as you type), by a concept or words of a feature's label, or
// from a TinyWorld preset.
import { useEffect, useState } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { presetFeature, presetPrompt, TINYWORLD_PRESETS, type SteerPreset } from './presets.ts'
import { labelOf } from '../explorer/featureLabel.ts'
import { FeatureName } from '../explorer/FeatureName.tsx'
import { useSaeExplanations } from '../explorer/useFeatureLabel.ts'

export function FeaturePicker() {
  const actions = useActions()
  const saeId = useAppState((s) => s.steering.saeId)
  const summary = useAppState((s) => (saeId ? s.explorer.summaries[saeId] : undefined))
  const dSae = summary?.status === 'ready' ? summary.data.sae.d_sae : null
  const report = useAppState((s) => (s.explorer.steeringReport?.status === 'ready' ? s.explorer.steeringReport.data : null))
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  useEffect(() => {
    if (indexReady) void actions.explorer.loadSteeringReport()
  }, [actions, indexReady])
  const SOURCE_TEXT = { 'steer-eval': 'measured by steer-eval to steer it', writer: 'it promotes the concept\'s words', detector: 'its best detector' } as const
  const [text, setText] = useState('')
  const [note, setNote] = useState<string | null>(null)
  const extra = useSaeExplanations(saeId)
  const typedIndex = /^\d+$/.test(text.trim()) && (dSae === null || Number(text.trim()) < dSae) ? Number(text.trim()) : null

  const add = () => {
    const t = text.trim()
    const rows = summary?.status === 'ready' ? summary.data.features : []
    const byLabel = () => {
      const q = t.toLowerCase()
      return rows.find((r) => r.density > 0 && labelOf(summary?.status === 'ready' ? summary.data : null, r.index, extra).text.toLowerCase().includes(q))?.index ?? null
    }
    const byConcept = !/^\d+$/.test(t) && summary?.status === 'ready' && saeId ? presetFeature(summary.data, saeId, t, report) : null
    const index = /^\d+$/.test(t) ? Number(t) : (byConcept?.index ?? byLabel())
    if (index === null || (dSae !== null && index >= dSae)) {
      setNote(index === null ? `No feature matches "${t}": type an index, a TinyWorld concept (bridge, river, secrecy…) or words of a label` : `This SAE has features 0–${dSae! - 1}`)
      return
    }
    setNote(byConcept ? `"${t}": feature ${index} (${SOURCE_TEXT[byConcept.source]})` : null)
    actions.steering.addFeature({ index })
    setText('')
  }

  const applyPreset = (p: SteerPreset) => {
    const feature = summary?.status === 'ready' && saeId ? presetFeature(summary.data, saeId, p.concept, report, p.multiple < 0) : null
    if (!feature) {
      setNote(`No feature of this SAE stands for "${p.concept}"${summary?.status === 'ready' ? '' : ' (its summary is not loaded yet)'}`)
      return
    }
    setNote(`${p.label}: feature ${feature.index} (${SOURCE_TEXT[feature.source]})`)
    actions.steering.update({ prompt: presetPrompt(p, feature), features: [{ index: feature.index, mode: p.mode, unit: 'max', amount: p.multiple, maxAct: null }] })
  }

  return (
    <div className="steer-picker">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault()
          add()
        }}
      >
        <label className="field">
          Feature (index or concept)
          <input data-testid="steer.feature-input" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. 37 or bridge" />
        </label>
        <button type="submit" data-testid="steer.add-feature" disabled={text.trim() === ''}>
          Add
        </button>
        {typedIndex !== null && saeId && <FeatureName saeId={saeId} index={typedIndex} className="muted" testId="steer.feature-preview" />}
      </form>
      <div className="row" role="group" aria-label="TinyWorld presets">
        {TINYWORLD_PRESETS.map((p) => (
          <button key={p.id} type="button" data-testid={`steer.preset-${p.id}`} onClick={() => applyPreset(p)}>
            {p.label}
          </button>
        ))}
      </div>
      {note && (
        <p className="muted" data-testid="steer.picker-note">
          {note}
        </p>
      )}
    </div>
  )
}
