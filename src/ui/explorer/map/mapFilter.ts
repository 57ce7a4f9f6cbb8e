// Which of the map's points are drawn: one SAE (the default, so families do not overplot) or all of them, and which
// match a search (the rest are faded, not hidden, so the matches keep their place among their neighbours).
import type { MapPoints } from './mapGeometry.ts'

/** The points of SAE `sae` (null: all), and for each kept point its index in the full map. */
export function subsetPoints(points: MapPoints, sae: number | null): { points: MapPoints; origin: Int32Array } {
  if (sae === null) return { points, origin: Int32Array.from({ length: points.x.length }, (_, i) => i) }
  const keep: number[] = []
  for (let i = 0; i < points.sae.length; i++) if (points.sae[i] === sae) keep.push(i)
  const origin = Int32Array.from(keep)
  const pick = <T extends Float32Array | Int32Array>(a: T, make: (n: number) => T): T => {
    const out = make(origin.length)
    origin.forEach((o, k) => (out[k] = a[o]!))
    return out
  }
  return {
    points: { x: pick(points.x, (n) => new Float32Array(n)), y: pick(points.y, (n) => new Float32Array(n)), sae: pick(points.sae, (n) => new Int32Array(n)), index: pick(points.index, (n) => new Int32Array(n)) },
    origin,
  }
}

/** Faded colour for points that do not match the search. */
export const FADED = 'rgba(150, 155, 165, 0.18)'

/** Colours with the non-matching points faded; `matches` counts the rest. An empty query fades nothing. */
export function highlight(colours: readonly string[], query: string, label: (i: number) => string): { colours: string[]; matches: number } {
  const q = query.trim().toLowerCase()
  if (q === '') return { colours: [...colours], matches: colours.length }
  let matches = 0
  const out = colours.map((c, i) => {
    const hit = label(i).toLowerCase().includes(q)
    if (hit) matches++
    return hit ? c : FADED
  })
  return { colours: out, matches }
}
