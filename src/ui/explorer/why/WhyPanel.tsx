// "Why this token?": the features active before an inspected token, ranked by attribution to its logit, beside
// their exact ablation effect and activation; the scatter and the top-10 overlaps show how far each cheap ranking
// agrees with ablation. Each feature links to its dashboard and to the steering playground.
import { featureId, featureKey } from '../../../core/steering/featureKey.ts'
import type { AttributionResponse } from '../../../workers/saeProtocol.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { hrefs } from '../../router/hashRoute.ts'
import { formatAct, useSummary } from '../data.ts'
import { featureLabel } from '../featureLabel.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'
import { AttributionScatter } from './AttributionScatter.tsx'

const ROWS = 20

const signed = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${formatAct(v)}`)

function Result({ why }: { why: AttributionResponse }) {
  const loaded = useSummary(why.saeId)
  const summary = loaded?.status === 'ready' ? loaded.data : null
  const extra = useSaeExplanations(why.saeId)
  const piece = (p: number) => JSON.stringify(why.pieces[p] ?? '')
  const { overlap } = why
  return (
    <>
      <p data-testid="why.summary">
        {why.steered && <strong data-testid="why.steered">Under this demo&apos;s steering (clamped features count at their clamped values). </strong>}
        Logit of {piece(why.position)} after {piece(why.position - 1)}: <strong>{formatAct(why.logit)}</strong>. {why.features.length} features are active before it
        {why.errorAttribution !== null && (
          <>
            ; the SAE&apos;s error term adds {signed(why.errorAttribution)} and the decoder bias {signed(why.biasAttribution)}
          </>
        )}
        .
      </p>
      <p data-testid="why.overlap">
        Of the {overlap.k} features whose ablation moves the logit most, {overlap.attribution === null ? '—' : Math.round(overlap.attribution * overlap.k)} are in the top {overlap.k} by attribution and {Math.round(overlap.activation * overlap.k)} in
        the top {overlap.k} by activation.
      </p>
      {why.attributionUnavailable && (
        <p className="muted" data-testid="why.no-attribution">
          {why.attributionUnavailable}
        </p>
      )}
      <div className="why-body">
        <AttributionScatter features={why.features} />
        <table className="why-table" data-testid="why.table">
          <caption className="visually-hidden">Features ranked by attribution</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">token</th>
              <th scope="col">feature</th>
              <th scope="col" title="The SAE's own activation fᵢ">activation</th>
              <th scope="col" title="fᵢ · ∂logit/∂fᵢ: the first-order estimate of the ablation effect">attribution</th>
              <th scope="col" title="logit − logit with fᵢ := 0 in SAE(x) + error: exact">ablation</th>
              <th scope="col">
                <span className="visually-hidden">steer</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {why.features.slice(0, ROWS).map((e, rank) => (
              <tr key={`${e.position}:${e.feature}`} data-testid="why.row" data-index={e.feature} data-position={e.position}>
                <td>{rank + 1}</td>
                <td className="mono">
                  {why.pieces[e.position]} <span className="muted">@{e.position}</span>
                </td>
                <td>
                  <a href={hrefs.feature(why.saeId, e.feature)} data-testid="why.feature">
                    #{e.feature}
                  </a>{' '}
                  <span className="muted label-inline" data-testid="why.label" title={featureLabel(summary, e.feature, extra)}>
                    {featureLabel(summary, e.feature, extra)}
                  </span>
                </td>
                <td className="num">{formatAct(e.activation)}</td>
                <td className="num">{signed(e.attribution)}</td>
                <td className="num">{signed(e.ablation)}</td>
                <td>
                  <a className="quiet" href={hrefs.steer(featureKey(featureId(why.saeId, e.feature)))} aria-label={`Steer with feature ${e.feature}`}>
                    Steer
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

export function WhyPanel() {
  const actions = useActions()
  const why = useAppState((s) => s.explorer.inspector.why)
  if (why.status === 'idle') return null
  return (
    <section className="why" data-testid="why.panel" data-state={why.status} aria-label="Why this token?">
      <header className="why-head">
        <h3>Why this token?</h3>
        <button type="button" className="quiet" onClick={() => actions.explorer.closeWhy()} aria-label="Close the explanation">
          ×
        </button>
      </header>
      {why.status === 'running' && <p className="status">Attributing and ablating every active feature…</p>}
      {why.error && (
        <p className="error-inline" data-testid="why.error" data-code={why.error.code}>
          {why.error.message}
        </p>
      )}
      {why.result && <Result why={why.result} />}
    </section>
  )
}
