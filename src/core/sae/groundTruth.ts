// Scoring SAE features against TinyWorld's planted concepts: for every concept, every feature's AUROC (rank-based,
// ties at midranks) and best-threshold F1, from sparse activations; the best feature per concept, the fraction of
// concepts recovered, and splitting evidence between two SAEs (decoder cosines).
import { InvalidArgumentError } from '../errors.ts'

/** Feature activations of nTokens tokens, column-compressed: feature j's nonzeros are entries colPtr[j] … colPtr[j+1]−1. */
export interface SparseFeatureActs {
  nTokens: number
  dSae: number
  colPtr: Int32Array // [dSae + 1]
  tokens: Int32Array // [nnz], ascending within a feature
  values: Float32Array // [nnz]
}

/** Collects the nonzeros of row-major [rows, dSae] batches, token after token, then column-compresses them. */
export class SparseActsBuilder {
  readonly dSae: number
  private nTokens = 0
  private nnz = 0
  private tok = new Int32Array(1024)
  private feat = new Int32Array(1024)
  private val = new Float32Array(1024)

  constructor(dSae: number) {
    if (!Number.isInteger(dSae) || dSae < 1) throw new InvalidArgumentError(`dSae must be a positive integer, got ${dSae}`)
    this.dSae = dSae
  }

  get tokens(): number {
    return this.nTokens
  }

  addRows(data: ArrayLike<number>, rows: number): void {
    const d = this.dSae
    if (data.length !== rows * d) throw new InvalidArgumentError(`Expected ${rows} × ${d} activations, got ${data.length}`)
    for (let r = 0; r < rows; r++) {
      for (let j = 0, o = r * d; j < d; j++) {
        const v = data[o + j]!
        if (v === 0) continue
        if (this.nnz === this.tok.length) this.grow()
        this.tok[this.nnz] = this.nTokens + r
        this.feat[this.nnz] = j
        this.val[this.nnz] = v
        this.nnz++
      }
    }
    this.nTokens += rows
  }

  build(): SparseFeatureActs {
    const colPtr = new Int32Array(this.dSae + 1)
    for (let i = 0; i < this.nnz; i++) colPtr[this.feat[i]! + 1]! += 1
    for (let j = 0; j < this.dSae; j++) colPtr[j + 1]! += colPtr[j]!
    const next = colPtr.slice(0, this.dSae)
    const tokens = new Int32Array(this.nnz)
    const values = new Float32Array(this.nnz)
    for (let i = 0; i < this.nnz; i++) {
      const at = next[this.feat[i]!]!++
      tokens[at] = this.tok[i]!
      values[at] = this.val[i]!
    }
    return { nTokens: this.nTokens, dSae: this.dSae, colPtr, tokens, values }
  }

  private grow(): void {
    const n = this.tok.length * 2
    const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n)
      b.set(a)
      return b
    }
    this.tok = grow(this.tok, (k) => new Int32Array(k))
    this.feat = grow(this.feat, (k) => new Int32Array(k))
    this.val = grow(this.val, (k) => new Float32Array(k))
  }
}

/** Every (concept, feature) pair's scores, concept-major: index c·dSae + j. */
export interface ConceptFeatureStats {
  nConcepts: number
  dSae: number
  nTokens: number
  /** Tokens carrying each concept. */
  positives: Int32Array // [nConcepts]
  /** P(f(pos) > f(neg)) + ½·P(tie); NaN when a concept has no positives or no negatives. */
  auroc: Float64Array // [nConcepts · dSae]
  /** Best F1 of "f ≥ threshold" over every threshold. */
  f1: Float32Array // [nConcepts · dSae]
  f1Threshold: Float32Array // [nConcepts · dSae]
}

/**
 * AUROC and best F1 of every feature for every concept. Work is proportional to the nonzeros times the concepts per
 * token (plus nConcepts·dSae), so d_sae 4096 × 50k tokens takes seconds: the zeros of a feature form one tie group
 * whose rank and counts follow from totals.
 */
