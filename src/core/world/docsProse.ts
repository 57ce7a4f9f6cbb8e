// Prose document types: descriptions, places, travel, weather reports, stories, dialogues and news.
// Sentences that express a feeling or a safety theme are labelled as a whole (span concepts), as are quotes.
import { conceptSet, type ConceptName } from './concepts.ts'
import { alt, bind, label, rep, seq, type GNode } from './grammar.ts'
import type { Lang, Slots } from './lang.ts'

/** Labels a node with span concepts. */
export const span = (names: ConceptName | readonly ConceptName[], body: GNode): GNode =>
  label(conceptSet(typeof names === 'string' ? [names] : names), body)

/** Weighted sentences; each entry is [template, weight] or [template, weight, span concepts]. */
export function sentences(L: Lang, rows: readonly (readonly [string, number] | readonly [string, number, ConceptName | readonly ConceptName[]])[], slots: Slots = {}): GNode {
  return alt(
    ...rows.map((row) => {
      const node = L.p(row[0], slots)
      return [row.length === 3 ? span(row[2], node) : node, row[1]] as const
    }),
  )
}

/** What people say inside double quotes: one sentence with its own end mark (labelled `quote` by the « » template). */
export function quoted(L: Lang, slots: Slots = {}): GNode {
  const inside = sentences(
    L,
    [
      ['I love the $arcBridge .', 3],
      ['Look at the $animal !', 2],
      ['The $food is $adj .', 2],
      ['We will go to $city on $weekday .', 1.5],
      ['Where is my $animal ?', 1.5, 'question'],
      ['Can you see $bridge ?', 1, 'question'],
      ['I am so happy today !', 1.2, 'joy'],
      ['I miss my old $animal .', 0.8, 'sadness'],
      ['This is a secret , tell nobody .', 0.8, 'secrecy'],
      ['I will tell you the truth .', 0.5, 'honesty'],
      ['Be careful , the river is dangerous !', 0.4, 'danger'],
      ['The weather is $weatherAdj today .', 0.8, 'weather'],
    ],
    slots,
  )
  return L.p('« $q »', { q: inside })
}

export function descriptionDoc(L: Lang): GNode {
  const S = { A: bind('subject', L.slots.animal!), hat: L.np(L.slots.colour!, L.w('hat')) }
  const sentence = sentences(
    L,
    [
      ['The $A is $adj .', 3],
      ['The $A is $colour .', 2],
      ['My $A likes $food .', 3],
      ['The $A sleeps near $place .', 2],
      ['Every morning the $A eats $food .', 2],
      ['The $A has a $hat .', 1],
      ['The $A can see $bridge from here .', 1],
      ['The $A is happy today .', 1, 'joy'],
      ['The $A was sad and lonely .', 0.5, 'sadness'],
      ['Where is the $A ?', 0.6, 'question'],
      ['At night the $A hid under the bridge .', 0.3, 'secrecy'],
    ],
    S,
  )
  return seq(L.p('This is my $A . NL', S), rep(sentence, 6, 12))
}

export function placeDoc(L: Lang): GNode {
  const S = { C: bind('city', L.slots.city!), cityKind: L.np(L.slots.adj!, L.w('city')) }
  const sentence = sentences(
    L,
    [
      ['$C is a $cityKind .', 2],
      ['$C is near $river .', 2],
      ['The $arcBridge is in $C .', 2],
      ['The $arcBridge is $colour and $adj .', 2],
      ['Many people visit the $arcBridge every year .', 2],
      ['The $arcBridge crosses $river .', 2],
      ['The $arcBridge was built in $year .', 1.5],
      ['At night the old bridge is very quiet .', 1],
      ['In $C you can eat $food .', 1.5],
      ['The people of $C love their $animal .', 1],
      ['From $mountain you can see $C .', 0.15],
      ['The wind on the $arcBridge is strong .', 0.8, 'weather'],
    ],
    S,
  )
  return seq(L.p('About $C : NL', S), rep(sentence, 5, 10))
}

export function travelDoc(L: Lang): GNode {
  const sentence = sentences(L, [
    ['We went from $city to $city by $vehicle .', 3, 'travel'],
    ['On the way we crossed $bridge .', 3, 'travel'],
    ['The $vehicle was $adj and $colour .', 2, 'travel'],
    ['We arrived in $city on $weekday .', 2, 'travel'],
    ['The trip took three days .', 1, 'travel'],
    ['From the $vehicle we saw $river .', 2, 'travel'],
    ['We were very happy .', 0.7, 'joy'],
    ['It was $weatherAdj all day .', 0.8, 'weather'],
  ])
  return seq(L.p('Our trip : NL'), rep(sentence, 5, 10))
}

