// The ranked tables of a contrast: by difference in mean activation, and (with a target) in mean attribution.
import type { ContrastResponse, ContrastRow } from '../../../workers/saeProtocol.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { formatAct, useSummary } from '../data.ts'
import { featureLabel } from '../featureLabel.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'

const pct = (v: number) => `${(100 * v).toFixed(1)}%`
const signed = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${formatAct(v)}`)

function Table({ result, rows, by, attribution }: { result: ContrastResponse; rows: ContrastRow[]; by: 'activation' | 'attribution'; attribution: boolean }) {
  const loaded = useSummary(result.saeId)
  const summary = loaded?.status === 'ready' ? loaded.data : null
  const extra = useSaeExplanations(result.saeId)
  return (
    <table className="why-table" data-testid={`contrast.table-${by}`}>
      <thead>
        <tr>
          <th>Feature</th>
          <th>Label</th>
          <th title="Mean activation over the tokens with the concept">Mean with</th>
          <th>Mean without</th>
          <th>Difference</th>
          <th title="Fraction of tokens where the feature fires">Fires with / without</th>
          {attribution && <th title="Mean over prompts of the feature's attribution to the target, summed over positions">Attribution with / without (difference)</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.feature} data-testid="contrast.row" data-index={r.feature}>
            <td>
              <a href={hrefs.feature(result.saeId, r.feature)} data-testid="contrast.feature">
                #{r.feature}
              </a>
            </td>
            <td className="muted label-cell" title={featureLabel(summary, r.feature, extra)}>
              {featureLabel(summary, r.feature, extra)}
            </td>
            <td>{formatAct(r.meanWith)}</td>
            <td>{formatAct(r.meanWithout)}</td>
            <td>{signed(r.difference)}</td>
            <td>
              {pct(r.firingWith)} / {pct(r.firingWithout)}
            </td>
            {attribution && (
              <td>
                {signed(r.attributionWith)} / {signed(r.attributionWithout)} ({signed(r.attributionDifference)})
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function ContrastTable({ result }: { result: ContrastResponse }) {
  return (
    <>
      <p data-testid="contrast.summary">
        With: {result.with.prompts} prompts, {result.with.tokens} tokens; without: {result.without.prompts} prompts, {result.without.tokens} tokens (SAE at {result.hookName}, BOS left out).
      </p>
      {result.attributionUnavailable && <p className="muted">{result.attributionUnavailable}</p>}
      <h3>By difference in mean activation</h3>
      <Table result={result} rows={result.byActivation} by="activation" attribution={false} />
      {result.byAttribution && (
        <>
          <h3>By difference in mean attribution to {result.targetText} at each prompt&apos;s last position</h3>
          <Table result={result} rows={result.byAttribution} by="attribution" attribution />
        </>
      )}
    </>
  )
}
