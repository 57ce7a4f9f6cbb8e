// Direct logit effects: the tokens this feature's decoder direction promotes and suppresses most.
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { tokenText } from '../data.ts'

function Column({ title, ids, values, vocab, testId }: { title: string; ids: number[]; values: number[]; vocab: readonly string[] | null; testId: string }) {
  return (
    <div>
      <h4>{title}</h4>
      <ol className="logit-list" data-testid={testId}>
        {ids.map((id, i) => (
          <li key={i}>
            <span className="tok">{tokenText(vocab, id)}</span> <span className="muted">{values[i]!.toFixed(2)}</span>
          </li>
        ))}
      </ol>
    </div>
  )
}

export function LogitEffects({ logits, vocab }: { logits: FeatureRecord['logits']; vocab: readonly string[] | null }) {
  if (!logits) return <p className="muted">Not on a d_model-wide hook: no direct logit effect.</p>
  return (
    <div className="logits">
      <Column title="Promoted" ids={logits.promoted.ids} values={logits.promoted.values} vocab={vocab} testId="dashboard.promoted" />
      <Column title="Suppressed" ids={logits.suppressed.ids} values={logits.suppressed.values} vocab={vocab} testId="dashboard.suppressed" />
    </div>
  )
}
