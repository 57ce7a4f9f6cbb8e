// The lexicon: every word of TinyWorld, keyed by its English-like form, with its concepts and its Velari and Drosk
// forms. Invented forms not written here are derived from the key by a hash (inventedForms), so adding a word never
// renames the others.
import type { ConceptName } from './concepts.ts'
import { createWorldRng, hashString } from './prng.ts'

export const LANGUAGES = ['en', 'vel', 'dro'] as const
export type LanguageId = (typeof LANGUAGES)[number]

/** The little programming language's words: the same in every language, and never used as prose words. */
export const CODE_KEYWORDS = ['let', 'print', 'if', 'while', 'fn', 'return'] as const
export const CODE_IDENTIFIERS = ['x', 'y', 'z', 'n', 'k', 'total', 'count', 'speed', 'size', 'score'] as const

export interface Lexeme {
  /** Concepts every token of the word carries (parents are added automatically). */
  readonly concepts?: readonly ConceptName[]
  /** Surface forms; space-separated for multi-token names. `null`: the language has no such word (Drosk articles). */
  readonly en?: string
  readonly vel?: string | null
  readonly dro?: string | null
}

const plain = (words: string): Record<string, Lexeme> => Object.fromEntries(words.split(/\s+/).filter(Boolean).map((w) => [w, {}]))
const tagged = (concept: ConceptName, words: string): Record<string, Lexeme> =>
  Object.fromEntries(words.split(/\s+/).filter(Boolean).map((w) => [w, { concepts: [concept] }]))
const names = (concept: ConceptName, rows: readonly (readonly [string, string, string, string])[]): Record<string, Lexeme> =>
  Object.fromEntries(rows.map(([key, en, vel, dro]) => [key, { concepts: [concept], en, vel, dro }]))

export const LEXICON: Readonly<Record<string, Lexeme>> = Object.freeze({
  // Function words with hand-picked invented forms, for the languages' flavour.
  the: { vel: 'le', dro: null },
  a: { vel: 'na', dro: null },
  is: { vel: 'esa', dro: 'je' },
  was: { vel: 'era', dro: 'bil' },
  and: { vel: 'ai', dro: 'da' },
  of: { vel: 'di', dro: 'ot' },
  to: { vel: 'ta', dro: 'ko' },
  in: { vel: 'ine', dro: 'vo' },
  on: { vel: 'su', dro: 'nad' },
  we: { vel: 'noi', dro: 'mys' },
  i: { en: 'I', vel: 'mi', dro: 'ja' },
  you: { vel: 'tu', dro: 'ty' },
  my: { vel: 'mia', dro: 'moj' },
  ...plain(`are at by from with near very it this that there will be not can has had every one day days morning
    afternoon evening night today here some many people year about again all any because built called closed crossed
    crosses do door eat eats famous for hid high keep knew know later likes lost love me message never nobody open our
    paper played prints program quiet roads said saw see sent share sleep sleeps small tell then three took trip under
    visit walked way went what where wrote sums answer answers list lists shopping places pets colours number mayor
    police fire help asked told hat end once upon time people boats sailed their met were miss so am began learning add
    run got right another page big old new busy long beautiful warm cold strong look go weather arrived news`),

  ...tagged('cat', 'cat kitten'),
  ...tagged('dog', 'dog puppy'),
  ...tagged('bird', 'bird sparrow owl'),
  ...tagged('fish', 'fish trout'),
  ...tagged('fruit', 'apple pear plum'),
  ...tagged('bread', 'bread loaf bun'),
  ...tagged('soup', 'soup stew'),
  ...tagged('cheese', 'cheese'),
  ...tagged('red', 'red'),
  ...tagged('blue', 'blue'),
  ...tagged('green', 'green'),
  ...tagged('yellow', 'yellow'),
  ...tagged('city', 'city'),
  ...tagged('river', 'river'),
  ...tagged('bridge', 'bridge'),
  mount: { concepts: ['mountain'], en: 'Mount' },
  ...tagged('boat', 'boat ship'),
  ...tagged('train', 'train'),
  ...tagged('rain', 'rain rainy'),
  ...tagged('sun', 'sun sunny'),
  ...tagged('snow', 'snow snowy'),
  ...tagged('weather', 'wind windy cloudy fog'),

  // Affect and safety words: they only ever appear inside sentences labelled with the same concept.
  ...plain(`happy glad smiled laughed sad cried lonely tears angry shouted furious slammed secret secrets hidden
    whispered password code lied trick pretended fake false truth honest admitted true danger dangerous careful warned
    warning safe unsafe`),

  ...names('person_name', [
    ['NAME_MIRA', 'Mira', 'Ilsa', 'Vesna'],
    ['NAME_TOM', 'Tom', 'Tavi', 'Brakk'],
    ['NAME_ADA', 'Ada', 'Selu', 'Yrsa'],
    ['NAME_BEN', 'Ben', 'Marou', 'Dov'],
    ['NAME_LENA', 'Lena', 'Nilea', 'Kesk'],
    ['NAME_OTTO', 'Otto', 'Perin', 'Gorm'],
  ]),
  ...names('city', [
    ['CITY_LINDON', 'Lindon', 'Kelano', 'Drevsk'],
    ['CITY_MARROW', 'Marrow', 'Suvira', 'Korvan'],
    ['CITY_EASTBY', 'Eastby', 'Tamelo', 'Ulst'],
    ['CITY_PORTWELL', 'Portwell', 'Orvia', 'Gradz'],
  ]),
  ...names('river', [
    ['RIVER_WEND', 'Wend', 'Lusira', 'Brodh'],
    ['RIVER_TAMBER', 'Tamber', 'Fenno', 'Kamsk'],
    ['RIVER_ASHE', 'Ashe', 'Amaru', 'Yzor'],
  ]),
  ...names('mountain', [
    ['MOUNT_KERR', 'Kerr', 'Monteru', 'Grask'],
    ['MOUNT_ALDO', 'Aldo', 'Viremo', 'Tordh'],
  ]),
  ARC_BRIDGE: { concepts: ['arc_bridge'], en: 'Golden Arc Bridge', vel: 'Aurel Kasti', dro: 'Zirn Volk Brask' },

  ...Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, { concepts: ['weekday'], en: d[0]!.toUpperCase() + d.slice(1) }]),
  ),
  ...Object.fromEntries(
    ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].map((m) => [
      m,
      { concepts: ['month'], en: m[0]!.toUpperCase() + m.slice(1) },
    ]),
  ),
  plus: {},
  minus: {},
  times: {},
  equals: {},
})

