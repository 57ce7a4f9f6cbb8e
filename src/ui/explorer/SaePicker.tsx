// Chooses an SAE: the index's (precomputed dashboards) and any other the worker holds (loaded from a URL, the Hub
// or files, or trained here: analysed on demand). Changing it navigates, so the choice is in the URL and history.
import { useMemo } from 'react'
import { useAppState } from '../appContext.tsx'
import { useIndexSaes } from './data.ts'

export function SaePicker({ value, onChange, testId }: { value: string | null; onChange: (saeId: string) => void; testId: string }) {
  const saes = useIndexSaes()
  const loaded = useAppState((s) => s.saes.loaded)
  const others = useMemo(() => Object.values(loaded).filter((s) => !saes.some((i) => i.id === s.id)), [loaded, saes])
  // A route may name an SAE that is neither (a stale link): keep it selectable so the select shows the truth.
  const unknown = value !== null && !saes.some((s) => s.id === value) && !others.some((s) => s.id === value)
  return (
    <label className="field">
      <span>SAE</span>
      <select data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        <optgroup label="Committed">
          {saes.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} ({s.architecture}, {s.d_sae})
            </option>
          ))}
        </optgroup>
        {others.length > 0 && (
          <optgroup label="Loaded or trained">
            {others.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id} ({s.architecture}, {s.dSae})
              </option>
            ))}
          </optgroup>
        )}
        {unknown && <option value={value}>{value} (not loaded)</option>}
      </select>
    </label>
  )
}
