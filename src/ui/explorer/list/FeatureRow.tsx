// One row of the feature list: index, label (explanation, concept or tokens) with its score, density, max activation,
// concept match, a snippet and promoted tokens; and the header row naming those columns (ARIA table semantics).
import type { FeatureSummaryRow } from '../../../core/analysis/featureFolder.ts'
import type { FeatureLabel } from '../featureLabel.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { formatAct, formatDensity, tokenText } from '../data.ts'
import { TokenStrip } from '../TokenStrip.tsx'
import { formatScore } from '../dashboard/explanationText.ts'
import { GLOSSARY } from '../../learn/glossary.ts'

/** The columns, in the order FeatureRow's cells come; the title says what each measures. */
const COLUMNS: readonly (readonly [string, string])[] = [
  ['Feature', 'Index in the SAE; opens its dashboard'],
  ['Label', `Its explanation, planted concept (AUROC ≥ 0.9) or top tokens, with the simulation score. ${GLOSSARY.simulation}`],
  ['Density', GLOSSARY.density],
  ['Max act', GLOSSARY.maxAct],
  ['Concept', `Best planted concept and its AUROC. ${GLOSSARY.auroc}`],
  ['Top activation', 'Its strongest example in context'],
  ['Promotes', 'Tokens it promotes most'],
]

export function FeatureTableHead() {
  return (
    <div role="rowgroup" className="feature-head-group">
      <div role="row" aria-rowindex={1} className="feature-row feature-head" data-testid="features.header">
        {COLUMNS.map(([name, title]) => (
          <span role="columnheader" key={name} title={title} data-testid="features.column">
            {name}
          </span>
        ))}
      </div>
    </div>
  )
}

export function FeatureRow({ row, saeId, vocab, active, label, rowIndex }: { row: FeatureSummaryRow; saeId: string; vocab: readonly string[] | null; active: boolean; label: FeatureLabel; rowIndex: number }) {
  const dead = row.density === 0
  const score = label.explanation?.score ?? null
  return (
    <div role="row" aria-rowindex={rowIndex} className={`feature-row${active ? ' active' : ''}${dead ? ' dead' : ''}`} data-testid="features.row" data-index={row.index} data-concept={row.concept?.name ?? ''}>
      <span role="cell">
        <a href={hrefs.feature(saeId, row.index)} className="feature-link" data-testid="features.link">
          #{row.index}
        </a>
      </span>
      <span role="cell" className="feature-label" data-testid="features.label" data-source={label.source} data-score={score ?? ''} title={label.text + (score === null ? '' : ` (simulation score ${formatScore(score)})`)}>
        <span className="feature-label-text">{label.text || '—'}</span>
        {score !== null && <span className="muted feature-label-score">{formatScore(score)}</span>}
      </span>
      <span role="cell" className="feature-stat" title="Density: fraction of tokens where it fires">
        {dead ? <span className="badge-dead" data-testid="features.dead">dead</span> : formatDensity(row.density)}
      </span>
      <span role="cell" className="feature-stat" title="Max activation (fᵢ·‖W_dec,i‖)">
        {formatAct(row.max_act)}
      </span>
      <span role="cell" className="feature-concept" title={row.concept ? `best planted concept, AUROC ${row.concept.auroc.toFixed(3)}, F1 ${row.concept.f1.toFixed(2)}` : 'no concept'}>
        {row.concept ? `${row.concept.name ?? row.concept.id} ${row.concept.auroc.toFixed(2)}` : '—'}
      </span>
      <span role="cell" className="feature-snippet">
        {row.snippet ? <TokenStrip tokenIds={row.snippet.token_ids} values={row.snippet.values} vocab={vocab} scale={row.max_act} mark={row.snippet.token_index} /> : <span className="muted">never fires</span>}
      </span>
      <span role="cell" className="feature-promoted" title="Tokens it promotes most">
        {row.promoted.map((id) => tokenText(vocab, id)).join(' ')}
      </span>
    </div>
  )
}
