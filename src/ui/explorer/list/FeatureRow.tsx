// One row of the feature list: index, label (explanation, concept or tokens) with its score, density, max activation,
// concept match, a snippet and promoted tokens.
import type { FeatureSummaryRow } from '../../../core/analysis/featureFolder.ts'
import type { FeatureLabel } from '../featureLabel.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { formatAct, formatDensity, tokenText } from '../data.ts'
import { TokenStrip } from '../TokenStrip.tsx'
import { formatScore } from '../dashboard/explanationText.ts'

export function FeatureRow({ row, saeId, vocab, active, label }: { row: FeatureSummaryRow; saeId: string; vocab: readonly string[] | null; active: boolean; label: FeatureLabel }) {
  const dead = row.density === 0
  const score = label.explanation?.score ?? null
  return (
    <li className={`feature-row${active ? ' active' : ''}${dead ? ' dead' : ''}`} data-testid="features.row" data-index={row.index} data-concept={row.concept?.name ?? ''}>
      <a href={hrefs.feature(saeId, row.index)} className="feature-link" data-testid="features.link">
        #{row.index}
      </a>
      <span className="feature-label" data-testid="features.label" data-source={label.source} data-score={score ?? ''} title={label.text + (score === null ? '' : ` (simulation score ${formatScore(score)})`)}>
        <span className="feature-label-text">{label.text || '—'}</span>
        {score !== null && <span className="muted feature-label-score">{formatScore(score)}</span>}
      </span>
      <span className="feature-stat" title="Density: fraction of tokens where it fires">
        {dead ? <span className="badge-dead" data-testid="features.dead">dead</span> : formatDensity(row.density)}
      </span>
      <span className="feature-stat" title="Max activation (fᵢ·‖W_dec,i‖)">
        {formatAct(row.max_act)}
      </span>
      <span className="feature-concept" title={row.concept ? `best planted concept, AUROC ${row.concept.auroc.toFixed(3)}, F1 ${row.concept.f1.toFixed(2)}` : 'no concept'}>
        {row.concept ? `${row.concept.name ?? row.concept.id} ${row.concept.auroc.toFixed(2)}` : '—'}
      </span>
      <span className="feature-snippet">
        {row.snippet ? <TokenStrip tokenIds={row.snippet.token_ids} values={row.snippet.values} vocab={vocab} scale={row.max_act} mark={row.snippet.token_index} /> : <span className="muted">never fires</span>}
      </span>
      <span className="feature-promoted" title="Tokens it promotes most">
        {row.promoted.map((id) => tokenText(vocab, id)).join(' ')}
      </span>
    </li>
  )
}
