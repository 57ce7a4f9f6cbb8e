// The feature list of one SAE: search by index, concept or label (explanations and the user's edits); sort; dead features flagged; paginated
// so thousands of rows stay fast; arrow keys move through rows and Enter opens one. Search, sort, filter, page and row
// live in the URL (listQuery.ts), so Back from a dashboard returns to them.
import { useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { hrefs } from '../../router/hashRoute.ts'
import { navigate } from '../../router/useRoute.ts'
import { useAppState } from '../../appContext.tsx'
import { useIndexSaes, useSummary } from '../data.ts'
import { SaePicker } from '../SaePicker.tsx'
import { NOT_ANALYSED } from '../../../store/index.ts'
import { AnalysePanel } from '../analyse/AnalysePanel.tsx'
import { filterFeatures, SORT_LABELS, type FeatureSort } from './filterFeatures.ts'
import { FeatureRow, FeatureTableHead } from './FeatureRow.tsx'
import { formatListQuery, parseListQuery } from './listQuery.ts'
import { labelOf } from '../featureLabel.ts'
import { useSaeExplanations } from '../useFeatureLabel.ts'
import { LlmExplainPanel } from '../llm/LlmExplainPanel.tsx'

/** 50 rows render in a few ms; pages keep the DOM small however large the SAE. */
const PAGE_SIZE = 50

export function FeatureListPage({ saeId: routeSaeId, query: urlQuery }: { saeId: string | null; query: URLSearchParams }) {
  const saes = useIndexSaes()
  const saeId = routeSaeId ?? saes[0]?.id ?? null
  const summary = useSummary(saeId)
  const hasOwnMap = useAppState((s) => saeId !== null && saeId in s.explorer.saeMaps)
  const [initial] = useState(() => parseListQuery(urlQuery))
  const [query, setQuery] = useState(initial.q)
  const [sort, setSort] = useState<FeatureSort>(initial.sort)
  const [hideDead, setHideDead] = useState(initial.hideDead)
  const [page, setPage] = useState(initial.page)
  const [active, setActive] = useState(initial.row)
  const listRef = useRef<HTMLDivElement>(null)
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

  // replaceState: typing is not a history entry each key, and no hashchange re-renders the route.
  useEffect(() => {
    const href = hrefs.features(routeSaeId ?? undefined, formatListQuery({ q: query, sort, hideDead, page, row: active }))
    if (window.location.hash !== href) window.history.replaceState(window.history.state, '', href)
  }, [routeSaeId, query, sort, hideDead, page, active])
  // Back from a dashboard: the row it was opened from comes into view once the rows are there.
  const restored = useRef(initial.row === 0)
  useEffect(() => {
    if (restored.current || shown.length === 0) return
    restored.current = true
    listRef.current?.querySelectorAll<HTMLElement>('[data-testid="features.row"]')[active]?.scrollIntoView({ block: 'center' })
  }, [shown.length, active])

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
          <input type="checkbox" data-testid="features.hide-dead" checked={hideDead} onChange={(e) => setHideDead(e.target.checked)} /> hide dead
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
          <div className="table-scroll">
            <div className="feature-table" role="table" aria-label="Features" aria-rowcount={order.length + 1}>
              <FeatureTableHead />
              <div role="rowgroup" className="feature-rows" ref={listRef} data-testid="features.rows" tabIndex={0} onKeyDown={onKey} aria-label="Feature rows (arrow keys move, Enter opens)">
                {shown.map((i, at) => (
                  <FeatureRow key={i} row={data!.features[i]!} saeId={saeId!} vocab={data!.vocab} active={at === active} label={labelOf(data, i, extra)} rowIndex={current * PAGE_SIZE + at + 2} />
                ))}
              </div>
            </div>
          </div>
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
