// `#/map`: the joint UMAP map of the index's SAEs (or `?synthetic=N` points for tests and benchmarks); colour by
// SAE size, density or concept (with a legend); one SAE shown by default, all of them (families, with links) on
// demand; a search fades the points it does not match; a click opens the feature's dashboard.
// `#/map/<saeId>`: the map of one loaded or trained SAE, analysed in the browser (offered when it has none yet).
import { useEffect, useMemo, useState } from 'react'
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import { useActions, useAppState } from '../../appContext.tsx'
import { hrefs } from '../../router/hashRoute.ts'
import { navigate, useHashLocation } from '../../router/useRoute.ts'
import type { FeatureMapFile } from '../../../core/analysis/format.ts'
import type { Loadable } from '../../../store/index.ts'
import { AnalysePanel } from '../analyse/AnalysePanel.tsx'
import { formatDensity, saeLabel, useIndexSaes, useTrainedAnalysis } from '../data.ts'
import { featureTitle, labelOf } from '../featureLabel.ts'
import { pointColours, type ColourBy } from './mapColours.ts'
import { highlight, subsetPoints } from './mapFilter.ts'
import { MapLegend } from './MapLegend.tsx'
import { MapCanvas } from './MapCanvas.tsx'
import { syntheticPoints, type MapPoints } from './mapGeometry.ts'

