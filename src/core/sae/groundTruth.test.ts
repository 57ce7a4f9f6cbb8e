// Ground truth scores against brute force: AUROC from all positive–negative pairs (ties count ½), F1 at every
// threshold; planted features are found; splitting evidence reads decoder cosines.
import { describe, expect, it } from 'vitest'
import { createRng } from '../generate/rng.ts'
import { conceptFeatureStats, conceptFeatureStatsByUnit, conceptHierarchy, recoveredInEveryLanguage, recoveryByLanguage, restrictTokens, scoreConcepts, SparseActsBuilder, splittingEvidence, type SparseFeatureActs } from './groundTruth.ts'
import { bruteAuroc } from './testing/bruteAuroc.ts'

function sparse(dense: number[][], chunk = 7): SparseFeatureActs {
  const b = new SparseActsBuilder(dense[0]!.length)
  for (let i = 0; i < dense.length; i += chunk) {
    const rows = dense.slice(i, i + chunk)
    b.addRows(Float32Array.from(rows.flat()), rows.length)
  }
  return b.build()
}

function bruteF1(scores: number[], labels: boolean[]): number {
  const positives = labels.filter(Boolean).length
  let best = 0
  for (const thr of new Set(scores)) {
    let tp = 0
    let predicted = 0
    scores.forEach((s, i) => {
      if (s < thr) return
      predicted++
      if (labels[i]) tp++
    })
    best = Math.max(best, (2 * tp) / (positives + predicted))
  }
  return best
}

describe('conceptFeatureStats', () => {
  it('equals brute force on data full of ties, zeros and some negative values', () => {
    const rng = createRng(9)
    const nTokens = 80
    const dSae = 6
    const nConcepts = 5
    const levels = [0, 0, 0, 0, 0.5, 1, 1, 2, 3]
    const dense = Array.from({ length: nTokens }, () =>
      Array.from({ length: dSae }, (_, j) => {
        const v = levels[Math.floor(rng.next() * levels.length)]!
        return j === 5 && rng.next() < 0.3 ? -v - 0.25 : j === 4 ? 0 : v // feature 4 dead, feature 5 partly negative
      }),
    )
    const concepts = Array.from({ length: nTokens }, () => [0, 1, 2, 3].filter(() => rng.next() < 0.3))
    concepts[0] = [4] // concept 4: a single token
    const stats = conceptFeatureStats(sparse(dense), concepts, nConcepts)
    for (let c = 0; c < nConcepts; c++) {
      const labels = concepts.map((s) => s.includes(c))
      expect(stats.positives[c]).toBe(labels.filter(Boolean).length)
      for (let j = 0; j < dSae; j++) {
        const col = dense.map((r) => r[j]!)
        expect(stats.auroc[c * dSae + j]).toBeCloseTo(bruteAuroc(col, labels), 10)
        expect(stats.f1[c * dSae + j]).toBeCloseTo(bruteF1(col, labels), 6)
      }
    }
  })

  it('leaves AUROC undefined for concepts with no positives or no negatives', () => {
    const stats = conceptFeatureStats(sparse([[1], [0]]), [[0], [0]], 2)
    expect(Number.isNaN(stats.auroc[0])).toBe(true)
    expect(Number.isNaN(stats.auroc[1])).toBe(true)
    expect(() => conceptFeatureStats(sparse([[1]]), [[3]], 2)).toThrow(/outside/)
  })
})

describe('scoreConcepts', () => {
  it('finds planted features and counts recovered concepts', () => {
    const rng = createRng(1)
    const n = 400
    const concepts = Array.from({ length: n }, () => [0, 1, 2].filter((c) => rng.next() < [0.3, 0.05, 0.2][c]!))
    // Feature 2 fires exactly on concept 0, feature 0 on concept 1 with noise; concept 2 has no feature; concept 3 is absent.
    const dense = concepts.map((set) => [set.includes(1) ? 1 + rng.next() : rng.next() < 0.02 ? 0.5 : 0, rng.next() < 0.5 ? rng.next() : 0, set.includes(0) ? 2 : 0])
    const report = scoreConcepts(sparse(dense), concepts, { nConcepts: 4, names: ['a', 'b', 'c', 'd'] })
    const [a, b, c, d] = report.concepts
    expect(a).toMatchObject({ name: 'a', bestFeature: 2, auroc: 1, f1: 1, f1Threshold: 2, recovered: true })
    expect(b!.bestFeature).toBe(0)
    expect(b!.auroc!).toBeGreaterThan(0.95)
    expect(c!.recovered).toBe(false)
    expect(d).toMatchObject({ positives: 0, frequency: 0, bestFeature: null, auroc: null, recovered: false })
    expect(report).toMatchObject({ tokens: n, evaluated: 3, recovered: 2 })
    expect(report.fractionRecovered).toBeCloseTo(2 / 3)
    expect(a!.frequency).toBeCloseTo(a!.positives / n)
  })
})

