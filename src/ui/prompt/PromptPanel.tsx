// The prompt panel: the prompt and its tokens, sampling settings, Generate/Stop, and the streamed output.
import { useId } from 'react'
import { useActions, useAppState } from '../appContext.tsx'
import { GenerationOutput } from './GenerationOutput.tsx'
import { PromptTokens } from './PromptTokens.tsx'
import { SamplingControls } from './SamplingControls.tsx'

export function PromptPanel() {
  const id = useId()
  const text = useAppState((s) => s.prompt.text)
  const ready = useAppState((s) => s.model.status === 'ready')
  const canRead = useAppState((s) => s.model.loaded?.summary.hasTokenizer === true)
  const status = useAppState((s) => s.generation.status)
  const actions = useActions()
  const running = status !== 'idle'
  return (
    <section className="panel prompt" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Prompt</h2>
      <div className="field">
        <label htmlFor={`${id}-input`}>Prompt text</label>
        <textarea
          id={`${id}-input`}
          data-testid="prompt.input"
          value={text}
          rows={3}
          onChange={(event) => actions.setPrompt(event.target.value)}
          aria-keyshortcuts="Control+Enter"
          spellCheck={false}
        />
      </div>
      <PromptTokens />
      <SamplingControls />
      <div className="buttons">
        <button type="button" data-testid="prompt.generate" disabled={!ready || !canRead || running} onClick={() => void actions.generate()} aria-keyshortcuts="Control+Enter">
          Generate <kbd>Ctrl+Enter</kbd>
        </button>
        <button type="button" className="secondary" data-testid="prompt.stop" disabled={status !== 'running'} onClick={() => void actions.stop()} aria-keyshortcuts="Escape">
          Stop <kbd>Esc</kbd>
        </button>
      </div>
      <GenerationOutput />
    </section>
  )
}
