// Feature splitting seen from the features: a parent concept's feature in a small SAE, and the large SAE's features
// whose decoder directions are closest to it, each with the concept of the family (parent or a child) it detects
// best. Splitting shows as several close features in the large SAE, each specialised to a different child.
import { InvalidArgumentError } from '../errors.ts'

export interface FamilyMember {
  feature: number
  /** Decoder cosine with the small SAE's parent feature. */
  cosine: number
  /** The family concept (parent or child) this feature detects best, with its AUROC; null if none is defined. */
  concept: number | null
  auroc: number | null
}

/**
 * The `k` features of the large SAE (decoder wDecB [dSaeB, dIn]) nearest to feature `parentFeature` of the small
 * one (wDecA [dSaeA, dIn]) by decoder cosine, each labelled with its best family concept by `aurocB(concept, j)`.
 */
export function splitFamily(
  parentFeature: number,
  wDecA: Float32Array,
  wDecB: Float32Array,
  dIn: number,
  family: readonly number[],
  aurocB: (concept: number, feature: number) => number,
  k = 5,
): FamilyMember[] {
  if (wDecA.length % dIn !== 0 || wDecB.length % dIn !== 0) throw new InvalidArgumentError(`Decoder sizes ${wDecA.length} and ${wDecB.length} are not multiples of d_in ${dIn}`)
  if (!(parentFeature >= 0 && parentFeature < wDecA.length / dIn)) throw new InvalidArgumentError(`Feature ${parentFeature} is outside the small SAE`)
  const row = wDecA.subarray(parentFeature * dIn, (parentFeature + 1) * dIn)
  let rowNorm = 0
  for (const v of row) rowNorm += v * v
  rowNorm = Math.sqrt(rowNorm)
  const n = wDecB.length / dIn
  const cosines = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    let dot = 0
    let sq = 0
    for (let t = 0; t < dIn; t++) {
      const b = wDecB[j * dIn + t]!
      dot += row[t]! * b
      sq += b * b
    }
    cosines[j] = rowNorm > 0 && sq > 0 ? dot / (rowNorm * Math.sqrt(sq)) : 0
  }
  const order = Array.from({ length: n }, (_, j) => j)
    .sort((a, b) => cosines[b]! - cosines[a]! || a - b)
    .slice(0, k)
  return order.map((j) => {
    let concept: number | null = null
    let auroc: number | null = null
    for (const c of family) {
      const a = aurocB(c, j)
      if (!Number.isNaN(a) && (auroc === null || a > auroc)) {
        auroc = a
        concept = c
      }
    }
    return { feature: j, cosine: cosines[j]!, concept, auroc }
  })
}
