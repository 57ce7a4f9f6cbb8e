// The whole concept evaluation on a planted mini-world (three languages, a parent → child pair of word concepts, a
// cue-limited span concept): its tallies, controls and absorption pairs recount from its own per-concept rows and
// from the labels.
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { evaluateConcepts } from './conceptEvaluation.ts'
import { plantedCatalogue as catalogue, plantedWorld as world } from './testing/plantedWorld.ts'

beforeAll(async () => {
  await selectBackend()
})

describe('evaluateConcepts', () => {
  it('recounts: tallies from its rows, a control per word concept, absorption from the activations', () => {
    const w = world(3, 8)
    const e = evaluateConcepts({ acts: w.acts, x: w.x, dIn: w.d, labels: w.labels, catalogue, isWord: (id) => id % 10 !== 0, controlSeed: 1, maxK: 3 })
    const rows = e.concepts.filter((c) => c.concept > 2 && c.auroc !== null)
    const all = e.tallies.find((t) => t.group === 'all')!
    expect(all.concepts).toBe(rows.length)
    expect(all.represented).toBe(rows.filter((c) => c.represented).length)
    expect(all.recoveredOfRepresented).toBe(rows.filter((c) => c.represented && c.recovered).length)
    expect(e.tallies.find((t) => t.group === 'parent')!.concepts).toBe(1) // animal
    expect(e.tallies.find((t) => t.group === 'child')!.concepts).toBe(1) // cat
    expect(e.controls.map((c) => c.templateName)).toEqual(['animal', 'cat'])
    // The planted concepts are read across languages; joy only from its cue on.
    expect(e.concepts[3]!.represented).toBe(true)
    expect(e.concepts[5]!.auroc).toBeGreaterThan(0.99)
    expect(e.concepts[1]!.probe!.transferMin).toBeNull()
    // Animal → cat: feature 0 is animal's best, feature 1 cat's; the parent is silent on cats where feature 0 is.
    const pair = e.absorption.pairs.find((p) => p.parent === 3 && p.child === 4 && p.language === null)!
    expect(pair.parentFeature).toBe(0)
    expect(pair.childFeature).toBe(1)
    // Occurrences are runs of cat tokens; absorbed where feature 0 is off on the whole run and feature 1 on somewhere.
    let cats = 0
    let silent = 0
    let runSilent = true
    let childOn = false
    w.labels.concepts.forEach((set, t) => {
      const has = set.includes(4)
      const prev = t > 0 && w.labels.concepts[t - 1]!.includes(4)
      if (has && !prev) {
        runSilent = true
        childOn = false
      }
      if (has) {
        runSilent &&= w.dense[t]![0] === 0
        childOn ||= w.dense[t]![1]! > 0
      }
      const last = has && !(w.labels.concepts[t + 1] ?? []).includes(4)
      if (last) {
        cats++
        if (runSilent && childOn) silent++
      }
    })
    expect(pair.occurrences).toBe(cats)
    expect(pair.absorbed).toBeCloseTo(silent / cats, 12)
    expect(pair.absorbed).toBeGreaterThan(0.2)
    expect(e.absorption.summary.find((s) => s.kind === 'concept')!.pairs).toBe(1)
    expect(e.absorption.summary.find((s) => s.kind === 'language')!.pairs).toBe(6) // animal and cat × 3 languages
  })

  it('reuses given probe ceilings instead of fitting, and refuses ones of another shape', () => {
    const w = world(4, 8)
    const input = { acts: w.acts, x: w.x, dIn: w.d, labels: w.labels, catalogue, isWord: (id: number) => id % 10 !== 0, controlSeed: 1, maxK: 3 }
    const first = evaluateConcepts(input)
    const again = evaluateConcepts({ ...input, x: null, ceilings: first.ceilingsUsed })
    expect(again.concepts.map((c) => c.probe)).toEqual(first.concepts.map((c) => c.probe))
    expect(() => evaluateConcepts({ ...input, ceilings: first.ceilingsUsed!.slice(1) })).toThrow(/cover/)
  })
})
