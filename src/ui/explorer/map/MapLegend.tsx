// The map's legend for its current colouring: SAEs by size, the density scale, or the concepts of the points shown
// (most common first), so a colour can be read without hovering.
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import { saeLabel } from '../data.ts'
import { conceptColour, saeColour, type ColourBy } from './mapColours.ts'
import type { MapPoints } from './mapGeometry.ts'

const MAX_CONCEPTS = 14

export function MapLegend({ by, saes, points, summaries }: { by: ColourBy; saes: readonly { id: string; d_sae: number }[]; points: MapPoints | null; summaries: readonly (FeatureSummaryFile | null)[] }) {
  if (by === 'density') {
    return (
      <p className="legend" data-testid="map.legend">
        <span className="legend-ramp" aria-hidden="true" /> density 10⁻⁵ … 1 · <span className="swatch" style={{ background: '#c0392b' }} aria-hidden="true" /> dead
      </p>
    )
  }
  if (by === 'sae') {
    return (
      <ul className="legend" data-testid="map.legend" aria-label="Colours: SAEs">
        {saes.map((s, i) => (
          <li key={s.id}>
            <span className="swatch" style={{ background: saeColour(i) }} aria-hidden="true" /> {saeLabel(s.id)} ({s.d_sae})
          </li>
        ))}
      </ul>
    )
  }
  const counts = new Map<number, { name: string; n: number }>()
  if (points)
    for (let i = 0; i < points.x.length; i++) {
      const c = summaries[points.sae[i]!]?.features[points.index[i]!]?.concept
      if (!c) continue
      const e = counts.get(c.id) ?? { name: c.name ?? String(c.id), n: 0 }
      e.n++
      counts.set(c.id, e)
    }
  const top = [...counts.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, MAX_CONCEPTS)
  return (
    <ul className="legend legend-concepts" data-testid="map.legend" aria-label="Colours: best concept of each feature">
      {top.map(([id, { name, n }]) => (
        <li key={id} data-testid="map.legend-concept">
          <span className="swatch" style={{ background: conceptColour(id) }} aria-hidden="true" /> {name} ({n})
        </li>
      ))}
      {counts.size > MAX_CONCEPTS && <li className="muted">+{counts.size - MAX_CONCEPTS} more</li>}
      <li>
        <span className="swatch" style={{ background: '#b0b4bb' }} aria-hidden="true" /> no concept
      </li>
    </ul>
  )
}
