// The streamed continuation: the prompt, then one span per generated token, and a line on how it ended. Once it has
// ended, with an SAE loaded, each token is a button: "why this token?" opens the inspector on the exact ids generated.
import type { GenerationState } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { hrefs } from '../router/hashRoute.ts'
import { navigate } from '../router/useRoute.ts'

const tokens = (n: number) => `${n} token${n === 1 ? '' : 's'}`

function statusText(g: GenerationState): string {
  const n = g.tokens.length
  if (g.status === 'running') return `Generating… ${n} of up to ${tokens(g.maxTokens)}`
  if (g.status === 'stopping') return `Stopping after ${tokens(n)}…`
  const r = g.result
  if (!r) return 'Press Generate (Ctrl+Enter). Esc stops.'
  const rate = r.elapsedMs > 0 ? ` · ${((1000 * r.generated) / r.elapsedMs).toFixed(1)} tokens/s` : ''
  switch (r.reason) {
    case 'stopped':
      return `Stopped after ${tokens(r.generated)}${rate}`
    case 'eos':
      return `Ended at end of text after ${tokens(r.generated)}${rate}`
    case 'maxTokens':
    case 'ok':
      return `Generated ${tokens(r.generated)}${rate}`
    case 'error':
      return `Failed after ${tokens(r.generated)} (see the error above); the text so far is kept`
  }
}

export function GenerationOutput() {
  const actions = useActions()
  const generation = useAppState((s) => s.generation)
  const hasSae = useAppState((s) => Object.keys(s.saes.loaded).length > 0)
  const state = generation.status !== 'idle' ? generation.status : (generation.result?.reason ?? 'idle')
  const explainable = generation.status === 'idle' && hasSae && generation.promptIds.length > 0
  const explain = (i: number) => {
    const ids = [...generation.promptIds, ...generation.tokens.slice(0, i + 1).map((t) => t.id)]
    const text = generation.promptText + generation.tokens.slice(0, i + 1).map((t) => t.text).join('')
    navigate(hrefs.inspect())
    void actions.explorer.explainSequence(ids, generation.promptIds.length + i, text)
  }
  return (
    <div className="output-wrap">
      <div className="output" data-testid="prompt.output" data-state={state} data-count={generation.tokens.length} role="region" aria-busy={generation.status !== 'idle'} aria-label="Generated text">
        {generation.promptText && <span className="output-prompt">{generation.promptText}</span>}
        {generation.tokens.map((token, i) =>
          explainable ? (
            <button type="button" key={i} className="output-token tok-inline" data-testid="prompt.output-token" data-token-id={token.id} title={`id ${token.id}: why this token?`} onClick={() => explain(i)}>
              {token.text}
            </button>
          ) : (
            <span key={i} className="output-token" data-testid="prompt.output-token" data-token-id={token.id} title={`id ${token.id}`}>
              {token.text}
            </span>
          ),
        )}
        {generation.status !== 'idle' && <span className="cursor" aria-hidden="true" />}
      </div>
      <p className="status" aria-live={generation.status === 'idle' ? 'polite' : 'off'} data-testid="prompt.status" data-state={state} data-num-tensors={generation.result?.numTensors ?? undefined} data-elapsed-ms={generation.result?.elapsedMs ?? undefined} data-generated={generation.result?.generated ?? undefined}>
        {statusText(generation)}
      </p>
    </div>
  )
}
