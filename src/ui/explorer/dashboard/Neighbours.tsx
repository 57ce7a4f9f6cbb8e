// Nearest features by decoder cosine, in this SAE and in others on the same hook (feature splitting); each links
// to that feature's dashboard.
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { saeLabel } from '../data.ts'

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
                <a className="chip" href={hrefs.feature(list.sae_id, index)} data-testid="dashboard.neighbour" title={`cosine ${list.cosines[j]!.toFixed(3)}`}>
                  #{index} <span className="muted">{list.cosines[j]!.toFixed(2)}</span>
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  )
}
