// Default and steered continuations side by side, streaming; tokens from the first difference on are marked.
import { divergenceIndex } from '../../core/steering/divergence.ts'
import { useAppState } from '../appContext.tsx'
import type { SteerToken } from '../../store/index.ts'

function Column({ side, tokens, from, status }: { side: 'default' | 'steered'; tokens: SteerToken[]; from: number | null; status: string }) {
  return (
    <section className="steer-column" aria-label={side === 'default' ? 'Default generation' : 'Steered generation'}>
      <h3>{side === 'default' ? 'Default' : 'Steered'}</h3>
      <p className="steer-output" data-testid={`steer.${side}-output`} data-status={status} data-tokens={tokens.map((t) => t.id).join(',')} aria-live="polite">
        {tokens.map((t, i) => (
          <span key={i} className={from !== null && i >= from ? 'steer-diverged' : undefined} data-token-id={t.id}>
            {t.text}
          </span>
        ))}
      </p>
    </section>
  )
}

export function SteerColumns() {
  const run = useAppState((s) => s.steering.run)
  const from = divergenceIndex(run.default.map((t) => t.id), run.steered.map((t) => t.id))
  const status = run.status !== 'idle' ? run.status : run.result ? `done:${run.result.reason}` : 'idle'
  return (
    <div className="steer-columns" data-testid="steer.columns" data-divergence={from ?? ''}>
      <Column side="default" tokens={run.default} from={from} status={status} />
      <Column side="steered" tokens={run.steered} from={from} status={status} />
    </div>
  )
}
