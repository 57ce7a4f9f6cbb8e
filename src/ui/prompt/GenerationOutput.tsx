// The streamed continuation: the prompt, then one span per generated token, and a line on how it ended.
import type { GenerationState } from '../../store/index.ts'
import { useAppState } from '../appContext.tsx'

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
  const generation = useAppState((s) => s.generation)
  const state = generation.status !== 'idle' ? generation.status : (generation.result?.reason ?? 'idle')
  return (
    <div className="output-wrap">
      <div className="output" data-testid="prompt.output" data-state={state} data-count={generation.tokens.length} aria-busy={generation.status !== 'idle'} aria-label="Generated text">
        {generation.promptText && <span className="output-prompt">{generation.promptText}</span>}
        {generation.tokens.map((token, i) => (
          <span key={i} className="output-token" data-testid="prompt.output-token" data-token-id={token.id} title={`id ${token.id}`}>
            {token.text}
          </span>
        ))}
        {generation.status !== 'idle' && <span className="cursor" aria-hidden="true" />}
      </div>
      <p className="status" aria-live={generation.status === 'idle' ? 'polite' : 'off'} data-testid="prompt.status" data-state={state} data-num-tensors={generation.result?.numTensors ?? undefined} data-elapsed-ms={generation.result?.elapsedMs ?? undefined} data-generated={generation.result?.generated ?? undefined}>
        {statusText(generation)}
      </p>
    </div>
  )
}
