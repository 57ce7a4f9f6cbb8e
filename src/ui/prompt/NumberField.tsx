// A labelled number input that lets the user type freely ("0." on the way to "0.5") and commits valid values only.
import { useEffect, useId, useState } from 'react'

export interface NumberFieldProps {
  label: string
  testId: string
  value: number
  onChange: (value: number) => void
  min: number
  max?: number
  step: number
  integer?: boolean
  hint?: string
}

export function NumberField({ label, testId, value, onChange, min, max, step, integer = false, hint }: NumberFieldProps) {
  const id = useId()
  const [draft, setDraft] = useState(String(value))
  const [focused, setFocused] = useState(false)
  // Follow outside changes (a model's generation_config) unless the user is mid-edit.
  useEffect(() => {
    if (!focused) setDraft(String(value))
  }, [value, focused])

  const parse = (text: string): number | null => {
    if (text.trim() === '') return null
    const n = Number(text)
    if (!Number.isFinite(n) || n < min || (max !== undefined && n > max)) return null
    if (integer && !Number.isInteger(n)) return null
    return n
  }
  const invalid = parse(draft) === null
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step}
        value={draft}
        aria-invalid={invalid}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onFocus={() => setFocused(true)}
        onBlur={() => {
          setFocused(false)
          setDraft(String(value))
        }}
        onChange={(event) => {
          setDraft(event.target.value)
          const n = parse(event.target.value)
          if (n !== null) onChange(n)
        }}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  )
}
