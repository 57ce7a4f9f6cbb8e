// The units a concept is scored on, for dense scores (a probe's logits, a sum of features): a word concept's
// occurrences (a run of tokens carrying it is one positive, scored by its largest value; every other token is one
// negative), a span concept's tokens, minus the tokens a concept cannot be scored on (before its span's first cue,
// or outside the evaluated slice). The same units conceptFeatureStatsByUnit uses for SAE features.
import { InvalidArgumentError } from '../errors.ts'

export interface ConceptUnits {
  /** Per token, its unit, or −1 when the token is not scored. */
  unitOf: Int32Array // [nTokens]
  /** Per unit, 1 for a positive (an occurrence, or a token carrying the concept). */
  labels: Uint8Array // [nUnits]
  nUnits: number
  positives: number
}

export interface UnitOptions {
  /** Score occurrences (word concepts) rather than tokens. */
  word: boolean
  /** Per token, concepts it must not be scored on (world/cues.ts's unknowable span tokens). */
  unknowable?: readonly (readonly number[])[] | null
  /** Tokens to score at all (a held-out half, one language); default every token. */
  keep?: ((token: number) => boolean) | null
}

export function conceptUnits(concepts: readonly (readonly number[])[], concept: number, opts: UnitOptions): ConceptUnits {
  const n = concepts.length
  if (opts.unknowable && opts.unknowable.length !== n) throw new InvalidArgumentError(`Cue limits for ${opts.unknowable.length} tokens, concepts for ${n}`)
  const unitOf = new Int32Array(n).fill(-1)
  const labels: number[] = []
  let positives = 0
  let inRun = false
  for (let t = 0; t < n; t++) {
    if ((opts.keep && !opts.keep(t)) || opts.unknowable?.[t]!.includes(concept)) {
      inRun = false
      continue
    }
    const has = concepts[t]!.includes(concept)
    if (!(opts.word && has && inRun)) {
      labels.push(has ? 1 : 0)
      if (has) positives++
    }
    unitOf[t] = labels.length - 1
    inRun = has
  }
  return { unitOf, labels: Uint8Array.from(labels), nUnits: labels.length, positives }
}

/** Each unit's largest token score. */
export function poolScores(scores: ArrayLike<number>, units: ConceptUnits): Float64Array {
  if (scores.length !== units.unitOf.length) throw new InvalidArgumentError(`Scores for ${scores.length} tokens, units over ${units.unitOf.length}`)
  const out = new Float64Array(units.nUnits).fill(-Infinity)
  for (let t = 0; t < scores.length; t++) {
    const u = units.unitOf[t]!
    if (u >= 0 && scores[t]! > out[u]!) out[u] = scores[t]!
  }
  return out
}

/** P(score(pos) > score(neg)) + ½·P(tie), from midranks; NaN without positives or negatives. */
export function aurocOf(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length
  if (labels.length !== n) throw new InvalidArgumentError(`${n} scores but ${labels.length} labels`)
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let rankSum = 0
  let p = 0
  for (let i = 0; i < n; ) {
    let e = i
    while (e < n && scores[order[e]!]! === scores[order[i]!]!) e++
    const midrank = (i + 1 + e) / 2
    for (let q = i; q < e; q++) {
      if (labels[order[q]!]) {
        rankSum += midrank
        p++
      }
    }
    i = e
  }
  const q = n - p
  if (p === 0 || q === 0) return NaN
  return (rankSum - (p * (p + 1)) / 2) / (p * q)
}

/** AUROC of dense token scores for a concept over its units. */
export function unitAuroc(scores: ArrayLike<number>, units: ConceptUnits): number {
  return aurocOf(poolScores(scores, units), units.labels)
}

/** Precision and recall of "score > threshold" over units (null precision when nothing is predicted). */
export function precisionRecall(pooled: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): { precision: number | null; recall: number | null; falsePositiveRate: number | null } {
  let tp = 0
  let fp = 0
  let p = 0
  for (let u = 0; u < pooled.length; u++) {
    const predicted = pooled[u]! > threshold
    if (labels[u]) {
      p++
      if (predicted) tp++
    } else if (predicted) fp++
  }
  const q = pooled.length - p
  return { precision: tp + fp > 0 ? tp / (tp + fp) : null, recall: p > 0 ? tp / p : null, falsePositiveRate: q > 0 ? fp / q : null }
}
