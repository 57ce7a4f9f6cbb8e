// Prompts whose next token TinyWorld's grammar forces and a word concept carries ("… the Golden Arc" → "Bridge"):
// the model has one right answer, so the features that cause it are a fair test of attribution against ablation.
import { CONCEPTS, EOT_ID, createWorldRng, generateDocument } from '../world/index.ts'

export interface ForcedPrompt {
  /** <|endoftext|> then the document up to, not including, the forced token. */
  ids: number[]
  /** The forced token: the target whose logit is explained. */
  token: number
  /** The word concepts the forced token carries. */
  concepts: string[]
}

/** `count` prompts, at most one per document (so they do not share a context), from a seeded stream of documents. */
export function forcedConceptPrompts(count: number, seed: number, opts: { minContext?: number; maxContext?: number } = {}): ForcedPrompt[] {
  const minContext = opts.minContext ?? 3
  const maxContext = opts.maxContext ?? 64
  const rng = createWorldRng(seed)
  const out: ForcedPrompt[] = []
  for (let docs = 0; out.length < count; docs++) {
    if (docs > count * 50) throw new Error(`Only ${out.length} forced concept tokens in ${docs} documents`)
    const doc = generateDocument(rng)
    const candidates: number[] = []
    for (let t = minContext; t < Math.min(doc.ids.length, maxContext); t++) {
      if (doc.forced[t] && doc.concepts[t]!.some((c) => CONCEPTS[c]!.scope === 'word')) candidates.push(t)
    }
    if (candidates.length === 0) continue
    const t = candidates[rng.int(candidates.length)]!
    out.push({ ids: [EOT_ID, ...doc.ids.slice(0, t)], token: doc.ids[t]!, concepts: doc.concepts[t]!.filter((c) => CONCEPTS[c]!.scope === 'word').map((c) => CONCEPTS[c]!.name) })
  }
  return out
}
