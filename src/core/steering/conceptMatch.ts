// Whether a generated text mentions a TinyWorld concept, from its surface forms: generated text has no labels, so a
// concept "appears" when one of its words (any language, multi-token names whole) occurs as a run of token ids.
import type { CatalogueConcept } from '../world/catalogue.ts'

export interface TokenEncoder {
  encode(text: string): number[]
}

/** Token-id sequences that spell a concept; sentence-initial capitalised forms included (WordPiece is case-sensitive). */
export function conceptTokenSequences(concept: CatalogueConcept, tokenizer: TokenEncoder, unknownId: number | null): number[][] {
  const forms = new Set<string>()
  for (const words of Object.values(concept.surfaceForms)) {
    for (const form of words) {
      forms.add(form)
      forms.add(form.charAt(0).toUpperCase() + form.slice(1))
    }
  }
  const seen = new Set<string>()
  const out: number[][] = []
  for (const form of forms) {
    const ids = tokenizer.encode(form)
    // A form the vocabulary cannot spell (a capitalised variant that never occurs) would match any unknown word.
    if (ids.length === 0 || (unknownId !== null && ids.includes(unknownId))) continue
    const key = ids.join(',')
    if (!seen.has(key)) {
      seen.add(key)
      out.push(ids)
    }
  }
  return out
}

/** True when any sequence occurs contiguously in ids. */
export function containsAnySequence(ids: readonly number[], sequences: readonly (readonly number[])[]): boolean {
  for (const seq of sequences) {
    outer: for (let i = 0; i + seq.length <= ids.length; i++) {
      for (let k = 0; k < seq.length; k++) if (ids[i + k] !== seq[k]) continue outer
      return true
    }
  }
  return false
}
