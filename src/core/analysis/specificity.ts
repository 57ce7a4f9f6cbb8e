// Specificity (Scaling Monosemanticity's stacked histograms): per activation bin, how many of a feature's active
// tokens carry its best planted concept, from the sparse activations the ground-truth pass already holds.
import { InvalidArgumentError } from '../errors.ts'
import type { SparseFeatureActs } from '../sae/groundTruth.ts'
import type { HistogramBins } from './histogram.ts'

/**
 * For each feature j with a concept `concept[j]`, an [nBins] count of its active (> 0) tokens in each bin whose
 * labels include that concept; null where the feature has no concept. Bins are those of the activation
 * histogram, so each count is at most the histogram's count in the same bin.
 */
export function conceptCountsByBin(
  acts: SparseFeatureActs,
  labels: readonly (readonly number[])[], // [nTokens] concept ids of each analysed token
  concept: readonly (number | null)[], // [dSae]
  bins: HistogramBins,
): (Int32Array | null)[] {
  const { dSae, colPtr, tokens, values } = acts
  if (labels.length !== acts.nTokens) throw new InvalidArgumentError(`Concept labels for ${labels.length} tokens, but the activations cover ${acts.nTokens}`)
  if (concept.length !== dSae) throw new InvalidArgumentError(`A concept per feature: got ${concept.length} for d_sae ${dSae}`)
  return concept.map((c, j) => {
    if (c === null) return null
    const counts = new Int32Array(bins.nBins) // [nBins]
    for (let i = colPtr[j]!; i < colPtr[j + 1]!; i++) {
      const v = values[i]!
      if (v > 0 && labels[tokens[i]!]!.includes(c)) counts[bins.binOf(v)]! += 1
    }
    return counts
  })
}

/** Tokens at or above `from` (whole bins: those whose lower edge reaches it) and how many of them carry the concept. */
export function conceptShareFrom(histogram: { edges: readonly number[]; counts: readonly number[]; concept_counts?: readonly number[] | null }, from: number): { tokens: number; present: number } {
  let tokens = 0
  let present = 0
  histogram.counts.forEach((c, i) => {
    if (histogram.edges[i]! < from) return
    tokens += c
    present += histogram.concept_counts?.[i] ?? 0
  })
  return { tokens, present }
}
