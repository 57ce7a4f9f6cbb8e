// The feature list of one SAE: search by index, concept or label (explanations and the user's edits); sort; dead features flagged; paginated
// so thousands of rows stay fast; arrow keys move through rows and Enter opens one.
import { useDeferredValue, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { hrefs } from '../../router/hashRoute.ts'
import { navigate } from '../../router/useRoute.ts'
import { useAppState } from '../../appContext.tsx'
import { useIndexSaes, useSummary } from '../data.ts'
import { SaePicker } from '../SaePicker.tsx'
import { NOT_ANALYSED } from '../../../store/index.ts'
import { AnalysePanel } from '../analyse/AnalysePanel.tsx'
import { filterFeatures, SORT_LABELS, type FeatureSort } from './filterFeatures.ts'
import { FeatureRow } from './FeatureRow.tsx'
import { labelOf } from '../featureLabel.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'
import { LlmExplainPanel } from '../llm/LlmExplainPanel.tsx'

/** 50 rows render in a few ms; pages keep the DOM small however large the SAE. */
const PAGE_SIZE = 50

export function FeatureListPage({ saeId: routeSaeId }: { saeId: string | null }) {
  const saes = useIndexSaes()
  const saeId = routeSaeId ?? saes[0]?.id ?? null
  const summary = useSummary(saeId)
  const hasOwnMap = useAppState((s) => saeId !== null && saeId in s.explorer.saeMaps)
  const [query, setQuery] = useState('')
  const [sort, setSort] = useState<FeatureSort>('relevance')
  const [hideDead, setHideDead] = useState(false)
  const [page, setPage] = useState(0)
  const [active, setActive] = useState(0)
  const listRef = useRef<HTMLOListElement>(null)
  const deferredQuery = useDeferredValue(query)

  const data = summary?.status === 'ready' ? summary.data : null
  const extra = useSaeExplanations(saeId)
  const order = useMemo(
    () => (data ? filterFeatures(data.features, { query: deferredQuery, sort, hideDead, vocab: data.vocab, label: (r) => labelOf(data, r.index, extra).text }) : []),
    [data, deferredQuery, sort, hideDead, extra],
  )
  const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE))
  const current = Math.min(page, pages - 1)
  const shown = order.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE)

  const onKey = (event: KeyboardEvent) => {
    if (!data) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      const next = Math.max(0, Math.min(shown.length - 1, active + (event.key === 'ArrowDown' ? 1 : -1)))
      setActive(next)
      listRef.current?.querySelectorAll<HTMLElement>('[data-testid="features.row"]')[next]?.scrollIntoView({ block: 'nearest' })
    } else if (event.key === 'Enter' && shown[active] !== undefined && saeId) {
      event.preventDefault()
      navigate(hrefs.feature(saeId, data.features[shown[active]!]!.index))
    } else if (event.key === 'PageDown') setPage(Math.min(pages - 1, current + 1))
    else if (event.key === 'PageUp') setPage(Math.max(0, current - 1))
  }

  return (
    <section className="panel features" data-testid="features.panel" aria-label="Features">
      <div className="toolbar">
        <SaePicker value={saeId} onChange={(id) => navigate(hrefs.features(id))} testId="features.sae" />
        <label className="field grow">
          <span>Find</span>
          <input
            data-testid="features.search"
            value={query}
            placeholder="index, concept (bridge, cat…) or words of a label"
            onChange={(e) => {
              setQuery(e.target.value)
              setPage(0)
              setActive(0)
            }}
            onKeyDown={onKey}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <label className="field">
          <span>Sort</span>
          <select data-testid="features.sort" value={sort} onChange={(e) => setSort(e.target.value as FeatureSort)}>
            {Object.entries(SORT_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={hideDead} onChange={(e) => setHideDead(e.target.checked)} /> hide dead
        </label>
      </div>
      {summary === null || summary.status === 'loading' ? (
        <p className="status" data-testid="features.status" data-status="loading">
          Loading the feature summary…
        </p>
      ) : summary.status === 'error' && summary.code === NOT_ANALYSED ? (
        <AnalysePanel saeId={saeId!} />
      ) : summary.status === 'error' ? (
        <p className="error-inline" data-testid="features.status" data-status="error">
          {summary.message}
        </p>
      ) : (
        <>
          <p className="status" data-testid="features.status" data-status="ready" data-count={order.length}>
            {order.length} of {data!.features.length} features · {data!.features.filter((f) => f.density === 0).length} dead · corpus {data!.corpus.tokens} tokens
            {hasOwnMap && (
              <>
                {' · '}
                <a href={hrefs.map(saeId!)} data-testid="features.map-link">
                  its map
                </a>
              </>
            )}
          </p>
          <LlmExplainPanel saeId={saeId!} summary={data!} shown={shown.map((i) => data!.features[i]!.index)} />
          <ol className="feature-rows" ref={listRef} data-testid="features.rows" tabIndex={0} onKeyDown={onKey} aria-label="Feature list (arrow keys move, Enter opens)">
            {shown.map((i, at) => (
              <FeatureRow key={i} row={data!.features[i]!} saeId={saeId!} vocab={data!.vocab} active={at === active} label={labelOf(data, i, extra)} />
            ))}
          </ol>
          <div className="pager">
            <button type="button" className="secondary" disabled={current === 0} onClick={() => setPage(current - 1)} data-testid="features.prev">
              ‹ Prev
            </button>
            <span data-testid="features.page">
              page {current + 1} of {pages}
            </span>
            <button type="button" className="secondary" disabled={current >= pages - 1} onClick={() => setPage(current + 1)} data-testid="features.next">
              Next ›
            </button>
          </div>
        </>
      )}
    </section>
  )
}
