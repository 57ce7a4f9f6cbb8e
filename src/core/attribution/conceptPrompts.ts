// Contrastive prompt sets from TinyWorld's ground truth: windows of generated documents that contain a concept (by
// name), and windows of the same language and document type that do not, so the contrast isolates the concept rather
// than the genre it lives in. Seeded: the same name, count and seed give the same sets.
import { InvalidArgumentError } from '../errors.ts'
import { CONCEPTS, EOT_ID, MIN_DOC_TOKENS, createWorldRng, generateDocument, type WorldDocument } from '../world/index.ts'

export interface ConceptPromptSets {
  /** <|endoftext|> then `windowTokens` tokens of a document, at least one of them carrying the concept. */
  with: number[][]
  /** <|endoftext|> then `windowTokens` tokens of a document in which no token carries the concept. */
  without: number[][]
}

export interface ConceptPromptOptions {
  /** Tokens per window after the BOS (default 32: a few sentences, and every document is at least 40 long). */
  windowTokens?: number
}

// Tries at a "without" document of the same language and type before any document without the concept will do (a
// span concept such as lang_en covers whole documents, so its matched twin never comes).
const MATCHED_TRIES = 12

export function conceptNames(): string[] {
  return CONCEPTS.map((c) => c.name)
}

function conceptIndex(name: string): number {
  const id = CONCEPTS.findIndex((c) => c.name === name)
  if (id < 0) throw new InvalidArgumentError(`Unknown TinyWorld concept "${name}" (known: ${conceptNames().join(', ')})`)
  return id
}

export function conceptPromptSets(concept: string, count: number, seed: number, opts: ConceptPromptOptions = {}): ConceptPromptSets {
  const id = conceptIndex(concept)
  const W = opts.windowTokens ?? 32
  if (!Number.isInteger(W) || W < 1 || W > MIN_DOC_TOKENS) throw new InvalidArgumentError(`windowTokens must be an integer in 1…${MIN_DOC_TOKENS}, got ${W}`)
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`count must be a positive integer, got ${count}`)
  const rng = createWorldRng(seed)
  const carries = (doc: WorldDocument, t: number) => doc.concepts[t]!.includes(id as never)
  const hasConcept = (doc: WorldDocument) => doc.ids.some((_, t) => carries(doc, t))
  const out: ConceptPromptSets = { with: [], without: [] }
  const budget = count * 200
  for (let docs = 0; out.with.length < count; docs++) {
    if (docs > budget) throw new InvalidArgumentError(`Only ${out.with.length} TinyWorld documents with "${concept}" in ${docs}: the concept is too rare for ${count} prompts`)
    const doc = generateDocument(rng)
    const at = doc.ids.map((_, t) => t).filter((t) => carries(doc, t))
    if (at.length === 0) continue
    const t = at[rng.int(at.length)]!
    // A window of W tokens holding position t, placed uniformly among those that fit the document.
    const lo = Math.max(0, t - W + 1)
    const hi = Math.min(t, doc.ids.length - W)
    const start = lo + rng.int(hi - lo + 1)
    out.with.push([EOT_ID, ...doc.ids.slice(start, start + W)])

    let twin: WorldDocument | null = null
    for (let tries = 0; twin === null; tries++) {
      if (tries > budget) throw new InvalidArgumentError(`No TinyWorld document without "${concept}" in ${budget} tries`)
      const candidate = tries < MATCHED_TRIES ? generateDocument(rng, { language: doc.language, docType: doc.docType }) : generateDocument(rng)
      if (!hasConcept(candidate)) twin = candidate
    }
    const s = rng.int(twin.ids.length - W + 1)
    out.without.push([EOT_ID, ...twin.ids.slice(s, s + W)])
  }
  return out
}
