// Which features to try when steering towards a concept. The feature that best *detects* a concept (highest
// AUROC) is often a token-reading feature: on TinyWorld's layer 2 the bridge detector fires on "Bridge" and
// predicts "from"/"every", so clamping it makes the model repeat what follows the name, not say the name. A feature
// that *writes* the concept (its decoder direction promotes the concept's tokens through the unembedding) may steer
// better. Candidates come from both lists; steer-eval picks among them on seeds it does not report.

export interface CandidateInputs {
  dSae: number
  /** AUROC of every feature for the concept ([dSae]; NaN where undefined). */
  auroc: ArrayLike<number>
  /** Per feature, its top promoted token ids and their logit effects ([dSae · k], largest first). */
  promotedIds: ArrayLike<number>
  promotedValues: ArrayLike<number>
  k: number
  /** Tokens that begin one of the concept's surface forms. */
  conceptTokens: ReadonlySet<number>
  /** Max activation per feature: features that never fire cannot be clamped at a multiple of it. */
  maxActs: ArrayLike<number>
  /** Features taken from each list (default 6). */
  perList?: number
}

export interface SteeringCandidate {
  feature: number
  auroc: number | null
  /** Largest logit effect on one of the concept's tokens among the feature's top promoted tokens (null if none). */
  promotes: number | null
  source: 'auroc' | 'logits' | 'both'
}

/** The top features by AUROC and by promotion of the concept's tokens, deduplicated, AUROC list first. */
export function steeringCandidates(inputs: CandidateInputs): SteeringCandidate[] {
  const { dSae, auroc, promotedIds, promotedValues, k, conceptTokens, maxActs } = inputs
  const perList = inputs.perList ?? 6
  const live = (j: number) => maxActs[j]! > 0
  const promotes = (j: number): number | null => {
    let best: number | null = null
    for (let r = 0; r < k; r++) {
      if (conceptTokens.has(promotedIds[j * k + r]!)) best = Math.max(best ?? -Infinity, promotedValues[j * k + r]!)
    }
    return best
  }
  const features = Array.from({ length: dSae }, (_, j) => j).filter(live)
  const byAuroc = features.filter((j) => !Number.isNaN(auroc[j]!)).sort((a, b) => auroc[b]! - auroc[a]! || a - b).slice(0, perList)
  const byLogits = features
    .map((j) => [j, promotes(j)] as const)
    .filter((e): e is readonly [number, number] => e[1] !== null)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, perList)
    .map(([j]) => j)
  const out = new Map<number, SteeringCandidate>()
  for (const j of byAuroc) out.set(j, { feature: j, auroc: auroc[j]!, promotes: promotes(j), source: 'auroc' })
  for (const j of byLogits) {
    const seen = out.get(j)
    if (seen) seen.source = 'both'
    else out.set(j, { feature: j, auroc: Number.isNaN(auroc[j]!) ? null : auroc[j]!, promotes: promotes(j), source: 'logits' })
  }
  return [...out.values()]
}