export function conceptFeatureStats(acts: SparseFeatureActs, concepts: readonly (readonly number[])[], nConcepts: number): ConceptFeatureStats {
  const { nTokens: n, dSae, colPtr, tokens, values } = acts
  if (concepts.length !== n) throw new InvalidArgumentError(`Concept sets for ${concepts.length} tokens, activations for ${n}`)
  const positives = new Int32Array(nConcepts)
  for (const set of concepts) {
    for (const c of set) {
      if (!(Number.isInteger(c) && c >= 0 && c < nConcepts)) throw new InvalidArgumentError(`Concept id ${c} is outside [0, ${nConcepts})`)
      positives[c]! += 1
    }
  }
  const size = nConcepts * dSae
  const rankSum = new Float64Array(size) // Σ midranks of positives among the feature's nonzeros
  const nonzeroPos = new Int32Array(size) // positives among the feature's nonzeros
  const f1 = new Float32Array(size)
  const f1Threshold = new Float32Array(size)
  const tp = new Int32Array(nConcepts) // positives among the tokens predicted so far
  const negPos = new Int32Array(nConcepts) // positives among the feature's negative values (none for ReLU-family SAEs)
  const stamp = new Int32Array(nConcepts).fill(-1)
  const touched: number[] = []
  const negatives = new Int32Array(dSae)
  let group = 0
  let order = new Int32Array(0)

  for (let j = 0; j < dSae; j++) {
    const a = colPtr[j]!
    const m = colPtr[j + 1]! - a
    if (order.length < m) order = new Int32Array(m)
    for (let i = 0; i < m; i++) order[i] = a + i
    const sorted = order.subarray(0, m).sort((x, y) => values[y]! - values[x]!) // descending
    tp.fill(0)
    negPos.fill(0)
    for (let i = 0; i < m; i++) {
      if (values[a + i]! >= 0) continue
      negatives[j]! += 1
      for (const c of concepts[tokens[a + i]!]!) negPos[c]! += 1
    }
    const zeros = n - m
    let predicted = 0
    const flush = (threshold: number, all: boolean) => {
      // F1 = 2·TP / (positives + predicted) only rises where TP does, so only touched concepts need a look.
      const list = all ? Array.from({ length: nConcepts }, (_, c) => c) : touched
      for (const c of list) {
        const score = (2 * tp[c]!) / (positives[c]! + predicted)
        const k = c * dSae + j
        if (score > f1[k]!) {
          f1[k] = score
          f1Threshold[k] = threshold
        }
      }
      group++
      touched.length = 0
    }
    const zeroGroup = () => {
      predicted += zeros
      for (let c = 0; c < nConcepts; c++) tp[c] = positives[c]! - negPos[c]!
      flush(0, true)
    }
    // Walk groups of equal value from the top; the zero group sits between the positive and the negative values.
    let zeroDone = false
    for (let i = 0; i < m; ) {
      const v = values[sorted[i]!]!
      if (!zeroDone && v < 0) {
        zeroGroup()
        zeroDone = true
      }
      let e = i
      while (e < m && values[sorted[e]!]! === v) e++
      // In ascending order this group holds ranks n − predicted − (e − i) + 1 … n − predicted.
      const midrank = n - predicted - (e - i - 1) / 2
      for (let q = i; q < e; q++) {
        for (const c of concepts[tokens[sorted[q]!]!]!) {
          const k = c * dSae + j
          rankSum[k]! += midrank
          nonzeroPos[k]! += 1
          tp[c]! += 1
          if (stamp[c] !== group) {
            stamp[c] = group
            touched.push(c)
          }
        }
      }
      predicted += e - i
      flush(v, false)
      i = e
    }
    if (!zeroDone && zeros > 0) zeroGroup()
  }

  const auroc = new Float64Array(size)
  for (let c = 0; c < nConcepts; c++) {
    const p = positives[c]!
    const q = n - p
    for (let j = 0; j < dSae; j++) {
      const k = c * dSae + j
      if (p === 0 || q === 0) {
        auroc[k] = NaN
        continue
      }
      const zeroMidrank = negatives[j]! + (n - (colPtr[j + 1]! - colPtr[j]!) + 1) / 2
      const r1 = rankSum[k]! + (p - nonzeroPos[k]!) * zeroMidrank
      auroc[k] = (r1 - (p * (p + 1)) / 2) / (p * q) // Mann–Whitney U / (n₁·n₀)
    }
  }
  return { nConcepts, dSae, nTokens: n, positives, auroc, f1, f1Threshold }
}

