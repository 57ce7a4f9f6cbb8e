// The feature list's state in its URL (`#/features/<sae>?q=bridge&sort=auroc&dead=hide&page=2&row=3`): Back from a
// dashboard returns to the same search, filters, page and row, and the link can be shared. Defaults are left out.
import { SORT_LABELS, type FeatureSort } from './filterFeatures.ts'

export interface ListQuery {
  q: string
  sort: FeatureSort
  hideDead: boolean
  /** Zero-based page and the highlighted row on it. */
  page: number
  row: number
}

export const DEFAULT_LIST_QUERY: ListQuery = { q: '', sort: 'relevance', hideDead: false, page: 0, row: 0 }

const count = (text: string | null) => (text !== null && /^\d{1,6}$/.test(text) ? Number(text) : 0)

export function parseListQuery(params: URLSearchParams): ListQuery {
  const sort = params.get('sort')
  return {
    q: params.get('q') ?? '',
    sort: sort !== null && sort in SORT_LABELS ? (sort as FeatureSort) : 'relevance',
    hideDead: params.get('dead') === 'hide',
    page: count(params.get('page')),
    row: count(params.get('row')),
  }
}

/** The query's parameters, without those at their default. */
export function formatListQuery(state: ListQuery): Record<string, string> {
  const out: Record<string, string> = {}
  if (state.q !== '') out.q = state.q
  if (state.sort !== 'relevance') out.sort = state.sort
  if (state.hideDead) out.dead = 'hide'
  if (state.page > 0) out.page = String(state.page)
  if (state.row > 0) out.row = String(state.row)
  return out
}
