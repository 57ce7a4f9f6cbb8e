// Feature families, precision/recall, absorption and cue-limited span scoring against brute force on planted
// sparse activations: units, rankings, sums and counts are recomputed here from dense arrays with their own code.
import { describe, expect, it } from 'vitest'
import { createRng } from '../generate/rng.ts'
import { absorption, featureFamilies } from './conceptFamilies.ts'
import { scoreConceptsWithStats, SparseActsBuilder } from './groundTruth.ts'
import { bruteAuroc } from './testing/bruteAuroc.ts'

function sparse(dense: number[][]) {
  const b = new SparseActsBuilder(dense[0]!.length)
  b.addRows(Float32Array.from(dense.flat()), dense.length)
  return b.build()
}

/** Units by hand: a word concept's runs are one unit (max), other tokens one each; skipped tokens dropped. */
function bruteUnits(concepts: number[][], c: number, word: boolean, skip: (t: number) => boolean): number[][] {
  const units: number[][] = []
  let prevIn = false
  concepts.forEach((set, t) => {
    if (skip(t)) {
      prevIn = false
      return
    }
    const has = set.includes(c)
    if (word && has && prevIn) units.at(-1)!.push(t)
    else units.push([t])
    prevIn = has
  })
  return units
}

function planted(seed: number) {
  const rng = createRng(seed)
  const n = 160
  const dSae = 7
  // Concepts: 0 parent (word), 1 child of 0 (word), 2 span; tokens carrying 1 carry 0.
  const concepts: number[][] = []
  for (let t = 0; t < n; t++) {
    const r = rng.next()
    const set = r < 0.15 ? [0, 1] : r < 0.3 ? [0] : []
    if (rng.next() < 0.3) set.push(2)
    concepts.push(set)
  }
  const dense = concepts.map((set) =>
    Array.from({ length: dSae }, (_, j) => {
      const on = (j === 0 && set.includes(0) && rng.next() < 0.6) || (j === 1 && set.includes(1) && rng.next() < 0.7) || (j === 2 && set.includes(2) && rng.next() < 0.5)
      return on ? 1 + Math.floor(rng.next() * 3) : rng.next() < 0.15 ? Math.floor(rng.next() * 3) : 0
    }),
  )
  // Cue limits: the first token of each span-2 run is unknowable.
  const unknowable = concepts.map((set, t) => (set.includes(2) && !(concepts[t - 1] ?? []).includes(2) ? [2] : []))
  return { concepts, dense, unknowable }
}

describe('featureFamilies', () => {
  it('ranks features, sums the top k and scores the union over occurrences and cue-limited tokens, as brute force does', () => {
    for (const seed of [1, 2, 3]) {
      const { concepts, dense, unknowable } = planted(seed)
      const acts = sparse(dense)
      const words = [0, 1]
      const { stats, report } = scoreConceptsWithStats(acts, concepts, { nConcepts: 3, wordConcepts: words, unknowable })
      const families = featureFamilies(acts, concepts, stats, [0, 1, 2], { wordConcepts: words, unknowable, maxK: 4, aurocThreshold: 0.95 })
      for (const c of [0, 1, 2]) {
        const units = bruteUnits(concepts, c, words.includes(c), (t) => unknowable[t]!.includes(c))
        const labels = units.map((u) => concepts[u[0]!]!.includes(c))
        const single = Array.from({ length: 7 }, (_, j) => bruteAuroc(units.map((u) => Math.max(...u.map((t) => dense[t]![j]!))), labels))
        // Single-feature AUROCs (cue-limited for the span concept) agree with the SAE scoring.
        single.forEach((a, j) => expect(stats.auroc[c * 7 + j]).toBeCloseTo(a, 10))
        const order = single.map((a, j) => [a, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, j]) => j)
        const f = families.find((x) => x.concept === c)!
        expect(f.features.map((j) => single[j])).toEqual(order.slice(0, 4).map((j) => single[j]))
        f.features.forEach((_, k) => {
          const top = f.features.slice(0, k + 1)
          const union = units.map((u) => Math.max(...u.map((t) => top.reduce((s, j) => s + dense[t]![j]!, 0))))
          expect(f.aurocByK[k]).toBeCloseTo(bruteAuroc(union, labels), 10)
        })
        expect(f.aurocByK[0]).toBeCloseTo(report.concepts[c]!.auroc!, 10)
        const best = f.features[0]!
        const fires = units.map((u) => u.some((t) => dense[t]![best]! > 0))
        const tp = fires.filter((x, i) => x && labels[i]).length
        expect(f.recall).toBeCloseTo(tp / labels.filter(Boolean).length, 12)
        expect(f.precision).toBeCloseTo(tp / fires.filter(Boolean).length, 12)
        const k = f.aurocByK.findIndex((a) => a >= 0.95)
        expect(f.smallestRecovering).toBe(k < 0 ? null : k + 1)
      }
    }
  })

  it('finds a planted family: three features, one per word of a concept, recover it only together', () => {
    // Concept 0 is carried by three token types; feature j fires exactly on type j.
    const types = Array.from({ length: 300 }, (_, t) => (t % 7 < 3 ? t % 7 : -1))
    const concepts = types.map((k) => (k >= 0 ? [0] : []))
    const dense = types.map((k) => [0, 1, 2, 3].map((j) => (j === k ? 1 : 0)))
    const acts = sparse(dense)
    const { stats } = scoreConceptsWithStats(acts, concepts, { nConcepts: 1, wordConcepts: [] })
    const [f] = featureFamilies(acts, concepts, stats, [0], { wordConcepts: [], aurocThreshold: 0.95 })
    expect(f!.smallestRecovering).toBe(3)
    expect(f!.aurocByK[2]).toBe(1)
    expect(f!.aurocByK[0]).toBeLessThan(0.95)
    expect(f!.precision).toBe(1)
    expect(f!.recall).toBeCloseTo(1 / 3, 1)
  })
})

describe('absorption', () => {
  it('counts child occurrences with the parent feature silent and a child feature firing, as brute force does, per language too', () => {
    for (const seed of [4, 5]) {
      const { concepts, dense } = planted(seed)
      // Tokens 0..79 are "language" 3, the rest "language" 4.
      const withLang = concepts.map((set, t) => [...set, t < 80 ? 3 : 4])
      const acts = sparse(dense)
      const pairs = [
        { parent: 0, child: 1, language: null, parentFeature: 0, childFeatures: [1, 5] },
        { parent: 0, child: 1, language: 4, parentFeature: 0, childFeatures: [1] },
      ]
      const scores = absorption(acts, withLang, pairs, { wordConcepts: [0, 1] })
      pairs.forEach((p, i) => {
        const units = bruteUnits(withLang, 1, true, (t) => p.language !== null && !withLang[t]!.includes(p.language)).filter((u) => withLang[u[0]!]!.includes(1))
        const fires = (j: number, u: number[]) => u.some((t) => dense[t]![j]! > 0)
        const silent = units.filter((u) => !fires(0, u))
        expect(scores[i]!.occurrences).toBe(units.length)
        expect(scores[i]!.parentSilent).toBeCloseTo(silent.length / units.length, 12)
        expect(scores[i]!.absorbed).toBeCloseTo(silent.filter((u) => fires(1, u)).length / units.length, 12)
        expect(scores[i]!.absorbedByFamily).toBeCloseTo(silent.filter((u) => p.childFeatures.some((j) => fires(j, u))).length / units.length, 12)
      })
      expect(scores[0]!.absorbed).toBeGreaterThan(0) // the planted data has absorption to find
    }
  })
})
