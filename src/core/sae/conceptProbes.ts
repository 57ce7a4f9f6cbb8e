// The ceiling an SAE is measured against: for every concept, how well a linear probe reads it from the activations
// the SAE encodes — held out (fit on half the documents, scored on the other half) and across languages (fit on
// two of TinyWorld's languages, scored on the third: a probe that transfers reads the concept, not its words).
import { InvalidArgumentError } from '../errors.ts'
import { fitProbes, probeLogits, type ProbeOptions, type ProbeTarget } from './probe.ts'
import { conceptUnits, unitAuroc } from './units.ts'

/** A concept counts as represented by the model when its transfer probe reaches this AUROC in every rotation. */
export const REPRESENTED_AUROC = 0.95

export interface ProbeCeiling {
  concept: number
  /** AUROC on the held-out documents (odd documents; the probe is fit on the even ones). */
  heldOut: number | null
  /** Per language: fit on the other languages' tokens, scored on this one's (null where undefined). */
  transfer: { language: number; auroc: number | null }[]
  /** The smallest transfer AUROC over the rotations that are defined: the model must hold the concept in every language. */
  transferMin: number | null
  transferMean: number | null
  represented: boolean
}

export interface ProbeInputs {
  /** Activations [nTokens, dIn], row-major. */
  x: Float32Array
  dIn: number
  /** Per token, its concept ids (controls included, as ids of their own). */
  concepts: readonly (readonly number[])[]
  /** Per token, span concepts it must not be scored or trained on (before the first cue). */
  unknowable?: readonly (readonly number[])[] | null
  /** Tokens per document, in order. */
  documents: readonly number[]
  /** The concepts to probe, each scored per occurrence (word) or per token (span). */
  targets: readonly { concept: number; word: boolean }[]
  /** The language concepts, one per language, carried by every token of a document in it. */
  languages: readonly number[]
}

export function conceptProbeCeilings(inputs: ProbeInputs, opts: ProbeOptions = {}): ProbeCeiling[] {
  const { x, dIn, concepts, unknowable, documents, targets, languages } = inputs
  const n = concepts.length
  if (x.length !== n * dIn) throw new InvalidArgumentError(`Activations for ${x.length / dIn} tokens, concepts for ${n}`)
  if (documents.reduce((a, b) => a + b, 0) !== n) throw new InvalidArgumentError(`Document lengths sum to ${documents.reduce((a, b) => a + b, 0)}, not ${n}`)
  const docOf = new Int32Array(n)
  let t0 = 0
  documents.forEach((len, d) => {
    docOf.fill(d, t0, t0 + len)
    t0 += len
  })
  const languageOf = new Int32Array(n).fill(-1)
  for (let t = 0; t < n; t++) languageOf[t] = languages.findIndex((l) => concepts[t]!.includes(l))

  const probeTargets: ProbeTarget[] = targets.map(({ concept }) => ({
    labels: Uint8Array.from(concepts, (set) => (set.includes(concept) ? 1 : 0)),
    include: unknowable ? Uint8Array.from(unknowable, (set) => (set.includes(concept) ? 0 : 1)) : null,
  }))
  const rows = (keep: (t: number) => boolean) => Int32Array.from({ length: n }, (_, t) => t).filter(keep)
  const score = (trainKeep: (t: number) => boolean, testKeep: (t: number) => boolean) => {
    const probes = fitProbes(x, dIn, rows(trainKeep), probeTargets, opts)
    const logits = probeLogits(probes, x)
    return targets.map(({ concept, word }, i) => {
      if (!probes.defined[i]) return null // no positives (or no negatives) to train on
      const units = conceptUnits(concepts, concept, { word, unknowable, keep: testKeep })
      const a = unitAuroc(logits[i]!, units)
      return Number.isNaN(a) ? null : a
    })
  }
  const heldOut = score((t) => docOf[t]! % 2 === 0, (t) => docOf[t]! % 2 === 1)
  const transfer = languages.map((_, li) => score((t) => languageOf[t] !== li && languageOf[t] !== -1, (t) => languageOf[t] === li))
  return targets.map(({ concept }, i) => {
    const rotations = languages.map((language, li) => ({ language, auroc: transfer[li]![i]! }))
    const defined = rotations.map((r) => r.auroc).filter((a): a is number => a !== null)
    const transferMin = defined.length > 0 ? Math.min(...defined) : null
    return {
      concept,
      heldOut: heldOut[i]!,
      transfer: rotations,
      transferMin,
      transferMean: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
      represented: transferMin !== null && transferMin >= REPRESENTED_AUROC,
    }
  })
}
