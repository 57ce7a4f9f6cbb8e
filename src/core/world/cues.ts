// Which span-concept tokens a left-to-right model can know about: a sentence "about joy" is labelled joy from its
// first word, but nothing marks it as joyful before its cue word ("happy", "smiled"). Evaluations score span
// concepts only from the first cue of each span on (groundTruth.ts, conceptProbes.ts).
import { conceptCatalogue } from './catalogue.ts'
import type { LanguageId } from './lexicon.ts'

/**
 * Spans opened by a mark the model has read by their first token (the quote mark, the bullet, the ``` fence, the
 * tag's own "<"): knowable throughout, although their catalogue lists those marks as cues.
 */
const MARKED_SPANS = new Set(['quote', 'list_item', 'code_block', 'html_tag'])

/** A token's text as cue lists write it: WordPiece's '##' glue dropped, lower case. */
const normalise = (token: string) => (token.startsWith('##') ? token.slice(2) : token).toLowerCase()

let cached: Map<LanguageId, Map<number, Set<string>>> | undefined

/** Per language, the cue-limited span concepts and their cue tokens (every piece of every cue form). */
function cueTable(): Map<LanguageId, Map<number, Set<string>>> {
  if (cached) return cached
  const catalogue = conceptCatalogue()
  cached = new Map(
    catalogue.languages.map(({ id: lang }) => {
      const perConcept = new Map<number, Set<string>>()
      for (const c of catalogue.concepts) {
        if (c.scope !== 'span' || c.kind === 'language' || MARKED_SPANS.has(c.name)) continue
        const forms = c.surfaceForms[lang]
        if (forms.length === 0) continue // a span without cue words (html_text, year, base64): knowable throughout
        perConcept.set(c.id, new Set(forms.flatMap((f) => f.split(' ')).map(normalise)))
      }
      return [lang, perConcept]
    }),
  )
  return cached
}

/** The span concepts whose tokens are scored only from their first cue on. */
export function cueLimitedConcepts(): number[] {
  const ids = new Set<number>()
  for (const perConcept of cueTable().values()) for (const c of perConcept.keys()) ids.add(c)
  return [...ids].sort((a, b) => a - b)
}

/**
 * Per token of one document, the span concepts it carries before the first cue of its span (ascending ids; usually
 * empty). A span is a run of consecutive tokens carrying the concept; two labelled sentences in a row form one run,
 * so the second counts as known from the first's cue on (the model may well carry the topic over).
 */
export function unknowableSpanTokens(tokens: readonly string[], concepts: readonly (readonly number[])[], language: LanguageId): number[][] {
  if (tokens.length !== concepts.length) throw new Error(`unknowableSpanTokens: ${tokens.length} tokens but ${concepts.length} concept sets`)
  const cues = cueTable().get(language)
  if (!cues) throw new Error(`unknowableSpanTokens: unknown language "${language}"`)
  const out: number[][] = tokens.map(() => [])
  for (const [c, words] of cues) {
    let cueSeen = false
    for (let t = 0; t < tokens.length; t++) {
      if (!concepts[t]!.includes(c)) {
        cueSeen = false
        continue
      }
      if (!cueSeen && words.has(normalise(tokens[t]!))) cueSeen = true
      if (!cueSeen) out[t]!.push(c)
    }
  }
  for (const set of out) set.sort((a, b) => a - b)
  return out
}
