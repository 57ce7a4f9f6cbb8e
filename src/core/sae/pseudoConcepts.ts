// Controls for concept evaluations: random word groups shaped like real word concepts. Each real concept's words
// (token types) are swapped for random word tokens of the same language and similar frequency, so a control has
// the real concept's size, spread over languages and frequency — but no meaning. A probe or a feature family that
// scores as well on these as on real concepts measures token identity, not concepts.
import { InvalidArgumentError } from '../errors.ts'
import { createWorldRng } from '../world/prng.ts'

export interface PseudoConceptOptions {
  /** Concept ids whose shape the controls copy, one control each, in order. */
  templates: readonly number[]
  /** Per token, its language (an index, or −1 for none). */
  languageOf: Int32Array
  /** Which token ids may join a group (word tokens: not punctuation, not specials). */
  isWord: (tokenId: number) => boolean
  seed: number
  /** Candidates of nearest frequency to draw each replacement from (default 8). */
  neighbours?: number
}

export interface PseudoConcept {
  template: number
  /** The template concept's token types, and the random ones standing for them, position for position. */
  templateIds: number[]
  ids: number[]
}

/** Random word groups, one per template, and per token the groups it belongs to (indices into the result). */
export function randomWordGroups(tokenIds: ArrayLike<number>, concepts: readonly (readonly number[])[], opts: PseudoConceptOptions): { groups: PseudoConcept[]; labels: number[][] } {
  const n = tokenIds.length
  if (concepts.length !== n || opts.languageOf.length !== n) throw new InvalidArgumentError(`Token ids, concepts and languages must cover the same ${n} tokens`)
  const neighbours = opts.neighbours ?? 8
  const rng = createWorldRng(opts.seed)
  // Each token type's count and its most frequent language.
  const count = new Map<number, number>()
  const langCounts = new Map<number, Map<number, number>>()
  for (let t = 0; t < n; t++) {
    const id = tokenIds[t]!
    count.set(id, (count.get(id) ?? 0) + 1)
    const per = langCounts.get(id) ?? new Map<number, number>()
    per.set(opts.languageOf[t]!, (per.get(opts.languageOf[t]!) ?? 0) + 1)
    langCounts.set(id, per)
  }
  const languageOfId = new Map([...langCounts].map(([id, per]) => [id, [...per].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0]]))
  const candidates = [...count.keys()].filter((id) => opts.isWord(id)).sort((a, b) => a - b)

  const groups = opts.templates.map((template): PseudoConcept => {
    const templateCount = new Map<number, number>()
    for (let t = 0; t < n; t++) if (concepts[t]!.includes(template)) templateCount.set(tokenIds[t]!, (templateCount.get(tokenIds[t]!) ?? 0) + 1)
    const templateIds = [...templateCount.keys()].sort((a, b) => templateCount.get(b)! - templateCount.get(a)! || a - b)
    const used = new Set<number>(templateIds)
    const ids: number[] = []
    for (const id of templateIds) {
      const target = Math.log(templateCount.get(id)!)
      const pool = candidates
        .filter((k) => !used.has(k) && languageOfId.get(k) === languageOfId.get(id))
        .sort((a, b) => Math.abs(Math.log(count.get(a)!) - target) - Math.abs(Math.log(count.get(b)!) - target) || a - b)
        .slice(0, neighbours)
      if (pool.length === 0) continue // a tiny sample may run out of words in a language: the control is smaller
      const pick = pool[Math.floor(rng.next() * pool.length)]!
      used.add(pick)
      ids.push(pick)
    }
    return { template, templateIds, ids }
  })
  const member = new Map<number, number[]>()
  groups.forEach((g, gi) => g.ids.forEach((id) => member.set(id, [...(member.get(id) ?? []), gi])))
  const labels = Array.from({ length: n }, (_, t) => member.get(tokenIds[t]!) ?? [])
  return { groups, labels }
}
