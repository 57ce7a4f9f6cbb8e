// Beyond one feature per concept: the smallest family of features whose summed activation recovers a concept
// (top-k union AUROC), the best feature's precision and recall, and absorption along the concept hierarchy — how
// often a parent's feature stays silent on a child's occurrence while a feature of the child fires.
import { InvalidArgumentError } from '../errors.ts'
import type { ConceptFeatureStats, SparseFeatureActs } from './groundTruth.ts'
import { conceptUnits, poolScores, precisionRecall, unitAuroc, type ConceptUnits } from './units.ts'

export interface FamilyScore {
  concept: number
  /** The concept's features by single-feature AUROC, best first (at most maxK). */
  features: number[]
  /** aurocByK[k−1]: AUROC of the sum of the top k features' activations (k = 1 is the best single feature). */
  aurocByK: number[]
  /** Smallest k whose union reaches the recovery bar; null when even maxK features do not. */
  smallestRecovering: number | null
  /** The best single feature as a detector (fires = activation > 0), over the concept's units. */
  precision: number | null
  recall: number | null
  falsePositiveRate: number | null
}

/** The features of highest AUROC for concept c (NaNs skipped), best first. */
export function topFeatures(stats: ConceptFeatureStats, c: number, k: number): number[] {
  const { dSae, auroc } = stats
  const best: number[] = []
  for (let j = 0; j < dSae; j++) {
    const a = auroc[c * dSae + j]!
    if (Number.isNaN(a)) continue
    if (best.length === k && a <= auroc[c * dSae + best[k - 1]!]!) continue
    let at = best.length
    while (at > 0 && a > auroc[c * dSae + best[at - 1]!]!) at--
    best.splice(at, 0, j)
    if (best.length > k) best.pop()
  }
  return best
}

/** Adds feature j's activations into a dense per-token buffer. */
function addFeature(acts: SparseFeatureActs, j: number, into: Float32Array): void {
  for (let i = acts.colPtr[j]!; i < acts.colPtr[j + 1]!; i++) into[acts.tokens[i]!]! += acts.values[i]!
}

export interface FamilyOptions {
  wordConcepts: readonly number[]
  unknowable?: readonly (readonly number[])[] | null
  /** Largest family tried (default 10). */
  maxK?: number
  aurocThreshold: number
}

/**
 * For each concept in `ids`: the AUROC of the union of its top-k features for k = 1 … maxK, where the union's score
 * of a token is the *sum* of those features' activations (feature activations are in decoder-norm units, so sums
 * compare), scored over the same units as single features (occurrences for word concepts, cue-limited tokens for
 * span concepts).
 */
export function featureFamilies(acts: SparseFeatureActs, concepts: readonly (readonly number[])[], stats: ConceptFeatureStats, ids: readonly number[], opts: FamilyOptions): FamilyScore[] {
  if (stats.dSae !== acts.dSae || stats.nTokens !== acts.nTokens) throw new InvalidArgumentError('Feature statistics and activations differ in shape')
  const words = new Set(opts.wordConcepts)
  const maxK = opts.maxK ?? 10
  return ids.map((c) => {
    const features = topFeatures(stats, c, maxK)
    const units = conceptUnits(concepts, c, { word: words.has(c), unknowable: opts.unknowable })
    const sum = new Float32Array(acts.nTokens)
    const aurocByK: number[] = []
    for (const j of features) {
      addFeature(acts, j, sum)
      aurocByK.push(unitAuroc(sum, units))
    }
    const k = aurocByK.findIndex((a) => a >= opts.aurocThreshold)
    let pr: ReturnType<typeof precisionRecall> = { precision: null, recall: null, falsePositiveRate: null }
    if (features.length > 0) {
      const one = new Float32Array(acts.nTokens)
      addFeature(acts, features[0]!, one)
      pr = precisionRecall(poolScores(one, units), units.labels, 0)
    }
    return { concept: c, features, aurocByK, smallestRecovering: k < 0 ? null : k + 1, ...pr }
  })
}

/** Per unit, whether feature j is active (> 0) on any of its tokens. */
export function firesOnUnits(acts: SparseFeatureActs, j: number, units: ConceptUnits): Uint8Array {
  const out = new Uint8Array(units.nUnits)
  for (let i = acts.colPtr[j]!; i < acts.colPtr[j + 1]!; i++) {
    const u = units.unitOf[acts.tokens[i]!]!
    if (u >= 0 && acts.values[i]! > 0) out[u] = 1
  }
  return out
}

export interface AbsorptionPair {
  parent: number
  child: number
  /** A language concept when the child is "the child concept within one language" (its words there). */
  language: number | null
  parentFeature: number
  /** The child's features, best first: [0] is its best feature, all of them its family. */
  childFeatures: readonly number[]
}

export interface AbsorptionScore extends Omit<AbsorptionPair, 'childFeatures'> {
  childFeature: number
  family: number[]
  /** The child's occurrences (tokens for span children) scored. */
  occurrences: number
  /** Share of them where the parent's feature is silent. */
  parentSilent: number
  /** Share where the parent's feature is silent while the child's best feature fires. */
  absorbed: number
  /** Share where the parent's feature is silent while some feature of the child's family fires. */
  absorbedByFamily: number
}

/** Absorption for each pair, over the child's units (restricted to its language when the pair names one). */
export function absorption(
  acts: SparseFeatureActs,
  concepts: readonly (readonly number[])[],
  pairs: readonly AbsorptionPair[],
  opts: { wordConcepts: readonly number[]; unknowable?: readonly (readonly number[])[] | null },
): AbsorptionScore[] {
  const words = new Set(opts.wordConcepts)
  const out: AbsorptionScore[] = []
  for (const pair of pairs) {
    if (pair.childFeatures.length === 0) throw new InvalidArgumentError(`Absorption of concept ${pair.child} needs at least one child feature`)
    const language = pair.language
    const units = conceptUnits(concepts, pair.child, {
      word: words.has(pair.child),
      unknowable: opts.unknowable,
      keep: language === null ? null : (t) => concepts[t]!.includes(language),
    })
    const parentFires = firesOnUnits(acts, pair.parentFeature, units)
    const childFires = firesOnUnits(acts, pair.childFeatures[0]!, units)
    const familyFires = new Uint8Array(units.nUnits)
    for (const j of pair.childFeatures) firesOnUnits(acts, j, units).forEach((f, u) => (familyFires[u]! |= f))
    let n = 0
    let silent = 0
    let absorbed = 0
    let byFamily = 0
    for (let u = 0; u < units.nUnits; u++) {
      if (!units.labels[u]) continue
      n++
      if (parentFires[u]) continue
      silent++
      if (childFires[u]) absorbed++
      if (familyFires[u]) byFamily++
    }
    const { childFeatures, ...rest } = pair
    out.push({
      ...rest,
      childFeature: childFeatures[0]!,
      family: [...childFeatures],
      occurrences: n,
      parentSilent: n > 0 ? silent / n : NaN,
      absorbed: n > 0 ? absorbed / n : NaN,
      absorbedByFamily: n > 0 ? byFamily / n : NaN,
    })
  }
  return out
}
