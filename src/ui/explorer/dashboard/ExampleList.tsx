// Context examples as shaded token strips (value on hover), the example's own token outlined.
import type { ExampleRecord } from '../../../core/analysis/format.ts'
import { formatAct } from '../data.ts'
import { TokenStrip } from '../TokenStrip.tsx'

export function ExampleList({ examples, vocab, scale, testId }: { examples: readonly ExampleRecord[]; vocab: readonly string[] | null; scale: number; testId?: string }) {
  if (examples.length === 0) return <p className="muted">No activations in the corpus.</p>
  return (
    <ol className="examples" data-testid={testId}>
      {examples.map((e, i) => (
        <li key={i} className="example" data-testid="dashboard.example">
          <span className="example-value">{formatAct(e.value)}</span>
          <TokenStrip tokenIds={e.token_ids} values={e.values} vocab={vocab} scale={scale} mark={e.token_index} />
        </li>
      ))}
    </ol>
  )
}