/**
 * conceptFeatureStats where the concepts in `wordConcepts` are scored per occurrence rather than per token: each
 * run of consecutive tokens carrying the concept is one positive whose activation is the feature's largest over
 * the run, and every token outside the concept's runs is one negative. A word split into several tokens ("Golden
 * Arc Bridge", "Aurel Kasti") is one thing the model reads; a feature that detects it fires somewhere in it, rarely
 * on every piece, so per-token scoring would cap its AUROC near ½ + ½·(share of pieces it fires on). Span concepts
 * (a language, a topic, a quote) stay per token: a feature for them should be on throughout.
 */
export function conceptFeatureStatsByUnit(
  acts: SparseFeatureActs,
  concepts: readonly (readonly number[])[],
  nConcepts: number,
  wordConcepts: readonly number[],
  unknowable?: readonly (readonly number[])[] | null,
): ConceptFeatureStats {
  const stats = conceptFeatureStats(acts, concepts, nConcepts)
  const { dSae } = acts
  if (unknowable) {
    // Span concepts are scored only on tokens a left-to-right model can know about (world/cues.ts): the tokens of a
    // span before its first cue word are dropped from that concept's positives (and from its negatives: they are
    // neither).
    if (unknowable.length !== acts.nTokens) throw new InvalidArgumentError(`Cue limits for ${unknowable.length} tokens, activations for ${acts.nTokens}`)
    const limited = new Set<number>()
    for (const set of unknowable) for (const c of set) limited.add(c)
    for (const c of limited) {
      if (!(Number.isInteger(c) && c >= 0 && c < nConcepts)) throw new InvalidArgumentError(`Cue-limited concept id ${c} is outside [0, ${nConcepts})`)
      const sub = restrictTokens(acts, concepts, (t) => !unknowable[t]!.includes(c))
      const one = conceptFeatureStats(sub.acts, sub.concepts.map((set) => (set.includes(c) ? [0] : [])), 1)
      stats.positives[c] = one.positives[0]!
      stats.auroc.set(one.auroc, c * dSae)
      stats.f1.set(one.f1, c * dSae)
      stats.f1Threshold.set(one.f1Threshold, c * dSae)
    }
  }
  for (const c of new Set(wordConcepts)) {
    if (!(Number.isInteger(c) && c >= 0 && c < nConcepts)) throw new InvalidArgumentError(`Word concept id ${c} is outside [0, ${nConcepts})`)
    if (stats.positives[c] === 0) continue
    const { pooled, labels } = poolOccurrences(acts, concepts, c)
    const one = conceptFeatureStats(pooled, labels, 1)
    stats.positives[c] = one.positives[0]!
    stats.auroc.set(one.auroc, c * dSae)
    stats.f1.set(one.f1, c * dSae)
    stats.f1Threshold.set(one.f1Threshold, c * dSae)
  }
  return stats
}

