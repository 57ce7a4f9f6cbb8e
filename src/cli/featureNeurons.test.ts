// feature-neurons end to end on a committed SAE and a few hundred tokens: both reports and the per-feature table are
// written, the table parses and covers every feature, and the same seed gives the same table.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { bestNeuronOf, parseFeatureNeurons } from '../core/analysis/featureNeuronsFile.ts'
import { main } from './main.ts'

const SAE = 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'

describe('monoscope feature-neurons', { timeout: 180_000 }, () => {
  it('writes neurons_report.{json,md} and neurons/<sae>.json, reproducibly from its seed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-neurons-'))
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      const run = () => main(['feature-neurons', '--saes', SAE, '--tokens', '600', '--seed', '3', '--out', dir])
      expect(await run()).toBe(0)
      const table = await readFile(path.join(dir, 'neurons/standard-1024.json'), 'utf8')
      const file = parseFeatureNeurons(JSON.parse(table))
      expect(file.r).toHaveLength(1024)
      const live = file.r.flatMap((r, i) => (r === null ? [] : [bestNeuronOf(file, i)!]))
      expect(live.length).toBeGreaterThan(500)
      for (const b of live) {
        expect([0, 1, 2]).toContain(b.layer)
        expect(b.neuron).toBeGreaterThanOrEqual(0)
        expect(b.neuron).toBeLessThan(512)
        expect(Math.abs(b.r)).toBeLessThanOrEqual(1)
      }
      const report = JSON.parse(await readFile(path.join(dir, 'neurons_report.json'), 'utf8')) as { saes: { features: { evaluated: number; fractionAtMost03: number }; baseline: { fractionAtMost03: number } }[] }
      expect(report.saes[0]!.features.evaluated).toBe(live.length)
      for (const f of [report.saes[0]!.features.fractionAtMost03, report.saes[0]!.baseline.fractionAtMost03]) expect(f).toBeGreaterThanOrEqual(0)
      expect(await readFile(path.join(dir, 'neurons_report.md'), 'utf8')).toMatch(/\| standard-1024 \| \d+ \| 1536 \(layers 0, 1, 2\)/)
      expect(await run()).toBe(0)
      expect(await readFile(path.join(dir, 'neurons/standard-1024.json'), 'utf8')).toBe(table)
    } finally {
      out.mockRestore()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