export function MapPage({ saeId }: { saeId: string | null }) {
  const actions = useActions()
  const { query } = useHashLocation()
  const synthetic = Number(query.get('synthetic') ?? 0)
  const jointMap = useAppState((s) => s.explorer.map)
  const ownMap = useAppState((s) => (saeId === null ? null : (s.explorer.saeMaps[saeId] ?? null)))
  const saeLoaded = useAppState((s) => saeId !== null && saeId in s.saes.loaded)
  useTrainedAnalysis(saeId, ownMap === null)
  const indexSaes = useIndexSaes()
  // An index SAE is in the joint map; only other SAEs have maps of their own.
  const own = saeId !== null && !indexSaes.some((s) => s.id === saeId)
  const map: Loadable<FeatureMapFile> | null = own ? (ownMap ? { status: 'ready', data: ownMap } : null) : jointMap
  const indexReady = useAppState((s) => s.explorer.index?.status === 'ready')
  const summariesById = useAppState((s) => s.explorer.summaries)
  const [colourBy, setColourBy] = useState<ColourBy>('sae')
  const [showLinks, setShowLinks] = useState(true)
  const [shownChoice, setShownSae] = useState<number | 'all' | null>(null) // null: the smallest SAE
  const [search, setSearch] = useState('')

  useEffect(() => {
    if (!synthetic && !own && indexReady) void actions.explorer.loadMap()
  }, [actions, synthetic, own, indexReady])

  const mapData = map?.status === 'ready' ? map.data : null
  const saes = useMemo(() => (synthetic > 0 ? [{ id: 'synthetic/a', d_sae: Math.ceil(synthetic / 2) }, { id: 'synthetic/b', d_sae: Math.floor(synthetic / 2) }] : (mapData?.saes ?? [])), [synthetic, mapData])
  // Labels, density and concept colours come from the SAEs' summaries (the list's data): fetch them with the map,
  // and the user's and LLM explanations, which the hover label prefers.
  const explanationsById = useAppState((s) => s.explanations.bySae)
  useEffect(() => {
    if (synthetic) return
    for (const s of saes) {
      void actions.explorer.loadSummary(s.id)
      void actions.explanations.load(s.id)
    }
  }, [actions, saes, synthetic])

  const allPoints: MapPoints | null = useMemo(() => {
    if (synthetic > 0) return syntheticPoints(Math.min(synthetic, 200_000), 1, 2)
    if (!mapData) return null
    const p = mapData.points
    return { x: Float32Array.from(p.x), y: Float32Array.from(p.y), sae: Int32Array.from(p.sae), index: Int32Array.from(p.index) }
  }, [synthetic, mapData])
  const summaries: (FeatureSummaryFile | null)[] = useMemo(
    () =>
      saes.map((s) => {
        const entry = summariesById[s.id]
        return entry?.status === 'ready' ? entry.data : null
      }),
    [saes, summariesById],
  )
  const smallest = saes.reduce((best, s, i) => (s.d_sae < saes[best]!.d_sae ? i : best), 0)
  const shownSae = shownChoice ?? (synthetic > 0 ? 'all' : smallest) // synthetic mode measures drawing every point
  const one = shownSae !== 'all' && saes.length > 1 ? Math.min(shownSae, saes.length - 1) : null
  const subset = useMemo(() => (allPoints ? subsetPoints(allPoints, one) : null), [allPoints, one])
  const points = subset?.points ?? null
  // Links join points of different SAEs: drawn only with all of them shown.
  const links = showLinks && one === null && mapData?.links ? mapData.links : null

  const label = (i: number) => {
    if (!points) return ''
    const s = points.sae[i]!
    const index = points.index[i]!
    const sae = saes[s]
    const summary = summaries[s] ?? null
    const row = summary?.features[index]
    const name = featureTitle(index, labelOf(summary, index, sae ? (explanationsById[sae.id] ?? null) : null).text)
    const extra = row ? ` · ${formatDensity(row.density)}${row.concept ? ` · ${row.concept.name} ${row.concept.auroc.toFixed(2)}` : ''}` : ''
    return `${sae ? saeLabel(sae.id) : '?'} ${name}${extra}`
  }
  const base = useMemo(() => (points ? pointColours(points, colourBy, summaries) : []), [points, colourBy, summaries])
  // label reads points, summaries and explanations: listed in place of the function, which is new each render.
  const { colours, matches } = useMemo(() => highlight(base, search, label), [base, search, points, summaries, explanationsById])

  return (
    <section className="panel map" data-testid="map.panel" aria-label="Feature map">
      <div className="toolbar">
        <MapChoice value={own ? saeId : null} />
        <label className="field">
          <span>Colour by</span>
          <select data-testid="map.colour" value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
            <option value="sae">SAE size</option>
            <option value="density">Density</option>
            <option value="concept">Concept</option>
          </select>
        </label>
        {saes.length > 1 && (
          <label className="field">
            <span>Show</span>
            <select data-testid="map.show" value={String(shownSae)} onChange={(e) => setShownSae(e.target.value === 'all' ? 'all' : Number(e.target.value))}>
              {saes.map((s, i) => (
                <option key={s.id} value={i}>
                  {saeLabel(s.id)} ({s.d_sae})
                </option>
              ))}
              <option value="all">all SAEs (families)</option>
            </select>
          </label>
        )}
        <label className="field grow">
          <span>Highlight</span>
          <input type="search" data-testid="map.search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="label, concept or #index" spellCheck={false} autoComplete="off" />
        </label>
        {search.trim() !== '' && (
          <span className="status" role="status" data-testid="map.matches" data-count={matches}>
            {matches} of {colours.length} match
          </span>
        )}
        {one === null && (mapData?.links?.from.length ?? 0) > 0 && (
          <label className="checkbox">
            <input type="checkbox" checked={showLinks} onChange={(e) => setShowLinks(e.target.checked)} data-testid="map.links" /> link each feature to its nearest in the next-smaller SAE
          </label>
        )}
      </div>
      <MapLegend by={colourBy} saes={saes} points={points} summaries={summaries} />
      {synthetic > 0 && <p className="status">Synthetic mode: {synthetic} random points (no dashboards).</p>}
      {!synthetic && own && !ownMap && (saeLoaded ? <AnalysePanel saeId={saeId} /> : <p className="error-inline">No SAE "{saeId}" is loaded: load it with the SAE loader, then analyse it.</p>)}
      {!synthetic && !own && (map === null || map.status === 'loading') && <p className="status">Loading the map…</p>}
      {!synthetic && map?.status === 'error' && <p className="error-inline">{map.message}</p>}
      {points && (
        <MapCanvas
          points={points}
          colours={colours}
          links={links}
          label={label}
          onOpen={(i) => {
            const sae = saes[points.sae[i]!]
            if (sae && !synthetic) navigate(hrefs.feature(sae.id, points.index[i]!))
          }}
        />
      )}
    </section>
  )
}

/** Which map: the committed SAEs' joint one, or a loaded or trained SAE's own (navigates, so it is in the URL). */
function MapChoice({ value }: { value: string | null }) {
  const indexSaes = useIndexSaes()
  const loaded = useAppState((s) => s.saes.loaded)
  const others = Object.keys(loaded).filter((id) => !indexSaes.some((s) => s.id === id))
  if (others.length === 0 && value === null) return null
  return (
    <label className="field">
      <span>Map</span>
      <select data-testid="map.choice" value={value ?? ''} onChange={(e) => navigate(hrefs.map(e.target.value || undefined))}>
        <option value="">Committed SAEs (joint)</option>
        {[...new Set([...others, ...(value ? [value] : [])])].map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
    </label>
  )
}
