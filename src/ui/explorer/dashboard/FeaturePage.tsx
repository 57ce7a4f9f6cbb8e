// `#/feature/<saeId>/<index>`: resolves the route to a feature and shows its dashboard, or says what is wrong.
import { hrefs, parseFeatureSegments } from '../../router/hashRoute.ts'
import { useFeaturePage } from '../data.ts'
import { FeatureDashboard } from './FeatureDashboard.tsx'
import { NOT_ANALYSED } from '../../../store/index.ts'
import { AnalysePanel } from '../analyse/AnalysePanel.tsx'

export function FeaturePage({ rest }: { rest: string[] }) {
  const target = parseFeatureSegments(rest)
  if (!target) {
    return (
      <section className="panel" data-testid="dashboard.invalid">
        <h2>Not a feature link</h2>
        <p>
          Feature links look like <code>#/feature/&lt;sae id&gt;/&lt;index&gt;</code>. Browse <a href={hrefs.features()}>the feature list</a>.
        </p>
      </section>
    )
  }
  return <FeatureLoader saeId={target.saeId} index={target.index} />
}

function FeatureLoader({ saeId, index }: { saeId: string; index: number }) {
  const state = useFeaturePage(saeId, index)
  if (state.status === 'ready') return <FeatureDashboard saeId={saeId} page={state.page} summary={state.summary} />
  return (
    <section className="panel" data-testid="dashboard.panel" data-state={state.status}>
      <h2>
        Feature {index} of <span className="mono">{saeId}</span>
      </h2>
      {state.status === 'loading' ? (
        <p className="status">Loading…</p>
      ) : state.code === NOT_ANALYSED ? (
        <AnalysePanel saeId={saeId} />
      ) : (
        <p className="error-inline" data-testid="dashboard.error">
          {state.message}
        </p>
      )}
      <p>
        <a href={hrefs.features(saeId)}>Back to the list</a>
      </p>
    </section>
  )
}
