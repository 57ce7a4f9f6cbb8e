// The one table of routes: path (first hash segment), nav tab, and what to render. A new view is one line here,
// e.g. `{ path: 'steer', tab: 'Steer', render: () => <SteeringPanel /> }`.
import type { ReactNode } from 'react'
import { PromptPanel } from '../prompt/PromptPanel.tsx'
import { FeatureListPage } from '../explorer/list/FeatureListPage.tsx'
import { FeaturePage } from '../explorer/dashboard/FeaturePage.tsx'
import { MapPage } from '../explorer/map/MapPage.tsx'
import { InspectPage } from '../explorer/inspect/InspectPage.tsx'
import { ContrastPage } from '../explorer/contrast/ContrastPage.tsx'
import type { HashLocation } from './hashRoute.ts'
import { SteeringPanel } from '../steering/SteeringPanel.tsx'
import { TrainingPanel } from '../training/TrainingPanel.tsx'
import { LearnPage } from '../learn/LearnPage.tsx'
import { ReportsPage } from '../reports/ReportsPage.tsx'

export interface AppRoute {
  /** The first segment of the hash path: '#/map' → 'map'. */
  path: string
  /** The nav tab's label, or null for views reached by links (a feature's dashboard). */
  tab: string | null
  /** The tab that stays highlighted on this view (default: its own path). */
  tabPath?: string
  /** Gets the remaining segments and the query. */
  render(rest: string[], query: URLSearchParams): ReactNode
}

export const ROUTES: readonly AppRoute[] = [
  { path: 'features', tab: 'Explore', render: (rest, query) => <FeatureListPage saeId={rest.length ? rest.join('/') : null} query={query} /> },
  { path: 'feature', tab: null, tabPath: 'features', render: (rest) => <FeaturePage rest={rest} /> },
  { path: 'map', tab: 'Map', render: (rest) => <MapPage saeId={rest.length ? rest.join('/') : null} /> },
  { path: 'inspect', tab: 'Inspect', render: () => <InspectPage /> },
  { path: 'contrast', tab: 'Contrast', render: () => <ContrastPage /> },
  { path: 'generate', tab: 'Generate', render: () => <PromptPanel /> },
  { path: 'steer', tab: 'Steer', render: (_rest, query) => <SteeringPanel featureParam={query.get('feature')} /> },
  { path: 'train', tab: 'Train', render: () => <TrainingPanel /> },
  { path: 'reports', tab: 'Reports', render: () => <ReportsPage /> },
  { path: 'learn', tab: 'Learn', render: () => <LearnPage /> },
]

/** The view for an empty hash: the prompt panel, as the app opened before it had routes (and shared links expect). */
export const HOME_PATH = 'generate'

export function matchRoute(location: HashLocation): { route: AppRoute; rest: string[] } | null {
  const [head = HOME_PATH, ...rest] = location.segments
  const route = ROUTES.find((r) => r.path === head)
  return route ? { route, rest } : null
}
