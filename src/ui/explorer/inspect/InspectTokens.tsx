// Token chips with their top features (each with its label), and the full list of active features for the chosen token.
import type { PromptFeaturesResponse } from '../../../workers/saeProtocol.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { formatAct } from '../data.ts'
import { FeatureLabelText } from '../FeatureName.tsx'

function FeatureLink({ saeId, index, value }: { saeId: string; index: number; value: number }) {
  return (
    <a className="chip" href={hrefs.feature(saeId, index)} data-testid="inspect.feature" data-index={index} title={`feature ${index}: ${value}`}>
      #{index} <FeatureLabelText saeId={saeId} index={index} /> <span className="muted">{formatAct(value)}</span>
    </a>
  )
}

export function InspectTokens({ result, onPick, onExplain }: { result: PromptFeaturesResponse; onPick: (position: number) => void; onExplain: (position: number) => void }) {
  const { saeId } = result
  return (
    <>
      <ol className="inspect-tokens" data-testid="inspect.tokens">
        {result.pieces.map((piece, p) => (
          <li key={p} className={`inspect-token${p === result.position ? ' active' : ''}${p === 0 && result.addedBos ? ' bos' : ''}`} data-testid="inspect.token" data-position={p}>
            <button type="button" className="tok-button" onClick={() => onPick(p)} title="All active features of this token" data-testid="inspect.token-button">
              {piece.replace(/\n/g, '⏎') || '∅'}
            </button>
            <ul className="inspect-top">
              {result.tokens[p]!.indices.map((index, j) => (
                <li key={index}>
                  <FeatureLink saeId={saeId} index={index} value={result.tokens[p]!.values[j]!} />
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {result.active && result.position !== null && (
        <div className="inspect-active" data-testid="inspect.active">
          <div className="inspect-active-head">
            <h3>
              All {result.active.indices.length} active features at “{result.pieces[result.position]}” (position {result.position})
            </h3>
            {result.position > 0 && (
              <button type="button" data-testid="inspect.why" onClick={() => onExplain(result.position!)} title="Rank the features before this token by how much they cause its logit (attribution and ablation)">
                Why “{result.pieces[result.position]}”?
              </button>
            )}
          </div>
          <ul className="chips">
            {result.active.indices.map((index, j) => (
              <li key={index}>
                <FeatureLink saeId={saeId} index={index} value={result.active!.values[j]!} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  )
}
