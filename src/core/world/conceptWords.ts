// A word concept's words in every language, as tokens: what an offline explanation of a TinyWorld concept feature
// names (src/core/autointerp). One function, so `monoscope explain` and the tests that check the committed files agree.
import { conceptCatalogue } from './catalogue.ts'

/**
 * For an analysis whose ground-truth concept names are the catalogue's, in its order: each word concept's surface
 * forms in every language, split into tokens as the word tokenizer splits names (null for span concepts). Undefined
 * for any other analysis, which has no catalogue to consult.
 */
export function tinyWorldConceptWords(names: readonly string[] | null): ((id: number) => readonly string[] | null) | undefined {
  if (names === null) return undefined
  const catalogue = conceptCatalogue().concepts
  if (names.length !== catalogue.length || names.some((n, i) => catalogue[i]!.name !== n)) return undefined
  return (id) => {
    const c = catalogue[id]
    if (!c || c.scope !== 'word') return null
    return [...new Set(Object.values(c.surfaceForms).flatMap((forms) => forms.flatMap((f) => f.split(' '))))]
  }
}

/**
 * Vocabulary ids of the tokens that begin one of a TinyWorld concept's surface forms (any language, and capitalised
 * as at a sentence start): what a feature that *writes* the concept promotes. Empty for a name the catalogue lacks.
 */
export function conceptStartTokenIds(concept: string, vocab: readonly string[] | null): Set<number> {
  const c = conceptCatalogue().concepts.find((k) => k.name === concept)
  const ids = new Set<number>()
  if (!c || !vocab) return ids
  const starts = new Set<string>()
  for (const forms of Object.values(c.surfaceForms)) {
    for (const form of forms) {
      const first = form.split(' ')[0]!
      starts.add(first)
      starts.add(first.charAt(0).toUpperCase() + first.slice(1))
    }
  }
  vocab.forEach((text, id) => {
    if (starts.has(text.trim())) ids.add(id)
  })
  return ids
}
