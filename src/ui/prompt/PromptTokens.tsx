// The prompt as the model sees it: one chip per token, whitespace made visible, the id on hover.
import { useAppState } from '../appContext.tsx'

/** Spaces and line breaks would vanish inside a chip; show them as marks instead. */
export function visiblePiece(piece: string): string {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '⇥')
}

export function PromptTokens() {
  const tokens = useAppState((s) => s.prompt.tokens)
  const text = useAppState((s) => s.prompt.text)
  const hasTokenizer = useAppState((s) => s.model.loaded?.summary.hasTokenizer ?? null)
  const stale = tokens !== null && tokens.text !== text
  return (
    <div className="tokens" data-testid="prompt.tokens" data-count={tokens?.ids.length ?? 0} data-stale={stale} aria-label="Prompt tokens">
      {tokens === null ? (
        <span className="help">{hasTokenizer === false ? 'This model has no tokenizer.' : 'Tokens appear here once a model is loaded.'}</span>
      ) : (
        <>
          <span className="tokens-count">{tokens.ids.length} tokens</span>
          {tokens.ids.map((id, i) => (
            <span key={i} className="token-chip" data-testid="prompt.token" data-token-id={id} title={`token ${i}: id ${id}`}>
              {visiblePiece(tokens.pieces[i] ?? '')}
            </span>
          ))}
        </>
      )}
    </div>
  )
}
