// "Download JSON": the feature's page with its explanations in Neuronpedia's shape (exportFeature.ts).
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { downloadBytes } from '../../training/format.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'
import { exportFileName, featureExport } from './exportFeature.ts'

export function DownloadFeatureJson({ saeId, page }: { saeId: string; page: FeatureRecord }) {
  const extra = useSaeExplanations(saeId)
  const download = () => {
    const json = featureExport(saeId, page, { user: extra.user[page.index], llm: extra.llm[page.index] })
    downloadBytes(exportFileName(saeId, page.index), new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`), 'application/json')
  }
  return (
    <button type="button" className="secondary" data-testid="dashboard.download" onClick={download}>
      Download JSON
    </button>
  )
}
