// Chooses one of the index's SAEs; changing it navigates (so the choice is in the URL and the history).
import { useIndexSaes } from './data.ts'

export function SaePicker({ value, onChange, testId }: { value: string | null; onChange: (saeId: string) => void; testId: string }) {
  const saes = useIndexSaes()
  return (
    <label className="field">
      <span>SAE</span>
      <select data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {saes.map((s) => (
          <option key={s.id} value={s.id}>
            {s.id} ({s.architecture}, {s.d_sae})
          </option>
        ))}
      </select>
    </label>
  )
}
