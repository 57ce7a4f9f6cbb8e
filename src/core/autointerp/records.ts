// What an explainer reads and a simulator is scored on: a feature's contexts as token strings with the feature's
// activation on every token (Bills et al.'s "activation records"), split so scoring never sees the explained examples.
import type { ExampleRecord, FeatureRecord } from '../analysis/format.ts'
import type { RandomContext } from '../analysis/randomContexts.ts'

/** One context: token strings and the feature's activation on each (decoder-norm scale, ≥ 0). */
export interface ActivationRecord {
  tokens: string[]
  activations: number[] // [tokens.length]
}

export interface FeatureRecords {
  /** Shown to the explainer: the even-ranked top examples (best first), then one example per quantile, highest first. */
  explain: ActivationRecord[]
  /** Held out for scoring: the odd-ranked top examples … */
  heldOutTop: ActivationRecord[]
  /** … and random contexts of the corpus (mostly zeros for a sparse feature), as Bills et al. score "top and random". */
  random: ActivationRecord[]
  /** The feature's largest activation over the corpus: the scale an explainer's 0–10 activations are relative to. */
  maxAct: number
}

export interface RecordOptions {
  /** Held-out top examples used for scoring (Bills et al. use 5). */
  heldOutTop: number
  /** Random contexts used for scoring (Bills et al. use 5). */
  random: number
}

export const DEFAULT_RECORD_OPTIONS: Readonly<RecordOptions> = Object.freeze({ heldOutTop: 5, random: 5 })

/** A token id as text; ids outside a vocabulary show as `[id]` rather than failing. */
const tokenString = (vocab: readonly string[] | null, id: number): string => vocab?.[id] ?? `[${id}]`

export function exampleRecord(example: Pick<ExampleRecord, 'token_ids' | 'values'>, vocab: readonly string[] | null): ActivationRecord {
  return { tokens: example.token_ids.map((id) => tokenString(vocab, id)), activations: example.values.map((v) => Math.max(0, v)) }
}

/**
 * The explain / held-out split of one feature. Top examples alternate (0, 2, 4, … explain; 1, 3, 5, … score) so
 * both halves span the top of the range; random contexts are chosen per feature, seeded by its index, from the
 * analysis's shared pool, so every explainer of the same file is scored on the same records.
 */
export function featureRecords(
  feature: Pick<FeatureRecord, 'index' | 'max_act' | 'top_examples' | 'quantile_examples' | 'random_values'>,
  header: { vocab: readonly string[] | null; random_contexts?: readonly RandomContext[] | null },
  options: RecordOptions = DEFAULT_RECORD_OPTIONS,
): FeatureRecords {
  const vocab = header.vocab
  const explain: ActivationRecord[] = []
  const heldOutTop: ActivationRecord[] = []
  feature.top_examples.forEach((e, rank) => {
    if (rank % 2 === 0) explain.push(exampleRecord(e, vocab))
    else if (heldOutTop.length < options.heldOutTop) heldOutTop.push(exampleRecord(e, vocab))
  })
  for (let q = feature.quantile_examples.length - 1; q >= 0; q--) {
    const first = feature.quantile_examples[q]!.examples[0]
    if (first) explain.push(exampleRecord(first, vocab))
  }
  const pool = header.random_contexts ?? []
  const dense = randomActivations(feature.random_values ?? null, pool)
  const random = pickIndices(pool.length, options.random, feature.index).map((c) => ({ tokens: pool[c]!.token_ids.map((id) => tokenString(vocab, id)), activations: dense[c]! }))
  return { explain, heldOutTop, random, maxAct: feature.max_act }
}

/** The feature's activations on every pooled random context, from its sparse (context, offset, value) triples. */
export function randomActivations(sparse: FeatureRecord['random_values'] | null, pool: readonly RandomContext[]): number[][] {
  const dense = pool.map((c) => new Array<number>(c.token_ids.length).fill(0))
  if (sparse) {
    sparse.context.forEach((c, i) => {
      const row = dense[c]
      const at = sparse.offset[i]!
      if (row !== undefined && at < row.length) row[at] = Math.max(0, sparse.value[i]!)
    })
  }
  return dense
}

/** `k` distinct indices of `n`, in a fixed order that depends on `seed` (a feature's index): a seeded partial shuffle (k = n: the LLM detection prompt's order). */
export function pickIndices(n: number, k: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  let state = (seed * 2654435761 + 1) >>> 0
  const m = Math.min(k, n)
  for (let i = 0; i < m; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0 // LCG: only the choice must be fixed, not its quality
    const j = i + (state % (n - i))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order.slice(0, m)
}
