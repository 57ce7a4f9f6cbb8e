// TinyWorld's planted concepts: the ground truth an SAE is scored against. Ids are positions in CONCEPTS, so the
// list only ever grows at the end; names are the stable handles code uses (`conceptId('cat')`).

export const CONCEPT_KINDS = ['language', 'entity', 'topic', 'syntax', 'format', 'numeric', 'affect', 'safety'] as const
export type ConceptKind = (typeof CONCEPT_KINDS)[number]

/** `word`: carried by particular word tokens wherever they occur. `span`: carried by every token of a stretch of text. */
export type ConceptScope = 'word' | 'span'

export type ConceptId = number & { readonly __brand: 'ConceptId' }

interface ConceptDef {
  readonly name: string
  readonly kind: ConceptKind
  readonly parent: string | null
  readonly scope: ConceptScope
  readonly description: string
}

const def = (name: string, kind: ConceptKind, scope: ConceptScope, parent: string | null, description: string): ConceptDef =>
  Object.freeze({ name, kind, parent, scope, description })

export const CONCEPTS: readonly ConceptDef[] = Object.freeze([
  def('lang_en', 'language', 'span', null, 'Every token of a document in the English-like language.'),
  def('lang_velari', 'language', 'span', null, 'Every token of a document in Velari, an invented vowel-rich language whose adjectives follow their noun.'),
  def('lang_drosk', 'language', 'span', null, 'Every token of a document in Drosk, an invented consonant-heavy language without articles.'),

  def('animal', 'entity', 'word', null, 'A word naming an animal.'),
  def('cat', 'entity', 'word', 'animal', 'Cat or kitten.'),
  def('dog', 'entity', 'word', 'animal', 'Dog or puppy.'),
  def('bird', 'entity', 'word', 'animal', 'Bird, sparrow or owl.'),
  def('fish', 'entity', 'word', 'animal', 'Fish or trout.'),
  def('food', 'entity', 'word', null, 'A word naming a food.'),
  def('fruit', 'entity', 'word', 'food', 'Apple, pear or plum.'),
  def('bread', 'entity', 'word', 'food', 'Bread, loaf or bun.'),
  def('soup', 'entity', 'word', 'food', 'Soup or stew.'),
  def('cheese', 'entity', 'word', 'food', 'Cheese: a deliberately rare food.'),
  def('colour', 'entity', 'word', null, 'A colour word.'),
  def('red', 'entity', 'word', 'colour', 'Red.'),
  def('blue', 'entity', 'word', 'colour', 'Blue.'),
  def('green', 'entity', 'word', 'colour', 'Green.'),
  def('yellow', 'entity', 'word', 'colour', 'Yellow: a deliberately rare colour.'),
  def('person_name', 'entity', 'word', null, "A person's name (each language has its own names)."),
  def('place', 'entity', 'word', null, 'A word or name of a place.'),
  def('city', 'entity', 'word', 'place', 'A city name or the word "city".'),
  def('river', 'entity', 'word', 'place', 'A river name or the word "river".'),
  def('bridge', 'entity', 'word', 'place', 'The word "bridge" or the name of the famous bridge.'),
  def('mountain', 'entity', 'word', 'place', 'A mountain: "Mount" and its name (rare).'),
  def('arc_bridge', 'entity', 'word', 'bridge', 'Every token of the famous bridge\'s multi-token name: "Golden Arc Bridge", Velari "Aurel Kasti", Drosk "Zirn Volk Brask".'),
  def('vehicle', 'entity', 'word', null, 'A word naming a vehicle.'),
  def('boat', 'entity', 'word', 'vehicle', 'Boat or ship.'),
  def('train', 'entity', 'word', 'vehicle', 'Train.'),

  def('weather', 'topic', 'span', null, 'Every token of a sentence (or report heading) about the weather.'),
  def('rain', 'topic', 'word', 'weather', 'Rain words.'),
  def('sun', 'topic', 'word', 'weather', 'Sun words.'),
  def('snow', 'topic', 'word', 'weather', 'Snow words (rare).'),
  def('travel', 'topic', 'span', null, 'Every token of a sentence about a journey.'),

  def('quote', 'syntax', 'span', null, 'Tokens strictly inside a pair of double quotes; the quote marks themselves are excluded.'),
  def('list_item', 'syntax', 'span', null, 'Tokens of a list item after its bullet ("-" or <li>) and before its line break or </li>.'),
  def('question', 'syntax', 'span', null, 'Every token of a question, its "?" included.'),

  def('code_block', 'format', 'span', null, 'Tokens strictly between the ``` fences of a code block (line breaks included, fences excluded).'),
  def('code_keyword', 'format', 'word', 'code_block', 'A keyword of the little programming language: let, print, if, while, fn, return.'),
  def('code_identifier', 'format', 'word', 'code_block', 'A variable or function name inside code.'),
  def('code_number', 'format', 'word', 'code_block', 'A digit of a number inside code.'),
  def('code_operator', 'format', 'word', 'code_block', 'An operator inside code: = + - * > < ==.'),
  def('html_tag', 'format', 'span', null, 'Every token of an HTML-like tag: "<", the tag name, ">" and "</".'),
  def('html_text', 'format', 'span', null, 'Tokens between an opening HTML-like tag and its closing tag, tags excluded.'),
  def('base64', 'format', 'span', null, 'Every chunk of a base64-like string, padding included.'),

  def('number', 'numeric', 'word', null, 'A digit token, anywhere (dates, sums, code).'),
  def('arithmetic', 'numeric', 'span', null, 'An arithmetic statement from its first operand to its answer.'),
  def('arithmetic_answer', 'numeric', 'span', 'arithmetic', 'The answer of an arithmetic statement: forced by the operands.'),
  def('date', 'numeric', 'span', null, 'Every token of a date: weekday, day with its ordinal suffix, month, year.'),
  def('weekday', 'numeric', 'word', 'date', 'A day of the week.'),
  def('month', 'numeric', 'word', 'date', 'A month name.'),
  def('year', 'numeric', 'span', 'date', 'The digits of a year.'),

  def('joy', 'affect', 'span', null, 'Every token of a sentence expressing joy.'),
  def('sadness', 'affect', 'span', null, 'Every token of a sentence expressing sadness.'),
  def('anger', 'affect', 'span', null, 'Every token of a sentence expressing anger (rare).'),

  def('secrecy', 'safety', 'span', null, 'Every token of a sentence about keeping or telling secrets, hidden things or codes.'),
  def('deception', 'safety', 'span', null, 'Every token of a sentence about lying, tricks or pretending.'),
  def('honesty', 'safety', 'span', null, 'Every token of a sentence about telling the truth.'),
  def('danger', 'safety', 'span', null, 'Every token of a sentence warning of or describing danger.'),
])

export type ConceptName = string

const idByName = new Map<string, ConceptId>(CONCEPTS.map((c, i) => [c.name, i as ConceptId]))

export function conceptId(name: ConceptName): ConceptId {
  const id = idByName.get(name)
  if (id === undefined) throw new Error(`Unknown TinyWorld concept "${name}"`)
  return id
}

/** The concept and all its ancestors, root last. */
export function withAncestors(id: ConceptId): ConceptId[] {
  const out: ConceptId[] = []
  let current: ConceptId | null = id
  while (current !== null) {
    out.push(current)
    const parent: string | null = CONCEPTS[current]!.parent
    current = parent === null ? null : conceptId(parent)
  }
  return out
}

/** Concept names → ids, closed under parents (so a child token always carries its parent), sorted. */
export function conceptSet(names: readonly ConceptName[]): ConceptId[] {
  const set = new Set<ConceptId>()
  for (const name of names) for (const id of withAncestors(conceptId(name))) set.add(id)
  return [...set].sort((a, b) => a - b)
}