describe('word concepts scored per occurrence', () => {
  // Concept 0 is a two-token word at tokens 1–2 and 5–6; feature 0 fires on the second piece only, feature 1 on
  // the first piece and on a stray token 8.
  const concepts = [[], [0], [0], [], [], [0], [0], [], [], []]
  const dense = [[0, 0], [0, 1], [2, 0], [0, 0], [0, 0], [0, 1], [3, 0], [0, 0], [0, 1], [0, 0]]

  it('a feature that fires once per occurrence is perfect per occurrence, half-credited per token', () => {
    const perToken = scoreConcepts(sparse(dense), concepts, { nConcepts: 1 })
    const perWord = scoreConcepts(sparse(dense), concepts, { nConcepts: 1, wordConcepts: [0] })
    expect(perToken.concepts[0]).toMatchObject({ unit: 'token', positives: 4 })
    expect(perToken.concepts[0]!.auroc).toBeCloseTo(0.75) // ½ + ½ · (2 of 4 pieces)
    expect(perWord.concepts[0]).toMatchObject({ unit: 'occurrence', positives: 2, bestFeature: 0, auroc: 1, f1: 1, recovered: true })
    expect(perWord.concepts[0]!.frequency).toBeCloseTo(0.4) // still the token fraction, for completeness plots
  })

  it('pools the maximum over an occurrence and keeps negatives per token', () => {
    const stats = conceptFeatureStatsByUnit(sparse(dense), concepts, 1, [0])
    // Feature 1: both occurrences pool to 1; of the 6 negative tokens one (the stray) is 1, a tie, and five are 0,
    // so AUROC = P(pos > neg) + ½·P(tie) = 5/6 + ½ · 1/6.
    expect(stats.auroc[1]).toBeCloseTo(5 / 6 + 1 / 12)
    expect(() => conceptFeatureStatsByUnit(sparse(dense), concepts, 1, [3])).toThrow(/outside/)
  })
})

describe('recovery within each language', () => {
  // Languages are concepts 0 and 1 (on every token of their documents); concept 2 is a word with one feature per
  // language: feature 0 in language 0, feature 1 in language 1. Concept 3 occurs only in language 0, unfound.
  const concepts = [[0], [0, 2], [0], [0, 3], [0, 2], [1], [1, 2], [1], [1, 2], [1]]
  const dense = [[0, 0], [1, 0], [0, 0], [0, 0], [1, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]]

  it('finds per-language features that no single feature matches globally', () => {
    const global = scoreConcepts(sparse(dense), concepts, { nConcepts: 4 })
    expect(global.concepts[2]!.auroc).toBeCloseTo(0.75) // each feature covers half of the occurrences
    const byLanguage = recoveryByLanguage(sparse(dense), concepts, { nConcepts: 4, languages: [0, 1] })
    expect(byLanguage.map((l) => l.tokens)).toEqual([5, 5])
    expect(byLanguage[0]!.concepts.find((c) => c.concept === 2)).toMatchObject({ bestFeature: 0, auroc: 1, recovered: true })
    expect(byLanguage[1]!.concepts.find((c) => c.concept === 2)).toMatchObject({ bestFeature: 1, auroc: 1, recovered: true })
    expect(byLanguage[0]!.concepts.some((c) => c.concept === 0)).toBe(false) // the language itself is not scored
    const every = recoveredInEveryLanguage(byLanguage)
    expect(every).toMatchObject({ evaluated: 2, recovered: 1, concepts: [2] }) // concept 3 (language 0 only) is not
  })

  it('restrictTokens keeps the selected rows in order', () => {
    const r = restrictTokens(sparse(dense), concepts, (t) => t >= 5)
    expect(r.acts.nTokens).toBe(5)
    expect(r.concepts[1]).toEqual([1, 2])
    expect(Array.from(r.acts.colPtr)).toEqual([0, 0, 2])
    expect(Array.from(r.acts.tokens)).toEqual([1, 3])
  })
})

describe('splittingEvidence', () => {
  it("pairs the parent's feature in the small SAE with its children's in the large one", () => {
    const concepts = [[0, 1], [0, 2], [], [0, 1], []]
    // SAE A: feature 1 = parent (concept 0). SAE B: feature 0 = child 1, feature 2 = child 2, feature 1 = parent.
    const a = sparse([[0, 1], [0, 1], [1, 0], [0, 1], [0, 0]])
    const b = sparse([[1, 1, 0], [0, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]])
    const ra = scoreConcepts(a, concepts, { nConcepts: 3 })
    const rb = scoreConcepts(b, concepts, { nConcepts: 3 })
    const wDecA = Float32Array.from([0, 1, 1, 0]) // [2, 2]
    const wDecB = Float32Array.from([0.6, 0.8, 2, 0, 0.6, -0.8]) // [3, 2]
    const ev = splittingEvidence(0, conceptHierarchy([{ id: 0, parent: null }, { id: 1, parent: 0 }, { id: 2, parent: 0 }]).get(0)!, { report: ra, wDec: wDecA, dIn: 2 }, { report: rb, wDec: wDecB, dIn: 2 })
    expect(ev.parent).toMatchObject({ concept: 0, feature: 1, auroc: 1 })
    expect(ev.parentInB.feature).toBe(1)
    expect(ev.parentInB.cosineWithParent).toBeCloseTo(1)
    expect(ev.children.map((c) => c.feature)).toEqual([0, 2])
    expect(ev.children[0]!.cosineWithParent).toBeCloseTo(0.6)
    expect(ev.children[1]!.cosineWithParent).toBeCloseTo(0.6)
  })
})
