// The recovery picture: its rows count what REPORT.md's tables count (represented, precise, AUROC-only, family,
// distinct features, absorption), and each bar's length is its share of the represented concepts.
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { evaluateConcepts, recoveredPrecisely } from './conceptEvaluation.ts'
import { recoveryRow, recoverySvg } from './recoverySvg.ts'
import { plantedCatalogue as catalogue, plantedWorld as world } from './testing/plantedWorld.ts'

beforeAll(async () => {
  await selectBackend()
})

describe('recoveryRow and recoverySvg', () => {
  it('count what the evaluation says and draw bars in proportion', () => {
    const w = world(5, 8)
    const truth = evaluateConcepts({ acts: w.acts, x: w.x, dIn: w.d, labels: w.labels, catalogue, isWord: (id) => id % 10 !== 0, controlSeed: 1, maxK: 3 })
    const all = truth.tallies.find((t) => t.group === 'all')!
    const row = recoveryRow('planted', truth)
    expect(row.represented).toBe(all.represented)
    expect(row.recovered).toBe(all.recoveredOfRepresented)
    expect(row.family).toBe(all.familyOfRepresented)
    const represented = truth.concepts.filter((c) => c.represented && c.probe?.transferMin !== null && c.auroc !== null)
    expect(row.precise).toBe(represented.filter(recoveredPrecisely).length)
    expect(row.recovered, 'the planted world has recoveries').toBeGreaterThan(0)
    expect(row.distinctFeatures).toBe(new Set(represented.filter((c) => c.recovered).map((c) => c.bestFeature)).size)
    expect(row.absorbed).toBe(truth.absorption.summary.find((s) => s.kind === 'concept')!.meanAbsorbed)

    const svg = recoverySvg([row, { ...row, sae: 'half <b>', recovered: Math.floor(row.represented / 2), absorbed: null }])
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('half &lt;b&gt;')
    const widths = [...svg.matchAll(/<rect x="150" y="[\d.]+" width="([\d.]+)" height="10" fill="#6baed6">/g)].map((m) => Number(m[1]))
    expect(widths).toEqual([Number(((row.recovered / row.represented) * 420).toFixed(1)), Number(((Math.floor(row.represented / 2) / row.represented) * 420).toFixed(1))])
    expect(svg.match(/fill="#e6550d"/g)?.length, 'absorption only where it was measured').toBe(1)
  })
})
