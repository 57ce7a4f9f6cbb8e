// The nested widths of a Matryoshka BatchTopK SAE, typed as a comma list; blank trains the default levels for d_sae.
import { useId } from 'react'
import { defaultMatryoshkaWidths, parseMatryoshkaWidths } from '../../core/sae/matryoshka.ts'

export interface MatryoshkaWidthsFieldProps {
  dSae: number
  text: string
  onText: (text: string) => void
}

export function MatryoshkaWidthsField({ dSae, text, onText }: MatryoshkaWidthsFieldProps) {
  const id = useId()
  const { problem } = parseMatryoshkaWidths(text, dSae)
  return (
    <div className="field">
      <label htmlFor={id}>Nested widths (ascending, last = d_sae)</label>
      <input
        id={id}
        data-testid="train.matryoshka-widths"
        value={text}
        onChange={(e) => onText(e.target.value)}
        placeholder={defaultMatryoshkaWidths(dSae).join(', ')}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-error` : undefined}
        spellCheck={false}
        autoComplete="off"
      />
      {problem && (
        <span id={`${id}-error`} className="error-inline" role="alert" data-testid="train.matryoshka-widths-error">
          {problem}
        </span>
      )}
    </div>
  )
}