/** Merges each run of tokens carrying concept `c` into one unit (max activation per feature); labels: [0] or []. */
function poolOccurrences(acts: SparseFeatureActs, concepts: readonly (readonly number[])[], c: number): { pooled: SparseFeatureActs; labels: number[][] } {
  const unitOf = new Int32Array(acts.nTokens)
  const labels: number[][] = []
  let inRun = false
  for (let t = 0; t < acts.nTokens; t++) {
    const has = concepts[t]!.includes(c)
    if (!(has && inRun)) labels.push(has ? [0] : [])
    unitOf[t] = labels.length - 1
    inRun = has
  }
  const { dSae, colPtr, tokens, values } = acts
  const outPtr = new Int32Array(dSae + 1)
  const outTok = new Int32Array(tokens.length)
  const outVal = new Float32Array(tokens.length)
  let o = 0
  for (let j = 0; j < dSae; j++) {
    let last = -1
    for (let i = colPtr[j]!; i < colPtr[j + 1]!; i++) {
      const u = unitOf[tokens[i]!]! // tokens ascend within a feature, so units do too
      if (u === last) {
        outVal[o - 1] = Math.max(outVal[o - 1]!, values[i]!)
      } else {
        outTok[o] = u
        outVal[o] = values[i]!
        o++
        last = u
      }
    }
    outPtr[j + 1] = o
  }
  return { pooled: { nTokens: labels.length, dSae, colPtr: outPtr, tokens: outTok.subarray(0, o), values: outVal.subarray(0, o) }, labels }
}

/** The tokens `keep` selects (with their concept sets), renumbered in order: e.g. one language's tokens. */
export function restrictTokens(
  acts: SparseFeatureActs,
  concepts: readonly (readonly number[])[],
  keep: (token: number) => boolean,
): { acts: SparseFeatureActs; concepts: (readonly number[])[] } {
  const newIndex = new Int32Array(acts.nTokens).fill(-1)
  const kept: (readonly number[])[] = []
  for (let t = 0; t < acts.nTokens; t++) {
    if (!keep(t)) continue
    newIndex[t] = kept.length
    kept.push(concepts[t]!)
  }
  const { dSae, colPtr, tokens, values } = acts
  const outPtr = new Int32Array(dSae + 1)
  const outTok = new Int32Array(tokens.length)
  const outVal = new Float32Array(tokens.length)
  let o = 0
  for (let j = 0; j < dSae; j++) {
    for (let i = colPtr[j]!; i < colPtr[j + 1]!; i++) {
      const t = newIndex[tokens[i]!]!
      if (t < 0) continue
      outTok[o] = t
      outVal[o] = values[i]!
      o++
    }
    outPtr[j + 1] = o
  }
  return { acts: { nTokens: kept.length, dSae, colPtr: outPtr, tokens: outTok.subarray(0, o), values: outVal.subarray(0, o) }, concepts: kept }
}

/** One language's slice of a ground-truth evaluation. */
export interface LanguageRecovery {
  language: number
  name: string | null
  tokens: number
  evaluated: number
  recovered: number
  fractionRecovered: number
  /** Per concept: its best feature and AUROC within the language (null where the concept does not occur in it). */
  concepts: { concept: number; bestFeature: number | null; auroc: number | null; recovered: boolean }[]
}

/**
 * Recovery within each language: the same scoring on the tokens of one language at a time. A dictionary can hold a
 * feature per language for a concept (English "cat", Velari "miso") without one feature for all three; this tells
 * the two apart. `languages` are concept ids carried by every token of a document in that language.
 */
export function recoveryByLanguage(
  acts: SparseFeatureActs,
  concepts: readonly (readonly number[])[],
  opts: { nConcepts: number; languages: readonly number[]; names?: readonly string[]; wordConcepts?: readonly number[]; unknowable?: readonly (readonly number[])[] | null },
): LanguageRecovery[] {
  return opts.languages.map((language) => {
    const keep = (t: number) => concepts[t]!.includes(language)
    const sub = restrictTokens(acts, concepts, keep)
    const unknowable = opts.unknowable ? opts.unknowable.filter((_, t) => keep(t)) : null
    const r = scoreConcepts(sub.acts, sub.concepts, { nConcepts: opts.nConcepts, wordConcepts: opts.wordConcepts, unknowable })
    // The language concept itself is on every token of the slice: undefined there, and left out.
    const scored = r.concepts.filter((c) => c.concept !== language)
    const evaluated = scored.filter((c) => c.auroc !== null).length
    const recovered = scored.filter((c) => c.recovered).length
    return {
      language,
      name: opts.names?.[language] ?? null,
      tokens: sub.acts.nTokens,
      evaluated,
      recovered,
      fractionRecovered: evaluated > 0 ? recovered / evaluated : 0,
      concepts: scored.map((c) => ({ concept: c.concept, bestFeature: c.bestFeature, auroc: c.auroc, recovered: c.recovered })),
    }
  })
}

