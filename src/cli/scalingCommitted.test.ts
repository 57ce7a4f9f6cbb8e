// The committed scaling sweep: a ≥ 4 × 4 grid with learning-rate runs at both ends, and SCALING.md and the plots
// exactly what its scaling.json renders (so the figures cannot drift from the runs they claim to show).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseScalingSweepFile } from '../core/sae/scaling/scalingFile.ts'
import { analyseSweep, gridRuns, lossVsComputeSvg, optimalAllocationSvg, scalingMarkdown } from '../core/sae/scaling/scalingReport.ts'
import { repoRoot } from './defaults.ts'

const dir = path.join(repoRoot, 'public/saes/tinyworld/blocks.2.hook_resid_post/scaling')

describe('the committed scaling sweep', () => {
  it('covers at least 4 sizes × 4 token counts, with other learning rates at the cheapest and costliest run', async () => {
    const file = parseScalingSweepFile(JSON.parse(await readFile(path.join(dir, 'scaling.json'), 'utf8')))
    const grid = gridRuns(file)
    const sizes = new Set(grid.map((r) => r.dSae))
    const steps = new Set(grid.map((r) => r.steps))
    expect(sizes.size).toBeGreaterThanOrEqual(4)
    expect(steps.size).toBeGreaterThanOrEqual(4)
    expect(grid).toHaveLength(sizes.size * steps.size)
    const cost = (r: { dSae: number; steps: number }) => r.dSae * r.steps
    const cheapest = grid.reduce((a, b) => (cost(b) < cost(a) ? b : a))
    const costliest = grid.reduce((a, b) => (cost(b) > cost(a) ? b : a))
    for (const end of [cheapest, costliest]) {
      const rates = new Set(file.runs.filter((r) => r.dSae === end.dSae && r.steps === end.steps).map((r) => r.lr))
      expect(rates.size, `${end.dSae} × ${end.steps}`).toBeGreaterThanOrEqual(3)
    }
    const analysis = analyseSweep(file)
    expect(analysis.lossFit).not.toBeNull()
    expect(analysis.lossFit!.exponent).toBeLessThan(0) // more compute, lower loss
  })

  it('ships SCALING.md and the plots exactly as its scaling.json renders them', async () => {
    const file = parseScalingSweepFile(JSON.parse(await readFile(path.join(dir, 'scaling.json'), 'utf8')))
    const analysis = analyseSweep(file)
    expect(await readFile(path.join(dir, 'SCALING.md'), 'utf8')).toBe(scalingMarkdown(file, analysis))
    expect(await readFile(path.join(dir, 'scaling_loss.svg'), 'utf8')).toBe(lossVsComputeSvg(file, analysis))
    expect(await readFile(path.join(dir, 'scaling_optimal.svg'), 'utf8')).toBe(optimalAllocationSvg(analysis))
  })
})