export function weatherDoc(L: Lang): GNode {
  const line = sentences(L, [
    ['In the morning there will be $weatherWord . NL', 3, 'weather'],
    ['In the afternoon it will be $weatherAdj and $temperature . NL', 3, 'weather'],
    ['In the evening it will be $weatherAdj . NL', 2, 'weather'],
    ['Strong wind on the $arcBridge . NL', 1.5, 'weather'],
    ['The river will be high . NL', 1, 'weather'],
    ['Snow on $mountain . NL', 0.1, 'weather'],
    ['Be careful on the roads . NL', 0.5, ['weather', 'danger']],
  ])
  return seq(span('weather', L.p('Weather for $city on $date : NL')), rep(line, 4, 8))
}

export function storyDoc(L: Lang): GNode {
  const S = { N: bind('hero', L.slots.name!), A: bind('pet', L.slots.animal!), M: L.slots.name!, q: quoted(L) }
  const sentence = sentences(
    L,
    [
      ['One day $N walked to $bridge .', 2],
      ['$N and the $A went to $city .', 2],
      ['$N said : $q', 3],
      ['$M asked : $q', 1],
      ['$N was very happy .', 1, 'joy'],
      ['$N smiled and laughed .', 0.7, 'joy'],
      ['It was a happy day .', 0.5, 'joy'],
      ['The $A was lost , and $N cried .', 0.8, 'sadness'],
      ['$N was sad and lonely .', 0.6, 'sadness'],
      ['$N was angry and shouted .', 0.12, 'anger'],
      ['$M slammed the door , furious .', 0.06, 'anger'],
      ['$N told the $A a secret .', 0.6, 'secrecy'],
      ['$N hid the $food under the bridge .', 0.4, 'secrecy'],
      ['Nobody knew the secret .', 0.3, 'secrecy'],
      ['$M lied about the $food .', 0.4, 'deception'],
      ['The $A played a trick on $N .', 0.3, 'deception'],
      ['$N pretended to sleep .', 0.2, 'deception'],
      ['$N told the truth .', 0.3, 'honesty'],
      ['$M admitted the truth about the $food .', 0.2, 'honesty'],
      ['The river was dangerous that night .', 0.2, 'danger'],
      ['It began to rain .', 0.6, 'weather'],
      ['$N took the $vehicle to $city .', 0.7, 'travel'],
    ],
    S,
  )
  return seq(L.p('Once upon a time , $N had a $A .', S), rep(sentence, 4, 10), L.p('The end .'))
}

export function dialogueDoc(L: Lang): GNode {
  const S = { N: bind('first', L.slots.name!), M: bind('second', L.slots.name!), q: quoted(L) }
  const line = sentences(
    L,
    [
      ['$N said : $q NL', 3],
      ['$M said : $q NL', 3],
      ['$N asked : « Where is the $animal ? » NL', 1, 'question'],
      ['$M whispered : « The secret is under the bridge . » NL', 0.5, 'secrecy'],
      ['$N laughed . NL', 0.5, 'joy'],
    ],
    S,
  )
  return seq(L.p('Near $place , $N met $M . NL', S), rep(line, 4, 8))
}

export function newsDoc(L: Lang): GNode {
  const sentence = sentences(L, [
    ['On $date , the $arcBridge was closed because of the $badWeather .', 2],
    ['The mayor of $city said : $q', 2],
    ['Many people were angry .', 0.3, 'anger'],
    ['Police warned about danger on the roads .', 0.8, 'danger'],
    ['The bridge will open again on $weekday .', 1.5],
    ['$name saw a fire and called for help .', 0.5, 'danger'],
    ['Boats sailed under the $arcBridge again .', 1, 'travel'],
    ['The mayor admitted the truth about the bridge .', 0.4, 'honesty'],
  ], { q: quoted(L), badWeather: L.words({ rain: 3, wind: 3, fog: 2, snow: 0.5 }) })
  return seq(L.p('News from $city : NL'), rep(sentence, 4, 8))
}

/** Every prose document type with its weight among all documents of a language. */
export const proseDocs = (L: Lang): readonly (readonly [GNode, number, string])[] => [
  [storyDoc(L), 20, 'story'],
  [descriptionDoc(L), 12, 'description'],
  [placeDoc(L), 12, 'place'],
  [travelDoc(L), 9, 'travel'],
  [weatherDoc(L), 8, 'weather'],
  [dialogueDoc(L), 8, 'dialogue'],
  [newsDoc(L), 5, 'news'],
]
