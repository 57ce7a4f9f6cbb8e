// Adding features to steer: by index (its label shown as you type), by a concept or words of a feature's label, or
// from a TinyWorld preset.
import { useState } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { featureForConcept, TINYWORLD_PRESETS, type SteerPreset } from './presets.ts'
import { labelOf } from '../explorer/featureLabel.ts'
import { FeatureName } from '../explorer/FeatureName.tsx'
import { useSaeExplanations } from '../explorer/useFeatureLabel.ts'

export function FeaturePicker() {
  const actions = useActions()
  const saeId = useAppState((s) => s.steering.saeId)
  const summary = useAppState((s) => (saeId ? s.explorer.summaries[saeId] : undefined))
  const dSae = summary?.status === 'ready' ? summary.data.sae.d_sae : null
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
    const index = /^\d+$/.test(t) ? Number(t) : (featureForConcept(rows, t)?.index ?? byLabel())
    if (index === null || (dSae !== null && index >= dSae)) {
      setNote(index === null ? `No feature matches "${t}": type an index, a TinyWorld concept (bridge, river, secrecy…) or words of a label` : `This SAE has features 0–${dSae! - 1}`)
      return
    }
    setNote(null)
    actions.steering.addFeature({ index })
    setText('')
  }

  const applyPreset = (p: SteerPreset) => {
    const rows = summary?.status === 'ready' ? summary.data.features : []
    const row = featureForConcept(rows, p.concept)
    if (!row) {
      setNote(`The SAE's analysis matched no feature to "${p.concept}"${summary?.status === 'ready' ? '' : ' (its summary is not loaded yet)'}`)
      return
    }
    setNote(`${p.label}: feature ${row.index} (AUROC ${row.concept!.auroc.toFixed(2)} for ${p.concept})`)
    actions.steering.update({ prompt: p.prompt, features: [{ index: row.index, mode: p.mode, unit: 'max', amount: p.multiple, maxAct: null }] })
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
