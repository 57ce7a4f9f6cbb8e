// TinyWorld's public generator: documents with per-token concepts and forced flags, a flat training stream, and
// labelled samples. Everything is a pure function of the seed.
import { InvalidArgumentError } from '../errors.ts'
import type { ConceptId } from './concepts.ts'
import { LANGUAGES, type LanguageId } from './lexicon.ts'
import { createWorldRng, type WorldRng } from './prng.ts'
import { Sampler } from './sampler.ts'
import { detokenize, EOT_ID, getWorld, type LanguageGrammar } from './world.ts'

/** Documents are 40–200 tokens: long enough to carry context, short enough that several fit a 128-token window's neighbours. */
export const MIN_DOC_TOKENS = 40
export const MAX_DOC_TOKENS = 200

export interface WorldDocument {
  readonly text: string
  /** Token ids, without the <|endoftext|> that follows the document in a stream. */
  readonly ids: number[]
  /** Per token: the ids of the concepts active there, ascending. Empty arrays when sampled without labels. */
  readonly concepts: ConceptId[][]
  /** Per token: whether the grammar allowed only this token given the document so far. */
  readonly forced: boolean[]
  /** Whether the <|endoftext|> after the document was forced (the grammar could only end there). */
  readonly endForced: boolean
  readonly language: LanguageId
  readonly docType: string
  /**
   * −log probability (nats) of the generator's choices for this document's body, language and type choices
   * excluded. Several choice paths can give the same text, so this bounds from above what an ideal model would pay.
   */
  readonly choiceNats: number
}

export interface GenerateOptions {
  /** Only documents in this language (default: English-like half the time, each invented language a quarter). */
  readonly language?: LanguageId
  /** Only this document type ('story', 'code', …; see docTypeNames()). */
  readonly docType?: string
  /** Compute concepts and forced flags (default true); false is several times faster, for training streams. */
  readonly labels?: boolean
}

export function docTypeNames(): string[] {
  return getWorld().languages[0]!.docTypes.map((d) => d.name)
}

function pickWeighted<T extends { readonly weight: number }>(rng: WorldRng, items: readonly T[]): T {
  const total = items.reduce((s, x) => s + x.weight, 0)
  let r = rng.next() * total
  for (const item of items) {
    r -= item.weight
    if (r < 0) return item
  }
  return items[items.length - 1]!
}

/** One document. `rng` is a seed or a WorldRng that the call advances (so successive calls give new documents). */
export function generateDocument(rng: WorldRng | number, opts: GenerateOptions = {}): WorldDocument {
  const random = typeof rng === 'number' ? createWorldRng(rng) : rng
  const world = getWorld()
  const withLabels = opts.labels ?? true
  let language: LanguageGrammar
  if (opts.language !== undefined) {
    const found = world.languages.find((l) => l.id === opts.language)
    if (!found) throw new InvalidArgumentError(`Unknown TinyWorld language "${opts.language}" (known: ${LANGUAGES.join(', ')})`)
    language = found
  } else language = pickWeighted(random, world.languages)
  const candidates = opts.docType === undefined ? language.docTypes : language.docTypes.filter((d) => d.name === opts.docType)
  if (candidates.length === 0) throw new InvalidArgumentError(`Unknown TinyWorld document type "${opts.docType}" (known: ${docTypeNames().join(', ')})`)
  const docType = pickWeighted(random, candidates)

  // Lengths outside the range are redrawn; the automaton never assumes the range, so forced flags stay honest.
  for (let attempt = 0; ; attempt++) {
    // Every document type fits the range at least half the time; a thousand misses means a grammar bug.
    if (attempt === 1000) throw new Error(`TinyWorld: "${docType.name}" documents in ${language.id} never fit ${MIN_DOC_TOKENS}–${MAX_DOC_TOKENS} tokens`)
    const sampler = new Sampler(random, withLabels)
    sampler.sample(docType.node)
    const n = sampler.ids.length
    if (n < MIN_DOC_TOKENS || n > MAX_DOC_TOKENS) continue
    const forced: boolean[] = []
    let endForced = false
    if (withLabels) {
      const cursor = world.automaton.cursor()
      for (const id of sampler.ids) {
        forced.push(cursor.isForced(id))
        cursor.advance(id)
      }
      endForced = cursor.isForced(EOT_ID)
      cursor.advance(EOT_ID)
    }
    return {
      text: detokenize(sampler.ids.map((id) => world.vocab[id]!)),
      ids: sampler.ids,
      concepts: withLabels ? sampler.concepts : [],
      forced,
      endForced,
      language: language.id,
      docType: docType.name,
      choiceNats: sampler.nats,
    }
  }
}

/** A slice of the flat stream: <|endoftext|> doc <|endoftext|> doc …, with labels when the stream has them. */
export interface TokenChunk {
  readonly ids: Int32Array
  /** Present when the stream was created with labels; <|endoftext|> carries no concepts. */
  readonly concepts?: ConceptId[][]
  readonly forced?: Uint8Array
}

export interface WorldStream extends Iterable<WorldDocument> {
  nextDocument(): WorldDocument
  /** The next `n` tokens of the flat stream (which starts with <|endoftext|> as BOS), continuing across calls. */
  takeTokens(n: number): TokenChunk
}

export function createWorldStream(seed: number, opts: Omit<GenerateOptions, 'docType' | 'language'> = {}): WorldStream {
  const rng = createWorldRng(seed)
  const withLabels = opts.labels ?? true
  const nextDocument = () => generateDocument(rng, { labels: withLabels })
  // The flat stream's pending tokens: starts with the BOS <|endoftext|>, never forced.
  let pendingIds: number[] = [EOT_ID]
  let pendingConcepts: ConceptId[][] = [[]]
  let pendingForced: boolean[] = [false]
  let offset = 0
  return {
    nextDocument,
    [Symbol.iterator]: function* () {
      for (;;) yield nextDocument()
    },
    takeTokens(n: number): TokenChunk {
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`takeTokens needs a non-negative integer, got ${n}`)
      const ids = new Int32Array(n)
      const concepts: ConceptId[][] = []
      const forced = new Uint8Array(n)
      for (let i = 0; i < n; i++) {
        if (offset === pendingIds.length) {
          const doc = nextDocument()
          pendingIds = [...doc.ids, EOT_ID]
          pendingConcepts = withLabels ? [...doc.concepts, []] : []
          pendingForced = withLabels ? [...doc.forced, doc.endForced] : []
          offset = 0
        }
        ids[i] = pendingIds[offset]!
        if (withLabels) {
          concepts.push(pendingConcepts[offset]!)
          forced[i] = pendingForced[offset]! ? 1 : 0
        }
        offset++
      }
      return withLabels ? { ids, concepts, forced } : { ids }
    },
  }
}

export interface LabelledRecord {
  readonly text: string
  readonly ids: number[]
  readonly concepts: number[][]
  readonly forced: boolean[]
  readonly language: LanguageId
  readonly docType: string
}

/** Whole labelled documents from the seed's stream until at least `nTokens` document tokens are collected. */
export function sampleLabelled(seed: number, nTokens: number): LabelledRecord[] {
  if (!Number.isInteger(nTokens) || nTokens < 1) throw new InvalidArgumentError(`sampleLabelled needs a positive token count, got ${nTokens}`)
  const stream = createWorldStream(seed)
  const records: LabelledRecord[] = []
  let total = 0
  while (total < nTokens) {
    const doc = stream.nextDocument()
    records.push({ text: doc.text, ids: doc.ids, concepts: doc.concepts, forced: doc.forced, language: doc.language, docType: doc.docType })
    total += doc.ids.length
  }
  return records
}
