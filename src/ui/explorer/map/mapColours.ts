// Point colours for the feature map: by SAE (size), by density (log scale) or by best concept.
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import type { MapPoints } from './mapGeometry.ts'

export type ColourBy = 'sae' | 'density' | 'concept'

const SAE_COLOURS = ['#3056d3', '#e4572e', '#17a398', '#f3a712', '#8e44ad', '#6c757d']

const hsl = (h: number, s: number, l: number) => `hsl(${h.toFixed(0)} ${s}% ${l}%)`

/** One CSS colour per point; summaries[i] is the map's SAE i's summary (null: not loaded or none). */
export function pointColours(points: MapPoints, by: ColourBy, summaries: readonly (FeatureSummaryFile | null)[]): string[] {
  const n = points.x.length
  const out = new Array<string>(n)
  for (let i = 0; i < n; i++) {
    const s = points.sae[i]!
    if (by === 'sae') {
      out[i] = SAE_COLOURS[s % SAE_COLOURS.length]!
      continue
    }
    const row = summaries[s]?.features[points.index[i]!]
    if (!row) out[i] = '#9aa0aa'
    else if (by === 'density') {
      if (row.density === 0) out[i] = '#c0392b' // dead features stand out
      else {
        const t = Math.min(1, Math.max(0, (Math.log10(row.density) + 5) / 5)) // 1e-5 … 1
        out[i] = hsl(240 - 200 * t, 70, 45)
      }
    } else out[i] = row.concept ? conceptColour(row.concept.id) : '#b0b4bb'
  }
  return out
}

export const saeColour = (s: number): string => SAE_COLOURS[s % SAE_COLOURS.length]!

/** A concept's colour: golden-angle hues, so neighbouring ids differ. */
export const conceptColour = (id: number): string => hsl((id * 137.508) % 360, 65, 48)
