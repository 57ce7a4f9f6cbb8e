// Standard slots of every language: the entities templates are filled with, and their relative frequencies.
// Weights inside a slot shape the concept frequencies: owls, trout, cheese, yellow and mountains are kept rare on purpose.
import { conceptSet } from './concepts.ts'
import { alt, label, seq, tok, type GNode } from './grammar.ts'
import type { Lang } from './lang.ts'

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

/** A non-negative integer as digit tokens: '1', '##2' (so the text reads "12"). */
export function digits(n: number, conceptNames: readonly string[] = ['number']): GNode {
  const concepts = conceptSet(conceptNames)
  return seq(...String(n).split('').map((d, i) => tok(i === 0 ? d : `##${d}`, concepts)))
}

/** Day of the month with its English-style ordinal suffix in every language ("3rd"), shared like the digits. */
function ordinalDay(day: number): GNode {
  const suffix = day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th'
  return seq(digits(day), tok(`##${suffix}`))
}

export function installSlots(L: Lang): void {
  const s = L.slots
  s.animal = L.words({ cat: 30, kitten: 8, dog: 26, puppy: 7, bird: 12, sparrow: 4, owl: 0.6, fish: 5, trout: 1.2 })
  s.food = L.words({ apple: 18, pear: 8, plum: 4, bread: 22, loaf: 4, bun: 5, soup: 14, stew: 5, cheese: 0.7 })
  s.colour = L.words({ red: 40, blue: 35, green: 22, yellow: 1.2 })
  s.adj = L.words({ big: 3, small: 3, old: 3, new: 2, quiet: 2, busy: 2, long: 2, beautiful: 2 })
  s.name = L.words({ NAME_MIRA: 1, NAME_TOM: 1, NAME_ADA: 1, NAME_BEN: 1, NAME_LENA: 1, NAME_OTTO: 1 })
  s.city = L.words({ CITY_LINDON: 1, CITY_MARROW: 1, CITY_EASTBY: 1, CITY_PORTWELL: 1 })
  s.river = L.p('the river $n', { n: L.words({ RIVER_WEND: 2, RIVER_TAMBER: 1, RIVER_ASHE: 1 }) })
  s.mountain = L.p('mount $n', { n: L.words({ MOUNT_KERR: 1, MOUNT_ALDO: 1 }) })
  s.arcBridge = L.w('ARC_BRIDGE')
  s.bridge = alt([L.p('the $arcBridge'), 6], [L.p('the old bridge'), 1])
  s.place = alt([s.city, 5], [s.river, 3], [s.bridge, 4], [s.mountain, 0.25])
  s.vehicle = L.words({ boat: 3, ship: 1, train: 4 })
  s.weekday = L.words(Object.fromEntries(WEEKDAYS.map((d) => [d, 1])))
  s.month = L.words(Object.fromEntries(MONTHS.map((m) => [m, 1])))
  s.year = label(conceptSet(['year']), alt(...Array.from({ length: 41 }, (_, i) => digits(1990 + i))))
  s.day = alt(...Array.from({ length: 28 }, (_, i) => ordinalDay(i + 1)))
  s.date = label(
    conceptSet(['date']),
    alt([L.p('$weekday , $day $month'), 3], [L.p('$day $month $year'), 2], [L.p('$weekday , $day $month $year'), 1]),
  )
  s.weatherWord = L.words({ rain: 5, sun: 4, wind: 3, fog: 1, snow: 0.6 })
  s.weatherAdj = L.words({ rainy: 5, sunny: 5, windy: 3, cloudy: 3, snowy: 0.6 })
  s.temperature = L.words({ warm: 1, cold: 1 })
}
