// Nearest features by decoder cosine, in this SAE and in others on the same hook (feature splitting); each links
// to that feature's dashboard and shows its label (from that SAE's summary when the app has it).
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { saeLabel } from '../data.ts'
import { FeatureName } from '../FeatureName.tsx'

export function Neighbours({ lists }: { lists: FeatureRecord['neighbours'] }) {
  if (lists.length === 0) return <p className="muted">None.</p>
  return (
    <div className="neighbours" data-testid="dashboard.neighbours">
      {lists.map((list, i) => (
        <div key={list.sae_id}>
          <h4>
            {i === 0 ? 'Same SAE' : 'In'} <span className="mono">{saeLabel(list.sae_id)}</span>
          </h4>
          <ul className="chips">
            {list.indices.map((index, j) => (
              <li key={index}>
                <FeatureName saeId={list.sae_id} index={index} link className="chip" testId="dashboard.neighbour" titleExtra={`cosine ${list.cosines[j]!.toFixed(3)}`}>
                  {' '}
                  <span className="muted">{list.cosines[j]!.toFixed(2)}</span>
                </FeatureName>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  )
}
