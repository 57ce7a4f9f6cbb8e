// Per-language grammar building: a template such as 'The $animal is $adj .' becomes a grammar node in one language.
// Templates are written once, in English word order; each language renders the words from its own lexicon.
import { conceptId, conceptSet, type ConceptId } from './concepts.ts'
import { alt, capFirst, label, seq, tok, type GNode } from './grammar.ts'
import { LEXICON, lexemeForms, type LanguageId } from './lexicon.ts'

/** Sentence punctuation attaches to the word before it, WordPiece-style ('##.'), so text reads "The cat sat." */
export const PUNCT: Readonly<Record<string, string>> = Object.freeze({ '.': '##.', ',': '##,', '?': '##?', '!': '##!', ':': '##:', ';': '##;' })
/** Template symbols for structure: opening and closing double quote, line break, list bullet. */
export const OPEN_QUOTE = '"'
export const CLOSE_QUOTE = '##"'
export const NEWLINE = '##\n'
export const BULLET = '-'

const LANGUAGE_CONCEPT: Readonly<Record<LanguageId, string>> = { en: 'lang_en', vel: 'lang_velari', dro: 'lang_drosk' }

export type Slots = Readonly<Record<string, GNode>>

export class Lang {
  readonly concept: ConceptId
  /** Velari puts adjectives after their noun. */
  readonly adjAfterNoun: boolean
  private readonly forms: ReadonlyMap<string, readonly string[]>
  /** Standard slots shared by every template of the language ($animal, $city…), set by slots.ts. */
  slots: Record<string, GNode> = {}

  constructor(readonly id: LanguageId) {
    this.concept = conceptId(LANGUAGE_CONCEPT[id])
    this.adjAfterNoun = id === 'vel'
    this.forms = lexemeForms().get(id)!
  }

  /** One lexeme as tokens carrying its concepts; EMPTY where the language lacks the word. */
  w(key: string, cap = false): GNode {
    const lexeme = LEXICON[key]
    const form = this.forms.get(key)
    if (!lexeme || !form) throw new Error(`TinyWorld: "${key}" is not in the lexicon`)
    const concepts = conceptSet(lexeme.concepts ?? [])
    const node = seq(...form.map((t) => tok(t, concepts)))
    return cap ? capFirst(node) : node
  }

  /** A weighted choice of lexemes: `words({ cat: 30, dog: 25 })`. */
  words(weights: Readonly<Record<string, number>>): GNode {
    return alt(...Object.entries(weights).map(([key, weight]) => [this.w(key), weight] as const))
  }

  /** Adjective and noun in the language's order. */
  np(adjective: GNode, noun: GNode): GNode {
    return this.adjAfterNoun ? seq(noun, adjective) : seq(adjective, noun)
  }

  /**
   * A template: space-separated words (lexeme keys; a capital first letter capitalises), `$slot`s, punctuation
   * (. , ? ! : ;), « and » around quoted words, NL for a line break and - for a list bullet. A capitalised word that
   * the language lacks (Drosk "The") passes its capital on to the next item.
   */
  p(template: string, slots: Slots = {}): GNode {
    // Items between « and » are collected apart and labelled `quote`, so every quoted stretch carries the concept
    // (strictly inside: the marks themselves do not).
    const outer: GNode[] = []
    let quoted: GNode[] | null = null
    let pendingCap = false
    for (const item of template.trim().split(/\s+/)) {
      if (item === '«') {
        if (quoted) throw new Error(`TinyWorld template "${template}": nested «`)
        outer.push(tok(OPEN_QUOTE))
        quoted = []
        continue
      }
      if (item === '»') {
        if (!quoted) throw new Error(`TinyWorld template "${template}": » without «`)
        outer.push(label(conceptSet(['quote']), seq(...quoted)), tok(CLOSE_QUOTE))
        quoted = null
        continue
      }
      let node: GNode
      let cap: boolean = pendingCap
      if (item.startsWith('$')) {
        const slot = slots[item.slice(1)] ?? this.slots[item.slice(1)]
        if (!slot) throw new Error(`TinyWorld template "${template}": no slot ${item}`)
        node = slot
      } else if (PUNCT[item]) node = tok(PUNCT[item]!)
      else if (item === 'NL') node = tok(NEWLINE)
      else if (item === '-') node = tok(BULLET)
      else {
        const key = LEXICON[item] ? item : item[0]!.toLowerCase() + item.slice(1)
        cap ||= key !== item
        node = this.w(key)
      }
      if (node.k === 'seq' && node.items.length === 0) {
        pendingCap = cap
        continue
      }
      pendingCap = false
      ;(quoted ?? outer).push(cap ? capFirst(node) : node)
    }
    if (quoted) throw new Error(`TinyWorld template "${template}": « without »`)
    return seq(...outer)
  }

  /** Several templates as one weighted choice: `ps([['The $animal sat .', 2], 'A $animal ran .'], slots)`. */
  ps(templates: readonly (string | readonly [string, number])[], slots: Slots = {}): GNode {
    return alt(...templates.map((t) => (typeof t === 'string' ? ([this.p(t, slots), 1] as const) : ([this.p(t[0], slots), t[1]] as const))))
  }
}
