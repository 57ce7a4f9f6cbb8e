// A bigram model fitted by counting, as the baseline the trained model must beat (held-out cross-entropy).

export class BigramModel {
  private readonly counts: Map<number, Map<number, number>> = new Map()
  private readonly rowTotals: Map<number, number> = new Map()
  private readonly unigram: Float64Array
  private total = 0

  constructor(
    readonly vocabSize: number,
    /** Interpolation with the unigram distribution, so unseen pairs keep finite loss. */
    private readonly unigramWeight = 0.01,
  ) {
    this.unigram = new Float64Array(vocabSize)
  }

  fit(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      const cur = ids[i] as number
      this.unigram[cur] = (this.unigram[cur] ?? 0) + 1
      this.total++
      if (i === 0) continue
      const prev = ids[i - 1] as number
      let row = this.counts.get(prev)
      if (!row) this.counts.set(prev, (row = new Map()))
      row.set(cur, (row.get(cur) ?? 0) + 1)
      this.rowTotals.set(prev, (this.rowTotals.get(prev) ?? 0) + 1)
    }
  }

  /** P(next | prev), interpolated with add-one-smoothed unigram probabilities. */
  probability(prev: number, next: number): number {
    const uni = ((this.unigram[next] ?? 0) + 1) / (this.total + this.vocabSize)
    const rowTotal = this.rowTotals.get(prev) ?? 0
    if (rowTotal === 0) return uni
    const bi = (this.counts.get(prev)?.get(next) ?? 0) / rowTotal
    return (1 - this.unigramWeight) * bi + this.unigramWeight * uni
  }

  /** Mean cross-entropy in nats of predicting ids[i] from ids[i-1], for i ≥ 1. */
  crossEntropy(ids: ArrayLike<number>): number {
    let sum = 0
    for (let i = 1; i < ids.length; i++) sum -= Math.log(this.probability(ids[i - 1] as number, ids[i] as number))
    return ids.length > 1 ? sum / (ids.length - 1) : NaN
  }
}

/** Mean bigram cross-entropy over documents, each truncated to the context a model of `nCtx` would see. */
export function bigramCrossEntropyOnDocuments(bigram: BigramModel, docs: ReadonlyArray<{ ids: number[] }>, nCtx: number): number {
  let nats = 0
  let count = 0
  for (const doc of docs) {
    const ids = doc.ids.slice(0, nCtx + 1)
    if (ids.length < 2) continue
    nats += bigram.crossEntropy(ids) * (ids.length - 1)
    count += ids.length - 1
  }
  return nats / Math.max(1, count)
}
