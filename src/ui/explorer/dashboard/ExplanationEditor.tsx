// Editing a feature's explanation in place: Enter saves, Escape cancels (the keyboard is enough), with buttons too.
import { useState, type KeyboardEvent } from 'react'

export function ExplanationEditor({ initial, onSave, onCancel }: { initial: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial)
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault()
      onSave(text)
    } else if (e.key === 'Escape') {
      e.preventDefault()
      onCancel()
    }
  }
  return (
    <div className="explanation-editor">
      <input
        data-testid="dashboard.explanation-input"
        aria-label="Your explanation of this feature (Enter saves, Escape cancels)"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        spellCheck={false}
        autoFocus
        placeholder="e.g. «Bridge» after «Golden», or your own words"
      />
      <button type="button" data-testid="dashboard.explanation-save" onClick={() => onSave(text)} disabled={text.trim() === ''}>
        Save
      </button>
      <button type="button" className="secondary" data-testid="dashboard.explanation-cancel" onClick={onCancel}>
        Cancel
      </button>
    </div>
  )
}
