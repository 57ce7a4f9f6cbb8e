// Picks one of the SAEs the worker holds: the views that run an SAE on the model (inspector, contrast) offer only
// those, unlike SaePicker, which also offers committed SAEs that have precomputed dashboards but are not loaded.
export function LoadedSaeSelect({ ids, value, onChange, testId }: { ids: readonly string[]; value: string | null; onChange: (saeId: string) => void; testId: string }) {
  return (
    <label className="field">
      <span>SAE</span>
      <select data-testid={testId} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  )
}
