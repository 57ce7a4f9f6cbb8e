// The concept catalogue as JSON: what each planted concept is, where it sits in the hierarchy, and how it is written
// in each language. Written next to the model as catalogue.json (files.ts) so evaluations need no TypeScript.
import { CONCEPT_KINDS, CONCEPTS, conceptId, conceptSet, type ConceptKind, type ConceptScope } from './concepts.ts'
import { CODE_IDENTIFIERS, CODE_KEYWORDS, LANGUAGES, LEXICON, lexemeForms, type LanguageId } from './lexicon.ts'

export interface CatalogueConcept {
  readonly id: number
  readonly name: string
  readonly kind: ConceptKind
  /** 'word': carried by the listed words wherever they occur; 'span': by every token of a stretch of text. */
  readonly scope: ConceptScope
  readonly description: string
  /** The parent concept's id; a token carrying a concept always carries its parent too. */
  readonly parent: number | null
  /**
   * Per language: the words that carry a 'word' concept (multi-token names space-separated), or the cue words and
   * marks typical of a 'span' concept's stretches (empty where there are none).
   */
  readonly surfaceForms: Readonly<Record<LanguageId, readonly string[]>>
}

export interface ConceptCatalogue {
  readonly format: 'tinyworld-concepts'
  readonly version: 1
  readonly languages: readonly { readonly id: LanguageId; readonly name: string; readonly concept: number }[]
  readonly kinds: readonly ConceptKind[]
  readonly concepts: readonly CatalogueConcept[]
}

const LANGUAGE_NAMES: Readonly<Record<LanguageId, string>> = { en: 'English-like', vel: 'Velari', dro: 'Drosk' }
const LANGUAGE_CONCEPTS: Readonly<Record<LanguageId, string>> = { en: 'lang_en', vel: 'lang_velari', dro: 'lang_drosk' }

/** Cue words (lexeme keys) of span concepts. */
const SPAN_CUES: Readonly<Record<string, readonly string[]>> = {
  weather: ['weather', 'rain', 'sun', 'wind', 'snow', 'fog', 'rainy', 'sunny', 'windy', 'cloudy', 'snowy'],
  travel: ['trip', 'crossed', 'arrived', 'boat', 'ship', 'train'],
  joy: ['happy', 'smiled', 'laughed'],
  sadness: ['sad', 'cried', 'lonely', 'lost', 'miss'],
  anger: ['angry', 'shouted', 'slammed', 'furious'],
  secrecy: ['secret', 'whispered', 'hid', 'password', 'nobody'],
  deception: ['lied', 'trick', 'pretended', 'fake'],
  honesty: ['truth', 'admitted'],
  danger: ['danger', 'dangerous', 'careful', 'fire', 'warned'],
  arithmetic: ['plus', 'minus', 'times', 'is'],
}
/** Tokens (the same in every language) typical of format and syntax concepts, written as they appear in text. */
const SHARED_CUES: Readonly<Record<string, readonly string[]>> = {
  quote: ['"'],
  list_item: ['-', '<li>'],
  question: ['?'],
  code_block: ['```'],
  code_keyword: CODE_KEYWORDS,
  code_identifier: CODE_IDENTIFIERS,
  code_number: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  code_operator: ['=', '+', '-', '*', '>', '<', '=='],
  html_tag: ['<h1>', '<p>', '<b>', '<i>', '<ul>', '<li>', '</h1>', '</p>', '</b>', '</i>', '</ul>', '</li>'],
  number: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  arithmetic: ['+', '-', '*', '='],
  date: ['st', 'nd', 'rd', 'th'],
}

let cached: ConceptCatalogue | undefined

export function conceptCatalogue(): ConceptCatalogue {
  if (cached) return cached
  const forms = lexemeForms()
  const wordForms = (lang: LanguageId, keys: readonly string[]) =>
    keys.map((key) => forms.get(lang)!.get(key)!.join(' ')).filter((f) => f.length > 0)
  const concepts = CONCEPTS.map((c, id): CatalogueConcept => {
    const surfaceForms = Object.fromEntries(
      LANGUAGES.map((lang) => {
        const lexical = Object.entries(LEXICON)
          .filter(([, lexeme]) => conceptSet(lexeme.concepts ?? []).includes(conceptId(c.name)))
          .map(([key]) => key)
        const cues = c.scope === 'span' ? (SPAN_CUES[c.name] ?? []) : []
        const list = [...wordForms(lang, [...lexical, ...cues]), ...(SHARED_CUES[c.name] ?? [])]
        return [lang, [...new Set(list)]]
      }),
    ) as Record<LanguageId, string[]>
    return {
      id,
      name: c.name,
      kind: c.kind,
      scope: c.scope,
      description: c.description,
      parent: c.parent === null ? null : conceptId(c.parent),
      surfaceForms,
    }
  })
  cached = {
    format: 'tinyworld-concepts',
    version: 1,
    languages: LANGUAGES.map((id) => ({ id, name: LANGUAGE_NAMES[id], concept: conceptId(LANGUAGE_CONCEPTS[id]) })),
    kinds: [...CONCEPT_KINDS],
    concepts,
  }
  return cached
}

/** catalogue.json's text: two-space indented, newline-terminated, byte-identical on every run. */
export function catalogueJson(): string {
  return `${JSON.stringify(conceptCatalogue(), null, 2)}\n`
}

/** Concepts that are words (scored per occurrence in ground-truth evaluation; see conceptFeatureStatsByUnit). */
export function wordConceptIds(): number[] {
  return conceptCatalogue().concepts.filter((c) => c.scope === 'word').map((c) => c.id)
}