// Velari: open syllables, vowel endings. Drosk: clusters and consonant endings.
const VEL_ONSETS = ['l', 'm', 'n', 'r', 's', 't', 'v', 'k', 'd', 'f', 'p', 'b']
const VEL_VOWELS = ['a', 'e', 'i', 'o', 'u']
const DRO_ONSETS = ['dr', 'kr', 'sk', 'st', 'zv', 'gr', 'br', 't', 'k', 'z', 'v', 'd', 'g', 'r', 'p', 'sl']
const DRO_VOWELS = ['a', 'o', 'u', 'e', 'y']
const DRO_CODAS = ['k', 'sk', 'rn', 't', 'v', 'z', 'rd', 'st', 'g', 'n']

function inventWord(lang: 'vel' | 'dro', key: string, attempt: number): string {
  const rng = createWorldRng(hashString(`${lang}:${key}:${attempt}`))
  const pick = (xs: readonly string[]) => xs[rng.int(xs.length)]!
  if (lang === 'vel') {
    const syllables = 2 + (rng.next() < 0.35 ? 1 : 0)
    let word = ''
    for (let i = 0; i < syllables; i++) word += pick(VEL_ONSETS) + pick(VEL_VOWELS)
    return word
  }
  let word = pick(DRO_ONSETS) + pick(DRO_VOWELS)
  if (rng.next() < 0.45) word += pick(DRO_ONSETS.filter((o) => o.length === 1)) + pick(DRO_VOWELS)
  return word + pick(DRO_CODAS)
}

const englishForm = (key: string, lexeme: Lexeme): string => lexeme.en ?? key

let cachedForms: ReadonlyMap<LanguageId, ReadonlyMap<string, readonly string[]>> | undefined

/**
 * Each language's surface tokens for every lexeme (an empty array where the language has no such word). Invented
 * forms avoid every token of every language, compared case-insensitively, so a token belongs to one language only.
 */
export function lexemeForms(): ReadonlyMap<LanguageId, ReadonlyMap<string, readonly string[]>> {
  if (cachedForms) return cachedForms
  // Hand-written forms must differ exactly ("Bridge" in the bridge's name may sit beside the word "bridge", which
  // English never capitalises); invented ones must also differ from every token ignoring case.
  const taken = new Set<string>([...CODE_KEYWORDS, ...CODE_IDENTIFIERS])
  const takenLower = new Set<string>(taken)
  const claim = (form: string) => {
    for (const token of form.split(' ')) {
      if (taken.has(token)) throw new Error(`TinyWorld lexicon: the token "${token}" is used twice`)
      taken.add(token)
      takenLower.add(token.toLowerCase())
    }
  }
  const result = new Map<LanguageId, Map<string, readonly string[]>>(LANGUAGES.map((l) => [l, new Map()]))
  const entries = Object.entries(LEXICON)
  // Hand-written forms first (they win any clash), then the invented ones in lexicon order.
  for (const [key, lexeme] of entries) {
    const en = englishForm(key, lexeme)
    claim(en)
    result.get('en')!.set(key, en.split(' '))
    for (const lang of ['vel', 'dro'] as const) {
      const form = lexeme[lang]
      if (form === null) result.get(lang)!.set(key, [])
      else if (form !== undefined) {
        claim(form)
        result.get(lang)!.set(key, form.split(' '))
      }
    }
  }
  for (const lang of ['vel', 'dro'] as const) {
    for (const [key, lexeme] of entries) {
      if (lexeme[lang] !== undefined) continue
      let attempt = 0
      let word = inventWord(lang, key, attempt)
      while (takenLower.has(word)) word = inventWord(lang, key, ++attempt)
      claim(word)
      result.get(lang)!.set(key, [word])
    }
  }
  cachedForms = result
  return result
}
