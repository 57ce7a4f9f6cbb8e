// Search and sort over a summary's rows, pure so it is unit-tested and fast on 16k+ rows: a number finds that
// index; text finds concept names, explanations and labels (the user's edits included), and words of the best example.
import type { FeatureSummaryRow } from '../../../core/analysis/featureFolder.ts'

export type FeatureSort = 'relevance' | 'index' | 'density' | 'max_act' | 'auroc'

export const SORT_LABELS: Record<FeatureSort, string> = {
  relevance: 'Best match',
  index: 'Index',
  density: 'Density (high first)',
  max_act: 'Max activation (high first)',
  auroc: 'Concept AUROC (high first)',
}

export interface FilterOptions {
  query: string
  sort: FeatureSort
  hideDead?: boolean
  vocab?: readonly string[] | null
  /** The label each row shows (featureLabel.ts), searched beside the file's explanation. */
  label?: (row: FeatureSummaryRow) => string
}

const auroc = (r: FeatureSummaryRow) => r.concept?.auroc ?? 0

/** Indices into `rows` in display order. */
export function filterFeatures(rows: readonly FeatureSummaryRow[], opts: FilterOptions): number[] {
  const q = opts.query.trim().toLowerCase()
  let picked: number[] = []
  let exact: number | null = null
  if (q === '') picked = rows.map((_, i) => i)
  else if (/^\d+$/.test(q)) {
    // An index: that feature first, then indices starting with the digits (typing "33" shows 33, 330…).
    exact = Number(q)
    rows.forEach((r, i) => {
      if (String(r.index).startsWith(q)) picked.push(i)
    })
  } else {
    rows.forEach((r, i) => {
      const name = r.concept?.name?.toLowerCase() ?? ''
      const explanation = r.explanation?.toLowerCase() ?? ''
      const label = opts.label?.(r).toLowerCase() ?? ''
      const snippet = opts.vocab && r.snippet ? r.snippet.token_ids.map((id) => opts.vocab![id] ?? '').join('').toLowerCase() : ''
      if (name.includes(q) || explanation.includes(q) || label.includes(q) || snippet.includes(q)) picked.push(i)
    })
  }
  if (opts.hideDead) picked = picked.filter((i) => rows[i]!.density > 0)
  const by = (key: (r: FeatureSummaryRow) => number) => (a: number, b: number) => key(rows[b]!) - key(rows[a]!) || rows[a]!.index - rows[b]!.index
  switch (opts.sort) {
    case 'index':
      picked.sort((a, b) => rows[a]!.index - rows[b]!.index)
      break
    case 'density':
      picked.sort(by((r) => r.density))
      break
    case 'max_act':
      picked.sort(by((r) => r.max_act))
      break
    case 'auroc':
      picked.sort(by(auroc))
      break
    case 'relevance':
      if (exact !== null) picked.sort((a, b) => Number(rows[b]!.index === exact) - Number(rows[a]!.index === exact) || rows[a]!.index - rows[b]!.index)
      else if (q !== '') {
        // Concept-name matches first (an exact name before a partial one), each by AUROC; then explanation/text matches.
        const rank = (r: FeatureSummaryRow) => {
          const name = r.concept?.name?.toLowerCase() ?? ''
          return name === q ? 2 : name.includes(q) ? 1 : 0
        }
        picked.sort((a, b) => rank(rows[b]!) - rank(rows[a]!) || auroc(rows[b]!) - auroc(rows[a]!) || rows[a]!.index - rows[b]!.index)
      }
      break
  }
  return picked
}
