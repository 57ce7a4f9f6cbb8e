// Default and steered continuations side by side, streaming; tokens from the first difference on are marked. Once a
// run has ended, each token is a button: "why this token?" opens the inspector on that column's exact ids, and for
// the steered column explains the steered model (the clamps and additions of this run applied).
import { divergenceIndex } from '../../core/steering/divergence.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { hrefs } from '../router/hashRoute.ts'
import { navigate } from '../router/useRoute.ts'
import type { SteerToken } from '../../store/index.ts'

type Side = 'default' | 'steered'

function Column({ side, tokens, from, status, onExplain }: { side: Side; tokens: SteerToken[]; from: number | null; status: string; onExplain: ((i: number) => void) | null }) {
  return (
    <section className="steer-column" aria-label={side === 'default' ? 'Default generation' : 'Steered generation'}>
      <h3>{side === 'default' ? 'Default' : 'Steered'}</h3>
      <p className="steer-output" data-testid={`steer.${side}-output`} data-status={status} data-tokens={tokens.map((t) => t.id).join(',')} aria-live="polite">
        {tokens.map((t, i) => {
          const className = from !== null && i >= from ? 'steer-diverged' : undefined
          return onExplain ? (
            <button type="button" key={i} className={`tok-inline${className ? ` ${className}` : ''}`} data-token-id={t.id} title={`id ${t.id}: why this token?`} onClick={() => onExplain(i)}>
              {t.text}
            </button>
          ) : (
            <span key={i} className={className} data-token-id={t.id}>
              {t.text}
            </span>
          )
        })}
      </p>
    </section>
  )
}

export function SteerColumns() {
  const actions = useActions()
  const run = useAppState((s) => s.steering.run)
  const prompt = useAppState((s) => s.steering.prompt)
  const from = divergenceIndex(run.default.map((t) => t.id), run.steered.map((t) => t.id))
  const status = run.status !== 'idle' ? run.status : run.result ? `done:${run.result.reason}` : 'idle'
  const explainable = run.status === 'idle' && run.result !== null && run.result.reason !== 'error' && run.steeredBy !== null && run.promptIds.length > 0
  const explain = (side: Side) => (i: number) => {
    const tokens = run[side].slice(0, i + 1)
    navigate(hrefs.inspect())
    void actions.explorer.explainSequence([...run.promptIds, ...tokens.map((t) => t.id)], run.promptIds.length + i, prompt + tokens.map((t) => t.text).join(''), side === 'steered' ? run.steeredBy! : undefined)
  }
  return (
    <div className="steer-columns" data-testid="steer.columns" data-divergence={from ?? ''}>
      <Column side="default" tokens={run.default} from={from} status={status} onExplain={explainable ? explain('default') : null} />
      <Column side="steered" tokens={run.steered} from={from} status={status} onExplain={explainable ? explain('steered') : null} />
    </div>
  )
}
