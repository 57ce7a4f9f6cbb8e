// Probe ceilings on planted data: a concept written along one direction in every language transfers across
// languages; one written along a different direction per language (a bag of words) is read held out but does not
// transfer. Random word groups copy a template concept's shape, deterministically.
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { createWorldRng } from '../world/prng.ts'
import { conceptProbeCeilings } from './conceptProbes.ts'
import { randomWordGroups } from './pseudoConcepts.ts'

beforeAll(async () => {
  await selectBackend()
})

const gaussian = (rng: ReturnType<typeof createWorldRng>) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())

describe('conceptProbeCeilings', () => {
  it('tells a shared concept (transfers) from a per-language one (held out only), and skips cue-limited tokens', () => {
    const rng = createWorldRng(21)
    const d = 8
    const languages = [10, 11, 12]
    const documents = Array.from({ length: 120 }, () => 30)
    const n = 3600
    const x = new Float32Array(n * d)
    const concepts: number[][] = []
    const unknowable: number[][] = []
    for (let t = 0; t < n; t++) {
      const li = Math.floor(t / 30) % 3
      const shared = rng.next() < 0.2
      const bag = rng.next() < 0.2
      const span = Math.floor(t / 10) % 4 === 0 // runs of 10 tokens
      const early = span && t % 10 < 4 // the first 4 tokens of each run come before its cue
      const row = Array.from({ length: d }, () => gaussian(rng))
      row[7]! += 2 * li // languages sit apart
      if (shared) row[0]! += 4
      if (bag) row[1 + li]! += 4
      if (span && !early) row[4]! += 4 // the model only knows about the span after its cue
      x.set(row, t * d)
      concepts.push([languages[li]!, ...(shared ? [0] : []), ...(bag ? [1] : []), ...(span ? [2] : [])])
      unknowable.push(early ? [2] : [])
    }
    const targets = [0, 1, 2, 10].map((concept) => ({ concept, word: false }))
    const [shared, bag, span, lang] = conceptProbeCeilings({ x, dIn: d, concepts, unknowable, documents, targets, languages })
    expect(shared!.heldOut).toBeGreaterThan(0.97)
    expect(shared!.transferMin).toBeGreaterThan(0.95)
    expect(shared!.represented).toBe(true)
    expect(bag!.heldOut).toBeGreaterThan(0.9)
    expect(Math.max(...bag!.transfer.map((r) => r.auroc!))).toBeLessThan(0.75)
    expect(bag!.represented).toBe(false)
    expect(span!.transferMin).toBeGreaterThan(0.95) // scored from the cue on: readable
    expect(lang!.transfer.every((r) => r.auroc === null)).toBe(true) // a language cannot transfer to another
    expect(lang!.heldOut).toBeGreaterThan(0.95)
    // A concept absent from the training rows has no probe: null, not a tie at ½.
    const [absent] = conceptProbeCeilings({ x, dIn: d, concepts: concepts.map((set, t) => (t < 1800 && Math.floor(t / 30) % 2 === 1 ? [...set, 5] : set)), documents, targets: [{ concept: 5, word: false }], languages })
    expect(absent!.heldOut).toBeNull()
    // Scoring the span on every token (no cue limits) caps it: its first 4 tokens look like anything else.
    const [uncued] = conceptProbeCeilings({ x, dIn: d, concepts, documents, targets: [{ concept: 2, word: false }], languages })
    expect(uncued!.heldOut).toBeLessThan(0.9)
  })
})

describe('randomWordGroups', () => {
  it('replaces each template word by a word of the same language and near frequency, seeded', () => {
    const rng = createWorldRng(5)
    // Token types 0..59: language = id % 3; frequency falls with id. Concept 7 is carried by types 3, 4, 10.
    const n = 6000
    const tokenIds = Int32Array.from({ length: n }, () => Math.floor(60 * rng.next() ** 2))
    const languageOf = Int32Array.from(tokenIds, (id) => id % 3)
    const concepts = Array.from(tokenIds, (id) => ([3, 4, 10].includes(id) ? [7] : []))
    const opts = { templates: [7, 7], languageOf, isWord: (id: number) => id !== 0, seed: 9, neighbours: 3 }
    const { groups, labels } = randomWordGroups(tokenIds, concepts, opts)
    const again = randomWordGroups(tokenIds, concepts, opts)
    expect(again.groups).toEqual(groups)
    const count = (id: number) => tokenIds.filter((k) => k === id).length
    for (const g of groups) {
      expect(g.templateIds.sort((a, b) => a - b)).toEqual([3, 4, 10])
      expect(g.ids).toHaveLength(3)
      expect(new Set(g.ids).size).toBe(3)
      g.ids.forEach((id, i) => {
        const tmpl = g.templateIds[i]!
        expect([3, 4, 10]).not.toContain(id)
        expect(id).not.toBe(0)
        expect(id % 3).toBe(tmpl % 3)
        // Within the 3 nearest frequencies of its language (brute force over all candidates).
        const others = Array.from({ length: 60 }, (_, k) => k).filter((k) => k % 3 === tmpl % 3 && k !== 0 && ![3, 4, 10].includes(k) && count(k) > 0)
        const dist = (k: number) => Math.abs(Math.log(count(k)) - Math.log(count(tmpl)))
        expect(others.filter((k) => dist(k) < dist(id)).length).toBeLessThan(3 + i) // earlier picks may have used nearer ones
      })
    }
    labels.forEach((set, t) => expect(set).toEqual(groups.flatMap((g, gi) => (g.ids.includes(tokenIds[t]!) ? [gi] : []))))
    expect(randomWordGroups(tokenIds, concepts, { ...opts, seed: 10 }).groups).not.toEqual(groups)
  })
})