/** Concepts recovered in every language they occur in (possibly by a different feature in each). */
export function recoveredInEveryLanguage(byLanguage: readonly LanguageRecovery[]): { evaluated: number; recovered: number; fraction: number; concepts: number[] } {
  const status = new Map<number, boolean>()
  for (const lang of byLanguage) {
    for (const c of lang.concepts) {
      if (c.auroc === null) continue
      status.set(c.concept, (status.get(c.concept) ?? true) && c.recovered)
    }
  }
  const concepts = [...status].filter(([, ok]) => ok).map(([c]) => c).sort((a, b) => a - b)
  return { evaluated: status.size, recovered: concepts.length, fraction: status.size > 0 ? concepts.length / status.size : 0, concepts }
}

export interface ConceptScore {
  concept: number
  name: string | null
  /** Positives: tokens carrying the concept (span concepts: from their first cue on, given cue limits), or its occurrences for word concepts (see `unit`). */
  positives: number
  /** Fraction of the sample's tokens carrying the concept (whatever the unit). */
  frequency: number
  unit: 'token' | 'occurrence'

  /** The feature with the highest AUROC (null when the concept is absent from the sample or on every token). */
  bestFeature: number | null
  auroc: number | null
  /** The best feature's F1 at its best threshold (predict the concept where f ≥ threshold). */
  f1: number | null
  f1Threshold: number | null
  /** The feature with the highest F1, which for frequent concepts is often not the AUROC winner. */
  bestF1Feature: number | null
  bestF1: number | null
  recovered: boolean
}

export interface GroundTruthReport {
  tokens: number
  aurocThreshold: number
  /** Concepts present in the sample (and not on every token): the denominator of fractionRecovered. */
  evaluated: number
  recovered: number
  fractionRecovered: number
  concepts: ConceptScore[]
}

/** A concept counts as recovered when some feature separates it with AUROC ≥ this (the bar). */
export const RECOVERED_AUROC = 0.95

export interface ScoreOptions {
  nConcepts: number
  names?: readonly string[]
  aurocThreshold?: number
  wordConcepts?: readonly number[]
  /** Per token, span concepts not to score it on (before the span's first cue; world/cues.ts). */
  unknowable?: readonly (readonly number[])[] | null
}

/** Each concept's best feature and the fraction of concepts recovered. `names[c]` labels concept c. */
export function scoreConcepts(acts: SparseFeatureActs, concepts: readonly (readonly number[])[], opts: ScoreOptions): GroundTruthReport {
  return scoreConceptsWithStats(acts, concepts, opts).report
}

