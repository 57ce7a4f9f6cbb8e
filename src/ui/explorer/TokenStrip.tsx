// A run of tokens shaded by activation (relative to `scale`); hovering shows each token's value. The example's own
// token is outlined.
import { formatAct, tokenText } from './data.ts'

export interface TokenStripProps {
  tokenIds: readonly number[]
  values: readonly number[]
  vocab: readonly string[] | null
  /** The activation that gets full colour (the feature's max). */
  scale: number
  mark?: number
  testId?: string
}

export function TokenStrip({ tokenIds, values, vocab, scale, mark, testId }: TokenStripProps) {
  return (
    <span className="token-strip" data-testid={testId}>
      {tokenIds.map((id, i) => {
        const v = values[i] ?? 0
        const alpha = scale > 0 ? Math.min(1, v / scale) : 0
        return (
          <span
            key={i}
            className={`tok${i === mark ? ' tok-mark' : ''}`}
            style={alpha > 0 ? { background: `rgba(255, 120, 0, ${(0.12 + 0.78 * alpha).toFixed(3)})` } : undefined}
            title={`${JSON.stringify(vocab?.[id] ?? `[${id}]`)} · activation ${formatAct(v)}`}
            data-value={v}
          >
            {tokenText(vocab, id)}
          </span>
        )
      })}
    </span>
  )
}
