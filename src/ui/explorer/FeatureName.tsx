// A feature as one line wherever it appears: `#index` and its best label (ellipsis when long, the whole text on
// hover), optionally a link to its dashboard. The label's rule lives in featureLabel.ts.
import type { ReactNode } from 'react'
import { hrefs } from '../router/hashRoute.ts'
import { featureTitle } from './featureLabel.ts'
import { useFeatureLabel } from './useFeatureLabel.ts'

interface FeatureNameProps {
  saeId: string | null
  index: number
  /** Links to the feature's dashboard (needs saeId). */
  link?: boolean
  testId?: string
  /** Shown after the label, e.g. an activation or a cosine. */
  children?: ReactNode
  className?: string
  /** Extra text for the hover title, after the label. */
  titleExtra?: string
}

/** The label alone (ellipsis when long, whole on hover), for places that show the index their own way. */
export function FeatureLabelText({ saeId, index }: { saeId: string | null; index: number }) {
  const label = useFeatureLabel(saeId, index)
  if (!label.text) return null
  return (
    <span className="feature-name-label" data-testid="feature.label" data-source={label.source} title={label.text}>
      {label.text}
    </span>
  )
}

export function FeatureName({ saeId, index, link = false, testId, children, className = '', titleExtra }: FeatureNameProps) {
  const label = useFeatureLabel(saeId, index)
  const title = featureTitle(index, label.text) + (titleExtra ? ` · ${titleExtra}` : '')
  const body = (
    <>
      <span className="feature-name-index">#{index}</span>
      {label.text && (
        <span className="feature-name-label" data-testid="feature.label" data-source={label.source}>
          {label.text}
        </span>
      )}
      {children}
    </>
  )
  const classes = `feature-name ${className}`.trim()
  if (link && saeId !== null) {
    return (
      <a className={classes} href={hrefs.feature(saeId, index)} title={title} data-testid={testId} data-index={index}>
        {body}
      </a>
    )
  }
  return (
    <span className={classes} title={title} data-testid={testId} data-index={index}>
      {body}
    </span>
  )
}