/** scoreConcepts, with every (concept, feature) score it ranked (for feature families and absorption). */
export function scoreConceptsWithStats(acts: SparseFeatureActs, concepts: readonly (readonly number[])[], opts: ScoreOptions): { report: GroundTruthReport; stats: ConceptFeatureStats } {
  const words = new Set(opts.wordConcepts ?? [])
  const tokenCounts = new Int32Array(opts.nConcepts)
  for (const set of concepts) for (const c of set) if (c >= 0 && c < opts.nConcepts) tokenCounts[c]! += 1
  const stats = conceptFeatureStatsByUnit(acts, concepts, opts.nConcepts, [...words], opts.unknowable)
  const threshold = opts.aurocThreshold ?? RECOVERED_AUROC
  const { dSae, nTokens } = stats
  const scores: ConceptScore[] = []
  for (let c = 0; c < stats.nConcepts; c++) {
    let best = -1
    let bestF1 = -1
    for (let j = 0; j < dSae; j++) {
      const k = c * dSae + j
      if (stats.auroc[k]! > (best < 0 ? -Infinity : stats.auroc[c * dSae + best]!)) best = j
      if (stats.f1[k]! > (bestF1 < 0 ? -Infinity : stats.f1[c * dSae + bestF1]!)) bestF1 = j
    }
    const p = stats.positives[c]!
    const defined = best >= 0
    const auroc = defined ? stats.auroc[c * dSae + best]! : null
    scores.push({
      concept: c,
      name: opts.names?.[c] ?? null,
      positives: p,
      frequency: nTokens > 0 ? tokenCounts[c]! / nTokens : 0,
      unit: words.has(c) ? 'occurrence' : 'token',
      bestFeature: defined ? best : null,
      auroc,
      f1: defined ? stats.f1[c * dSae + best]! : null,
      f1Threshold: defined ? stats.f1Threshold[c * dSae + best]! : null,
      bestF1Feature: defined ? bestF1 : null,
      bestF1: defined ? stats.f1[c * dSae + bestF1]! : null,
      recovered: auroc !== null && auroc >= threshold,
    })
  }
  const evaluated = scores.filter((s) => s.auroc !== null).length
  const recovered = scores.filter((s) => s.recovered).length
  return { report: { tokens: nTokens, aurocThreshold: threshold, evaluated, recovered, fractionRecovered: evaluated > 0 ? recovered / evaluated : 0, concepts: scores }, stats }
}

/** Concepts with children, from parent links (TinyWorld's catalogue: `parent` per concept id). */
export function conceptHierarchy(concepts: readonly { id: number; parent: number | null }[]): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const c of concepts) if (c.parent !== null) out.set(c.parent, [...(out.get(c.parent) ?? []), c.id])
  return out
}

/** One SAE's side of a splitting comparison: its ground-truth report and decoder W_dec [dSae, dIn]. */
export interface SplitSide {
  report: GroundTruthReport
  wDec: Float32Array
  dIn: number
}

export interface SplitEvidence {
  parent: { concept: number; name: string | null; feature: number | null; auroc: number | null }
  /** The parent concept's best feature in the larger SAE, and its decoder cosine with the parent's feature in the smaller. */
  parentInB: { feature: number | null; auroc: number | null; cosineWithParent: number | null }
  /** Each child's best feature in the larger SAE, with its decoder cosine to the parent's feature in the smaller. */
  children: { concept: number; name: string | null; feature: number | null; auroc: number | null; cosineWithParent: number | null }[]
}

function cosine(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let t = 0; t < d; t++) {
    const x = a[i * d + t]!
    const y = b[j * d + t]!
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}

/**
 * Feature splitting between a smaller SAE `a` and a larger `b` trained on the same activations: the parent
 * concept's feature in `a`, and its children's features in `b`, with decoder cosines to the parent's feature.
 */
export function splittingEvidence(parent: number, children: readonly number[], a: SplitSide, b: SplitSide): SplitEvidence {
  if (a.dIn !== b.dIn) throw new InvalidArgumentError(`The SAEs read different widths (${a.dIn} and ${b.dIn})`)
  const score = (side: SplitSide, c: number) => {
    const s = side.report.concepts[c]
    if (!s) throw new InvalidArgumentError(`Concept ${c} is not in the report`)
    return s
  }
  const p = score(a, parent)
  const cos = (j: number | null) => (p.bestFeature === null || j === null ? null : cosine(a.wDec, p.bestFeature, b.wDec, j, a.dIn))
  const pb = score(b, parent)
  return {
    parent: { concept: parent, name: p.name, feature: p.bestFeature, auroc: p.auroc },
    parentInB: { feature: pb.bestFeature, auroc: pb.auroc, cosineWithParent: cos(pb.bestFeature) },
    children: children.map((c) => {
      const s = score(b, c)
      return { concept: c, name: s.name, feature: s.bestFeature, auroc: s.auroc, cosineWithParent: cos(s.bestFeature) }
    }),
  }
}
