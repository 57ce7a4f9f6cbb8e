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
